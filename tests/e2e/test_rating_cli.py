"""`python -m app rating --smoke-test` and `--screenshot` as an IT officer runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from PIL import Image

from app.service.launcher import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def run_rating(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", "rating", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def token_file(server: ServerProcess, folder: Path, role: str, counter: int | None) -> Path:
    made = requests.post(
        f"{server.url}/api/devices", json={"name": f"{role} {counter}", "role": role, "counter": counter},
        headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10,
    )  # fmt: skip
    made.raise_for_status()
    path = folder / f"{role}.token"
    path.write_text(made.json()["token"], encoding="utf-8")
    return path


def test_smoke_test_with_the_counters_rating_token(server: ServerProcess, tmp_path: Path) -> None:
    token = token_file(server, tmp_path, "rating", 2)
    done = run_rating("--counter", "2", "--smoke-test", "--service", server.url, "--token-file", str(token))
    assert done.returncode == 0, done.stderr
    assert "rating ok: quầy 2, thang 3 mức, 5 lý do" in done.stdout
    other = run_rating("--counter", "1", "--smoke-test", "--service", server.url, "--token-file", str(token))
    assert other.returncode == 1
    assert "quầy số 2" in other.stderr  # the token is counter 2's: it says so


def test_another_roles_token_or_none_is_refused_clearly(server: ServerProcess, tmp_path: Path) -> None:
    kiosk = token_file(server, tmp_path, "kiosk", None)
    done = run_rating("--counter", "1", "--smoke-test", "--service", server.url, "--token-file", str(kiosk))
    assert done.returncode == 1
    assert "không có quyền" in done.stderr
    missing = run_rating("--counter", "1", "--smoke-test", "--service", server.url)
    assert missing.returncode == 2
    assert "--token-file" in missing.stderr


def test_screenshots_at_the_asked_size(tmp_path: Path) -> None:
    done = run_rating("--counter", "1", "--screenshot", str(tmp_path), "--size", "1024x600")
    assert done.returncode == 0, done.stderr
    names = sorted(p.stem for p in tmp_path.glob("*.png"))
    pages = ("idle", "ask", "reason", "thanks", "ask-5-levels", "offline")
    assert names == sorted(f"rating-1024x600-{page}" for page in pages)
    with Image.open(tmp_path / "rating-1024x600-ask.png") as image:
        assert image.size == (1024, 600)
