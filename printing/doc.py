"""A printable document as plain data: pages of blocks that flow top to bottom.

Layouts build these without knowing the device; a renderer turns them into a 1-bit thermal raster
(`printing.raster`) or QPainter output for A4 paper and PDF (`printing.a4`). Geometry is in millimetres,
type sizes in points, so one layout prints the same physical size on a 58 mm and an 80 mm roll.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the available width; never cut off."""

    text: str
    size: float = 9.0
    bold: bool = False
    align: Align = "left"
    italic: bool = False  # renderers without an italic face ignore it


@dataclass(frozen=True)
class Field:
    """`label: value`, the label bold; the value wraps under itself."""

    label: str
    value: str
    size: float = 9.0


@dataclass(frozen=True)
class QR:
    """A QR code drawn into the page; `size_mm` is the full symbol including its quiet zone."""

    data: str
    size_mm: float = 30.0
    caption: str | None = None
    caption_size: float = 7.0


@dataclass(frozen=True)
class Rule:
    dashed: bool = False
    thickness_mm: float = 0.25


@dataclass(frozen=True)
class Space:
    mm: float


@dataclass(frozen=True)
class Table:
    """A ruled table; `widths` are fractions of the available width, one per column."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    size: float = 8.0
    align: tuple[Align, ...] = ()  # per column; default left

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.headers):
            raise ValueError("one width per column")
        if any(len(row) != len(self.headers) for row in self.rows):
            raise ValueError("every row needs one cell per column")


@dataclass(frozen=True)
class Columns:
    """Blocks side by side; `widths` are fractions. `boxed` draws a cut line around each cell and
    `min_height_mm` fixes the row height (label sheets)."""

    cells: tuple[tuple[Block, ...], ...]
    widths: tuple[float, ...]
    min_height_mm: float = 0.0
    boxed: bool = False
    padding_mm: float = 0.0

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.cells):
            raise ValueError("one width per cell")


Block = Text | Field | QR | Rule | Space | Table | Columns


@dataclass(frozen=True)
class Page:
    """`height_mm=None` is a roll: the page is as long as its content."""

    width_mm: float
    blocks: tuple[Block, ...]
    height_mm: float | None = None
    margin_mm: float = 0.0


@dataclass(frozen=True)
class Document:
    title: str
    pages: tuple[Page, ...] = field(default_factory=tuple)


A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0

# Thermal heads print 8 dots per millimetre (203 dpi); the dot widths are the printable area.
THERMAL_DOTS_PER_MM = 8.0
ROLL_58_DOTS = 384
ROLL_80_DOTS = 576
ROLL_WIDTHS = (ROLL_58_DOTS, ROLL_80_DOTS)


def roll_width_mm(dots: int) -> float:
    return dots / THERMAL_DOTS_PER_MM
