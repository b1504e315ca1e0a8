"""`python -m app due-date` as a clerk or an IT officer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_app(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "app", "due-date", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_tet_2026_working_day() -> None:
    done = run_app("--received", "2026-02-13 10:00", "--days", "1", "--unit", "working_days")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "2026-02-23T10:00:00+07:00"
    assert "Thời hạn giải quyết: 1 ngày làm việc" in done.stdout
    assert "16/02 Giao thừa Tết Nguyên Đán" in done.stdout
    assert "4 ngày thứ Bảy, Chủ nhật" in done.stdout
    assert "Hẹn trả: 10:00 thứ Hai 23/02/2026" in done.stdout


def test_same_day_procedure_from_the_catalogue_after_the_cutoff() -> None:
    done = run_app("--procedure", "2.000815", "--received", "2026-08-28 15:00")
    assert done.returncode == 0, done.stderr
    assert "Thủ tục: 2.000815 Chứng thực bản sao" in done.stdout
    assert "31/08 Ngày nghỉ (thay cho ngày 22/08/2026)" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "2026-09-03T17:00:00+07:00"


def test_a_catalogue_file_and_a_procedure_without_time(tmp_path: Path) -> None:
    catalog = {
        "fields": [{"code": "CT", "name": "Chứng thực"}],
        "procedures": [
            {"code": "X.1", "name": "Chứng thực di chúc", "field": "CT", "processing_time": {"unit": "working_days"}}
        ],
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    missing = run_app("--procedure", "X.1", "--received", "2026-03-02 14:00", "--catalog", str(path))
    assert missing.returncode == 2
    assert "Thủ tục chưa có thời hạn giải quyết trong danh mục: nhập số ngày." in missing.stderr
    typed = run_app("--procedure", "X.1", "--days", "2", "--received", "2026-03-02 14:00", "--catalog", str(path))
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout.strip().splitlines()[-1] == "2026-03-04T14:00:00+07:00"


def test_bad_input_is_explained_with_exit_2() -> None:
    unknown = run_app("--procedure", "9.999999", "--received", "2026-03-02 14:00")
    assert unknown.returncode == 2
    assert "Lỗi: không có thủ tục mã 9.999999 trong danh mục." in unknown.stderr
    bad_date = run_app("--days", "1", "--unit", "days", "--received", "13/02/2026 10:00")
    assert bad_date.returncode == 2
    assert "nhập theo dạng YYYY-MM-DD HH:MM" in bad_date.stderr
    negative = run_app("--days", "-1", "--unit", "days", "--received", "2026-03-02 14:00")
    assert negative.returncode == 2
    assert "không âm" in negative.stderr
    for done in (unknown, bad_date, negative):
        assert "Traceback" not in done.stderr
        assert done.stdout == ""
