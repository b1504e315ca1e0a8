"""`python -m app supervise`: keep the kiosk, the hall display (or the service on Windows) running unattended.

    python -m app supervise --role kiosk               # relaunch the kiosk, full screen, whenever it dies
    python -m app supervise --role display -- --digits
    python -m app supervise -- python some_app.py …    # any command

The child is started again after it exits, for any reason but our own stop: first after BASE_S, then twice as long
after each crash in a row, at most CAP_S; a child that stayed up RESET_AFTER_S counts as healthy again. A crash loop
is logged (exit codes and uptimes only: never the command's arguments, which may name files or addresses).
SIGTERM or Ctrl+C stops the child (terminate, then kill after STOP_TIMEOUT_S) and then the supervisor, exit 0.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from app.child_process import program

log = logging.getLogger(__name__)

BASE_S = 1.0
CAP_S = 30.0
RESET_AFTER_S = 60.0
STOP_TIMEOUT_S = 10.0
CRASH_LOOP = 5  # crashes in a row, each within RESET_AFTER_S of its start, that make a crash loop
# What each role runs: the apps come up full screen unless told --windowed.
ROLES = {"kiosk": ("kiosk",), "display": ("app", "display"), "service": ("app", "serve")}


def backoff_s(crashes: int, *, base: float = BASE_S, cap: float = CAP_S) -> float:
    """The wait before the next start after `crashes` crashes in a row: 0 before the first, then base, 2·base, 4·base…
    capped at `cap`."""
    if crashes <= 0:
        return 0.0
    return float(min(cap, base * 2.0 ** min(crashes - 1, 30)))


def crashes_after(crashes: int, uptime_s: float, *, reset_after: float = RESET_AFTER_S) -> int:
    """Crashes in a row once a child that ran `uptime_s` has died: a long run starts the count again."""
    return 1 if uptime_s >= reset_after else crashes + 1


def role_command(role: str, extra: Sequence[str] = ()) -> list[str]:
    """The command a role runs: `python -m kiosk …` from source, `motcua-kiosk …` in the bundle."""
    return [*program(*ROLES[role]), *extra]


@dataclass
class Supervisor:
    command: list[str]
    name: str = "app"  # for the log: the role, never the command line
    base: float = BASE_S
    cap: float = CAP_S
    reset_after: float = RESET_AFTER_S
    clock: Callable[[], float] = time.monotonic
    starts: int = 0
    crashes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _child: subprocess.Popen[bytes] | None = None

    def run(self) -> int:
        """Run the child until stop() (or a signal through install_signals); 0 after a clean stop, 2 when the
        command cannot be started at all (a missing executable: restarting would not help)."""
        while not self._stop.is_set():
            started = self.clock()
            try:
                self._child = subprocess.Popen(self.command)  # noqa: S603 - our own program, or the one the admin gave
            except OSError as exc:
                log.error("Không chạy được %s: %s", self.name, exc)
                return 2
            self.starts += 1
            log.info("Đã chạy %s (lần %d, pid %d)", self.name, self.starts, self._child.pid)
            if self._stop.is_set():  # a stop that came while it was starting found no child to end
                self.stop()
            code = self._child.wait()
            if self._stop.is_set():
                break
            uptime = self.clock() - started
            self.crashes = crashes_after(self.crashes, uptime, reset_after=self.reset_after)
            delay = backoff_s(self.crashes, base=self.base, cap=self.cap)
            log.warning("%s đã dừng (mã %s) sau %.0f giây; chạy lại sau %.0f giây", self.name, code, uptime, delay)
            if self.crashes >= CRASH_LOOP:
                log.error("%s dừng liên tục: %d lần liền, mỗi lần chưa tới %.0f giây. Xem nhật ký của %s.",
                          self.name, self.crashes, self.reset_after, self.name)  # fmt: skip
            self._stop.wait(delay)
        log.info("Đã dừng giám sát %s.", self.name)
        return 0

    def stop(self) -> None:
        """Stop relaunching and end the child: terminate, then kill if it has not gone after STOP_TIMEOUT_S."""
        self._stop.set()
        child = self._child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()

    def install_signals(self) -> None:
        """SIGTERM (systemd, Task Scheduler's end) and Ctrl+C stop the child and then the supervisor."""

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("Nhận tín hiệu %s: dừng %s.", signal.Signals(signum).name, self.name)
            # the child is ended from another thread: waiting on it here would block the handler
            threading.Thread(target=self.stop, name="supervise-stop", daemon=True).start()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if hasattr(signal, "SIGBREAK"):  # Windows: Ctrl+Break, and what a console close sends
            signal.signal(signal.SIGBREAK, on_signal)


def run_supervise(command: list[str], name: str, log_dir: Path | None = None) -> int:
    """`python -m app supervise`: log to LOG_DIR/supervise-NAME.log (app/logs.py), then supervise."""
    from app.logs import setup_logging

    if log_dir is not None:
        setup_logging(log_dir, f"supervise-{name}")
    if os.name == "nt" and name in ("kiosk", "display"):
        import ctypes

        # started at logon by Task Scheduler, the console executable would leave a window over the full-screen app
        ctypes.windll.kernel32.FreeConsole()  # type: ignore[attr-defined]
    supervisor = Supervisor(command, name=name)
    supervisor.install_signals()
    return supervisor.run()
