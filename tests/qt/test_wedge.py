"""The keyboard-wedge filter on a real QLineEdit: scans are caught, typing arrives whole and in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.qtbridge.wedge import WedgeFilter

CCCD_QR = "034186012345|151234567|Tran Thi Mai|12031986|Nu|Thon Dong|20042021"
FAST_MS = 5.0
SLOW_MS = 200.0


class FakeClock:
    def __init__(self) -> None:
        self.ms = 10_000.0

    def __call__(self) -> float:
        return self.ms


class Form:
    def __init__(self, qtbot: QtBot) -> None:
        self.window = QWidget()
        self.line = QLineEdit(self.window)
        self.other = QLineEdit(self.window)
        layout = QVBoxLayout(self.window)
        layout.addWidget(self.line)
        layout.addWidget(self.other)
        qtbot.addWidget(self.window)
        self.clock = FakeClock()
        self.wedge = WedgeFilter(self.window, now_ms=self.clock)
        self.wedge.install()
        self.scans: list[str] = []
        self.wedge.scanned.connect(self.scans.append)
        self.returns = 0
        self.line.returnPressed.connect(self._returned)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.line.setFocus()

    def _returned(self) -> None:
        self.returns += 1

    def key(
        self,
        text: str,
        key: int = 0,
        *,
        gap_ms: float,
        target: QWidget | None = None,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        """One key press and release, `gap_ms` after the previous key."""
        self.clock.ms += gap_ms
        widget = target or self.line
        code = key or (ord(text.upper()) if len(text) == 1 and text.isascii() else Qt.Key.Key_unknown)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, code, modifiers, text))

    def type(self, text: str, *, gap_ms: float) -> None:
        for ch in text:
            self.key(ch, gap_ms=gap_ms)

    def enter(self, *, gap_ms: float) -> None:
        self.key("\r", Qt.Key.Key_Return, gap_ms=gap_ms)

    def backspace(self, *, gap_ms: float) -> None:
        self.key("\b", Qt.Key.Key_Backspace, gap_ms=gap_ms)


@pytest.fixture
def form(qtbot: QtBot) -> Iterator[Form]:
    form = Form(qtbot)
    yield form
    form.wedge.uninstall()


def settle(qtbot: QtBot, form: Form) -> None:
    """Wait for the silence timer to hand held keys to the field (real time, ~35 ms)."""
    qtbot.waitUntil(lambda: form.wedge.holding == 0, timeout=2000)


def test_scan_emits_and_leaves_the_field_empty(qtbot: QtBot, form: Form) -> None:
    with qtbot.waitSignal(form.wedge.scanned, timeout=1000) as signal:
        form.type(CCCD_QR, gap_ms=FAST_MS)
        form.enter(gap_ms=FAST_MS)
    assert signal.args == [CCCD_QR]
    assert form.scans == [CCCD_QR]
    assert form.line.text() == ""
    assert form.returns == 0
    assert form.wedge.holding == 0


def test_human_typing_arrives_exactly(qtbot: QtBot, form: Form) -> None:
    form.type("Nguyen", gap_ms=SLOW_MS)
    settle(qtbot, form)
    assert form.line.text() == "Nguyen"
    assert form.scans == []


def test_vietnamese_typed_slowly_arrives_exactly(qtbot: QtBot, form: Form) -> None:
    form.type("Lê Văn Bình", gap_ms=SLOW_MS)
    settle(qtbot, form)
    assert form.line.text() == "Lê Văn Bình"


def test_typing_with_the_event_loop_running_between_keys(qtbot: QtBot, form: Form) -> None:
    for ch in "Đặng":
        form.key(ch, gap_ms=SLOW_MS)
        settle(qtbot, form)  # the timer flushes each key on its own, as with a real person
    assert form.line.text() == "Đặng"


def test_backspace_while_typing(qtbot: QtBot, form: Form) -> None:
    form.type("Nguyem", gap_ms=SLOW_MS)
    form.backspace(gap_ms=FAST_MS)  # right after the last key, while it is still held back
    form.type("n", gap_ms=SLOW_MS)
    settle(qtbot, form)
    assert form.line.text() == "Nguyen"
    form.backspace(gap_ms=SLOW_MS)
    form.backspace(gap_ms=SLOW_MS)
    assert form.line.text() == "Nguy"


def test_enter_after_typing_reaches_the_field_once(qtbot: QtBot, form: Form) -> None:
    form.type("12345", gap_ms=FAST_MS)  # fast but too short to be a scan
    form.enter(gap_ms=FAST_MS)
    assert form.line.text() == "12345"
    assert form.returns == 1
    assert form.scans == []
    form.enter(gap_ms=SLOW_MS)
    assert form.returns == 2


def test_scan_after_human_typing_in_the_same_field(qtbot: QtBot, form: Form) -> None:
    form.type("ab", gap_ms=SLOW_MS)
    form.clock.ms += SLOW_MS  # the person stops; the scanner fires
    form.type(CCCD_QR, gap_ms=FAST_MS)
    form.enter(gap_ms=FAST_MS)
    assert form.scans == [CCCD_QR]  # only the burst
    assert form.line.text() == "ab"
    assert form.returns == 0


def test_long_pause_inside_a_burst_is_typing(qtbot: QtBot, form: Form) -> None:
    form.type("0341860123", gap_ms=FAST_MS)
    form.type("45", gap_ms=SLOW_MS)
    form.enter(gap_ms=FAST_MS)
    assert form.scans == []
    assert form.line.text() == "034186012345"
    assert form.returns == 1


def test_held_keys_go_to_the_field_that_had_focus(qtbot: QtBot, form: Form) -> None:
    form.type("ab", gap_ms=FAST_MS)
    form.key("x", gap_ms=FAST_MS, target=form.other)  # focus moved: the next key goes elsewhere
    settle(qtbot, form)
    assert form.line.text() == "ab"
    assert form.other.text() == "x"


def test_shift_inside_a_burst_does_not_break_it(qtbot: QtBot, form: Form) -> None:
    for ch in "0341860123":
        form.key(ch, gap_ms=FAST_MS)
    form.key("", Qt.Key.Key_Shift, gap_ms=1, modifiers=Qt.KeyboardModifier.ShiftModifier)
    form.key("|", Qt.Key.Key_Bar, gap_ms=1, modifiers=Qt.KeyboardModifier.ShiftModifier)
    form.enter(gap_ms=FAST_MS)
    assert form.scans == ["0341860123|"]
    assert form.line.text() == ""


def test_ctrl_shortcut_is_not_held(qtbot: QtBot, form: Form) -> None:
    form.line.setText("abc")
    form.key("a", Qt.Key.Key_A, gap_ms=SLOW_MS, modifiers=Qt.KeyboardModifier.ControlModifier)  # select all
    assert form.wedge.holding == 0
    assert form.line.selectedText() == "abc"
    form.key("x", gap_ms=SLOW_MS)
    settle(qtbot, form)
    assert form.line.text() == "x"


def test_qtest_key_clicks(qtbot: QtBot, form: Form) -> None:
    QTest.keyClicks(form.line, "Nguyen")  # all at one instant: fast, but no Enter and too short
    settle(qtbot, form)
    assert form.line.text() == "Nguyen"
    QTest.keyClicks(form.line, "0123456789")
    QTest.keyClick(form.line, Qt.Key.Key_Return)
    assert form.scans == ["0123456789"]
    assert form.line.text() == "Nguyen"


def test_disabled_passes_everything_at_once(qtbot: QtBot, form: Form) -> None:
    form.wedge.enabled = False
    assert not form.wedge.enabled
    form.type(CCCD_QR, gap_ms=FAST_MS)
    assert form.line.text() == CCCD_QR  # no waiting: nothing was held
    form.enter(gap_ms=FAST_MS)
    assert form.scans == []


def test_disabling_releases_held_keys(qtbot: QtBot, form: Form) -> None:
    form.type("abc", gap_ms=FAST_MS)
    assert form.wedge.holding > 0
    form.wedge.enabled = False
    assert form.line.text() == "abc"


def test_other_windows_are_not_touched(qtbot: QtBot, form: Form) -> None:
    elsewhere = QLineEdit()
    qtbot.addWidget(elsewhere)
    form.type(CCCD_QR, gap_ms=FAST_MS)  # held for the form's window…
    form.key("z", gap_ms=FAST_MS, target=elsewhere)  # …while another window gets its key at once
    assert elsewhere.text() == "z"
    form.enter(gap_ms=FAST_MS)
    assert form.scans == [CCCD_QR]
