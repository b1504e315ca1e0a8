"""app/supervise.py's pure parts: how long to wait before a restart, and when a crash count starts again."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.supervise import CAP_S, backoff_s, crashes_after, role_command


def test_the_wait_doubles_from_one_second_and_stops_at_thirty() -> None:
    assert [backoff_s(n) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]
    assert backoff_s(10_000) == CAP_S  # no overflow after a long crash loop
    assert backoff_s(3, base=0.5, cap=1.5) == 1.5


def test_a_minute_of_uptime_starts_the_count_again() -> None:
    assert crashes_after(0, 2.0) == 1
    assert crashes_after(4, 59.9) == 5
    assert crashes_after(6, 60.0) == 1
    assert crashes_after(6, 3600.0) == 1
    assert crashes_after(2, 10.0, reset_after=5.0) == 1


def test_roles_run_the_apps_full_screen_from_source_and_frozen(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:  # fmt: skip
    assert role_command("kiosk") == [sys.executable, "-m", "kiosk"]
    assert role_command("display", ["--digits"]) == [sys.executable, "-m", "app", "display", "--digits"]
    assert "--windowed" not in role_command("display")
    exe = ".exe" if os.name == "nt" else ""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / f"motcua-service{exe}"))
    assert role_command("display") == [str(tmp_path / f"motcua-display{exe}")]
    assert role_command("kiosk", ["--printer", "usb:1:2"]) == [str(tmp_path / f"motcua-kiosk{exe}"), "--printer",
                                                               "usb:1:2"]  # fmt: skip
    assert role_command("service", ["--data", "D"]) == [str(tmp_path / f"motcua-service{exe}"), "serve", "--data", "D"]
