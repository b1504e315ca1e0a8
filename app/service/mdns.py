"""Announce the centre service on the LAN as _motcua._tcp so clients need no address typed in."""

from __future__ import annotations

import logging
import socket

import ifaddr
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from app.core.centre import split_centre_name

log = logging.getLogger(__name__)

SERVICE_TYPE = "_motcua._tcp.local."


def _addresses(host: str) -> list[str]:
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return [host]
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if ip.is_IPv4 and isinstance(ip.ip, str) and not ip.ip.startswith("127."):
                found.append(ip.ip)
    return found or ["127.0.0.1"]


def instance_label(centre: str, host: str) -> str:
    """The service's mDNS instance name: at most 63 bytes of UTF-8 (DNS's label limit; a Vietnamese letter takes
    two or three), the commune first so a long name keeps what tells two centres apart: "Một Cửa xã Đông Hưng (pc)"."""
    stem, commune = split_centre_name(centre)
    label = f"Một Cửa {commune} ({host})" if commune else f"{stem} ({host})"
    return label.encode()[:63].decode(errors="ignore")


class Announcer:
    def __init__(self, host: str, port: int, name: str, *, tls: bool = False) -> None:
        self.host, self.port, self.name = host, port, name
        self.tls = tls
        self.board_port: int | None = None  # the plain-HTTP board port under TLS
        self._zc: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> None:
        try:
            addresses = _addresses(self.host)
            label = instance_label(self.name, socket.gethostname())
            self._info = AsyncServiceInfo(
                SERVICE_TYPE,
                f"{label}.{SERVICE_TYPE}",
                addresses=[socket.inet_aton(a) for a in addresses],
                port=self.port,
                properties=self.properties(),
                server=f"{socket.gethostname()}.local.",
            )
            self._zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
            await self._zc.async_register_service(self._info, allow_name_change=True)
            log.info("announced %s on %s:%d", SERVICE_TYPE, ",".join(addresses), self.port)
        except Exception as exc:
            log.warning("mDNS announcement failed (%s); clients need the address typed in", exc)

    def properties(self) -> dict[str, str]:
        """TXT record: `tls=1` tells clients to use https (pinning the centre's CA); `board` is the plain board port."""
        props = {"path": "/api", "version": "1", "tls": "1" if self.tls else "0"}
        if self.board_port is not None:
            props["board"] = str(self.board_port)
        return props

    async def stop(self) -> None:
        if self._zc is None:
            return
        try:
            if self._info is not None:
                await self._zc.async_unregister_service(self._info)
        finally:
            await self._zc.async_close()
