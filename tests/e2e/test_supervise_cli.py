"""`python -m app supervise`: a real child killed with SIGKILL is started again; SIGTERM stops the supervisor and
its child. The child is a tiny script that writes its pid to a file, says so and waits."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import os, signal, sys
from pathlib import Path
Path(sys.argv[1]).write_text(str(os.getpid()))
print("child up", os.getpid(), flush=True)
signal.pause()
"""

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and signal.pause are POSIX")


class Lines:
    """The supervisor's output (its log and the child's prints), read line by line with a deadline."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._pump = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._pump.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def close(self, proc: subprocess.Popen[str]) -> None:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        self._pump.join(30)  # the pipe ends when the supervisor and every child have let go of it

    def expect(self, text: str, timeout: float = 30) -> str:
        while True:
            line = self._lines.get(timeout=timeout)  # queue.Empty fails the test
            assert line is not None, "\n".join(self.seen)
            self.seen.append(line)
            if text in line:
                return line


def start(tmp_path: Path, pid_file: Path) -> tuple[subprocess.Popen[str], Lines]:
    child = tmp_path / "child.py"
    child.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MOTCUA_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen([sys.executable, "-m", "app", "supervise", "--", sys.executable, str(child), str(pid_file)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    return proc, Lines(proc)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_child_killed_with_sigkill_is_started_again_and_sigterm_stops_both(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    proc, lines = start(tmp_path, pid_file)
    try:
        first = int(lines.expect("child up").split()[-1])
        assert int(pid_file.read_text()) == first
        os.kill(first, signal.SIGKILL)
        lines.expect("(mã -9)")  # the supervisor saw it die, and says when it starts it again
        second = int(lines.expect("child up").split()[-1])
        assert second != first
        assert int(pid_file.read_text()) == second  # the pid file changed: a new child wrote it
        assert alive(second)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert not alive(second)  # ended and reaped by the supervisor before it exited
    finally:
        lines.close(proc)
    log = (tmp_path / "config" / "logs" / "supervise-python.log").read_text(encoding="utf-8")
    assert "đã dừng (mã -9)" in log
    assert "chạy lại sau 1 giây" in log  # the first crash in a row: the shortest wait
    assert "Đã dừng giám sát" in log
    assert str(pid_file) not in log  # the command's arguments are never logged


def test_sigterm_during_the_wait_before_a_restart_stops_at_once(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    proc, lines = start(tmp_path, pid_file)
    try:
        first = int(lines.expect("child up").split()[-1])
        os.kill(first, signal.SIGKILL)
        lines.expect("chạy lại sau")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert int(pid_file.read_text()) == first  # no second child was started
    finally:
        lines.close(proc)
