"""Start `python -m app serve` as a child process and wait for its ready line (demo, bench, tests)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

READY_PREFIX = "serving on "


class ServerStartError(RuntimeError):
    pass


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    url: str
    data: Path
    output: list[str] = field(default_factory=list)
    pump: threading.Thread | None = None

    @property
    def admin_token(self) -> str:
        return (self.data / "admin.token").read_text().strip()

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._drain()
        return self.proc.returncode

    def _drain(self) -> None:
        if self.pump is not None:
            self.pump.join(10)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the power goes."""
        self.proc.kill()
        self.proc.wait()
        self._drain()


def start_server(data: Path, *, port: int = 0, host: str = "127.0.0.1", mdns: bool = False,
                 timeout: float = 60) -> ServerProcess:  # fmt: skip
    cmd = [sys.executable, "-m", "app", "serve", "--data", str(data), "--host", host, "--port", str(port)]
    if not mdns:
        cmd.append("--no-mdns")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=root
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line.rstrip("\n"))
            lines.put(line)
        proc.stdout.close()
        lines.put(None)

    pump_thread = threading.Thread(target=pump, daemon=True, name="server-output")
    pump_thread.start()
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            proc.kill()
            raise ServerStartError(f"server did not start in {timeout}s:\n" + "\n".join(output)) from None
        if line is None:
            proc.wait()
            pump_thread.join(10)
            raise ServerStartError(f"server exited with {proc.returncode}:\n" + "\n".join(output))
        if line.startswith(READY_PREFIX):
            return ServerProcess(proc, line[len(READY_PREFIX) :].strip(), data, output, pump_thread)
