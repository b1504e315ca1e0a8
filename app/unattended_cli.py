"""`python -m app install-service | uninstall-service | supervise`: running unattended (app/autostart.py,
app/supervise.py).

    python -m app install-service --data /var/lib/motcua --commune "Đông Hưng"     # the centre service at boot
    python -m app install-service --role kiosk [-- --printer usb:0416:5011]       # the kiosk with the desktop
    python -m app install-service … --dry-run                                     # print the unit / task only
    python -m app uninstall-service [--role kiosk]
    python -m app supervise --role display                                        # what the display's unit runs
    python -m app install-shortcuts --role counter [--dry-run]   # Linux: menu entry and desktop icon (app/shortcuts.py)
    python -m app uninstall-shortcuts
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

COMMANDS = ("install-service", "uninstall-service", "supervise", "install-shortcuts", "uninstall-shortcuts")
SHORTCUT_ROLES = ("service-kiosk", "counter", "display", "director", "rating")  # the wizard's (app.config.ROLES)


def add_parsers(sub: Any) -> None:
    """Adds this feature's commands to `python -m app`."""
    install = sub.add_parser(
        "install-service", help="tự chạy khi bật máy và tự chạy lại khi bị dừng (systemd, Windows)"
    )
    _common(install)
    install.add_argument(
        "--data", type=Path, help="thư mục dữ liệu của dịch vụ trung tâm (bắt buộc với --role service)"
    )
    install.add_argument("--commune", help='tên xã (phường) của Trung tâm, ví dụ "Đông Hưng" (lần chạy đầu)')
    install.add_argument("--host", default="0.0.0.0",  # noqa: S104 - the centre service serves the LAN
                         help="địa chỉ nghe của dịch vụ (mặc định 0.0.0.0: cả mạng LAN)")  # fmt: skip
    install.add_argument("--dry-run", action="store_true", help="chỉ in tệp cấu hình sẽ ghi, không cài")
    install.add_argument(
        "--windows", action="store_true", help="in tác vụ Windows (XML) dù đang ở Linux (với --dry-run)"
    )
    install.add_argument("extra", nargs="*", help="sau --: tùy chọn thêm cho chương trình, ví dụ -- --port 8710")
    uninstall = sub.add_parser("uninstall-service", help="bỏ tự chạy khi bật máy")
    _common(uninstall)
    uninstall.add_argument("--dry-run", action="store_true", help="chỉ in các lệnh, không chạy")
    supervise = sub.add_parser("supervise", help="chạy kiosk / màn hình sảnh và chạy lại toàn màn hình khi bị tắt")
    supervise.add_argument("--role", choices=["kiosk", "display", "service"],
                           help="chương trình cần giữ chạy (không có: lệnh sau --)")  # fmt: skip
    supervise.add_argument(
        "program_args", nargs="*", metavar="LỆNH", help="sau --: tùy chọn thêm cho --role, hoặc cả lệnh cần chạy"
    )

    shortcuts = sub.add_parser("install-shortcuts", help="Linux: biểu tượng trong menu và trên màn hình nền")
    shortcuts.add_argument("--role", choices=SHORTCUT_ROLES, required=True, help="vai trò của máy này")
    shortcuts.add_argument("--dry-run", action="store_true", help="chỉ in các tệp sẽ ghi, không ghi")
    sub.add_parser("uninstall-shortcuts", help="Linux: xóa các biểu tượng Một Cửa của người dùng này")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--role", choices=["service", "kiosk", "display"], default="service",
        help="service: dịch vụ trung tâm lúc bật máy; kiosk, display: cùng phiên màn hình của người dùng",
    )  # fmt: skip
    p.add_argument("--user", action="store_true", help="Linux: dịch vụ của người dùng này, không phải của hệ thống")


def run(args: argparse.Namespace) -> int | None:
    """Runs one of this feature's commands; None when `args.command` is not one of them."""
    if args.command not in COMMANDS:
        return None
    if args.command == "supervise":
        return _supervise(args)
    if args.command.endswith("-shortcuts"):
        return _shortcuts(args, install=args.command == "install-shortcuts")
    return _install(args, install=args.command == "install-service")


def _supervise(args: argparse.Namespace) -> int:
    from app.config import config_dir
    from app.supervise import role_command, run_supervise

    if args.role is None and not args.program_args:
        print("Lỗi: cần --role kiosk|display|service hoặc lệnh cần chạy sau --.", file=sys.stderr)
        return 2
    command = role_command(args.role, args.program_args) if args.role else list(args.program_args)
    return run_supervise(command, args.role or Path(command[0]).stem, config_dir() / "logs")


