"""The announcement queue: in order, one at a time, recalls, collapsed duplicates, real PCM, no sound device."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.core.speech import announcement
from app.display.announcer import Announcer, NullAudioSink, QtAudioSink
from app.display.voice import RATE, VoicePack, default_pack_dir, load_pack


@pytest.fixture(scope="module")
def pack() -> VoicePack:
    return load_pack(default_pack_dir())


class StrictSink(NullAudioSink):
    """Finishes on the next event-loop turn and records any request to play while still playing."""

    def __init__(self) -> None:
        super().__init__()
        self.overlaps = 0

    def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None:
        if self.busy:
            self.overlaps += 1
        assert not self.busy, "asked to play while busy"
        assert sample_rate == RATE
        super().play(pcm, sample_rate, on_finished)


class HeldSink:
    """Plays until the test releases it: shows what the announcer does while a clip is still playing."""

    def __init__(self) -> None:
        self.plays: list[int] = []
        self.pending: Callable[[], None] | None = None

    def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None:
        assert self.pending is None, "asked to play while busy"
        self.plays.append(len(pcm))
        self.pending = on_finished

    def release(self) -> None:
        assert self.pending is not None
        callback, self.pending = self.pending, None
        callback()

    def stop(self) -> None:
        if self.pending is not None:
            self.release()


def record(announcer: Announcer) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    started: list[tuple[str, str, str]] = []
    finished: list[tuple[str, str]] = []
    announcer.started.connect(lambda n, c, t: started.append((n, c, t)))
    announcer.finished.connect(lambda n, c: finished.append((n, c)))
    return started, finished


def test_three_queued_at_once_play_in_order_without_overlap(qtbot, pack) -> None:
    sink = StrictSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    started, finished = record(announcer)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        assert announcer.announce("A015", "3")
        assert announcer.announce("B002", "1")
        assert announcer.announce("C120", "Quầy 4")
    assert [(n, c) for n, c, _ in started] == [("A015", "3"), ("B002", "1"), ("C120", "Quầy 4")]
    assert finished == [("A015", "3"), ("B002", "1"), ("C120", "Quầy 4")]
    assert started[0][2] == "Mời công dân có số thứ tự A015 đến quầy số 3."
    assert sink.overlaps == 0
    assert len(sink.plays) == 3
    assert [t for t, _ in sink.plays] == sorted(t for t, _ in sink.plays)
    assert len(announcer.call_to_audio_start_ms) == 3
    assert all(ms >= 0 for ms in announcer.call_to_audio_start_ms)
    assert not announcer.busy


def test_the_next_waits_for_the_current_to_finish(qtbot, pack) -> None:
    sink = HeldSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    started, _ = record(announcer)
    announcer.announce("A001", "1")
    announcer.announce("A002", "2")
    assert len(sink.plays) == 1
    assert announcer.pending == [("A002", "2")]
    with qtbot.waitSignal(announcer.started, timeout=5000) as blocker:
        sink.release()
    assert blocker.args[:2] == ["A002", "2"]
    assert len(sink.plays) == 2
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        sink.release()
    assert [s[0] for s in started] == ["A001", "A002"]


def test_a_pause_separates_two_sentences(qtbot, pack) -> None:
    sink = StrictSink()
    announcer = Announcer(sink, pack, pause_ms=50)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.announce("A001", "1")
        announcer.announce("A002", "2")
    (first, _), (second, _) = sink.plays
    assert second - first >= 0.045


def test_a_recall_is_announced_again(qtbot, pack) -> None:
    sink = StrictSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    started, _ = record(announcer)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.announce("A015", "3")
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        assert announcer.announce("A015", "3", recall=True)
    assert [(n, c) for n, c, _ in started] == [("A015", "3"), ("A015", "3")]
    assert len(sink.plays) == 2


def test_a_recall_while_the_call_still_plays_is_queued(qtbot, pack) -> None:
    sink = HeldSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    announcer.announce("A015", "3")
    assert not announcer.announce("A015", "3")  # the same call delivered twice: said once
    assert announcer.announce("A015", "3", recall=True)
    with qtbot.waitSignal(announcer.started, timeout=5000):
        sink.release()
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        sink.release()
    assert len(sink.plays) == 2


def test_recalls_can_be_left_to_the_screen(qtbot, pack) -> None:
    sink = StrictSink()
    announcer = Announcer(sink, pack, repeat_on_recall=False, pause_ms=0)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.announce("A015", "3")
    assert not announcer.announce("A015", "3", recall=True)
    assert not announcer.busy
    # A recall of a number this display never said (it started after the call) is still spoken.
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        assert announcer.announce("B007", "2", recall=True)
    assert len(sink.plays) == 2


def test_duplicates_waiting_in_the_queue_collapse(qtbot, pack) -> None:
    sink = HeldSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    started, _ = record(announcer)
    assert announcer.announce("A001", "1")
    assert announcer.announce("A002", "2")
    assert not announcer.announce("A002", "2")
    assert announcer.announce("A003", "1")
    assert not announcer.announce("A002", "2", recall=True)
    assert announcer.announce("A002", "3")  # same number, another counter (a transfer): a new sentence
    assert announcer.pending == [("A002", "2"), ("A003", "1"), ("A002", "3")]
    for _ in range(3):
        with qtbot.waitSignal(announcer.started, timeout=5000):
            sink.release()
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        sink.release()
    assert [(n, c) for n, c, _ in started] == [("A001", "1"), ("A002", "2"), ("A003", "1"), ("A002", "3")]


def test_the_pcm_is_the_voice_pack_render_of_the_announcement(qtbot, pack) -> None:
    sink = NullAudioSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.announce("A015", "3")
        announcer.announce("B1203", "Quầy 2 - Đất đai")
    assert [n for _, n in sink.plays] == [
        len(pack.render(announcement("A015", "3").clips, 60)),
        len(pack.render(announcement("B1203", "Quầy 2 - Đất đai").clips, 60)),
    ]
    assert sink.plays[0][1] > RATE  # more than half a second of speech


def test_digit_mode_reads_digit_by_digit(qtbot, pack) -> None:
    sink = NullAudioSink()
    announcer = Announcer(sink, pack, digit_mode=True, pause_ms=0)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.announce("A015", "3")
    assert sink.plays[0][1] == len(pack.render(announcement("A015", "3", digit_mode=True).clips, 60))


def test_a_sentence_without_voice_is_skipped_and_the_queue_moves_on(qtbot, pack) -> None:
    sink = StrictSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    skipped: list[tuple[str, str, str]] = []
    announcer.skipped.connect(lambda n, c, why: skipped.append((n, c, why)))
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.announce("A001", "Tư pháp")  # no digit: shown, not spoken
        announcer.announce("A002", "2")
    assert skipped[0][:2] == ("A001", "Tư pháp")
    assert "không có chữ số" in skipped[0][2]
    assert len(sink.plays) == 1


def test_clear_cuts_the_current_and_drops_the_rest(qtbot, pack) -> None:
    sink = HeldSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    announcer.announce("A001", "1")
    announcer.announce("A002", "2")
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        announcer.clear()
    assert len(sink.plays) == 1
    assert not announcer.busy


def test_qt_audio_sink_without_a_sound_device_does_not_crash(qtbot, pack) -> None:
    sink = QtAudioSink()
    announcer = Announcer(sink, pack, pause_ms=0)
    with qtbot.waitSignal(announcer.finished, timeout=15000) as blocker:
        announcer.announce("A001", "1")
    assert blocker.args == ["A001", "1"]
    # On a machine with speakers this actually played; on CI it fell back to silence.
    assert isinstance(sink.available, bool)
    sink.stop()  # idle: nothing to stop


def test_null_sink_in_realtime_stays_busy_for_the_clip(qtbot, pack) -> None:
    sink = NullAudioSink(realtime=True)
    announcer = Announcer(sink, pack, pause_ms=0)
    with qtbot.waitSignal(announcer.started, timeout=5000):
        announcer.announce("A001", "1")
    assert sink.busy
    with qtbot.waitSignal(announcer.finished, timeout=15000):
        pass
    assert not sink.busy
