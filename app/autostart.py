"""Start at boot (the centre service) or with the desktop session (kiosk, hall display), and come back after a
crash: a systemd unit on Linux, a Task Scheduler task on Windows. The texts are made here on any OS (tests read
them); installing runs `systemctl` or `schtasks` (app/unattended_cli.py).

- service, Linux: a system unit when run as root (else a user unit, with lingering so it starts at boot), after
  network-online.target, Restart=always. Windows: a task at boot as SYSTEM, whether anyone is logged on or not,
  that runs the service under `supervise` (Task Scheduler restarts a task that fails to start, not one whose
  program dies later) and is itself restarted every minute on failure.
- kiosk, display: a user unit bound to graphical-session.target / a task at the user's logon, running `supervise
  --role …`: the app comes back full screen whenever it dies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from app.child_process import ROOT, program

RESTART_S = 5  # systemd: between a crash and the restart (the supervisor has its own backoff on top)
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
SYSTEM_SID = "S-1-5-18"  # LocalSystem: runs at boot with nobody logged on, needs no stored password
TITLES = {"service": "dịch vụ trung tâm", "kiosk": "kiosk cấp số", "display": "màn hình sảnh"}


@dataclass(frozen=True)
class Autostart:
    role: str  # service | kiosk | display
    command: list[str]  # what runs: the executable first
    workdir: Path
    system: bool  # service only: a system unit / a task at boot as SYSTEM
    user_name: str = ""  # Windows logon task: whose logon; Linux system unit: which account it runs as

    @property
    def name(self) -> str:
        return f"motcua-{self.role}"

    @property
    def title(self) -> str:
        return f"Một Cửa – {TITLES[self.role]}"


def service_autostart(data: Path, *, commune: str | None = None, host: str = "0.0.0.0",  # noqa: S104 - the LAN
                      extra: Sequence[str] = (), system: bool = False, windows: bool = False) -> Autostart:  # fmt: skip
    """The centre service on `data`, listening on the LAN (`host`). On Windows it runs under `supervise`."""
    serve = ["--data", str(data.resolve()), "--host", host, *(["--commune", commune] if commune else []), *extra]
    if windows:
        command = [*program("app", "supervise"), "--role", "service", "--", *serve]
    else:
        command = [*program("app", "serve"), *serve]
    user = _invoking_user() or ("" if windows else _owner(data))
    return Autostart("service", command, _workdir(), system=system, user_name=user)


def app_autostart(role: str, extra: Sequence[str] = ()) -> Autostart:
    """The kiosk or the hall display with the user's desktop session, under `supervise`."""
    command = [*program("app", "supervise"), "--role", role, *(["--", *extra] if extra else [])]
    return Autostart(role, command, _workdir(), system=False, user_name=_invoking_user())


def _workdir() -> Path:
    # from source `-m app` needs the project on sys.path: run from its folder; frozen: the bundle's folder
    return Path(sys.executable).parent if getattr(sys, "frozen", False) else ROOT


def _invoking_user() -> str:
    """Whose session the apps belong to (the account that ran sudo, on Linux); empty when unknown."""
    for name in ("SUDO_USER", "USERNAME", "USER", "LOGNAME"):
        value = os.environ.get(name, "")
        if value and value != "root":
            domain = os.environ.get("USERDOMAIN", "") if name == "USERNAME" else ""
            return f"{domain}\\{value}" if domain else value
    return ""


def _owner(data: Path) -> str:
    """The account owning the data folder (POSIX), when it is not root: root logged in directly (no sudo) still
    gets a service that runs as the folder's owner. Empty when unknown or root."""
    try:
        import pwd

        name = pwd.getpwuid(data.stat().st_uid).pw_name
    except (ImportError, KeyError, OSError):
        return ""
    return "" if name == "root" else name


# --- Linux: systemd -------------------------------------------------------------------------------------------


def systemd_quote(word: str) -> str:
    """One ExecStart word as systemd reads it: quoted when needed, `%` and `$` doubled (specifiers, variables)."""
    escaped = word.replace("%", "%%").replace("$", "$$")
    if escaped and not any(c in escaped for c in " \t\"'\\;"):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_path(unit: Autostart, home: Path | None = None) -> Path:
    if unit.system:
        return Path("/etc/systemd/system") / f"{unit.name}.service"
    return (home or Path.home()) / ".config" / "systemd" / "user" / f"{unit.name}.service"


