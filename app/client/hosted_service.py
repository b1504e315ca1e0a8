"""A kiosk PC that runs the centre service itself (`python -m kiosk --host-service DIR`).

The service starts as a child process (`python -m app serve`, through app.child_process: the kiosk never loads
the store or the service code), bound to every interface so counters and the hall display reach it, and
announced by mDNS. Bound to the LAN it speaks HTTPS with the centre's own CA (DATA/tls/ca.pem): the kiosk talks
to it at https://127.0.0.1:PORT pinning that CA, while the ticket's QR points phones at the plain-HTTP board
port on this PC's LAN address.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.child_process import ChildProcess

READY_PREFIX = "serving on "
KIOSK_TOKEN_FILE = "kiosk.token"  # noqa: S105 - a file name: server.py HOSTED_KIOSK_TOKEN (no service import here)
BOARD_PREFIX = "board on "
START_FAILED_MESSAGE = "Không khởi động được dịch vụ trung tâm trên máy này (thư mục dữ liệu {data}):\n{why}"


class HostedServiceError(RuntimeError):
    pass


@dataclass
class HostedService:
    """The centre service on this PC: the kiosk's own child (`process`), or one already running on the same data
    folder (started at boot by `install-service`), which the kiosk only attaches to (`attached`: its health)."""

    process: ChildProcess | None
    attached: dict[str, Any] | None = None
    attached_data: Path | None = None
    attached_port: int = 0

    @property
    def data(self) -> Path:
        if self.process is not None:
            return self.process.data
        assert self.attached_data is not None
        return self.attached_data

    @property
    def url(self) -> str:
        """The address the service printed (its bound host, e.g. https://0.0.0.0:8710)."""
        if self.process is not None:
            return self.process.url
        return f"https://0.0.0.0:{self.attached_port}"

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)  # the real one, also when port 0 picked a free one

    @property
    def local_url(self) -> str:
        """How this PC reaches it: loopback, same scheme."""
        return f"{urlsplit(self.url).scheme}://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The centre's CA to pin when the service speaks HTTPS."""
        return self.data / "tls" / "ca.pem" if self.url.startswith("https:") else None

    @property
    def kiosk_token(self) -> str:
        """The kiosk's own device token, which the service keeps in its folder (app/service/server.py,
        ensure_hosted_kiosk): the kiosk issues tickets as a kiosk, never with the admin token."""
        return (self.data / KIOSK_TOKEN_FILE).read_text(encoding="utf-8").strip()

    @property
    def board_url(self) -> str:
        """The plain-HTTP board and ticket pages as printed (the API's own address without TLS)."""
        if self.process is not None:
            return self.process.printed(BOARD_PREFIX) or self.url
        board = (self.attached or {}).get("board_port")
        return f"http://0.0.0.0:{board}" if board else self.url

    @property
    def follow_url(self) -> str | None:
        """The base of a ticket's follow page as a phone on the centre's Wi-Fi reaches it."""
        return phone_reachable(self.board_url)

    def stop(self) -> int:
        """Stop the kiosk's own child; a service the kiosk only attached to keeps running (it serves the hall)."""
        return self.process.stop() if self.process is not None else 0


def running_service(data: Path, port: int) -> HostedService | None:
    """The service already serving `data` on this PC's `port` (HTTPS that the folder's own CA verifies: the same
    centre, not another program on the port), or None."""
    ca = data / "tls" / "ca.pem"
    if not ca.is_file() or not (data / KIOSK_TOKEN_FILE).is_file():
        return None
    import requests

    try:
        answer = requests.get(f"https://127.0.0.1:{port}/api/health", verify=str(ca), timeout=3)
        health = answer.json() if answer.ok else None
    except (requests.RequestException, ValueError):
        return None
    if not isinstance(health, dict):
        return None
    return HostedService(None, attached=health, attached_data=data, attached_port=port)


def start_hosted_service(data: Path, *, port: int = 8710, host: str = "0.0.0.0", mdns: bool = True,  # noqa: S104
                         timeout: float = 60, commune: str | None = None) -> HostedService:  # fmt: skip
    """Start `python -m app serve` on `data` and wait for its ready line; HostedServiceError (Vietnamese) if not.
    `commune` names the centre (required the first time; None: the one the folder keeps). When the service already
    runs on `data` and `port` (started at boot), the kiosk attaches to it instead of starting a second one."""
    running = running_service(data, port) if port else None
    if running is not None:
        return running
    args = ["serve", "--data", str(data), "--host", host, "--port", str(port)]
    if commune is not None:
        args += ["--commune", commune]
    if not mdns:
        args.append("--no-mdns")
    try:
        process = ChildProcess.launch("app", args, data, name="centre service", ready_prefix=READY_PREFIX,
                                      timeout=timeout, error=HostedServiceError)  # fmt: skip
    except HostedServiceError as exc:
        raise HostedServiceError(START_FAILED_MESSAGE.format(data=data, why=exc)) from None
    return HostedService(process)


def phone_reachable(url: str | None) -> str | None:
    """`url` with this PC's LAN address in place of a loopback or wildcard host (0.0.0.0, 127.0.0.1): what a
    phone on the centre's Wi-Fi can open. The scheme and port stay."""
    if url is None:
        return None
    parts = urlsplit(url)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: no packet is sent, the route picks the LAN IP
            address = probe.getsockname()[0]
    except OSError:  # no network at all: the QR would not help anyway
        return url
    return f"{parts.scheme}://{address}:{parts.port}"
