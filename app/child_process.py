"""Our own programs as child processes (the centre service, the provincial simulator) for the demo, the
benches and the tests: started with the project on PYTHONPATH, ready when they print their ready line."""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
# In the bundle (build_spec/): the executable that runs `python -m MODULE [COMMAND]`, beside the running one.
BUNDLED_PROGRAMS = {
    "app": "motcua-service",  # every `python -m app` command: motcua-service COMMAND …
    "app display": "motcua-display",
    "app dashboard": "motcua-dashboard",
    "app rating": "motcua-rating",
    "app setup": "motcua-wizard",
    "kiosk": "motcua-kiosk",
    "counter": "motcua-counter",
}


def program(module: str, *command: str) -> list[str]:
    """The command that runs `python -m module command…`: this interpreter from source, the bundle's own executable
    when frozen by PyInstaller (where sys.executable is the running app, which has no `-m`). A command with an
    executable of its own (`app display`) is that executable."""
    if not getattr(sys, "frozen", False):
        return [sys.executable, "-m", module, *command]
    own = BUNDLED_PROGRAMS.get(" ".join([module, *command[:1]]))
    name, rest = (own, list(command[1:])) if own else (BUNDLED_PROGRAMS[module], list(command))
    return [str(Path(sys.executable).with_name(name + (".exe" if os.name == "nt" else ""))), *rest]


def shown_program(module: str, *command: str) -> list[str]:
    """How a person types `python -m module command…` on this installation, for messages: `python -m app serve`
    from source, `motcua-service serve` in the bundle (the executable's name: its folder is where they run it)."""
    words = program(module, *command)
    words[0] = Path(words[0]).name if getattr(sys, "frozen", False) else "python"
    return words


def shown_command(module: str, *command: str) -> str:
    """shown_program as one line."""
    return shlex.join(shown_program(module, *command))


@dataclass
class ChildProcess:
    proc: subprocess.Popen[str]
    url: str
    data: Path
    output: list[str] = field(default_factory=list)
    pump: threading.Thread | None = None

    @classmethod
    def launch(cls, module: str, args: list[str], data: Path, *, name: str, ready_prefix: str, timeout: float,
               error: type[Exception]) -> Self:  # fmt: skip
        """Start `python -m module args…` and wait on its ready line (never on a sleep); `error` on failure."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*program(module), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
        )  # fmt: skip
        lines: queue.Queue[str | None] = queue.Queue()
        output: list[str] = []

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                output.append(line.rstrip("\n"))
                lines.put(line)
            proc.stdout.close()
            lines.put(None)

        pump_thread = threading.Thread(target=pump, daemon=True, name=f"{name}-output")
        pump_thread.start()
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                proc.kill()
                proc.wait()
                pump_thread.join(10)
                raise error(f"{name} did not start in {timeout}s:\n" + "\n".join(output)) from None
            if line is None:
                proc.wait()
                pump_thread.join(10)
                raise error(f"{name} exited with {proc.returncode}:\n" + "\n".join(output))
            if line.startswith(ready_prefix):
                return cls(proc, line[len(ready_prefix) :].strip(), data, output, pump_thread)

    def printed(self, prefix: str) -> str | None:
        """The rest of the first line the child printed that starts with `prefix` (None if it printed none)."""
        for line in list(self.output):
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        return None

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
