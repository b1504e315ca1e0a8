"""QPainter output of a `Document` on A4 paper: PNG previews, PDF files and system printers.

Geometry comes in millimetres and points; everything here works in device pixels (`dpi`). Blocks become
slices (a text line, a table row, a whole QR code) that flow top to bottom, so a page break can fall
between any two slices and long content continues on the next sheet instead of being cut off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import segno
from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from printing.doc import QR, Align, Block, Columns, Document, Field, Page, Rule, Space, Table, Text
from printing.errors import FontMissing, PrintError
from printing.fonts import font_path

CREATOR = "Một Cửa"
A4 = QPageSize(QPageSize.PageSizeId.A4)
A4_MM = A4.size(QPageSize.Unit.Millimeter)
MM_PER_INCH = 25.4
QUIET_ZONE = 4  # modules of white around a QR symbol, counted inside `size_mm`
RULE_GAP_MM = 1.2
CELL_PAD_MM = (1.2, 0.6)  # table cell padding: horizontal, vertical
GRID_MM = 0.2
CUT_LINE_MM = 0.15
HEADER_FILL = QColor(232, 232, 232)
CUT_COLOR = QColor(120, 120, 120)
_AF = Qt.AlignmentFlag
_ALIGN = {"left": _AF.AlignLeft, "center": _AF.AlignHCenter, "right": _AF.AlignRight}

Draw = Callable[[QPainter, float, float], None]  # (painter, left x, top y) in device pixels
NewPage = Callable[[], object]

_family: str | None = None
_app: QGuiApplication | None = None  # kept alive when this module had to create it


def load_fonts() -> str:
    """Register the bundled Noto Sans faces once and return their family name."""
    global _family, _app
    if _family is not None:
        return _family
    if QGuiApplication.instance() is None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            # A command-line PDF export on a machine without a screen needs no window system.
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication([])
    family = ""
    for bold in (False, True):
        path = font_path(bold=bold)
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            raise FontMissing(
                f"Không nạp được phông chữ {path.name} nên không in được chữ tiếng Việt.",
                hint=f"Tệp {path} có thể bị hỏng; hãy cài lại phần mềm.",
            )
        family = family or families[0]
    _family = family
    return family


@dataclass(frozen=True)
class _Slice:
    """The smallest piece a page break may not split."""

    height: float
    draw: Draw
    header: _Slice | None = None  # repeated at the top of a continuation page (table header)
    keep: float = 0.0  # room needed below it so it is not stranded at a page bottom


def _px(mm: float, dpi: float) -> float:
    return mm * dpi / MM_PER_INCH


def _font(size_pt: float, dpi: float, *, bold: bool = False, italic: bool = False) -> QFont:
    font = QFont(load_fonts())
    font.setPixelSize(max(1, round(size_pt * dpi / 72)))
    font.setBold(bold)
    font.setItalic(italic)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def _layout(text: str, font: QFont, width: float, align: Align = "left") -> QTextLayout:
    """Wrap `text` at word boundaries, or anywhere inside a word longer than the line."""
    layout = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font)
    option = QTextOption(_ALIGN[align])
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    layout.beginLayout()
    y = 0.0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(max(1.0, width))
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


def _line_slices(layout: QTextLayout, dx: float = 0.0, first: Draw | None = None) -> list[_Slice]:
    """One slice per wrapped line; `first` also draws beside the first line (a field's label)."""
    slices = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)

        def draw(painter: QPainter, x: float, y: float, i: int = i) -> None:
            painter.setPen(Qt.GlobalColor.black)
            line = layout.lineAt(i)
            line.draw(painter, QPointF(x + dx, y - line.y()))
            if i == 0 and first is not None:
                first(painter, x, y)

        slices.append(_Slice(line.height(), draw))
    return slices


def _stack(pieces: Sequence[_Slice]) -> Draw:
    """Draw slices one under another, never breaking the page (a table cell, a column cell)."""

    def draw(painter: QPainter, x: float, y: float) -> None:
        for piece in pieces:
            piece.draw(painter, x, y)
            y += piece.height

    return draw


def _text(block: Text, width: float, dpi: float) -> list[_Slice]:
    font = _font(block.size, dpi, bold=block.bold, italic=block.italic)
    return _line_slices(_layout(block.text, font, width, block.align))


def _field(block: Field, width: float, dpi: float) -> list[_Slice]:
    label = _layout(f"{block.label}: ", _font(block.size, dpi, bold=True), width)
    value_font = _font(block.size, dpi)
    label_width = label.lineAt(0).naturalTextWidth() if label.lineCount() == 1 else width
    if label_width <= 0.45 * width:  # value beside the label, wrapping under itself
        value = _layout(block.value, value_font, width - label_width)
        return _line_slices(value, label_width, first=_stack(_line_slices(label)))
    return _line_slices(label) + _line_slices(_layout(block.value, value_font, width))


