"""app/autostart.py: the systemd units and the Windows task (read back with xml.etree on any OS), and
`python -m app install-service --dry-run`, from source and as the bundle would run them."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from app import autostart
from app.__main__ import main
from app.autostart import TASK_NS, app_autostart, service_autostart, systemd_quote, systemd_unit, task_xml

NS = {"t": TASK_NS}


def unit_lines(text: str) -> dict[str, list[str]]:
    """key → values of a unit file (a key may repeat: Environment=)."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_service_unit_restarts_always_after_the_network(tmp_path: Path) -> None:
    unit = service_autostart(tmp_path / "dữ liệu", commune="Đông Hưng", system=True)
    text = systemd_unit(unit)
    keys = unit_lines(text)
    assert keys["Restart"] == ["always"]
    assert keys["RestartSec"] == ["5"]
    assert keys["After"] == ["network-online.target"]
    assert keys["Wants"] == ["network-online.target"]
    assert keys["WantedBy"] == ["multi-user.target"]
    start = shlex.split(keys["ExecStart"][0])
    assert start[:4] == [sys.executable, "-m", "app", "serve"]
    assert start[4:] == ["--data", str((tmp_path / "dữ liệu").resolve()), "--host", "0.0.0.0", "--commune",
                         "Đông Hưng"]  # fmt: skip
    assert autostart.unit_path(unit) == Path("/etc/systemd/system/motcua-service.service")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_root_without_sudo_runs_the_service_as_the_folders_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    for name in ("SUDO_USER", "USERNAME", "USER", "LOGNAME"):
        monkeypatch.delenv(name, raising=False)  # root logged in directly: nobody to name from the environment
    data = tmp_path / "data"
    data.mkdir()
    assert "User" not in unit_lines(systemd_unit(service_autostart(data, system=True)))  # root's folder: root's unit
    owner = pwd.getpwnam("nobody")
    os.chown(data, owner.pw_uid, owner.pw_gid)
    assert unit_lines(systemd_unit(service_autostart(data, system=True)))["User"] == ["nobody"]


def test_a_user_unit_without_root(tmp_path: Path) -> None:
    unit = service_autostart(tmp_path, system=False)
    assert autostart.unit_path(unit, home=tmp_path) == tmp_path / ".config/systemd/user/motcua-service.service"
    assert unit_lines(systemd_unit(unit))["WantedBy"] == ["default.target"]
    commands = autostart.systemctl_commands(unit, install=True)
    assert commands[:2] == [["systemctl", "--user", "daemon-reload"],
                            ["systemctl", "--user", "enable", "--now", "motcua-service.service"]]  # fmt: skip


def test_the_kiosk_unit_runs_the_supervisor_with_the_desktop_session() -> None:
    keys = unit_lines(systemd_unit(app_autostart("kiosk", ["--printer", "usb:0416:5011"])))
    assert keys["PartOf"] == ["graphical-session.target"]
    assert keys["WantedBy"] == ["graphical-session.target"]
    start = shlex.split(keys["ExecStart"][0])
    assert start[1:] == ["-m", "app", "supervise", "--role", "kiosk", "--", "--printer", "usb:0416:5011"]


def test_frozen_the_unit_starts_the_bundles_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "motcua" / "motcua-service"))
    keys = unit_lines(systemd_unit(service_autostart(tmp_path / "data", system=True)))
    start = shlex.split(keys["ExecStart"][0])
    assert start[:2] == [str(tmp_path / "motcua" / "motcua-service"), "serve"]
    assert keys["WorkingDirectory"] == [str(tmp_path / "motcua")]
    assert not any(value.startswith("PYTHONPATH") for value in keys["Environment"])


def test_systemd_quoting() -> None:
    assert systemd_quote("plain") == "plain"
    assert systemd_quote("Đông Hưng") == '"Đông Hưng"'
    assert systemd_quote("50%$HOME") == "50%%$$HOME"
    assert systemd_quote('a "b"') == '"a \\"b\\""'


