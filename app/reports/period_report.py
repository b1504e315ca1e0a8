"""The centre's period report as an Excel workbook: one sheet per table of app/core/report_tables.py.

Every sheet carries the report's title, the centre and the period above a frozen header (two rows where the
national columns are grouped), columns sized for their content, numbers as numbers with a number format
(counts, minutes with one decimal, shares as %), totals in bold and the definitions under the table. Text is
always written as text, so a name beginning with "=" never becomes a formula. The file holds per-clerk figures:
it is written atomically and readable by the service account only.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.atomic_file import write_atomic
from app.core.clock import LOCAL_TZ
from app.core.report import PeriodReport
from app.core.report_tables import Cell as ReportCell
from app.core.report_tables import Kind, ReportTable, Value, report_tables

TITLE = "BÁO CÁO HOẠT ĐỘNG BỘ PHẬN MỘT CỬA"
FILE_MODE = 0o600  # per-clerk figures are staff data
FORMATS = {Kind.COUNT: "#,##0", Kind.MINUTES: "0.0", Kind.SHARE: "0.0%", Kind.TEXT: "@"}
TITLE_ROWS = 3  # title, centre, period; then a gap row

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = Alignment(wrap_text=True, horizontal="center", vertical="center")
_FILL = PatternFill("solid", fgColor="E8E8E8")


def _text(cell: Cell, text: str) -> None:
    # Always a string cell: "=…" stays text (no formula injection); control characters would break the XML.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _put(cell: Cell, value: Value, kind: Kind) -> None:
    if value is None:
        return
    if isinstance(value, str):
        _text(cell, value)
        return
    cell.value = value
    cell.number_format = FORMATS[kind]
    cell.alignment = Alignment(horizontal="right", vertical="top")


def as_of_text(report: PeriodReport) -> str:
    return f"{report.period.label()} ({report.period.as_of_label(report.as_of)})"


def _title(ws: Worksheet, report: PeriodReport, table: ReportTable) -> None:
    last = get_column_letter(len(table.columns))
    lines = (
        (f"{TITLE} – {table.title.upper()}", Font(bold=True, size=13)),
        (report.centre_name, Font(bold=True, size=11)),
        (as_of_text(report), Font(italic=True, size=10)),
    )
    for row, (text, font) in enumerate(lines, 1):
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1)
        _text(cell, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="left", vertical="center")


def _header(ws: Worksheet, table: ReportTable, top: int) -> int:
    """Write the header row(s) from `top`; return the first data row."""
    if table.groups:
        col = 1
        for label, span in table.groups:
            if span > 1:
                ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
            _text(ws.cell(row=top, column=col), label)
            for c in range(col, col + span):
                cell = ws.cell(row=top, column=c)
                cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), _HEAD, _BOX, _FILL
            col += span
        ws.row_dimensions[top].height = 30
        top += 1
    for col, column in enumerate(table.columns, 1):
        cell = ws.cell(row=top, column=col)
        _text(cell, column.header)
        cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), _HEAD, _BOX, _FILL
        ws.column_dimensions[get_column_letter(col)].width = column.width
    longest = max(len(c.header) / max(c.width - 1, 1) for c in table.columns)
    ws.row_dimensions[top].height = 15 * min(5, max(1, int(longest) + 1))
    return top + 1


def _rows(ws: Worksheet, table: ReportTable, first: int) -> int:
    """Write the data rows from `first`; return the row after them."""
    totals_from = len(table.rows) - table.totals
    for index, row in enumerate(table.rows):
        at = first + index
        bold = index >= totals_from or index in table.headings
        for col, (value, column) in enumerate(zip(row, table.columns, strict=True), 1):
            cell = ws.cell(row=at, column=col)
            if isinstance(value, ReportCell):
                _put(cell, value.value, value.kind)
            else:
                _put(cell, value, column.kind)
            cell.border = _BOX
            if column.kind is Kind.TEXT or isinstance(value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = Font(bold=True)
    if not table.rows:
        ws.merge_cells(start_row=first, start_column=1, end_row=first, end_column=len(table.columns))
        cell = ws.cell(row=first, column=1)
        _text(cell, table.empty)
        cell.font = Font(italic=True)
        cell.alignment = _HEAD
        return first + 1
    return first + len(table.rows)


def _notes(ws: Worksheet, table: ReportTable, after: int) -> None:
    for offset, note in enumerate(table.notes, 1):  # one line each, spilling over the empty cells to the right
        cell = ws.cell(row=after + offset, column=1)
        _text(cell, note)
        cell.font = Font(italic=True, size=9)


def _print_setup(ws: Worksheet, header_top: int, data_top: int) -> None:
    ws.freeze_panes = ws.cell(row=data_top, column=1)
    ws.print_title_rows = f"{header_top}:{data_top - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _sheet(ws: Worksheet, report: PeriodReport, table: ReportTable) -> None:
    ws.title = table.sheet
    _title(ws, report, table)
    header_top = TITLE_ROWS + 2
    data_top = _header(ws, table, header_top)
    end = _rows(ws, table, data_top)
    _notes(ws, table, end)
    _print_setup(ws, header_top, data_top)


def build_workbook(report: PeriodReport, generated_at: datetime | None = None) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert isinstance(first, Worksheet)
    wb.remove(first)
    for table in report_tables(report):
        _sheet(wb.create_sheet(), report, table)
    wb.properties.title = f"{TITLE} – {report.centre_name} – {report.period.label()}"
    wb.properties.creator = "Một Cửa"
    if generated_at is not None:
        wb.properties.created = generated_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return wb


def workbook_bytes(report: PeriodReport, generated_at: datetime | None = None) -> bytes:
    buffer = io.BytesIO()
    build_workbook(report, generated_at).save(buffer)
    return buffer.getvalue()


def write_period_report(report: PeriodReport, path: Path, generated_at: datetime | None = None) -> None:
    """Write the workbook to `path`: whole or not at all, mode 0600."""
    write_atomic(Path(path), workbook_bytes(report, generated_at), FILE_MODE)
