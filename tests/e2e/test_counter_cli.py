"""`python -m counter --smoke-test` / `--screenshot` and `python -m app user add`, as an IT officer runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from PIL import Image

from app.service.launcher import ServerProcess, start_server

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ("signin", "panel-idle", "panel-called", "panel-serving", "transfer", "pause", "panel-paused",
           "panel-refused", "offline", "reception-empty", "reception-errors", "reception-filled", "dossiers-saved",
           "dossier-return", "scan-empty", "scan-pages", "scan-saved", "scan-vanished", "scan-blank",
           "scan-blurred")  # fmt: skip


def run(module: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        input=stdin,
    )  # fmt: skip


def test_smoke_test_reaches_the_service_and_builds_the_sign_in_screen(server: ServerProcess) -> None:
    done = run("counter", "--smoke-test", "--service", server.url)
    assert done.returncode == 0, done.stderr
    assert "counter ok" in done.stdout
    assert "4 quầy" in done.stdout


def test_smoke_test_fails_clearly_without_a_service() -> None:
    done = run("counter", "--smoke-test", "--service", "http://127.0.0.1:9")
    assert done.returncode == 1
    assert "không kết nối được dịch vụ trung tâm" in done.stderr


def test_screenshots_of_every_main_screen_at_both_sizes(tmp_path: Path) -> None:
    done = run("counter", "--screenshot", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for size in ((1366, 768), (1920, 1080)):
        for screen in SCREENS:
            path = tmp_path / f"counter-{size[0]}x{size[1]}-{screen}.png"
            assert path.exists(), path.name
            with Image.open(path) as image:
                assert image.size == size


def test_user_add_then_sign_in_on_the_service(tmp_path: Path) -> None:
    data = tmp_path / "data"
    secret = "826491"
    added = run("app", "user", "add", "--data", str(data), "--username", "lan.nguyen", "--name", "Nguyễn Thị Lan",
                "--role", "clerk", "--secret-stdin", stdin=secret + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Đã tạo tài khoản lan.nguyen (cán bộ quầy): Nguyễn Thị Lan." in added.stdout
    assert secret not in added.stdout + added.stderr
    again = run("app", "user", "add", "--data", str(data), "--username", "LAN.NGUYEN", "--name", "Khác",
                "--secret-stdin", stdin="905127\n")  # fmt: skip
    assert again.returncode == 3  # taken: an exit code of its own (the wizard's Hoàn tất says "already there")
    assert "đã có người dùng" in again.stderr
    weak = run("app", "user", "add", "--data", str(data), "--username", "binh", "--name", "Trần Văn Bình",
               "--secret-stdin", stdin="8264\n")  # fmt: skip
    assert weak.returncode == 2
    assert "ít nhất 6 chữ số" in weak.stderr
    trivial = run("app", "user", "add", "--data", str(data), "--username", "binh", "--name", "Trần Văn Bình",
                  "--secret-stdin", stdin="890123\n")  # fmt: skip
    assert trivial.returncode == 2
    assert "quá dễ đoán" in trivial.stderr
    server = start_server(data)
    try:
        signed = requests.post(f"{server.url}/api/sessions",
                               json={"username": "lan.nguyen", "secret": secret, "counter": 1}, timeout=10)  # fmt: skip
        assert signed.status_code == 201, signed.text
        assert signed.json()["user"]["display_name"] == "Nguyễn Thị Lan"
        users = requests.get(f"{server.url}/api/users", headers={"Authorization": f"Bearer {server.admin_token}"},
                             timeout=10).json()  # fmt: skip
        assert [u["username"] for u in users] == ["lan.nguyen"]
    finally:
        server.stop()
    assert not any(secret in line for line in server.output)
