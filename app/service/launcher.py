"""Start `python -m app serve` as a child process and wait for its ready line (demo, bench, tests)."""

from __future__ import annotations

from pathlib import Path

from app.child_process import ChildProcess

READY_PREFIX = "serving on "


class ServerStartError(RuntimeError):
    pass


class ServerProcess(ChildProcess):
    @property
    def admin_token(self) -> str:
        return (self.data / "admin.token").read_text().strip()


def start_server(data: Path, *, port: int = 0, host: str = "127.0.0.1", mdns: bool = False,
                 timeout: float = 60) -> ServerProcess:  # fmt: skip
    args = ["serve", "--data", str(data), "--host", host, "--port", str(port)]
    if not mdns:
        args.append("--no-mdns")
    return ServerProcess.launch("app", args, data, name="server", ready_prefix=READY_PREFIX, timeout=timeout,
                                error=ServerStartError)  # fmt: skip
