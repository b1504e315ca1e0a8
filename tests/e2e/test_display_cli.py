"""`python -m app display --smoke-test` and `--screenshot` as an IT officer runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from app.service.launcher import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def run_display(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", "display", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_smoke_test_connects_to_the_service(server: ServerProcess) -> None:
    done = run_display("--smoke-test", "--service", server.url)
    assert done.returncode == 0, done.stderr
    assert "display ok: 4 quầy" in done.stdout


def test_smoke_test_fails_clearly_without_a_service() -> None:
    done = run_display("--smoke-test", "--service", "http://127.0.0.1:9")
    assert done.returncode == 1
    assert "không kết nối được dịch vụ trung tâm tại http://127.0.0.1:9" in done.stderr


def test_a_broken_voice_pack_stops_at_start_with_a_vietnamese_message(tmp_path: Path) -> None:
    done = run_display("--smoke-test", "--service", "http://127.0.0.1:9", "--voice", str(tmp_path / "none"))
    assert done.returncode == 2
    assert "Không tìm thấy thư mục giọng đọc" in done.stderr


@pytest.mark.parametrize("size", [None, (720, 1280)], ids=["default", "720x1280"])
def test_screenshots_of_every_screen_at_the_asked_size(tmp_path: Path, size: tuple[int, int] | None) -> None:
    done = run_display("--demo", "--screenshot", str(tmp_path), *(["--size", f"{size[0]}x{size[1]}"] if size else []))
    assert done.returncode == 0, done.stderr
    sizes = [size] if size else [(1920, 1080), (1080, 1920)]  # without --size: both orientations
    names = {p.stem for p in tmp_path.glob("*.png")}
    assert len(names) == 5 * len(sizes)
    for w, h in sizes:
        for state in ("idle", "normal", "called", "recall", "offline"):
            name = f"display-{w}x{h}-{state}"
            assert name in names
            with Image.open(tmp_path / f"{name}.png") as image:
                assert image.size == (w, h)
