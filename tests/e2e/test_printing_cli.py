"""The printing commands an IT officer runs, as real subprocesses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import zxingcpp

from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from printing.virtual_printer import VirtualPrinter

ROOT = Path(__file__).resolve().parents[2]
PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")


def run_app(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DISPLAY", None)  # an IT officer's SSH session: no screen
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_print_test_reaches_a_network_printer(tmp_path: Path) -> None:
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        done = run_app("print-test", "--printer", printer.url, "--width", "384", "--out", str(tmp_path / "t.png"))
        assert done.returncode == 0, done.stderr
        assert "Đã gửi phiếu mẫu 384×" in done.stdout
        assert "Sẵn sàng." in done.stdout
        page = printer.wait_for_pages(1)[0].image
    assert page.width == 384
    assert zxingcpp.read_barcodes(page.convert("L"))[0].text == "http://motcua.local:8710/t/15"
    assert (tmp_path / "t.png").exists()


def test_print_test_faults_are_explained(tmp_path: Path) -> None:
    with VirtualPrinter() as printer:
        printer.paper = "out"
        done = run_app("print-test", "--printer", printer.url)
    assert done.returncode == 1
    assert "Lỗi: Máy in hết giấy. Thay cuộn giấy mới rồi bấm In lại." in done.stderr
    assert "Traceback" not in done.stderr
    bad = run_app("print-test", "--printer", "lpt1")
    assert bad.returncode == 1
    assert "Không hiểu địa chỉ máy in" in bad.stderr


def test_posters_and_labels_cover_the_catalogue(tmp_path: Path) -> None:
    done = run_app("posters", "--out", str(tmp_path / "p.pdf"), "--labels", str(tmp_path / "l.pdf"))
    assert done.returncode == 0, done.stderr
    count = len(load_catalog_file(default_catalog_path()).procedures)
    pdf = (tmp_path / "p.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(PDF_PAGE.findall(pdf)) == count  # one poster per procedure, none spilling onto a second page
    labels = (tmp_path / "l.pdf").read_bytes()
    assert len(PDF_PAGE.findall(labels)) == -(-count // 21)


def test_posters_with_a_broken_catalogue_say_so(tmp_path: Path) -> None:
    broken = tmp_path / "c.json"
    broken.write_text("{not json", encoding="utf-8")
    done = run_app("posters", "--out", str(tmp_path / "p.pdf"), "--catalog", str(broken))
    assert done.returncode == 1
    assert "không phải JSON hợp lệ" in done.stderr


def test_sample_slip_as_pdf_and_as_thermal_png(tmp_path: Path) -> None:
    done = run_app("slip", "--sample", "--out", str(tmp_path / "m01.pdf"))
    assert done.returncode == 0, done.stderr
    assert len(PDF_PAGE.findall((tmp_path / "m01.pdf").read_bytes())) == 1
    done = run_app("slip", "--sample", "--out", str(tmp_path / "m01.png"), "--width", "576")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m01.png").stat().st_size > 0


def test_bench_print_prints_its_json_last() -> None:
    done = run_app("bench", "print", "--tickets", "5")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["printed"] == 5
    assert result["render_ms_p95"] > 0
    assert result["tap_to_socket_ms_p95"] >= result["render_ms_p95"]