def systemd_unit(unit: Autostart) -> str:
    """The unit file's text."""
    lines = ["[Unit]", f"Description={unit.title}"]
    if unit.role == "service":
        lines += ["Wants=network-online.target", "After=network-online.target"]
    else:  # needs the desktop: started and stopped with it
        lines += ["After=graphical-session.target", "PartOf=graphical-session.target"]
    lines += ["StartLimitIntervalSec=0", "", "[Service]", "Type=simple",
              "ExecStart=" + " ".join(systemd_quote(w) for w in unit.command),
              f"WorkingDirectory={systemd_quote(str(unit.workdir))}", "Restart=always", f"RestartSec={RESTART_S}",
              "Environment=PYTHONUNBUFFERED=1", "KillSignal=SIGTERM", "TimeoutStopSec=30"]  # fmt: skip
    if not getattr(sys, "frozen", False):
        lines.append(f"Environment={systemd_quote('PYTHONPATH=' + str(ROOT))}")
    if unit.system and unit.user_name:
        lines.append(f"User={unit.user_name}")  # the account that ran sudo: it owns the data folder
    wanted = (
        "multi-user.target"
        if unit.system
        else "default.target"
        if unit.role == "service"
        else "graphical-session.target"
    )
    lines += ["", "[Install]", f"WantedBy={wanted}", ""]
    return "\n".join(lines)


def systemctl_commands(unit: Autostart, *, install: bool) -> list[list[str]]:
    """What `install-service` / `uninstall-service` run after writing (before removing) the unit."""
    base = ["systemctl"] if unit.system else ["systemctl", "--user"]
    name = f"{unit.name}.service"
    if not install:
        return [[*base, "disable", "--now", name], [*base, "daemon-reload"]]
    commands = [[*base, "daemon-reload"], [*base, "enable", "--now", name]]
    if not unit.system and unit.role == "service" and unit.user_name:
        commands.append(["loginctl", "enable-linger", unit.user_name])  # a user's service starts at boot too
    return commands


# --- Windows: Task Scheduler ----------------------------------------------------------------------------------


def task_name(unit: Autostart) -> str:
    return f"MotCua\\{unit.name}"


def task_xml(unit: Autostart) -> str:
    """The task for `schtasks /Create /XML FILE` (saved as UTF-16, as schtasks reads it)."""
    ET.register_namespace("", TASK_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{TASK_NS}}}{tag}")
        if text is not None:
            element.text = text
        return element

    task = ET.Element(f"{{{TASK_NS}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Description", f"{unit.title}: tự chạy và tự chạy lại khi bị dừng")
    sub(info, "URI", "\\" + task_name(unit))
    triggers = sub(task, "Triggers")
    principal = sub(sub(task, "Principals"), "Principal", None)
    principal.set("id", "Author")
    if unit.role == "service":
        boot = sub(triggers, "BootTrigger")
        sub(boot, "Enabled", "true")
        sub(boot, "Delay", "PT30S")  # let the network come up
        sub(principal, "UserId", SYSTEM_SID)  # whether anyone is logged on or not
        sub(principal, "RunLevel", "HighestAvailable")
    else:
        logon = sub(triggers, "LogonTrigger")
        sub(logon, "Enabled", "true")
        if unit.user_name:
            sub(logon, "UserId", unit.user_name)
            sub(principal, "UserId", unit.user_name)
        sub(principal, "LogonType", "InteractiveToken")  # on the user's desktop
        sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    for tag, text in (("MultipleInstancesPolicy", "IgnoreNew"), ("DisallowStartIfOnBatteries", "false"),
                      ("StopIfGoingOnBatteries", "false"), ("AllowHardTerminate", "true"),
                      ("StartWhenAvailable", "true"), ("RunOnlyIfNetworkAvailable", "false")):  # fmt: skip
        sub(settings, tag, text)
    idle = sub(settings, "IdleSettings")
    sub(idle, "StopOnIdleEnd", "false")
    sub(idle, "RestartOnIdle", "false")
    for tag, text in (("AllowStartOnDemand", "true"), ("Enabled", "true"), ("Hidden", "false"),
                      ("RunOnlyIfIdle", "false"), ("WakeToRun", "false"),
                      ("ExecutionTimeLimit", "PT0S"), ("Priority", "5")):  # fmt: skip
        sub(settings, tag, text)  # PT0S: no time limit (the default stops a task after 3 days)
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT1M")
    sub(restart, "Count", "999")
    actions = sub(task, "Actions")
    actions.set("Context", "Author")
    exec_ = sub(actions, "Exec")
    sub(exec_, "Command", unit.command[0])
    if unit.command[1:]:
        sub(exec_, "Arguments", subprocess.list2cmdline(unit.command[1:]))
    sub(exec_, "WorkingDirectory", str(unit.workdir))
    ET.indent(task)
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + ET.tostring(task, encoding="unicode") + "\n"


def schtasks_commands(unit: Autostart, xml_file: Path, *, install: bool) -> list[list[str]]:
    name = task_name(unit)
    if install:
        return [["schtasks", "/Create", "/TN", name, "/XML", str(xml_file), "/F"], ["schtasks", "/Run", "/TN", name]]
    return [["schtasks", "/End", "/TN", name], ["schtasks", "/Delete", "/TN", name, "/F"]]
