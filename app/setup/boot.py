"""The finish page's "start by itself": `install-service` for this PC's role, run as a child process.

The install itself (unit or task text, systemctl / schtasks, root or not) belongs to `python -m app install-service`
(app/unattended_cli.py, above this package): the wizard runs that same command, so a person, the Windows installer
and the wizard all register the same thing. Qt-free; the page runs `run_steps` on the wizard's TaskRunner.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from app.child_process import ROOT, program, shown_program
from app.config import DEFAULT_PORT, Config

DRY_RUN_ENV = "MOTCUA_AUTOSTART"  # "dry-run": only print what would be installed (the test suite sets it)
TIMEOUT_S = 120  # systemctl enable --now waits for the unit to start
SERVICE_DONE = "Dịch vụ trung tâm sẽ tự chạy khi bật máy và tự chạy lại khi bị dừng"
NOTHING_AT_BOOT = {
    "counter": "Máy quầy không cần tự chạy: cán bộ mở phần mềm Quầy khi vào làm việc và đăng nhập bằng tài khoản "
    "của mình.",
    "director": "Máy lãnh đạo không cần tự chạy: mở phần mềm Lãnh đạo khi cần và đăng nhập bằng tên, mã PIN của lãnh "
    "đạo (mọi thay đổi ghi tên người đăng nhập).",
    "rating": "Màn hình đánh giá không tự chạy khi bật máy: mở phần mềm Đánh giá sau khi đăng nhập.",
}


def dry_run_default() -> bool:
    return os.environ.get(DRY_RUN_ENV, "") == "dry-run"


@dataclass(frozen=True)
class Step:
    what: str  # in a sentence: "dịch vụ trung tâm"
    args: list[str]  # after `python -m app`
    done: str  # said when it worked
    needs_admin: bool = False  # a system unit / a task at boot as SYSTEM

    @property
    def command(self) -> list[str]:
        return program("app", *self.args)

    @property
    def shown(self) -> str:
        """How a person types it on this installation (the failure message tells them)."""
        return shlex.join(shown_program("app", *self.args))


@dataclass(frozen=True)
class Outcome:
    step: Step
    code: int
    output: str
    error: str

    @property
    def ok(self) -> bool:
        return self.code == 0


def is_admin() -> bool:
    """Root on Linux; on Windows, an elevated process (creating a task that runs as SYSTEM needs one)."""
    if os.name == "nt":
        import ctypes

        try:
            return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            return False
    return hasattr(os, "geteuid") and os.geteuid() == 0


def note(role: str) -> str:
    """What the tick does for `role`, shown under it before Hoàn tất."""
    if role == "service-kiosk":
        return "Dịch vụ trung tâm chạy ngay khi bật máy (chưa cần ai đăng nhập); kiosk mở toàn màn hình khi đăng " \
               "nhập. Cả hai tự chạy lại nếu bị tắt."  # fmt: skip
    if role == "display":
        return "Màn hình sảnh mở toàn màn hình khi đăng nhập và tự mở lại nếu bị tắt."
    return NOTHING_AT_BOOT.get(role, "")


def plan(config: Config, *, dry_run: bool = False, windows: bool | None = None, admin: bool | None = None,
         service_registered: bool = False) -> list[Step]:  # fmt: skip
    """The install-service commands for this PC's role (none for counter, director, rating).
    `service_registered`: the Windows installer (elevated) already registered the boot-time service."""
    windows = os.name == "nt" if windows is None else windows
    admin = is_admin() if admin is None else admin
    tail = ["--dry-run"] if dry_run else []
    steps: list[Step] = []
    if config.role == "service-kiosk" and not service_registered:
        # the boot-time service cannot read this user's config.toml (Windows: it runs as SYSTEM): all on its line
        args = ["install-service", "--data", str(config.data_dir().expanduser().resolve())]
        args += ["--commune", str(config.get("centre", "commune"))]
        if not windows and not admin:
            args.append("--user")  # a system unit needs root: this user's unit, lingering so it starts at boot
        args += tail
        extra = _service_extra(config)
        if extra:
            args += ["--", *extra]
        done = SERVICE_DONE + (" (dịch vụ của người dùng này)." if "--user" in args else ".")
        steps.append(Step("dịch vụ trung tâm", args, done, needs_admin=windows or "--user" not in args))
    if config.role == "service-kiosk":
        steps.append(Step("kiosk", ["install-service", "--role", "kiosk", *tail],
                          "Kiosk sẽ tự mở toàn màn hình khi đăng nhập và tự mở lại khi bị tắt."))  # fmt: skip
    if config.role == "display":
        steps.append(Step("màn hình sảnh", ["install-service", "--role", "display", *tail],
                          "Màn hình sảnh sẽ tự mở toàn màn hình khi đăng nhập và tự mở lại khi bị tắt."))  # fmt: skip
    return steps


def make_shortcuts(role: str, *, dry_run: bool = False, windows: bool | None = None) -> str:
    """Linux: this role's app in the menu and on the desktop, "Cài đặt ban đầu" in the menu (app/shortcuts.py), and
    the line that says so; on Windows the installer's Start-menu entries are there already (empty line)."""
    if os.name == "nt" if windows is None else windows:
        return ""
    from app import shortcuts

    names = " và ".join(f"“{s.name}”" for s, _desktop in shortcuts.shortcuts_for(role))
    if dry_run:
        return f"Biểu tượng {names}: chạy thử, chưa tạo."
    try:
        written = shortcuts.install(role)
    except OSError as exc:
        command = shlex.join(shown_program("app", "install-shortcuts", "--role", role))
        return f"Chưa tạo được biểu tượng {names} ({exc.strerror or exc}). Gõ lệnh: {command}"
    where = "trong menu và trên màn hình nền" if any(w.on_desktop for w in written) else "trong menu"
    return f"Đã tạo biểu tượng {names} {where}."


