"""Mẫu 07 "Sổ theo dõi hồ sơ" as an Excel workbook: one row per dossier received in a period.

The columns follow the register the provincial systems export (mã hồ sơ, thủ tục, số bộ, chủ hồ sơ, địa
chỉ và điện thoại, ngày nhận, ngày hẹn trả, ngày trả, cán bộ tiếp nhận, trạng thái). Times are written as
real Excel datetimes in the centre's local time, so staff can sort and filter them in Excel.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.atomic_file import write_atomic
from app.core.clock import LOCAL_TZ

TITLE = "SỔ THEO DÕI HỒ SƠ"
SHEET_NAME = "Sổ theo dõi hồ sơ"
EMPTY_LINE = "Không có hồ sơ trong kỳ"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
FILE_MODE = 0o600  # names, ID numbers and phone numbers: readable by the service account only

# (header, column width in characters); the order is the register's.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("STT", 6),
    ("Mã hồ sơ", 24),
    ("Tên thủ tục hành chính", 36),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên cá nhân, tổ chức", 22),
    ("Địa chỉ, số điện thoại", 30),
    ("Ngày, giờ nhận hồ sơ", 17),
    ("Ngày, giờ hẹn trả kết quả", 17),
    ("Ngày, giờ trả kết quả", 17),
    ("Cán bộ tiếp nhận", 20),
    ("Trạng thái", 16),
    ("Ghi chú", 24),
)
HEADERS = tuple(name for name, _ in COLUMNS)
HEADER_ROW = 5  # rows 1–3 carry the title, the centre and the period; row 4 is a gap
DATETIME_COLUMNS = (7, 8, 9)

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")


@dataclass(frozen=True)
class TrackingRow:
    dossier_code: str
    received_at: datetime
    procedure_name: str
    sets: int
    citizen_name: str
    address: str
    phone: str
    appointment_at: datetime | None
    returned_at: datetime | None
    clerk_name: str
    status: str  # Vietnamese status text, e.g. "Đang xử lý"
    note: str = ""


def local_naive(instant: datetime | None) -> datetime | None:
    """Excel has no time zones: write the wall-clock time of the centre. A naive time is taken as local."""
    if instant is None:
        return None
    if instant.tzinfo is not None:
        instant = instant.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return instant.replace(microsecond=0)


def _period(date_from: date, date_to: date) -> str:
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


def _set_text(cell: Cell, text: str) -> None:
    # Citizen-typed text must stay text: "=…" would otherwise become a live formula (CSV/Excel injection),
    # and control characters are illegal in the XML and would abort the save.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _contact(row: TrackingRow) -> str:
    return "\n".join(part for part in (row.address.strip(), row.phone.strip() and f"ĐT: {row.phone.strip()}") if part)


def _title_rows(ws: Worksheet, centre: str, date_from: date, date_to: date) -> None:
    last = get_column_letter(len(COLUMNS))
    for index, (text, font) in enumerate(
        (
            (TITLE, Font(bold=True, size=14)),
            (centre, Font(bold=True, size=12)),
            (_period(date_from, date_to), Font(italic=True, size=11)),
        ),
        1,
    ):
        ws.merge_cells(f"A{index}:{last}{index}")
        cell = ws.cell(row=index, column=1)
        _set_text(cell, text)
        cell.font = font
        cell.alignment = _CENTRE


def _header(ws: Worksheet) -> None:
    fill = PatternFill("solid", fgColor="E8E8E8")
    for col, (name, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = _CENTRE
        cell.border = _BOX
        cell.fill = fill
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45


def _data_row(ws: Worksheet, at: int, number: int, row: TrackingRow) -> None:
    values: tuple[object, ...] = (
        number,
        row.dossier_code,
        row.procedure_name,
        row.sets,
        row.citizen_name,
        _contact(row),
        local_naive(row.received_at),
        local_naive(row.appointment_at),
        local_naive(row.returned_at),
        row.clerk_name,
        row.status,
        row.note,
    )
    for col, value in enumerate(values, 1):
        cell = ws.cell(row=at, column=col)
        if isinstance(value, str):
            _set_text(cell, value)
        else:
            cell.value = value
        cell.border = _BOX
        cell.alignment = _WRAP_TOP
        if col in DATETIME_COLUMNS:
            cell.number_format = DATETIME_FORMAT
    for col in (1, 4):  # the numbers read better centred
        ws.cell(row=at, column=col).alignment = Alignment(wrap_text=True, horizontal="center", vertical="top")


def _empty_line(ws: Worksheet, at: int) -> None:
    ws.merge_cells(start_row=at, start_column=1, end_row=at, end_column=len(COLUMNS))
    cell = ws.cell(row=at, column=1)
    _set_text(cell, EMPTY_LINE)
    cell.font = Font(italic=True)
    cell.alignment = _CENTRE
    for col in range(1, len(COLUMNS) + 1):
        ws.cell(row=at, column=col).border = _BOX


def _print_setup(ws: Worksheet) -> None:
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header repeats on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True


def build_tracking_book(
    rows: Sequence[TrackingRow], *, centre: str, date_from: date, date_to: date
) -> tuple[Workbook, int]:
    """The workbook in memory and the number of dossier rows in it."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = SHEET_NAME
    wb.properties.title = f"{TITLE} – {_period(date_from, date_to)}"
    wb.properties.creator = "Một Cửa"
    _title_rows(ws, centre, date_from, date_to)
    _header(ws)
    ordered = sorted(rows, key=lambda r: (local_naive(r.received_at), r.dossier_code))
    for number, row in enumerate(ordered, 1):
        _data_row(ws, HEADER_ROW + number, number, row)
    if not ordered:
        _empty_line(ws, HEADER_ROW + 1)
    _print_setup(ws)
    return wb, len(ordered)


def write_tracking_book(rows: Sequence[TrackingRow], path: Path, *, centre: str, date_from: date, date_to: date) -> int:
    """Write the register to `path` (XLSX) and return the number of dossiers written.

    The file appears whole or not at all: a crash or a full disk mid-save never leaves a truncated book
    over yesterday's good one.
    """
    wb, count = build_tracking_book(rows, centre=centre, date_from=date_from, date_to=date_to)
    buffer = io.BytesIO()
    wb.save(buffer)
    write_atomic(Path(path), buffer.getvalue(), FILE_MODE)
    return count
