"""A USB barcode scanner in keyboard mode, caught before its keystrokes land in whatever field has focus.

`WedgeFilter` is an application-level event filter for one top-level window. Every printable key press
going to a widget of that window is held back (at most `max_gap_ms`, unnoticeable to a person) while
`BurstDetector` decides: a fast burst closed by Enter emits `scanned` and nothing reaches the field;
anything else is sent on to the widget that had focus, in the order it was typed, so typing never loses a
character. Key releases and modifier presses that arrive while keys are held queue behind them, so a
widget never sees a release before its press.

Usage, in a window's constructor:

    self.wedge = WedgeFilter(self)
    self.wedge.install()
    self.wedge.scanned.connect(self.on_scanned)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.core.wedge import Action, BurstDetector

_MODIFIER_KEYS = frozenset(
    {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock}
)
_ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
_KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease})


def _monotonic_ms() -> float:
    return time.monotonic() * 1000


@dataclass
class _Held:
    target: QWidget
    event: QKeyEvent  # a copy: Qt destroys the original once the filter returns


def _copy(event: QKeyEvent) -> QKeyEvent:
    return QKeyEvent(
        event.type(),
        event.key(),
        event.modifiers(),
        event.nativeScanCode(),
        event.nativeVirtualKey(),
        event.nativeModifiers(),
        event.text(),
        event.isAutoRepeat(),
        event.count(),
    )


class WedgeFilter(QObject):
    scanned = Signal(str)  # the whole scanned text, without the closing Enter

    def __init__(
        self,
        window: QWidget,
        *,
        max_gap_ms: float = 35.0,
        min_length: int = 8,
        now_ms: Callable[[], float] = _monotonic_ms,
    ) -> None:
        super().__init__(window)  # lives and dies with the window; Qt drops a deleted filter by itself
        self._window = window
        self._now_ms = now_ms
        self._detector = BurstDetector(max_gap_ms=max_gap_ms, min_length=min_length)
        self._held: list[_Held] = []
        self._replaying = False
        self._enabled = True
        self._silence = QTimer(self)
        self._silence.setSingleShot(True)
        self._silence.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % early
        self._silence.setInterval(max(1, round(max_gap_ms)))
        self._silence.timeout.connect(self.flush)

    # --- public ----------------------------------------------------------------------------------

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def uninstall(self) -> None:
        self.flush()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        if not value:
            self.flush()  # held keys were typing as far as anyone can tell now
        self._enabled = value

    @property
    def holding(self) -> int:
        """Key events held back now (presses and the releases queued behind them)."""
        return len(self._held)

    def flush(self) -> None:
        """Give every held key to its widget, in order: the burst stopped without an Enter."""
        self._silence.stop()
        self._detector.flush()
        held, self._held = self._held, []
        self._replay(held)

    # --- Qt --------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in _KEY_EVENTS or self._replaying or not self._enabled:
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if event.type() == QEvent.Type.KeyRelease or key in _MODIFIER_KEYS:
            # Not a character: queue it behind held keys to keep the order, else let it through.
            return self._hold(watched, event) if self._held else False
        decision = self._detector.feed(self._key_text(event), self._now_ms())
        if decision.released:
            self._silence.stop()
            held, self._held = self._held, []
            self._replay(held)
        if decision.action is Action.HOLD:
            self._silence.start()
            return self._hold(watched, event)
        if decision.action is Action.SCAN:
            self._silence.stop()
            self._held.clear()  # the burst's keys and releases never reach the field
            event.accept()
            self.scanned.emit(decision.scanned)
            return True
        return False  # typing: this key goes on to the widget, after the ones released above

    # --- internals -------------------------------------------------------------------------------

    @staticmethod
    def _key_text(event: QKeyEvent) -> str:
        """What the detector sees: "\\r" for Enter, "" for keys that cannot be part of a scan."""
        if event.key() in _ENTER_KEYS:
            return "\r"
        if event.isAutoRepeat():
            return ""  # a key held down repeats about every 30 ms: that is a person, not a scanner
        modifiers = event.modifiers()
        shortcut = modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier)
        if shortcut and not modifiers & Qt.KeyboardModifier.AltModifier:  # Ctrl+Alt is AltGr on Windows
            return ""
        return event.text()

    def _hold(self, target: QWidget, event: QKeyEvent) -> bool:
        self._held.append(_Held(target, _copy(event)))
        event.accept()
        return True

    def _replay(self, held: list[_Held]) -> None:
        # sendEvent, not postEvent: released keys must reach the widget before the key that released them.
        self._replaying = True
        try:
            for item in held:
                if shiboken6.isValid(item.target):  # the field may have been closed meanwhile
                    QApplication.sendEvent(item.target, item.event)
        finally:
            self._replaying = False