def _qr(block: QR, width: float, dpi: float) -> list[_Slice]:
    matrix = segno.make(block.data, error="m", micro=False).matrix  # phones rarely read Micro QR
    size = min(_px(block.size_mm, dpi), width)
    module = size / (len(matrix) + 2 * QUIET_ZONE)

    def draw(painter: QPainter, x: float, y: float) -> None:
        left, top = round(x + (width - size) / 2), round(y)
        edge = [round((i + QUIET_ZONE) * module) for i in range(len(matrix) + 1)]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for r, row in enumerate(matrix):
            c = 0
            for dark, run in groupby(row, key=lambda v: bool(v & 1)):  # one rectangle per run of dark modules
                n = len(list(run))
                if dark:
                    rect = QRectF(left + edge[c], top + edge[r], edge[c + n] - edge[c], edge[r + 1] - edge[r])
                    painter.fillRect(rect, Qt.GlobalColor.black)
                c += n
        painter.restore()

    slices = [_Slice(float(round(size)), draw)]
    if block.caption:
        slices += _text(Text(block.caption, size=block.caption_size, align="center"), width, dpi)
    return slices


def _pen(width_mm: float, dpi: float, *, dashed: bool = False, color: QColor | None = None) -> QPen:
    pen = QPen(color or QColor(Qt.GlobalColor.black))
    pen.setWidthF(max(1.0, round(_px(width_mm, dpi))))  # whole device pixels: even lines on raster
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if dashed:  # dash pattern is in pen widths: about 2 mm on, 1 mm off
        pen.setDashPattern([_px(2.0, dpi) / pen.widthF(), _px(1.0, dpi) / pen.widthF()])
    return pen


def _snap(x: float, y: float, w: float, h: float) -> QRectF:
    """A rectangle on whole device pixels, so shared grid lines coincide instead of doubling."""
    left, top = round(x), round(y)
    return QRectF(left, top, round(x + w) - left, round(y + h) - top)


def _rule(block: Rule, width: float, dpi: float) -> list[_Slice]:
    gap, thick = _px(RULE_GAP_MM, dpi), max(1.0, round(_px(block.thickness_mm, dpi)))

    def draw(painter: QPainter, x: float, y: float) -> None:
        painter.setPen(_pen(block.thickness_mm, dpi, dashed=block.dashed))
        mid = round(y + gap) + thick / 2
        painter.drawLine(QPointF(x, mid), QPointF(x + width, mid))

    return [_Slice(2 * gap + thick, draw)]


def _table_row(
    cells: Sequence[str], block: Table, width: float, dpi: float, *, header: bool = False
) -> tuple[float, Draw]:
    pad_x, pad_y = _px(CELL_PAD_MM[0], dpi), _px(CELL_PAD_MM[1], dpi)
    font = _font(block.size, dpi, bold=header)
    widths = [f * width for f in block.widths]
    aligns = [block.align[i] if i < len(block.align) else "left" for i in range(len(cells))]
    lines = [_line_slices(_layout(t, font, w - 2 * pad_x, a)) for t, w, a in zip(cells, widths, aligns, strict=True)]
    height = max(sum(s.height for s in cell) for cell in lines) + 2 * pad_y

    def draw(painter: QPainter, x: float, y: float) -> None:
        if header:
            painter.fillRect(_snap(x, y, sum(widths), height), HEADER_FILL)
        cx = x
        for cell, w in zip(lines, widths, strict=True):
            _stack(cell)(painter, cx + pad_x, y + pad_y)
            cx += w
        painter.setPen(_pen(GRID_MM, dpi))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        cx = x
        for w in widths:
            painter.drawRect(_snap(cx, y, w, height))
            cx += w

    return height, draw


def _table(block: Table, width: float, dpi: float) -> list[_Slice]:
    rows = [_table_row(row, block, width, dpi) for row in block.rows]
    head_height, head_draw = _table_row(block.headers, block, width, dpi, header=True)
    header = _Slice(head_height, head_draw, keep=rows[0][0] if rows else 0.0)
    return [header] + [_Slice(h, d, header=header) for h, d in rows]


def _columns(block: Columns, width: float, dpi: float) -> list[_Slice]:
    pad = _px(block.padding_mm, dpi)
    widths = [f * width for f in block.widths]
    cells = [
        [s for b in cell for s in _slices(b, w - 2 * pad, dpi)] for cell, w in zip(block.cells, widths, strict=True)
    ]
    content = max((sum(s.height for s in cell) for cell in cells), default=0.0)
    height = max(content + 2 * pad, _px(block.min_height_mm, dpi))

    def draw(painter: QPainter, x: float, y: float) -> None:
        cx = x
        for cell, w in zip(cells, widths, strict=True):
            _stack(cell)(painter, cx + pad, y + pad)
            if block.boxed:
                painter.setPen(_pen(CUT_LINE_MM, dpi, dashed=True, color=CUT_COLOR))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(_snap(cx, y, w, height))
            cx += w

    return [_Slice(height, draw)]


