"""Start `python -m app serve` as a child process and wait for its ready line (demo, bench, tests)."""

from __future__ import annotations

from pathlib import Path

from app.child_process import ChildProcess

READY_PREFIX = "serving on "
BOARD_PREFIX = "board on "  # printed before the ready line when the service speaks TLS
TEST_COMMUNE = "Thử Nghiệm"  # the tests' and benches' centre: "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"


class ServerStartError(RuntimeError):
    pass


class ServerProcess(ChildProcess):
    @property
    def admin_token(self) -> str:
        return (self.data / "admin.token").read_text().strip()

    @property
    def ca_file(self) -> Path | None:
        """The centre's CA that clients pin, when the service speaks HTTPS (None for plain HTTP)."""
        return self.data / "tls" / "ca.pem" if self.url.startswith("https:") else None

    @property
    def board_url(self) -> str:
        """Where TVs and phones open the hall board and ticket pages over plain HTTP (the API's own address
        when the service has no TLS), with the host the service printed."""
        return self.printed(BOARD_PREFIX) or self.url

    @property
    def local_url(self) -> str:
        """The API as this PC reaches it: a wildcard bind (0.0.0.0, ::) becomes 127.0.0.1, which the server
        certificate names."""
        return local_address(self.url)

    @property
    def verify(self) -> str | bool:
        """`verify=` for requests to `local_url`: the pinned CA under TLS."""
        return str(self.ca_file) if self.ca_file is not None else True


def local_address(url: str) -> str:
    """`url` with a wildcard host (0.0.0.0, [::]) replaced by 127.0.0.1."""
    scheme, _sep, rest = url.partition("://")
    host, _colon, port = rest.rpartition(":")
    return f"{scheme}://127.0.0.1:{port}" if host in ("0.0.0.0", "[::]", "") else url  # noqa: S104


def start_server(data: Path, *, port: int = 0, host: str = "127.0.0.1", mdns: bool = False, timeout: float = 60,
                 tls: str | None = None, plain_port: int | None = None,
                 commune: str | None = TEST_COMMUNE) -> ServerProcess:  # fmt: skip
    """`tls`: "auto" (the service's own default: HTTPS on a LAN address), "on" or "off"; None = the default.
    `commune` names the centre (`serve --commune`; a folder keeps it); None: the folder's own (a fresh one refuses)."""
    args = ["serve", "--data", str(data), "--host", host, "--port", str(port)]
    if commune is not None:
        args += ["--commune", commune]
    if not mdns:
        args.append("--no-mdns")
    if tls is not None:
        args += ["--tls", tls]
    if plain_port is not None:
        args += ["--plain-port", str(plain_port)]
    return ServerProcess.launch("app", args, data, name="server", ready_prefix=READY_PREFIX, timeout=timeout,
                                error=ServerStartError)  # fmt: skip