def _install(args: argparse.Namespace, *, install: bool) -> int:
    from app import autostart

    windows = os.name == "nt" or bool(getattr(args, "windows", False))
    system = args.role == "service" and not args.user and (windows or _is_root())
    if args.role == "service":
        if install and args.data is None:
            print("Lỗi: cần --data THƯ_MỤC: thư mục dữ liệu của dịch vụ trung tâm.", file=sys.stderr)
            return 2
        data = getattr(args, "data", None) or Path(".")  # uninstall: only the unit's name matters
        unit = autostart.service_autostart(data, commune=getattr(args, "commune", None), host=args.host if install
                                           else "", extra=getattr(args, "extra", ()), system=system,
                                           windows=windows)  # fmt: skip
    else:
        unit = autostart.app_autostart(args.role, getattr(args, "extra", ()))
    if windows:
        return _windows(unit, install=install, dry_run=args.dry_run)
    return _linux(unit, install=install, dry_run=args.dry_run)


def _shortcuts(args: argparse.Namespace, *, install: bool) -> int:
    from app import shortcuts

    if os.name == "nt":
        print("Trên Windows, trình cài đặt đã tạo các mục trong menu Start (Một Cửa).")
        return 0
    if not install:
        for path in shortcuts.uninstall():
            print(f"Đã xóa {path}")
        return 0
    if args.dry_run:
        for shortcut, on_desktop in shortcuts.shortcuts_for(args.role):
            where = "menu và màn hình nền" if on_desktop else "menu"
            print(f"# {shortcuts.menu_dir() / shortcut.file_name} ({where})\n{shortcuts.desktop_entry(shortcut)}")
        return 0
    try:
        written = shortcuts.install(args.role)
    except OSError as exc:
        print(f"Lỗi: không tạo được biểu tượng ({exc}).", file=sys.stderr)
        return 1
    for item in written:
        print(f"Đã tạo {item.path}")
    return 0


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _linux(unit: Any, *, install: bool, dry_run: bool) -> int:
    from app.autostart import systemctl_commands, systemd_unit, unit_path

    path = unit_path(unit)
    commands = systemctl_commands(unit, install=install)
    if dry_run:
        if install:
            print(f"# {path}\n{systemd_unit(unit)}")
        for command in commands:
            print("$ " + " ".join(command))
        return 0
    if install:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(systemd_unit(unit), encoding="utf-8")
        print(f"Đã ghi {path}")
    if install:
        code = _run_all(commands, stop_on_error=True)
    else:  # disable, remove the file, then reload
        code = _run_all(commands[:-1], stop_on_error=False)
        if path.exists():
            path.unlink()
            print(f"Đã xóa {path}")
        code = max(code, _run_all(commands[-1:], stop_on_error=False))
    if code == 0:
        print(
            f"{unit.title}: " + ("sẽ tự chạy khi bật máy và tự chạy lại khi bị dừng." if install else "đã bỏ tự chạy.")
        )
    return code


def _windows(unit: Any, *, install: bool, dry_run: bool) -> int:
    from app.autostart import schtasks_commands, task_xml

    text = task_xml(unit)
    with tempfile.TemporaryDirectory(prefix="motcua-task-") as folder:
        xml_file = Path(folder) / f"{unit.name}.xml"
        commands = schtasks_commands(unit, xml_file, install=install)
        if dry_run:
            if install:
                print(text)
            for command in commands:
                print("> " + subprocess.list2cmdline(command))
            return 0
        xml_file.write_text(text, encoding="utf-16")  # schtasks reads the encoding the XML declares
        code = _run_all(commands, stop_on_error=install)
    if code == 0:
        print(f"{unit.title}: " + ("sẽ tự chạy và tự chạy lại khi bị dừng." if install else "đã bỏ tự chạy."))
    return code


def _run_all(commands: list[list[str]], *, stop_on_error: bool) -> int:
    code = 0
    for command in commands:
        try:
            done = subprocess.run(command, check=False)  # noqa: S603 - systemctl, loginctl, schtasks
        except FileNotFoundError:
            print(f"Lỗi: không có lệnh {command[0]} trên máy này.", file=sys.stderr)
            return 2
        if done.returncode != 0:
            print(f"Lỗi: lệnh “{' '.join(command)}” không thành công (mã {done.returncode}).", file=sys.stderr)
            code = 1
            if stop_on_error:
                return code
    return code
