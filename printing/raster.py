"""Render a roll `Page` to one 1-bit image at the printer's dot width.

Everything thermal is an image: cheap printers cannot print Vietnamese as text, and many have no
native QR. Text is drawn antialiased in grey and thresholded (no dithering), which keeps strokes solid.
Layout runs first and records drawing operations, so the image is made once at its final height.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import segno
from PIL import Image, ImageDraw, ImageFont

from printing.doc import (
    MM_PER_PT,
    QR,
    THERMAL_DOTS_PER_MM,
    Align,
    Block,
    Columns,
    Field,
    Page,
    Rule,
    Space,
    Table,
    Text,
)
from printing.fonts import font_path

Font = ImageFont.FreeTypeFont
Box = tuple[int, int, int, int]

THRESHOLD = 160  # grey levels darker than this become dots: antialiased edges thicken strokes a little
LINE_GAP = 1.15
QR_QUIET_MODULES = 4
QR_MIN_DOTS_PER_MODULE = 3  # below 0.375 mm a worn head smears modules together


@lru_cache(maxsize=64)
def _font(bold: bool, px: int) -> Font:
    return ImageFont.truetype(str(font_path(bold=bold)), px)


@dataclass
class _Canvas:
    dots_per_mm: float
    texts: list[tuple[int, int, str, Font]] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)  # filled
    outlines: list[Box] = field(default_factory=list)

    def text(self, x: int, y: int, line: str, font: Font) -> None:
        self.texts.append((x, y, line, font))

    def fill(self, box: Box) -> None:
        self.boxes.append(box)

    def draw(self, draw: ImageDraw.ImageDraw) -> None:
        for x, y, line, font in self.texts:
            draw.text((x, y), line, font=font, fill=0)
        for box in self.boxes:
            draw.rectangle(box, fill=0)
        for box in self.outlines:
            draw.rectangle(box, outline=0)

    def px(self, mm: float) -> int:
        return round(mm * self.dots_per_mm)

    def font(self, size_pt: float, bold: bool) -> Font:
        return _font(bold, max(6, round(size_pt * MM_PER_PT * self.dots_per_mm)))


def wrap(text: str, font: Font, width: int, first_width: int | None = None) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between letters, never cut off.
    `first_width` narrows the first line (a field's value after its label)."""
    lines: list[str] = []

    def room() -> int:
        return first_width if first_width is not None and not lines else width

    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= room():
                line = candidate
                continue
            if line or (first_width is not None and not lines):
                lines.append(line)
            line = ""
            for ch in word:
                if font.getlength(line + ch) > room() and line:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def _line_height(font: Font) -> int:
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * LINE_GAP)


def _x_for(align: Align, x: int, width: int, line_width: float) -> int:
    if align == "center":
        return x + round((width - line_width) / 2)
    if align == "right":
        return x + round(width - line_width)
    return x


def _text(c: _Canvas, block: Text, x: int, y: int, width: int) -> int:
    font = c.font(block.size, block.bold)
    step = _line_height(font)
    for line in wrap(block.text, font, width):
        lx = _x_for(block.align, x, width, font.getlength(line))
        c.text(lx, y, line, font)
        y += step
    return y


def _field(c: _Canvas, block: Field, x: int, y: int, width: int) -> int:
    """The label bold, the value flowing after it and on under the whole width (a roll is narrow)."""
    bold = c.font(block.size, True)
    regular = c.font(block.size, False)
    label_lines = wrap(f"{block.label}:", bold, width)
    step = max(_line_height(bold), _line_height(regular))
    for line in label_lines[:-1]:
        c.text(x, y, line, bold)
        y += step
    last = label_lines[-1] + " "
    c.text(x, y, last, bold)
    indent = round(bold.getlength(last))
    for index, line in enumerate(wrap(block.value, regular, width, first_width=width - indent)):
        c.text(x + (indent if index == 0 else 0), y, line, regular)
        y += step
    return y


def qr_matrix(data: str) -> list[list[bool]]:
    """Module matrix including the quiet zone."""
    code = segno.make(data, error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=QR_QUIET_MODULES)]


