"""The centre's period report as an A4 landscape PDF, drawn by the A4 painter of printing/a4.py.

The tables are those of the XLSX (app/core/report_tables.py), one section after another. Every sheet carries the
centre's name, the report's title and the period at the top and "Trang i/n" at the bottom; a long table breaks
between rows and repeats its header (and the national column groups) on the next sheet; a section starts on a
new sheet when its title, header and first row would not fit. printing/a4.py lays out portrait pages only, so this
module flows a4's slices over landscape sheets itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from app.core.clock import LOCAL_TZ
from app.core.report import PeriodReport
from app.core.report_tables import Cell, Kind, ReportTable, Value, report_tables
from printing import a4
from printing.doc import Align, Block, Rule, Space, Table, Text

TITLE = "BÁO CÁO HOẠT ĐỘNG BỘ PHẬN MỘT CỬA"
PAGE_W_MM, PAGE_H_MM = 297.0, 210.0
MARGIN_MM = 12.0
PDF_DPI = 300
NO_VALUE = "–"

Slice = a4._Slice  # the painter's unit of layout: a page may break between two slices, never inside one


def _vi_number(value: float, decimals: int) -> str:
    """1.234,5: the Vietnamese way (dot for thousands, comma for decimals)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def cell_text(value: Value | Cell, kind: Kind) -> str:
    if isinstance(value, Cell):
        return cell_text(value.value, value.kind)
    if value is None:
        return NO_VALUE if kind is not Kind.TEXT else ""
    if isinstance(value, str):
        return value
    if kind is Kind.MINUTES:
        return _vi_number(value, 1)
    if kind is Kind.SHARE:
        return f"{_vi_number(value * 100, 1)} %"
    return _vi_number(value, 0)


def _align(kind: Kind) -> Align:
    return "left" if kind is Kind.TEXT else "right"


@dataclass(frozen=True)
class _Section:
    slices: list[Slice]
    lead: float  # height of the title, the header and the first row: kept on one sheet


def _table_section(table: ReportTable, width: float, dpi: float) -> _Section:
    total = sum(c.width for c in table.columns)
    widths = tuple(c.width / total for c in table.columns)
    size = 7.0 if len(table.columns) > 12 else 8.0
    aligns: list[Align] = []
    for i, column in enumerate(table.columns):
        # text left, numbers right; a first column of numbers is the row number (STT), centred
        aligns.append(_align(column.kind) if i or column.kind is not Kind.COUNT else "center")
    plain = set(table.headings) | set(range(len(table.rows) - table.totals, len(table.rows)))
    rows = tuple(
        tuple("" if v is None and i in plain else cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True))
        for i, row in enumerate(table.rows)
    )
    title = a4._slices(Text(table.title.upper(), size=10.5, bold=True), width, dpi)
    gap = a4._slices(Space(1.5), width, dpi)
    headers = tuple(c.header for c in table.columns)
    if not rows:
        empty_row = (table.empty, *[""] * (len(widths) - 1))
        grid_table = Table(headers, (empty_row,), widths, size=size)
    else:
        grid_table = Table(headers, rows, widths, size=size, align=tuple(aligns))
    grid = _bold_rows(a4._slices(grid_table, width, dpi), table, grid_table, width, dpi)
    if table.groups:
        grid = _with_groups(grid, table, width, dpi, size)
    notes = [s for note in table.notes for s in a4._slices(Text(note, size=6.5, italic=True), width, dpi)]
    slices = [*title, *gap, *grid, *a4._slices(Space(1.0), width, dpi), *notes, *a4._slices(Space(5), width, dpi)]
    lead = sum(s.height for s in (*title, *gap, *grid[:2]))
    return _Section(slices, lead)


def _bold_rows(grid: list[Slice], table: ReportTable, drawn: Table, width: float, dpi: float) -> list[Slice]:
    """Totals and headings in bold: a4's tables print bold only in their header, so draw those rows as one."""
    rows = drawn.rows
    if not table.rows:
        return grid
    bold = set(table.headings) | set(range(len(rows) - table.totals, len(rows)))
    header = grid[0]
    out = [header]
    for index, piece in enumerate(grid[1:]):
        if index not in bold:
            out.append(piece)
            continue
        height, draw = a4._table_row(rows[index], drawn, width, dpi, header=True)
        out.append(Slice(height, draw, header=header))
    return out


def _with_groups(grid: list[Slice], table: ReportTable, width: float, dpi: float, size: float) -> list[Slice]:
    """The national column groups as a header row above the columns, repeated with them on every sheet."""
    total = sum(c.width for c in table.columns)
    spans: list[float] = []
    at = 0
    for _, span in table.groups:
        spans.append(sum(c.width for c in table.columns[at : at + span]) / total)
        at += span
    centred: tuple[Align, ...] = tuple("center" for _ in spans)
    group_table = Table(tuple(label for label, _ in table.groups), (), tuple(spans), size=size, align=centred)
    top_height, top_draw = a4._table_row(group_table.headers, group_table, width, dpi, header=True)
    old = grid[0]

    def draw(painter: QPainter, x: float, y: float) -> None:
        top_draw(painter, x, y)
        old.draw(painter, x, y + top_height)

    header = Slice(top_height + old.height, draw, keep=old.keep)
    return [header, *(Slice(s.height, s.draw, header=header, keep=s.keep) for s in grid[1:])]


