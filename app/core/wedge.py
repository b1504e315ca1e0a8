"""Telling a USB barcode scanner in keyboard mode ("keyboard wedge") from a person typing, by speed.

A 2D scanner types a whole QR text as keystrokes a few milliseconds apart and ends with Enter; a person
types 100 ms or more apart, and even a fast typist does not keep 8 keys in a row under 35 ms. So: the keys
since the last pause are held back; Enter closes them as a scan when there are enough of them, otherwise
they, and the Enter, were typing and go to the field in order. Pure: the caller gives every key's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

ENTER_TEXTS = frozenset({"\r", "\n", "\r\n"})
MAX_BURST_KEYS = 4096  # far above a CCCD QR (~200 keys): a stuck key or runaway device must not hold forever


class Action(Enum):
    HOLD = "hold"  # keep the key back: it may be part of a scan
    TYPING = "typing"  # the key is typing: give it to the field now, after `released`
    SCAN = "scan"  # the key is the Enter that closed a scan: swallow it, `scanned` is the text


@dataclass(frozen=True)
class WedgeDecision:
    action: Action
    released: tuple[str, ...] = ()  # held keys that turned out to be typing: give them to the field first
    scanned: str = ""

    @property
    def is_scan(self) -> bool:
        return self.action is Action.SCAN


@dataclass
class BurstDetector:
    """Feed every key press with its time; Enter decides between scan and typing.

    A key that cannot be in a scan (Backspace, arrows, Ctrl shortcuts: anything without printable text)
    ends the burst as typing. Keys more than `max_gap_ms` apart are not one burst: the earlier ones are
    released as typing and a new burst starts.
    """

    max_gap_ms: float = 35.0
    min_length: int = 8
    _held: list[str] = field(default_factory=list, init=False, repr=False)
    _last_ms: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_gap_ms <= 0 or self.min_length < 1:
            raise ValueError("max_gap_ms must be > 0 and min_length >= 1")

    @property
    def holding(self) -> int:
        """How many keys are held back now."""
        return len(self._held)

    def feed(self, text: str, at_ms: float) -> WedgeDecision:
        released: tuple[str, ...] = ()
        gap = at_ms - self._last_ms
        if self._held and not 0 <= gap <= self.max_gap_ms:  # a pause (or a clock gone backwards): typing
            released = self.flush()
        if text in ENTER_TEXTS:
            if len(self._held) >= self.min_length:
                scanned = "".join(self._held)
                self._held.clear()
                return WedgeDecision(Action.SCAN, released, scanned)
            return WedgeDecision(Action.TYPING, released + self.flush())
        if not text or not text.isprintable():
            return WedgeDecision(Action.TYPING, released + self.flush())
        if len(self._held) >= MAX_BURST_KEYS:
            released += self.flush()
        self._held.append(text)
        self._last_ms = at_ms
        return WedgeDecision(Action.HOLD, released)

    def flush(self) -> tuple[str, ...]:
        """Release every held key as typing: the caller saw `max_gap_ms` of silence."""
        held = tuple(self._held)
        self._held.clear()
        return held