def _qr(c: _Canvas, block: QR, x: int, y: int, width: int) -> int:
    matrix = qr_matrix(block.data)
    n = len(matrix)
    module = max(QR_MIN_DOTS_PER_MODULE, min(c.px(block.size_mm), width) // n)
    size = module * n
    left = x + (width - size) // 2
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                x0, y0 = left + col * module, y + r * module
                c.fill((x0, y0, x0 + module - 1, y0 + module - 1))
    y += size
    if block.caption:
        y = _text(c, Text(block.caption, size=block.caption_size, align="center"), x, y, width)
    return y


def _rule(c: _Canvas, block: Rule, x: int, y: int, width: int) -> int:
    thick = max(1, c.px(block.thickness_mm))
    mid = y + c.px(1.0)
    if block.dashed:
        dash = c.px(1.5)
        for start in range(x, x + width, dash * 2):
            end = min(start + dash, x + width) - 1
            c.fill((start, mid, end, mid + thick - 1))
    else:
        c.fill((x, mid, x + width - 1, mid + thick - 1))
    return mid + thick + c.px(1.0)


def _table(c: _Canvas, block: Table, x: int, y: int, width: int) -> int:
    pad = c.px(0.6)
    xs = [x]
    for frac in block.widths:
        xs.append(xs[-1] + round(frac * width))
    xs[-1] = x + width - 1
    top = y
    row_tops = [y]
    for index, row in enumerate((block.headers, *block.rows)):
        bottom = y
        for col, cell in enumerate(row):
            cell_w = xs[col + 1] - xs[col] - 2 * pad
            text = Text(cell, size=block.size, bold=index == 0, align=block.align[col] if block.align else "left")
            bottom = max(bottom, _text(c, text, xs[col] + pad, y + pad, cell_w) + pad)
        y = bottom
        row_tops.append(y)
    for ry in row_tops:
        c.fill((x, ry, x + width - 1, ry))
    for cx in xs:
        c.fill((cx, top, cx, y))
    return y + 1


def _columns(c: _Canvas, block: Columns, x: int, y: int, width: int) -> int:
    pad = c.px(block.padding_mm)
    bottom = y + c.px(block.min_height_mm)
    cx = x
    edges = []
    for frac, cell in zip(block.widths, block.cells, strict=True):
        cell_w = round(frac * width)
        edges.append((cx, cell_w))
        bottom = max(bottom, layout_blocks(c, cell, cx + pad, y + pad, cell_w - 2 * pad) + pad)
        cx += cell_w
    if block.boxed:
        for ex, ew in edges:
            c.outlines.append((ex, y, ex + ew - 1, bottom))
    return bottom


def layout_blocks(c: _Canvas, blocks: tuple[Block, ...], x: int, y: int, width: int) -> int:
    for block in blocks:
        if isinstance(block, Text):
            y = _text(c, block, x, y, width)
        elif isinstance(block, Field):
            y = _field(c, block, x, y, width)
        elif isinstance(block, QR):
            y = _qr(c, block, x, y, width)
        elif isinstance(block, Rule):
            y = _rule(c, block, x, y, width)
        elif isinstance(block, Space):
            y += c.px(block.mm)
        elif isinstance(block, Table):
            y = _table(c, block, x, y, width)
        else:
            y = _columns(c, block, x, y, width)
    return y


def render_roll(page: Page, width_dots: int, dots_per_mm: float = THERMAL_DOTS_PER_MM) -> Image.Image:
    """The page as a mode "1" image exactly `width_dots` wide (black = dot)."""
    canvas = _Canvas(dots_per_mm)
    margin = canvas.px(page.margin_mm)
    height = layout_blocks(canvas, page.blocks, margin, margin, width_dots - 2 * margin) + margin
    grey = Image.new("L", (width_dots, max(1, height)), 255)
    draw = ImageDraw.Draw(grey)
    canvas.draw(draw)
    return grey.point(lambda v: 255 if v >= THRESHOLD else 0, mode="1")
