"""Thermal printers by URL, through python-escpos for the connection only.

    usb:VID:PID            usb:0416:5011
    serial:DEVICE?baud=N   serial:/dev/ttyUSB0?baud=115200   serial:COM3
    tcp:HOST[:PORT]        tcp:192.168.1.50:9100
    win32:Printer Name     the Windows spooler (raw); status cannot be read back
    cups:Queue             CUPS through `lp -o raw`; status cannot be read back
    file:PATH              raw bytes written to a file (tests, debugging)

Optional query parameters on any URL: `impl=bitImageRaster|graphics|bitImageColumn` (what the printer
understands), `speed=MM_PER_S` (paces image fragments on slow links so USB writes do not time out),
`timeout=S`.
"""

from __future__ import annotations

import contextlib
import copy
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs

from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_ONLINE
from PIL import Image

from printing.doc import THERMAL_DOTS_PER_MM
from printing.errors import PaperOut, PrinterOffline, PrintError, PrinterUnreachable, PrinterUrlError

Paper = Literal["ok", "near_end", "out"]
SCHEMES = ("usb", "serial", "tcp", "win32", "cups", "file")
IMPLS = ("bitImageRaster", "graphics", "bitImageColumn")
URL_HELP = "Dạng đúng: usb:VID:PID, serial:/dev/ttyUSB0?baud=115200, tcp:IP:9100, win32:Tên máy in, cups:Tên hàng đợi, file:đường dẫn."  # noqa: E501

# Links that buffer little need pacing; default speeds of cheap heads (mm/s), None = no pacing.
DEFAULT_SPEED = {"usb": 60.0, "serial": 40.0}
FRAGMENT_ROWS = 256
STATUS_TIMEOUT_S = 1.5
NO_STATUS = ("win32", "cups", "file")

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"


@dataclass(frozen=True)
class PrinterUrl:
    scheme: str
    target: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def impl(self) -> str:
        return self.params.get("impl", "bitImageRaster")

    @property
    def speed_mm_s(self) -> float | None:
        value = self.params.get("speed")
        return float(value) if value else DEFAULT_SPEED.get(self.scheme)

    @property
    def timeout_s(self) -> float:
        return float(self.params.get("timeout", "5"))

    @property
    def can_read_status(self) -> bool:
        return self.scheme not in NO_STATUS


def parse_printer_url(url: str) -> PrinterUrl:
    scheme, sep, rest = url.strip().partition(":")
    if not sep or scheme not in SCHEMES or not rest:
        raise PrinterUrlError(f"Không hiểu địa chỉ máy in “{url}”.", hint=URL_HELP)
    target, _, query = rest.partition("?")
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    parsed = PrinterUrl(scheme, target, params)
    try:
        _check(parsed)
    except ValueError as exc:
        raise PrinterUrlError(f"Địa chỉ máy in “{url}” không hợp lệ: {exc}.", hint=URL_HELP) from exc
    return parsed


def _check(u: PrinterUrl) -> None:
    if u.impl not in IMPLS:
        raise ValueError(f"impl phải là một trong {', '.join(IMPLS)}")
    if u.speed_mm_s is not None and u.speed_mm_s <= 0:
        raise ValueError("speed phải lớn hơn 0")
    if u.timeout_s <= 0:
        raise ValueError("timeout phải lớn hơn 0")
    if u.scheme == "usb":
        vid, _, pid = u.target.partition(":")
        int(vid, 16), int(pid, 16)
    elif u.scheme == "tcp":
        _host_port(u.target)
    elif u.scheme == "serial":
        int(u.params.get("baud", "115200"))


def _host_port(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":") if ":" in target else (target, "", "9100")
    port_no = int(port)
    if not host or not 0 < port_no < 65536:
        raise ValueError("cần IP và cổng, ví dụ tcp:192.168.1.50:9100")
    return host, port_no


@dataclass(frozen=True)
class PrinterStatus:
    readable: bool  # False for links that cannot answer (spooler, CUPS, file)
    online: bool | None = None
    paper: Paper | None = None

    def describe(self) -> str:
        if not self.readable:
            return "Không đọc được trạng thái qua kiểu kết nối này."
        if self.paper == "out":
            return "Hết giấy."
        if self.online is False:
            return "Máy in đang ngoại tuyến (mở nắp hoặc lỗi)."
        return {"out": "Hết giấy.", "near_end": "Sắp hết giấy.", "ok": "Sẵn sàng.", None: "Sẵn sàng."}[self.paper]


def _open(u: PrinterUrl) -> Any:
    """The python-escpos printer object for a URL (not yet connected for all kinds)."""
    from escpos import printer as escpos_printer

    if u.scheme == "usb":
        vid, _, pid = u.target.partition(":")
        return escpos_printer.Usb(int(vid, 16), int(pid, 16), timeout=int(u.timeout_s * 1000))
    if u.scheme == "serial":
        baud = int(u.params.get("baud", "115200"))
        return escpos_printer.Serial(u.target, baudrate=baud, timeout=u.timeout_s)
    if u.scheme == "tcp":
        host, port = _host_port(u.target)
        return escpos_printer.Network(host, port, timeout=u.timeout_s)
    if u.scheme == "win32":
        return escpos_printer.Win32Raw(u.target)
    if u.scheme == "cups":
        return escpos_printer.LP(u.target)
    return escpos_printer.File(u.target)


