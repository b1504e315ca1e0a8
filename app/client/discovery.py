"""Find the centre service on the LAN by its mDNS announcement (_motcua._tcp).

The announcement's TXT record says `tls=1` when the service speaks HTTPS (the client then needs the centre's CA,
`--ca-file`) and `board=PORT` for the plain-HTTP hall board and ticket pages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

SERVICE_TYPE = "_motcua._tcp.local."


@dataclass(frozen=True)
class FoundService:
    name: str
    url: str  # https://… when the service announced tls=1
    board_url: str | None = None  # http://… of the hall board and ticket pages, when announced


class _Collector(ServiceListener):
    def __init__(self) -> None:
        self.found: list[FoundService] = []
        self.event = threading.Event()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        info = zc.get_service_info(type_, name, timeout=3000)
        if info is None or not info.parsed_addresses():
            return
        self.found.append(found_service(name, info.parsed_addresses()[0], info.port, info.properties))
        self.event.set()

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass


def found_service(name: str, address: str, port: int | None, properties: dict[bytes, bytes | None]) -> FoundService:
    """The service as announced: its scheme from `tls`, the board's port from `board`."""
    tls = properties.get(b"tls") == b"1"
    board = properties.get(b"board") or b""
    board_url = f"http://{address}:{int(board)}" if board.isdigit() else None
    return FoundService(name, f"{'https' if tls else 'http'}://{address}:{port}", board_url)


def discover(timeout: float = 5.0, *, want: int = 1, accept: Callable[[FoundService], bool] | None = None
             ) -> list[FoundService]:  # fmt: skip
    """Services seen within `timeout` seconds (those `accept` takes); returns once `want` answered."""
    zc = Zeroconf(ip_version=IPVersion.V4Only)
    try:
        collector = _Collector()
        browser = ServiceBrowser(zc, SERVICE_TYPE, collector)
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        while not deadline.is_set() and len([f for f in collector.found if not accept or accept(f)]) < want:
            collector.event.wait(0.1)
            collector.event.clear()
        timer.cancel()
        browser.cancel()
        return [f for f in collector.found if not accept or accept(f)]
    finally:
        zc.close()