def _slices(block: Block, width: float, dpi: float) -> list[_Slice]:
    match block:
        case Text():
            return _text(block, width, dpi)
        case Field():
            return _field(block, width, dpi)
        case QR():
            return _qr(block, width, dpi)
        case Rule():
            return _rule(block, width, dpi)
        case Space():
            return [_Slice(_px(block.mm, dpi), lambda painter, x, y: None)]
        case Table():
            return _table(block, width, dpi)
        case Columns():
            return _columns(block, width, dpi)


def paint_page(painter: QPainter, page: Page, dpi: float, new_page: NewPage | None = None) -> None:
    """Lay `page` out inside its margins; `new_page()` must give a fresh sheet when content overflows."""
    margin = _px(page.margin_mm, dpi)
    width = _px(min(page.width_mm, A4_MM.width()), dpi) - 2 * margin
    bottom = _px(min(page.height_mm or A4_MM.height(), A4_MM.height()), dpi) - margin
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    y = margin
    for block in page.blocks:
        for piece in _slices(block, width, dpi):
            overflows = y + piece.height + piece.keep > bottom + 0.5
            if overflows and new_page is not None and y > margin + 0.5:  # never leave a sheet empty
                new_page()
                y = margin
                if piece.header is not None:
                    piece.header.draw(painter, margin, y)
                    y += piece.header.height
            piece.draw(painter, margin, y)
            y += piece.height


def _paint_document(painter: QPainter, doc: Document, dpi: float, new_page: NewPage) -> int:
    """Paint every page of `doc`, the first on the sheet already begun; return the sheets used."""
    sheets = 1

    def next_sheet() -> None:
        nonlocal sheets
        new_page()
        sheets += 1

    for index, page in enumerate(doc.pages):
        if index:
            next_sheet()
        paint_page(painter, page, dpi, next_sheet)
    return sheets


def _sheet(dpi: float) -> QImage:
    size = (round(_px(A4_MM.width(), dpi)), round(_px(A4_MM.height(), dpi)))
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    dots_per_metre = round(dpi / MM_PER_INCH * 1000)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def _begin(painter: QPainter, device: QImage | QPdfWriter | QPrinter) -> None:
    if not painter.begin(device):
        raise PrintError("Không bắt đầu vẽ trang in được.", hint="Thử in lại hoặc khởi động lại phần mềm.")


def render_pages(doc: Document, dpi: float = 150) -> list[QImage]:
    """Every physical A4 sheet of `doc` as a white image at `dpi` (previews, tests)."""
    if not doc.pages:
        return []
    load_fonts()
    images = [_sheet(dpi)]
    painter = QPainter()
    _begin(painter, images[0])

    def new_page() -> None:
        painter.end()
        images.append(_sheet(dpi))
        _begin(painter, images[-1])

    try:
        _paint_document(painter, doc, dpi, new_page)
    finally:
        painter.end()
    return images


def _paint_on(device: QPdfWriter | QPrinter, doc: Document, dpi: float, new_page: NewPage) -> int:
    if not doc.pages:
        raise PrintError("Tài liệu không có trang nào để in.", hint="Kiểm tra lại nội dung cần in.", code="empty")
    load_fonts()
    painter = QPainter()
    _begin(painter, device)
    try:
        return _paint_document(painter, doc, dpi, new_page)
    finally:
        painter.end()


def write_pdf(doc: Document, path: Path) -> int:
    """Write `doc` as an A4 PDF at 300 dpi; return the number of pages written."""
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setPageSize(A4)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setTitle(doc.title)
    writer.setCreator(CREATOR)
    return _paint_on(writer, doc, writer.resolution(), writer.newPage)


def print_on(printer: QPrinter, doc: Document) -> int:
    """Paint `doc` on an already chosen `QPrinter` (a system printer or PDF output); return the pages."""
    printer.setDocName(doc.title)
    printer.setCreator(CREATOR)
    printer.setPageSize(A4)
    printer.setFullPage(True)  # origin at the paper corner: our margins are the page's own
    return _paint_on(printer, doc, printer.resolution(), printer.newPage)


def print_document(doc: Document, printer_name: str | None = None) -> int:
    """Print `doc` on A4 to the named system printer, or the default one; return the pages sent."""
    load_fonts()
    info = QPrinterInfo.printerInfo(printer_name) if printer_name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        message = f"Không tìm thấy máy in “{printer_name}”." if printer_name else "Chưa có máy in mặc định."
        raise PrintError(message, hint="Kiểm tra tên máy in trong cài đặt hoặc in ra PDF.", code="printer_not_found")
    return print_on(QPrinter(info, QPrinter.PrinterMode.HighResolution), doc)