def _service_extra(config: Config) -> list[str]:
    extra = []
    if int(config.get("centre", "port")) != DEFAULT_PORT:
        extra += ["--port", str(config.get("centre", "port"))]
    if str(config.get("centre", "name")).strip():
        extra += ["--centre-name", str(config.get("centre", "name")).strip()]
    return extra


def child_env() -> dict[str, str]:
    """The environment of our own commands run from the wizard (install-service, user add)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}  # Vietnamese output through a pipe
    if not getattr(sys, "frozen", False):  # from source `-m app` needs the project on the path
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def run_child(
    command: Sequence[str], *, stdin: bytes | None = None, timeout: float = TIMEOUT_S
) -> tuple[int, str, str]:
    """One of our own programs as a child, without a console window: (exit code, stdout, stderr); -1 and the error
    when it could not run at all. Blocking: call it off the GUI thread."""
    try:
        done = subprocess.run(  # noqa: S603 - our own program; a secret only ever on stdin
            list(command), input=stdin, capture_output=True, env=child_env(), cwd=ROOT, timeout=timeout, check=False,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flashing up on Windows
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, "", str(exc)
    return done.returncode, done.stdout.decode("utf-8", errors="replace"), done.stderr.decode("utf-8", errors="replace")


def run_steps(steps: Sequence[Step], timeout: float = TIMEOUT_S) -> list[Outcome]:
    """Run each step (blocking: call it off the GUI thread); a step that fails does not stop the next."""
    return [Outcome(step, *run_child(step.command, timeout=timeout)) for step in steps]


def message(outcome: Outcome, *, windows: bool | None = None) -> str:
    """One sentence for the page: what now happens, or what went wrong and what to do about it."""
    windows = os.name == "nt" if windows is None else windows
    step = outcome.step
    if outcome.ok:
        return step.done + (" (Chạy thử: chỉ in, chưa cài gì.)" if "--dry-run" in step.args else "")
    lines = [line.strip() for line in outcome.error.splitlines() if line.strip()]
    why = lines[-1].rstrip(".") if lines else f"mã lỗi {outcome.code}"
    if step.needs_admin and windows:
        todo = "Cần quyền quản trị: bấm chuột phải “Cài đặt ban đầu” trong menu Start, chọn “Run as administrator” " \
               "(Chạy với quyền quản trị) rồi bấm Hoàn tất lại."  # fmt: skip
    elif step.needs_admin or "--user" in step.args:
        shown = step.shown.replace(" --user", "")  # as root: the system unit, which needs no session
        todo = f"Nhờ người có quyền quản trị chạy lệnh: sudo {shown}"
    else:
        todo = f"Có thể chạy lại bằng lệnh: {step.shown}"
    return f"Chưa cài được tự chạy cho {step.what}: {why}. {todo}"
