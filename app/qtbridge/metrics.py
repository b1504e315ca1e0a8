"""Sizes that follow the window: one scale from the window against a reference size, and pixel sizes with
floors (a touch target or a text never shrinks below what a hand or an eye needs). Each app sets its own
reference, cap and what a square window counts as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class WindowMetrics:
    width: int
    height: int

    REFERENCE: ClassVar[tuple[int, int]] = (1920, 1080)  # landscape; portrait swaps it
    MAX_SCALE: ClassVar[float] = 1.0
    SQUARE_IS_LANDSCAPE: ClassVar[bool] = False

    @property
    def landscape(self) -> bool:
        return self.width > self.height or (self.SQUARE_IS_LANDSCAPE and self.width == self.height)

    @property
    def scale(self) -> float:
        long_side, short_side = self.REFERENCE
        ref_w, ref_h = (long_side, short_side) if self.landscape else (short_side, long_side)
        return min(self.MAX_SCALE, self.width / ref_w, self.height / ref_h)

    def px(self, base: float, floor: int) -> int:
        return max(floor, round(base * self.scale))
