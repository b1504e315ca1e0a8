"""`python -m app report` as a director's IT officer runs it: a scripted day's data folder to XLSX and PDF, and
every bad input refused in Vietnamese with exit 2 and no file left behind."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.server import open_store
from tests.unit.report_day import add_ratings, scripted_day, scripted_dossiers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A centre service's data folder after the scripted day (the service is closed again, as after hours)."""
    root = tmp_path_factory.mktemp("centre")
    clock = ManualClock()
    store, devices = open_store(root / "data", clock)
    admin = {"Authorization": f"Bearer {(root / 'data' / 'admin.token').read_text().strip()}"}
    try:
        with TestClient(create_app(store, devices)) as client:
            hall = scripted_day(client, admin, clock)
            scripted_dossiers(client, admin, root / "counter")
    finally:
        store.close()
    add_ratings(root / "data" / "queue.db", hall)
    return root / "data"


def run_report(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", "report", *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_day_to_excel_and_pdf(data: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "ngay.xlsx"
    done = run_report("--data", data, "--date", "2026-11-23", "--out", xlsx)
    assert done.returncode == 0, done.stderr
    assert "Đã ghi báo cáo ngày 23/11/2026 của Trung tâm Phục vụ hành chính công xã (Excel)" in done.stdout
    assert "Lượt lấy số: 9, đã phục vụ: 6, vắng mặt: 1; hồ sơ nhận giải quyết: 12" in done.stdout
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o600
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "Tổng hợp"
    assert wb["Tổng hợp"]["B7"].value == 9
    assert wb["Đánh giá"]["A6"].value == "Rất hài lòng"

    pdf = tmp_path / "ngay.pdf"
    done = run_report("--data", data, "--date", "2026-11-23", "--out", pdf)
    assert done.returncode == 0, done.stderr
    assert "trang A4 ngang" in done.stdout
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", body)
    assert boxes
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}  # A4 landscape, every page
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == ["ngay.pdf", "ngay.xlsx"]


def test_a_month_from_the_data_of_one_day(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "thang.xlsx"
    done = run_report("--data", data, "--date", "2026-11-01", "--to", "2026-11-29", "--out", out)
    assert done.returncode == 0, done.stderr
    wb = load_workbook(out)
    assert "Theo ngày" in wb.sheetnames
    assert wb["Tổng hợp"]["A3"].value == "Từ ngày 01/11/2026 đến ngày 29/11/2026 (số liệu đến hết ngày 29/11/2026)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "23/11/2026"), "--date «23/11/2026» không phải ngày hợp lệ dạng YYYY-MM-DD"),
        (("--date", "2026-11-23", "--to", "2026-02-30"), "--to «2026-02-30» không phải ngày hợp lệ"),
        (("--date", "2026-11-23", "--to", "2026-11-22"), "--to 22/11/2026 trước --date 23/11/2026"),
        (("--date", "2025-01-01", "--to", "2026-11-23"), "Kỳ báo cáo dài quá 366 ngày"),
    ],
)
def test_bad_dates(data: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "r.xlsx"
    done = run_report("--data", data, *args, "--out", out)
    assert done.returncode == 2
    assert done.stderr.startswith("Lỗi: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert leftovers(tmp_path) == []


def test_a_folder_without_the_queue_database(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_report("--data", tmp_path / "empty", "--date", "2026-11-23", "--out", tmp_path / "r.pdf")
    assert done.returncode == 2
    assert "Lỗi: không có queue.db trong" in done.stderr
    assert leftovers(tmp_path) == ["empty"]
    assert leftovers(tmp_path / "empty") == []  # nothing created in the folder given either


def test_a_file_that_is_not_the_queue_database(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "queue.db").write_bytes(b"not a database at all" * 100)
    done = run_report("--data", folder, "--date", "2026-11-23", "--out", tmp_path / "r.xlsx")
    assert done.returncode == 2
    assert "Lỗi: Không" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_outputs_it_cannot_write(data: Path, tmp_path: Path) -> None:
    wrong = run_report("--data", data, "--date", "2026-11-23", "--out", tmp_path / "r.docx")
    assert wrong.returncode == 2
    assert "--out phải là tệp .xlsx hoặc .pdf" in wrong.stderr
    missing = run_report("--data", data, "--date", "2026-11-23", "--out", tmp_path / "no" / "r.xlsx")
    assert missing.returncode == 2
    assert "không có thư mục" in missing.stderr
    folder = tmp_path / "a.xlsx"
    folder.mkdir()
    is_dir = run_report("--data", data, "--date", "2026-11-23", "--out", folder)
    assert is_dir.returncode == 2
    assert "là một thư mục" in is_dir.stderr
    long_name = tmp_path / ("x" * 300 + ".xlsx")  # refused by the file system itself, root or not
    too_long = run_report("--data", data, "--date", "2026-11-23", "--out", long_name)
    assert too_long.returncode == 2
    assert "không ghi được" in too_long.stderr
    assert "Không có tệp nào được tạo." in too_long.stderr
    if os.geteuid() == 0:
        locked = Path("/sys/motcua-bao-cao.pdf")  # even root cannot create files there
    else:
        (tmp_path / "locked").mkdir(mode=0o500)
        locked = tmp_path / "locked" / "r.pdf"
    denied = run_report("--data", data, "--date", "2026-11-23", "--out", locked)
    assert denied.returncode == 2, denied.stdout
    assert "không ghi được" in denied.stderr
    assert not locked.exists()
    assert leftovers(tmp_path) == ["a.xlsx"] + (["locked"] if os.geteuid() else [])
    assert leftovers(folder) == []
