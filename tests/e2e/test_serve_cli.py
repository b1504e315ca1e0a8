"""`python -m app serve` as an IT officer runs it: the centre's commune is asked for once, and a stop is graceful."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import requests

from app.service.launcher import start_server

ROOT = Path(__file__).resolve().parents[2]


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app", "serve", "--no-mdns", "--port", "0", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip


def port_open(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=2):
            return True
    except OSError:
        return False


def test_a_fresh_folder_without_a_commune_stops_with_the_command_to_type(tmp_path: Path) -> None:
    data = tmp_path / "dữ liệu"
    done = serve("--data", str(data))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "chưa có tên xã" in done.stderr
    assert f"python -m app serve --no-mdns --port 0 --data '{data}' --commune \"Đông Hưng\"" in done.stderr
    assert not data.exists()  # nothing is written before the centre has a name
    blank = serve("--data", str(data), "--commune", "  xã ")
    assert blank.returncode == 2
    assert "Chưa có tên xã/phường" in blank.stderr
    assert "Traceback" not in blank.stderr


def test_the_commune_names_the_centre_is_kept_and_can_change(tmp_path: Path) -> None:
    data = tmp_path / "data"

    def health(commune: str | None) -> tuple[dict[str, str], list[str]]:
        server = start_server(data, commune=commune)
        try:
            answer = requests.get(f"{server.url}/api/health", timeout=10).json()
        finally:
            assert server.stop() == 0
        return answer, server.output

    first, _log = health("XÃ ĐÔNG HƯNG")
    assert first["centre"] == "Trung tâm Phục vụ hành chính công xã Đông Hưng"
    assert first["commune"] == "xã Đông Hưng"
    kept, _log = health(None)  # the folder has one now: no --commune needed
    assert kept["centre"] == first["centre"]
    moved, log = health("phường Ba Đình")
    assert moved["centre"] == "Trung tâm Phục vụ hành chính công phường Ba Đình"
    assert any("Tên trung tâm: Trung tâm Phục vụ hành chính công phường Ba Đình" in line for line in log)


def test_a_centre_name_of_its_own(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start_server(data, commune="Vũ Thư")
    assert server.stop() == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "app", "serve", "--no-mdns", "--port", "0", "--data", str(data),
               "--centre-name", "Bộ phận Một cửa  xã Vũ Thư"]  # fmt: skip
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as named:  # fmt: skip
        try:
            assert named.stdout is not None
            url = next(line.split()[-1] for line in named.stdout if line.startswith("serving on "))
            answer = requests.get(f"{url}/api/health", timeout=10).json()
            assert answer["centre"] == "Bộ phận Một cửa xã Vũ Thư"
            assert answer["commune"] == "xã Vũ Thư"
        finally:
            named.terminate()
            assert named.wait(30) == 0


def test_sigterm_stops_both_ports_gracefully(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", tls="on", plain_port=0)
    board = server.board_url
    assert server.url.startswith("https://")
    assert board.startswith("http://")
    assert board != server.url
    assert port_open(server.url)
    assert port_open(board)
    assert requests.get(f"{board}/api/health", timeout=10).json()["centre"].endswith("xã Thử Nghiệm")
    assert server.stop() == 0  # SIGTERM: exit 0, not -15
    assert any("đã dừng (SIGTERM)" in line for line in server.output), server.output
    assert not any("Traceback" in line for line in server.output)
    assert not port_open(server.url)
    assert not port_open(board)
