"""Find the centre service on the LAN by its mDNS announcement (_motcua._tcp)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

SERVICE_TYPE = "_motcua._tcp.local."


@dataclass(frozen=True)
class FoundService:
    name: str
    url: str


class _Collector(ServiceListener):
    def __init__(self) -> None:
        self.found: list[FoundService] = []
        self.event = threading.Event()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        info = zc.get_service_info(type_, name, timeout=3000)
        if info is None or not info.parsed_addresses():
            return
        self.found.append(FoundService(name, f"http://{info.parsed_addresses()[0]}:{info.port}"))
        self.event.set()

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass


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
