"""`python -m app install-service --user` / `uninstall-service --user` for real, with `systemctl` and `loginctl`
replaced by a script that records how it was called (HOME is a temporary folder)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="systemd units: Linux")


def fake_tools(folder: Path, calls: Path, *, failing: str = "") -> Path:
    folder.mkdir()
    for name in ("systemctl", "loginctl"):
        code = 1 if name == failing else 0
        script = folder / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> {shlex.quote(str(calls))}\nexit {code}\n', encoding="utf-8")
        script.chmod(0o755)
    return folder


def run_app(tmp_path: Path, tools: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT), "USER": "canbo", "SUDO_USER": ""}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_install_then_uninstall_a_user_unit(tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    tools = fake_tools(tmp_path / "bin", calls)
    data = tmp_path / "dữ liệu"
    done = run_app(tmp_path, tools, "install-service", "--user", "--data", str(data), "--commune", "Đông Hưng")
    assert done.returncode == 0, done.stderr
    unit = tmp_path / "home" / ".config" / "systemd" / "user" / "motcua-service.service"
    text = unit.read_text(encoding="utf-8")
    assert "Restart=always" in text
    assert f'--data "{data}"' in text
    assert calls.read_text().splitlines() == [
        "systemctl --user daemon-reload",
        "systemctl --user enable --now motcua-service.service",
        "loginctl enable-linger canbo",
    ]
    assert "sẽ tự chạy khi bật máy" in done.stdout

    calls.unlink()
    gone = run_app(tmp_path, tools, "uninstall-service", "--user")
    assert gone.returncode == 0, gone.stderr
    assert not unit.exists()
    assert calls.read_text().splitlines() == [
        "systemctl --user disable --now motcua-service.service",
        "systemctl --user daemon-reload",
    ]


def test_a_failing_systemctl_is_reported(tmp_path: Path) -> None:
    tools = fake_tools(tmp_path / "bin", tmp_path / "calls.txt", failing="systemctl")
    done = run_app(tmp_path, tools, "install-service", "--user", "--data", str(tmp_path / "d"))
    assert done.returncode == 1
    assert "systemctl --user daemon-reload" in done.stderr
    assert "không thành công" in done.stderr
