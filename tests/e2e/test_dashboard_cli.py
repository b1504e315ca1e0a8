"""`python -m app dashboard` as an IT officer sets it up: a director device token from the admin, the smoke test
against a real `serve`, the refusals a wrong token or no token get, and one screenshot size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from PIL import Image

from app.service.launcher import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def run_dashboard(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", "dashboard", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


def token_file(server: ServerProcess, tmp_path: Path, role: str) -> Path:
    made = requests.post(f"{server.url}/api/devices", json={"name": f"Máy {role}", "role": role},
                         headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10)  # fmt: skip
    assert made.status_code == 201, made.text
    path = tmp_path / f"{role}.token"
    path.write_text(made.json()["token"], encoding="utf-8")
    return path


def test_a_director_token_connects_and_a_kiosk_token_is_refused(server: ServerProcess, tmp_path: Path) -> None:
    requests.post(f"{server.url}/api/tickets", json={"group": "HT"},
                  headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10)  # fmt: skip
    director = token_file(server, tmp_path, "director")
    done = run_dashboard("--smoke-test", "--service", server.url, "--token-file", str(director))
    assert done.returncode == 0, done.stderr
    assert "dashboard ok:" in done.stdout
    assert "1 lượt lấy số" in done.stdout
    kiosk = token_file(server, tmp_path, "kiosk")
    refused = run_dashboard("--smoke-test", "--service", server.url, "--token-file", str(kiosk))
    assert refused.returncode == 1
    assert "không có quyền" in refused.stderr


def test_without_a_token_it_says_what_to_pass() -> None:
    """With a screen it would ask for a username and PIN; offscreen, and for a smoke test, it cannot."""
    for extra in ((), ("--smoke-test",)):
        done = run_dashboard("--service", "http://127.0.0.1:9", *extra)
        assert done.returncode == 2
        assert "--token-file" in done.stderr
        assert "mã PIN" in done.stderr
        assert "--demo" in done.stderr


def test_screenshots_at_the_asked_size(tmp_path: Path) -> None:
    done = run_dashboard("--demo", "--screenshot", str(tmp_path), "--size", "1600x900")
    assert done.returncode == 0, done.stderr
    names = sorted(p.stem for p in tmp_path.glob("*.png"))
    assert len(names) == 15  # live, history ×2, settings ×7, devices, export ×2, the session’s end ×2
    for name in names:
        assert name.startswith("dashboard-1600x900-")
        with Image.open(tmp_path / f"{name}.png") as image:
            assert image.size == (1600, 900)