def test_the_windows_service_task_runs_at_boot_as_system_and_restarts_every_minute(tmp_path: Path) -> None:
    unit = service_autostart(tmp_path / "data", commune="Đông Hưng", system=True, windows=True)
    text = task_xml(unit)
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    task = ET.fromstring(text.split("\n", 1)[1])
    assert task.find("t:Triggers/t:BootTrigger/t:Enabled", NS).text == "true"  # type: ignore[union-attr]
    assert task.find("t:Triggers/t:LogonTrigger", NS) is None
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal is not None
    assert principal.find("t:UserId", NS).text == "S-1-5-18"  # type: ignore[union-attr]  # logged on or not
    assert principal.find("t:LogonType", NS) is None
    settings = task.find("t:Settings", NS)
    assert settings is not None
    assert settings.find("t:RestartOnFailure/t:Interval", NS).text == "PT1M"  # type: ignore[union-attr]
    assert int(settings.find("t:RestartOnFailure/t:Count", NS).text or 0) >= 100  # type: ignore[union-attr]
    assert settings.find("t:ExecutionTimeLimit", NS).text == "PT0S"  # type: ignore[union-attr]
    assert settings.find("t:DisallowStartIfOnBatteries", NS).text == "false"  # type: ignore[union-attr]
    command = task.find("t:Actions/t:Exec/t:Command", NS).text  # type: ignore[union-attr]
    arguments = task.find("t:Actions/t:Exec/t:Arguments", NS).text or ""  # type: ignore[union-attr]
    assert command == sys.executable
    assert arguments.startswith("-m app supervise --role service -- --data ")
    assert '--commune "Đông Hưng"' in arguments  # Windows quoting (list2cmdline)
    assert task.find("t:RegistrationInfo/t:URI", NS).text == "\\MotCua\\motcua-service"  # type: ignore[union-attr]


def test_the_windows_kiosk_task_starts_at_logon_on_the_users_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERNAME", "canbo")
    monkeypatch.setenv("USERDOMAIN", "UBND-XA")
    monkeypatch.delenv("SUDO_USER", raising=False)
    task = ET.fromstring(task_xml(app_autostart("display")).split("\n", 1)[1])
    assert task.find("t:Triggers/t:LogonTrigger/t:UserId", NS).text == "UBND-XA\\canbo"  # type: ignore[union-attr]
    assert task.find("t:Triggers/t:BootTrigger", NS) is None
    assert task.find("t:Principals/t:Principal/t:LogonType", NS).text == "InteractiveToken"  # type: ignore[union-attr]
    arguments = task.find("t:Actions/t:Exec/t:Arguments", NS).text  # type: ignore[union-attr]
    assert arguments == "-m app supervise --role display"


def test_install_service_dry_run_prints_the_unit_and_runs_nothing(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:  # fmt: skip
    assert main(["install-service", "--data", str(tmp_path / "d"), "--commune", "Đông Hưng", "--user", "--dry-run",
                 "--", "--port", "8710"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Restart=always" in out
    assert '--commune "Đông Hưng" --port 8710' in out
    assert "$ systemctl --user enable --now motcua-service.service" in out
    assert not (tmp_path / "d").exists()
    assert main(["install-service", "--data", str(tmp_path / "d"), "--dry-run", "--windows"]) == 0
    xml = capsys.readouterr().out
    ET.fromstring(xml.split("\n", 1)[1].split("\n\n>")[0])  # the task as printed parses
    assert "schtasks /Create /TN MotCua\\motcua-service /XML" in xml


def test_install_service_needs_a_data_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-service", "--dry-run"]) == 2
    assert "cần --data" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="the help of the real command line")
def test_the_commands_are_listed_in_python_m_app() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "app", "--help"], cwd=root, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    for command in ("install-service", "uninstall-service", "supervise"):
        assert command in done.stdout