def _as_of(report: PeriodReport) -> str:
    return f"{report.period.label()} — {report.period.as_of_label(report.as_of)}"


def _running_head(report: PeriodReport, width: float, dpi: float) -> list[Slice]:
    blocks: Sequence[Block] = (
        Text(report.centre_name.upper(), size=9, bold=True),
        Text(TITLE, size=13, bold=True, align="center"),
        Text(_as_of(report), size=9, italic=True, align="center"),
        Rule(thickness_mm=0.3),
        Space(2),
    )
    return [s for b in blocks for s in a4._slices(b, width, dpi)]


@dataclass(frozen=True)
class _Placed:
    piece: Slice
    y: float


def _paginate(sections: Sequence[_Section], top: float, bottom: float) -> list[list[_Placed]]:
    pages: list[list[_Placed]] = [[]]
    y = top
    for section in sections:
        if pages[-1] and y + section.lead > bottom + 0.5:
            pages.append([])
            y = top
        for piece in section.slices:
            if pages[-1] and y + piece.height + piece.keep > bottom + 0.5:
                pages.append([])
                y = top
                if piece.header is not None:
                    pages[-1].append(_Placed(piece.header, y))
                    y += piece.header.height
            pages[-1].append(_Placed(piece, y))
            y += piece.height
    return pages


def _paint(report: PeriodReport, dpi: float, generated_at: datetime, begin: Callable[[], QPainter],
           new_page: Callable[[], object]) -> int:  # fmt: skip
    """Lay the report out at `dpi` and paint it; `begin` gives a painter on the first sheet. Returns the sheets."""
    a4.load_fonts()
    margin = a4._px(MARGIN_MM, dpi)
    width = a4._px(PAGE_W_MM, dpi) - 2 * margin
    head = _running_head(report, width, dpi)
    head_height = sum(s.height for s in head)
    foot_font = a4._font(7, dpi, italic=True)
    foot_height = a4._px(6, dpi)
    sections = [_table_section(t, width, dpi) for t in report_tables(report)]
    pages = _paginate(sections, margin + head_height, a4._px(PAGE_H_MM, dpi) - margin - foot_height)
    made = f"Lập lúc {generated_at.astimezone(LOCAL_TZ):%H:%M ngày %d/%m/%Y} bằng phần mềm Một Cửa"
    painter = begin()
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for number, page in enumerate(pages, 1):
            if number > 1:
                new_page()
            y = margin
            for piece in head:
                piece.draw(painter, margin, y)
                y += piece.height
            for placed in page:
                placed.piece.draw(painter, margin, placed.y)
            painter.setFont(foot_font)
            painter.setPen(Qt.GlobalColor.black)
            base = a4._px(PAGE_H_MM, dpi) - margin
            painter.drawText(QPointF(margin, base), made)
            label = f"Trang {number}/{len(pages)}"
            advance = painter.fontMetrics().horizontalAdvance(label)
            painter.drawText(QPointF(margin + width - advance, base), label)
    finally:
        painter.end()
    return len(pages)


def _landscape() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape, QMarginsF(0, 0, 0, 0))


def report_pdf(report: PeriodReport, generated_at: datetime) -> tuple[bytes, int]:
    """The report as PDF bytes (A4 landscape, 300 dpi layout) and its number of pages."""
    a4.load_fonts()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(_landscape())
    writer.setTitle(f"{TITLE} – {report.centre_name} – {report.period.label()}")
    writer.setCreator(a4.CREATOR)

    def begin() -> QPainter:
        painter = QPainter()
        a4._begin(painter, writer)
        return painter

    def new_page() -> None:
        writer.newPage()

    pages = _paint(report, PDF_DPI, generated_at, begin, new_page)
    buffer.close()
    return bytes(data.data()), pages


def render_report_pages(report: PeriodReport, generated_at: datetime, dpi: float = 110) -> list[QImage]:
    """Every landscape sheet as an image (previews, tests)."""
    size = (round(a4._px(PAGE_W_MM, dpi)), round(a4._px(PAGE_H_MM, dpi)))
    images: list[QImage] = []
    painter = QPainter()

    def sheet() -> QImage:
        image = QImage(*size, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)
        images.append(image)
        return image

    def begin() -> QPainter:
        a4._begin(painter, sheet())
        return painter

    def new_page() -> None:
        painter.end()
        a4._begin(painter, sheet())

    _paint(report, dpi, generated_at, begin, new_page)
    return images
