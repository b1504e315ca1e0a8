"""Scanner or person: the keyboard-wedge burst detector, fed with chosen key times."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.wedge import Action, BurstDetector, WedgeDecision

CCCD_QR = "034186012345|151234567|Tran Thi Mai|12031986|Nu|Thon Dong|20042021"


def feed_all(detector: BurstDetector, keys: str, *, start_ms: float, gap_ms: float) -> list[WedgeDecision]:
    return [detector.feed(key, start_ms + i * gap_ms) for i, key in enumerate(keys)]


def run(detector: BurstDetector, keys: list[tuple[str, float]]) -> tuple[str, list[str]]:
    """Feed (key, time) pairs; return the text the field got and the scans."""
    field: list[str] = []
    scans: list[str] = []
    for key, at in keys:
        decision = detector.feed(key, at)
        field += decision.released
        if decision.action is Action.TYPING:
            field.append(key)
        elif decision.action is Action.SCAN:
            scans.append(decision.scanned)
    field += detector.flush()
    return "".join(field), scans


def timed(keys: str, start: float, gap: float) -> list[tuple[str, float]]:
    return [(key, start + i * gap) for i, key in enumerate(keys)]


@pytest.mark.parametrize("gap", [2, 5, 15])
def test_scanner_burst_is_a_scan(gap: float) -> None:
    detector = BurstDetector()
    field, scans = run(detector, [*timed(CCCD_QR, 1000, gap), ("\r", 1000 + len(CCCD_QR) * gap)])
    assert scans == [CCCD_QR]
    assert field == ""


@pytest.mark.parametrize("gap", [120, 200, 300])
def test_human_typing_is_typing(gap: float) -> None:
    detector = BurstDetector()
    keys = timed("Nguyễn Văn An", 0, gap)
    decisions = [detector.feed(k, at) for k, at in keys]
    assert all(d.action is Action.HOLD for d in decisions)  # every key waits, at most max_gap_ms
    assert all(len(d.released) == (0 if i == 0 else 1) for i, d in enumerate(decisions))
    enter = detector.feed("\r", len(keys) * gap)
    assert enter.action is Action.TYPING
    assert "".join(k for d in decisions for k in d.released) + "".join(enter.released) == "Nguyễn Văn An"


def test_human_typing_through_run() -> None:
    field, scans = run(BurstDetector(), [*timed("Lê Văn Bình", 0, 200), ("\r", 2400)])
    assert (field, scans) == ("Lê Văn Bình\r", [])


def test_scanner_burst_after_human_typing_in_the_same_field() -> None:
    keys = [*timed("Ghi chú: ", 0, 180), *timed(CCCD_QR, 5000, 4), ("\r", 5000 + len(CCCD_QR) * 4)]
    field, scans = run(BurstDetector(), keys)
    assert scans == [CCCD_QR]
    assert field == "Ghi chú: "


def test_long_pause_inside_a_burst_is_not_a_scan() -> None:
    keys = [*timed("0341860123", 0, 5), *timed("45|", 200, 5), ("\r", 215)]
    field, scans = run(BurstDetector(), keys)
    assert scans == []
    assert field == "034186012345|\r"


def test_enter_alone_passes() -> None:
    detector = BurstDetector()
    decision = detector.feed("\r", 100)
    assert decision == WedgeDecision(Action.TYPING)
    assert detector.feed("\n", 105).action is Action.TYPING


def test_too_few_fast_keys_then_enter_is_typing() -> None:
    field, scans = run(BurstDetector(min_length=8), [*timed("1234567", 0, 5), ("\r", 35)])
    assert (field, scans) == ("1234567\r", [])
    _, scans = run(BurstDetector(min_length=8), [*timed("12345678", 0, 5), ("\r", 40)])
    assert scans == ["12345678"]


def test_enter_after_a_pause_is_typing() -> None:
    field, scans = run(BurstDetector(), [*timed("0123456789", 0, 5), ("\r", 45 + 36)])
    assert (field, scans) == ("0123456789\r", [])


def test_control_keys_end_the_burst_as_typing() -> None:
    detector = BurstDetector()
    feed_all(detector, "0123456789", start_ms=0, gap_ms=5)
    backspace = detector.feed("\b", 50)
    assert backspace.action is Action.TYPING
    assert "".join(backspace.released) == "0123456789"
    assert detector.holding == 0
    assert detector.feed("", 52).action is Action.TYPING  # a key without text: arrows, F-keys


def test_flush_releases_in_order() -> None:
    detector = BurstDetector()
    feed_all(detector, "abc", start_ms=0, gap_ms=5)
    assert detector.holding == 3
    assert detector.flush() == ("a", "b", "c")
    assert detector.holding == 0
    assert detector.feed("\r", 20).action is Action.TYPING  # the flushed keys no longer count


def test_exactly_max_gap_still_counts_as_a_burst() -> None:
    _, scans = run(BurstDetector(max_gap_ms=35), [*timed("123456789", 0, 35), ("\r", 9 * 35)])
    assert scans == ["123456789"]


def test_clock_going_backwards_is_a_pause() -> None:
    detector = BurstDetector()
    detector.feed("a", 100)
    assert detector.feed("b", 50).released == ("a",)


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="max_gap_ms"):
        BurstDetector(max_gap_ms=0)
    with pytest.raises(ValueError, match="min_length"):
        BurstDetector(min_length=0)


@given(
    st.text(st.characters(min_codepoint=32, max_codepoint=0x1EF9, exclude_categories=("Cs", "Cc")), max_size=40),
    st.lists(st.floats(min_value=0, max_value=400), min_size=40, max_size=40),
)
def test_no_key_is_ever_lost_or_reordered(text: str, gaps: list[float]) -> None:
    """Whatever the timing: field text plus scanned texts are exactly the keys, in order (Enters aside)."""
    detector = BurstDetector()
    keys = [ch for ch in text if ch.isprintable()] + ["\r"]
    at, fed = 0.0, []
    for key, gap in zip(keys, gaps, strict=False):
        at += gap
        fed.append((key, at))
    field, scans = run(detector, fed)
    assert field.replace("\r", "") + "".join(scans) == "".join(k for k, _ in fed if k != "\r")
    assert len(scans) <= 1
