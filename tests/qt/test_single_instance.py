"""One window per app and user (app/qtbridge/single_instance.py): a second start brings the first window to the front
and exits 0; a killed instance (SIGKILL, as a crash) does not keep the next start out; the real apps do it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.qtbridge import single_instance
from app.qtbridge.single_instance import claim_instance

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(folder))
    return folder


def test_a_second_start_brings_the_first_window_forward(qtbot: QtBot) -> None:
    first = claim_instance("thu")
    assert first is not None
    window = QLabel("Quầy")
    qtbot.addWidget(window)
    first.attach(window)
    try:
        assert claim_instance("thu") is None  # refused while the first runs
        qtbot.waitUntil(lambda: first.raised == 1, timeout=5000)
        assert window.isVisible()
        other = claim_instance("thu-khac")  # another app is not held back
        assert other is not None
        other.release()
    finally:
        first.release()
    again = claim_instance("thu")  # released: the next start gets in
    assert again is not None
    again.release()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX")
def test_an_instance_killed_with_sigkill_does_not_keep_the_next_out(own_config: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
         "from app.qtbridge.single_instance import claim_instance; held = claim_instance('man-hinh-sanh');"
         "print('held' if held else 'refused', flush=True); import time; time.sleep(600)"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"  # the child's own word that it holds the lock
        assert claim_instance("man-hinh-sanh") is None  # a live holder in another process keeps us out
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    assert (own_config / "run" / "man-hinh-sanh.lock").exists()  # killed: it could not clean up
    taken = claim_instance("man-hinh-sanh")  # the dead process's lock is stale: the relaunch gets in
    assert taken is not None
    taken.release()


def test_a_second_display_exits_0_and_says_so(own_config: Path) -> None:
    held = claim_instance("display")
    assert held is not None
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
               "MOTCUA_CONFIG_DIR": str(own_config)}  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "app", "display", "--demo", "--windowed"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        held.release()
    assert done.returncode == 0, done.stderr
    assert single_instance.ALREADY_RUNNING.format(app="Màn hình sảnh") in done.stderr
