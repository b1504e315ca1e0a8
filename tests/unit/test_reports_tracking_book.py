"""Mẫu 07 read back with openpyxl: headers, local datetimes, order, empty period, private file mode."""

from __future__ import annotations

import os
import stat
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.reports.tracking_book import EMPTY_LINE, HEADER_ROW, HEADERS, TrackingRow, write_tracking_book

CENTRE = "Trung tâm Phục vụ hành chính công xã Đông Hưng"
FROM, TO = date(2026, 11, 1), date(2026, 11, 30)


def row(code: str, received: datetime, **kw: object) -> TrackingRow:
    base: dict[str, object] = {
        "dossier_code": code,
        "received_at": received,
        "procedure_name": "Đăng ký khai sinh",
        "sets": 1,
        "citizen_name": "Nguyễn Thị Ánh Tuyết",
        "address": "Thôn Phú Xuân, xã Đông Hưng",
        "phone": "0912 345 678",
        "appointment_at": None,
        "returned_at": None,
        "clerk_name": "Lê Văn Bình",
        "status": "Đang xử lý",
        "note": "",
    }
    base.update(kw)
    return TrackingRow(**base)  # type: ignore[arg-type]


ROWS = (
    row(
        "H48-261123-0002",
        datetime(2026, 11, 23, 3, 10, tzinfo=UTC),  # 10:10 local
        procedure_name="Chứng thực bản sao từ bản chính",
        sets=3,
        appointment_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),  # 16:00 local
        returned_at=datetime(2026, 11, 23, 8, 45, 30, tzinfo=UTC),
        status="Đã trả kết quả",
        note="Trả sớm",
    ),
    row(
        "H48-261122-0001",
        datetime(2026, 11, 22, 17, 30, tzinfo=UTC),  # 00:30 on the 23rd local: earlier than the row above
        citizen_name='=HYPERLINK("http://x")',
        phone="",
        appointment_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
    ),
)


def open_sheet(path: Path) -> Worksheet:
    ws = load_workbook(path).active
    assert isinstance(ws, Worksheet)
    return ws


def test_book_has_title_headers_and_one_row_per_dossier_in_received_order(tmp_path: Path) -> None:
    path = tmp_path / "so-theo-doi.xlsx"
    assert write_tracking_book(ROWS, path, centre=CENTRE, date_from=FROM, date_to=TO) == 2
    ws = open_sheet(path)
    assert ws["A1"].value == "SỔ THEO DÕI HỒ SƠ"
    assert ws["A2"].value == CENTRE
    assert ws["A3"].value == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    headers = tuple(c.value for c in ws[HEADER_ROW])
    assert headers == HEADERS
    assert headers[:4] == ("STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)")
    assert all(c.font.bold and c.border.left.style == "thin" for c in ws[HEADER_ROW])
    assert ws.max_row == HEADER_ROW + 2

    first, second = ([c.value for c in ws[HEADER_ROW + i]] for i in (1, 2))
    assert first[:3] == [1, "H48-261122-0001", "Đăng ký khai sinh"]
    assert first[4] == '=HYPERLINK("http://x")'  # kept as text, not turned into a formula
    assert ws.cell(HEADER_ROW + 1, 5).data_type == "s"
    assert first[5] == "Thôn Phú Xuân, xã Đông Hưng"  # no phone: no "ĐT:" line
    assert first[6] == datetime(2026, 11, 23, 0, 30)
    assert first[8] is None
    assert second == [
        2,
        "H48-261123-0002",
        "Chứng thực bản sao từ bản chính",
        3,
        "Nguyễn Thị Ánh Tuyết",
        "Thôn Phú Xuân, xã Đông Hưng\nĐT: 0912 345 678",
        datetime(2026, 11, 23, 10, 10),
        datetime(2026, 11, 23, 16, 0),
        datetime(2026, 11, 23, 15, 45, 30),
        "Lê Văn Bình",
        "Đã trả kết quả",
        "Trả sớm",
    ]


def test_datetime_cells_are_real_excel_dates_in_local_time(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_tracking_book(ROWS, path, centre=CENTRE, date_from=FROM, date_to=TO)
    ws = open_sheet(path)
    for col in (7, 8, 9):
        cell = ws.cell(HEADER_ROW + 2, col)
        assert cell.is_date
        assert isinstance(cell.value, datetime)
        assert cell.value.tzinfo is None
        assert cell.number_format == "dd/mm/yyyy hh:mm"
    assert ws.cell(HEADER_ROW + 1, 3).alignment.wrap_text


def test_print_setup_and_frozen_header(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_tracking_book(ROWS, path, centre=CENTRE, date_from=FROM, date_to=TO)
    ws = open_sheet(path)
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert all((ws.column_dimensions[c].width or 0) >= 6 for c in "ABCDEFGHIJKL")


def test_empty_period_gives_headers_and_a_line_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    assert write_tracking_book([], path, centre=CENTRE, date_from=FROM, date_to=FROM) == 0
    ws = open_sheet(path)
    assert tuple(c.value for c in ws[HEADER_ROW]) == HEADERS
    assert ws.cell(HEADER_ROW + 1, 1).value == EMPTY_LINE
    assert ws.max_row == HEADER_ROW + 1
    assert ws["A3"].value == "Từ ngày 01/11/2026 đến ngày 01/11/2026"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_file_is_private_and_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)
    write_tracking_book(ROWS, path, centre=CENTRE, date_from=FROM, date_to=TO)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]  # no temp file left behind
    assert path.read_bytes()[:2] == b"PK"


def test_failed_save_leaves_the_old_book_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old")

    def disk_full(self: Workbook, handle: BinaryIO) -> None:
        handle.write(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_tracking_book(ROWS, path, centre=CENTRE, date_from=FROM, date_to=TO)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
