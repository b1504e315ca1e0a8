"""Finding thermal printers without Qt: USB ones by pyusb, network ones answering on TCP 9100 in the local /24.

The network scan is only run when the person asks (a sweep of the LAN is not something to do behind their back);
it connects to every address at once with a short timeout, stops early when `cancel` is set, and reports each
printer as it answers. The network and the port are parameters, so tests sweep 127.0.0.x, not the office LAN.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

RAW_PORT = 9100
CONNECT_TIMEOUT_S = 0.4
SCAN_WORKERS = 64
PRINTER_CLASS = 7  # USB interface class "printer"

# Vendors whose USB receipt printers speak ESC/POS (many cheap ones show a vendor-specific interface, not class 7).
ESCPOS_VENDORS = {
    0x0416: "Winbond (Xprinter, Gprinter)",
    0x0483: "STMicro (máy in nhiệt giá rẻ)",
    0x04B8: "Epson",
    0x0519: "Star Micronics",
    0x0DD4: "Custom",
    0x0FE6: "ICS (Xprinter)",
    0x1504: "Bixolon",
    0x154F: "SNBC",
    0x1FC9: "NXP (máy in POS)",
    0x20D1: "Rongta",
    0x28E9: "GD32 (máy in nhiệt)",
    0x6868: "Zjiang",
}


@dataclass(frozen=True)
class FoundPrinter:
    spec: str  # usb:0416:5011, tcp:192.168.1.50:9100
    label: str  # what the list shows, in Vietnamese


def usb_printers() -> list[FoundPrinter]:
    """USB devices of a known ESC/POS vendor or with a printer-class interface; [] without libusb."""
    try:
        import usb.core
    except ImportError:
        return []
    try:
        devices = list(usb.core.find(find_all=True))
    except Exception:  # no libusb backend on this PC (NoBackendError) or no permission to list
        return []
    found = []
    for dev in devices:
        vid, pid = int(dev.idVendor), int(dev.idProduct)
        if vid in ESCPOS_VENDORS or _has_printer_interface(dev):
            maker = ESCPOS_VENDORS.get(vid, "máy in USB")
            found.append(FoundPrinter(f"usb:{vid:04x}:{pid:04x}", f"Máy in USB {maker} ({vid:04x}:{pid:04x})"))
    return found


def _has_printer_interface(dev: object) -> bool:
    with contextlib.suppress(Exception):  # a descriptor we may not read: not ours to judge
        for cfg in dev:  # type: ignore[attr-defined]
            if any(intf.bInterfaceClass == PRINTER_CLASS for intf in cfg):
                return True
    return False


def local_network() -> ipaddress.IPv4Network | None:
    """This PC's /24 on the LAN (the address its default route would use); None when it has no network."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: UDP connect only picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    if address.startswith(("127.", "0.")):
        return None
    return ipaddress.IPv4Network(f"{address}/24", strict=False)


def hosts_of(network: str | ipaddress.IPv4Network) -> list[str]:
    """The addresses to try: every host of `network` ("192.168.1.0/24"), at most a /24."""
    net = ipaddress.ip_network(network, strict=False)
    if net.num_addresses > 256:
        raise ValueError(f"Mạng {net} quá rộng: chỉ tìm trong một mạng /24.")
    return [str(h) for h in net.hosts()]


def answers(host: str, port: int, timeout: float = CONNECT_TIMEOUT_S) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def scan_network(hosts: Iterable[str], port: int = RAW_PORT, *, cancel: threading.Event | None = None,
                 on_found: Callable[[FoundPrinter], None] | None = None,
                 timeout: float = CONNECT_TIMEOUT_S) -> list[FoundPrinter]:  # fmt: skip
    """Every host answering on `port`, tried concurrently; stops starting new tries once `cancel` is set."""
    cancel = cancel or threading.Event()
    found: list[FoundPrinter] = []
    lock = threading.Lock()

    def one(host: str) -> None:
        if cancel.is_set() or not answers(host, port, timeout):
            return
        printer = FoundPrinter(f"tcp:{host}:{port}", f"Máy in mạng {host} (cổng {port})")
        with lock:
            found.append(printer)
        if on_found is not None:
            on_found(printer)

    with ThreadPoolExecutor(SCAN_WORKERS, thread_name_prefix="printer-scan") as pool:
        list(pool.map(one, hosts))
    return sorted(found, key=lambda p: ipaddress.ip_address(p.spec.split(":")[1]))
