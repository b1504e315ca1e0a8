"""`python -m kiosk --smoke-test` and `--screenshot` as an IT officer runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PIL import Image

from app.service.launcher import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_smoke_test_connects_to_the_service(server: ServerProcess, tmp_path: Path) -> None:
    token = requests.post(
        f"{server.url}/api/devices", json={"name": "Kiosk", "role": "kiosk"},
        headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10,
    ).json()["token"]  # fmt: skip
    (tmp_path / "kiosk.token").write_text(token)
    done = run_kiosk("--smoke-test", "--service", server.url, "--token-file", str(tmp_path / "kiosk.token"))
    assert done.returncode == 0, done.stderr
    assert "kiosk ok" in done.stdout


def test_smoke_test_fails_clearly_without_a_service() -> None:
    done = run_kiosk("--smoke-test", "--service", "http://127.0.0.1:9")
    assert done.returncode == 1
    assert "không kết nối được dịch vụ trung tâm" in done.stderr


def test_bad_printer_url_stops_at_start_with_a_vietnamese_message() -> None:
    done = run_kiosk("--smoke-test", "--demo", "--printer", "lpt1")
    assert done.returncode == 2
    assert "Không hiểu địa chỉ máy in" in done.stderr


@pytest.mark.parametrize("size", [None, (1366, 768)], ids=["default", "1366x768"])
def test_screenshots_of_every_main_screen_at_the_asked_size(tmp_path: Path, size: tuple[int, int] | None) -> None:
    w, h = size or (1080, 1920)  # the kiosk's default --size
    done = run_kiosk("--screenshot", str(tmp_path), *(["--size", f"{w}x{h}"] if size else []))
    assert done.returncode == 0, done.stderr
    names = {p.stem for p in tmp_path.glob("*.png")}
    for screen in ("home", "procedures", "priority", "ticket", "printer-fault", "lookup", "procedure", "offline"):
        name = f"kiosk-{w}x{h}-{screen}"
        assert name in names
    for name in names:
        with Image.open(tmp_path / f"{name}.png") as image:
            assert image.size == (w, h), name


def test_a_kiosk_can_host_the_centre_service_itself(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    done = run_kiosk("--smoke-test", "--host-service", data, "--port", "0", "--commune", "Đông Hưng")
    assert done.returncode == 0, done.stderr
    assert "kiosk ok: Trung tâm Phục vụ hành chính công xã Đông Hưng" in done.stdout
    assert (tmp_path / "data" / "queue.db").exists()
    assert (tmp_path / "data" / "tls" / "ca.pem").exists()  # bound to the LAN: HTTPS, the kiosk pins that CA
    again = run_kiosk("--smoke-test", "--host-service", data, "--port", "0")  # the folder keeps the name
    assert again.returncode == 0, again.stderr
    assert "xã Đông Hưng" in again.stdout


def test_a_kiosk_hosting_a_fresh_service_asks_for_the_commune(tmp_path: Path) -> None:
    done = run_kiosk("--smoke-test", "--host-service", str(tmp_path / "data"), "--port", "0")
    assert done.returncode == 2
    assert "--commune" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "queue.db").exists()
