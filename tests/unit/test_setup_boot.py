"""What the wizard's "Tự chạy khi bật máy / khi đăng nhập" runs for each role on each OS, and what it says when that
fails (app/setup/boot.py); the commands themselves run for real in tests/qt/test_setup_wizard.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.config import Config
from app.setup import boot

EXE = ".exe" if os.name == "nt" else ""


def service_pc(data: Path, **centre: object) -> Config:
    config = Config()
    config.set("pc", "role", "service-kiosk")
    config.set("centre", "commune", "Đông Hưng")
    config.set("centre", "data_dir", str(data))
    for key, value in centre.items():
        config.set("centre", key, value)
    return config


def args(steps: list[boot.Step]) -> list[list[str]]:
    return [step.args for step in steps]


def test_linux_without_root_gets_the_users_own_service(tmp_path: Path) -> None:
    steps = boot.plan(service_pc(tmp_path), windows=False, admin=False)
    assert args(steps) == [
        ["install-service", "--data", str(tmp_path.resolve()), "--commune", "Đông Hưng", "--user"],
        ["install-service", "--role", "kiosk"],
    ]
    assert "(dịch vụ của người dùng này)" in steps[0].done


def test_as_root_or_on_windows_the_system_service(tmp_path: Path) -> None:
    for windows, admin in ((False, True), (True, False), (True, True)):
        steps = boot.plan(service_pc(tmp_path), windows=windows, admin=admin, dry_run=True)
        assert "--user" not in steps[0].args  # Windows: --user would make a logon task, not one at boot
        assert steps[0].args[-1] == "--dry-run"
        assert steps[0].needs_admin


def test_the_boot_service_gets_everything_on_its_command_line(tmp_path: Path) -> None:
    # it cannot read this user's config.toml (on Windows it runs as SYSTEM)
    config = service_pc(tmp_path, port=8800, name="Trung tâm Một Cửa Đông Hưng")
    steps = boot.plan(config, windows=True, admin=True)
    assert steps[0].args == ["install-service", "--data", str(tmp_path.resolve()), "--commune", "Đông Hưng", "--",
                             "--port", "8800", "--centre-name", "Trung tâm Một Cửa Đông Hưng"]  # fmt: skip


def test_registered_by_the_installer_only_the_kiosk(tmp_path: Path) -> None:
    assert args(boot.plan(service_pc(tmp_path), windows=True, admin=False, service_registered=True)) == [
        ["install-service", "--role", "kiosk"]
    ]


def test_each_viewer_role(tmp_path: Path) -> None:
    for role, wanted in (("display", [["install-service", "--role", "display"]]), ("counter", []),
                         ("director", []), ("rating", [])):  # fmt: skip
        config = Config()
        config.set("pc", "role", role)
        assert args(boot.plan(config, windows=False, admin=False)) == wanted
        assert boot.note(role)  # every role is told what happens at boot, even nothing


def failed(step: boot.Step, error: str = "Lỗi: lệnh “schtasks /Create …” không thành công (mã 1).\n") -> boot.Outcome:
    return boot.Outcome(step, 1, "", "ERROR: Access is denied.\n" + error)


def test_failures_say_what_to_do(tmp_path: Path) -> None:
    windows_service = boot.plan(service_pc(tmp_path), windows=True, admin=False)[0]
    text = boot.message(failed(windows_service), windows=True)
    assert text.startswith("Chưa cài được tự chạy cho dịch vụ trung tâm: Lỗi: lệnh “schtasks /Create …” không thành "
                           "công (mã 1). ")  # fmt: skip
    assert "Run as administrator" in text
    linux_user = boot.plan(service_pc(tmp_path), windows=False, admin=False)[0]
    text = boot.message(failed(linux_user, "Failed to connect to bus: No medium found"), windows=False)
    assert "Failed to connect to bus: No medium found." in text
    # as root, the system unit: the same command without --user
    assert text.endswith(f"sudo python -m app install-service --data {tmp_path.resolve()} --commune 'Đông Hưng'")
    kiosk = boot.plan(service_pc(tmp_path), windows=False, admin=False)[1]
    assert boot.message(boot.Outcome(kiosk, 2, "", ""), windows=False) == (
        "Chưa cài được tự chạy cho kiosk: mã lỗi 2. Có thể chạy lại bằng lệnh: python -m app install-service --role "
        "kiosk"
    )
    assert boot.message(boot.Outcome(kiosk, 0, "", "")) == kiosk.done


def test_in_the_bundle_the_command_is_the_services_executable(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / f"motcua-kiosk{EXE}"))
    step = boot.plan(service_pc(tmp_path), windows=True, admin=True)[1]
    assert step.command == [str(tmp_path / f"motcua-service{EXE}"), "install-service", "--role", "kiosk"]
    assert "python" not in boot.message(boot.Outcome(step, 1, "", "x"), windows=True)
    assert f"motcua-service{EXE} install-service --role kiosk" in boot.message(boot.Outcome(step, 1, "", "x"))


def test_the_dry_run_switch() -> None:
    assert boot.dry_run_default()  # tests/conftest.py: no test installs autostart on the PC running it