def _check_platform(u: PrinterUrl) -> None:
    if u.scheme == "win32" and sys.platform != "win32":
        raise PrinterUnreachable(
            "Kiểu kết nối win32: (hàng đợi in của Windows) chỉ dùng được trên Windows.",
            hint="Trên máy này hãy dùng usb:, serial:, tcp: hoặc cups:.",
        )
    if u.scheme == "cups" and shutil.which("lp") is None:
        raise PrinterUnreachable(
            "Máy này chưa cài CUPS nên không có lệnh lp để gửi lệnh in.",
            hint="Cài gói cups-client, hoặc nối máy in bằng usb:, serial: hay tcp:.",
        )


def _describe_target(u: PrinterUrl) -> str:
    return {"usb": "cổng USB", "serial": "cổng COM", "tcp": "mạng"}.get(u.scheme, "") + f" ({u.scheme}:{u.target})"


class ThermalPrinter:
    """One ESC/POS printer. Each print opens the link, checks status where it can, sends, closes."""

    def __init__(self, url: str) -> None:
        self.url = parse_printer_url(url)

    def _connect(self) -> Any:
        _check_platform(self.url)
        try:
            p = _open(self.url)
            if self.url.scheme == "tcp":
                # Our own connect: escpos leaves a half-made socket behind when the printer is off.
                p.device = socket.create_connection(_host_port(self.url.target), timeout=self.url.timeout_s)
            else:
                p.open()
        except PrintError:
            raise
        except Exception as exc:
            raise PrinterUnreachable(
                f"Không kết nối được máy in qua {_describe_target(self.url)}: {exc}",
                hint="Kiểm tra máy in đã bật, cáp hoặc mạng đã cắm, rồi bấm In lại.",
            ) from exc
        return p

    def status(self) -> PrinterStatus:
        if not self.url.can_read_status:
            return PrinterStatus(readable=False)
        p = self._connect()
        try:
            return self._read_status(p)
        finally:
            _close(p)

    def _read_status(self, p: Any) -> PrinterStatus:
        """DLE EOT 1 and 4; a printer that does not answer gives an unknown (not a failed) status."""
        try:
            online_byte = _query(p, DLE_EOT_PRINTER)
            paper_byte = _query(p, DLE_EOT_PAPER) if online_byte is not None else None
        except Exception:  # socket, pyusb and pyserial each raise their own kind of read error
            return PrinterStatus(readable=False)
        if online_byte is None or paper_byte is None:
            return PrinterStatus(readable=False)
        # The bit masks python-escpos uses for is_online() and paper_status().
        paper: Paper = "ok"
        if paper_byte & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
            paper = "out"
        elif paper_byte & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
            paper = "near_end"
        return PrinterStatus(readable=True, online=not online_byte & RT_MASK_ONLINE, paper=paper)

    def print_image(self, image: Image.Image, *, cut: bool = True) -> PrinterStatus:
        """Send one 1-bit image. Raises PaperOut / PrinterOffline / PrinterUnreachable so the caller
        can keep the ticket on screen and offer a reprint; returns the status seen before printing."""
        p = self._connect()
        try:
            status = self._read_status(p) if self.url.can_read_status else PrinterStatus(readable=False)
            _refuse_on_fault(status)
            _set_media_width(p, image.width)
            p._raw(b"\x1b@")  # ESC @: reset whatever a previous job left set
            self._send_fragments(p, image)
            if cut:
                p.cut()
            return status
        except PrintError:
            raise
        except Exception as exc:
            raise PrinterUnreachable(
                f"Gửi dữ liệu tới máy in bị lỗi: {exc}",
                hint="Kiểm tra cáp hoặc mạng của máy in rồi bấm In lại.",
            ) from exc
        finally:
            _close(p)

    def _send_fragments(self, p: Any, image: Image.Image) -> None:
        speed = self.url.speed_mm_s
        for top in range(0, image.height, FRAGMENT_ROWS):
            fragment = image.crop((0, top, image.width, min(image.height, top + FRAGMENT_ROWS)))
            p.image(fragment, impl=self.url.impl, fragment_height=FRAGMENT_ROWS + 1)
            if speed and top + FRAGMENT_ROWS < image.height:
                # Pace to the head: a USB write that waits for a full buffer times out on long slips.
                time.sleep(fragment.height / (speed * THERMAL_DOTS_PER_MM))


def _set_media_width(p: Any, dots: int) -> None:
    """The generic profile has no paper width, and escpos then prints a notice to stdout on every image."""
    data = copy.deepcopy(p.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = dots
    p.profile.profile_data = data


def _query(p: Any, request: bytes) -> int | None:
    """Send one real-time status request and read its single answer byte, waiting at most
    STATUS_TIMEOUT_S (escpos's own read waits for 16 bytes on a serial line: a full timeout)."""
    device = p.device
    p._raw(request)
    if isinstance(device, socket.socket):
        device.settimeout(STATUS_TIMEOUT_S)
        try:
            answer = device.recv(1)
        except TimeoutError:
            return None
        finally:
            device.settimeout(p.timeout)
    elif hasattr(device, "in_waiting"):  # pyserial
        device.timeout = STATUS_TIMEOUT_S
        answer = device.read(1)
    else:
        answer = p._read()
    return answer[0] if answer else None


def _refuse_on_fault(status: PrinterStatus) -> None:
    # Paper first: printers also go offline when the paper runs out, and "hết giấy" says what to do.
    if status.paper == "out":
        raise PaperOut("Máy in hết giấy.", hint="Thay cuộn giấy mới rồi bấm In lại.")
    if status.online is False:
        raise PrinterOffline(
            "Máy in đang báo lỗi hoặc ngoại tuyến.", hint="Đóng nắp máy in, kiểm tra đèn báo lỗi rồi bấm In lại."
        )


def _close(p: Any) -> None:
    # Closing a link that already failed must not hide the first error.
    with contextlib.suppress(Exception):
        p.close()
