"""Printer URLs and the real links: a TCP 9100 printer, a serial line (a pty), a file; faults reported."""

from __future__ import annotations

import os
import selectors
import socket
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from printing.connection import FRAGMENT_ROWS, ThermalPrinter, parse_printer_url
from printing.errors import PaperOut, PrinterOffline, PrinterUnreachable, PrinterUrlError
from printing.escpos_decode import decode_escpos
from printing.virtual_printer import VirtualPrinter, status_byte


def sample_image(height: int = 600, width: int = 576) -> Image.Image:
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, width - 11, 40), fill=0)
    draw.ellipse((100, 100, 300, height - 20), fill=0)
    return image


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


@pytest.mark.parametrize(
    ("url", "scheme", "target", "status"),
    [
        ("usb:0416:5011", "usb", "0416:5011", True),
        ("serial:/dev/ttyUSB0?baud=9600", "serial", "/dev/ttyUSB0", True),
        ("serial:COM3", "serial", "COM3", True),
        ("tcp:192.168.1.50:9100", "tcp", "192.168.1.50:9100", True),
        ("tcp:printer.local", "tcp", "printer.local", True),
        ("win32:EPSON TM-T82 Receipt", "win32", "EPSON TM-T82 Receipt", False),
        ("cups:kiosk_printer", "cups", "kiosk_printer", False),
        ("file:/tmp/out.bin", "file", "/tmp/out.bin", False),
    ],
)
def test_printer_urls(url: str, scheme: str, target: str, status: bool) -> None:
    parsed = parse_printer_url(url)
    assert (parsed.scheme, parsed.target, parsed.can_read_status) == (scheme, target, status)


@pytest.mark.parametrize(
    "url",
    ["", "printer", "bogus:1", "usb:", "usb:zz:11", "usb:0416", "tcp:host:99999", "tcp::9100", "tcp:h:abc",
     "serial:/dev/x?baud=abc", "tcp:h:9100?impl=magic", "usb:0416:5011?speed=0"],
)  # fmt: skip
def test_bad_printer_urls_say_what_is_expected_in_vietnamese(url: str) -> None:
    with pytest.raises(PrinterUrlError) as caught:
        parse_printer_url(url)
    assert "Dạng đúng" in caught.value.for_people()
    assert "máy in" in caught.value.message


def test_speed_and_impl_options() -> None:
    assert parse_printer_url("usb:0416:5011").speed_mm_s == 60.0  # paced by default on USB
    assert parse_printer_url("tcp:h").speed_mm_s is None  # TCP has flow control
    u = parse_printer_url("serial:/dev/ttyS0?baud=115200&speed=120&impl=graphics")
    assert (u.speed_mm_s, u.impl) == (120.0, "graphics")


def test_file_printer_bytes_decode_back_to_the_image_in_fragments(tmp_path: Path) -> None:
    out = tmp_path / "job.bin"
    image = sample_image(height=FRAGMENT_ROWS * 3 + 10)
    status = ThermalPrinter(f"file:{out}").print_image(image)
    assert not status.readable
    job = decode_escpos(out.read_bytes())
    assert job.cuts == 1
    assert job.raster_commands == 4  # paced fragments, re-joined on paper
    assert len(job.pages) == 1
    assert same(job.pages[0].crop((0, 0, image.width, image.height)), image)


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(out_dir=tmp_path / "printed") as vp:
        yield vp


def test_network_printer_receives_the_image_and_reports_ready(printer: VirtualPrinter, tmp_path: Path) -> None:
    image = sample_image()
    status = ThermalPrinter(printer.url).print_image(image)
    assert (status.readable, status.online, status.paper) == (True, True, "ok")
    pages = printer.wait_for_pages(1)
    assert same(pages[0].image.crop((0, 0, image.width, image.height)), image)
    assert list((tmp_path / "printed").glob("*.png"))


def test_paper_out_refuses_before_sending_and_a_reprint_works(printer: VirtualPrinter) -> None:
    thermal = ThermalPrinter(printer.url)
    printer.paper = "out"
    with pytest.raises(PaperOut) as caught:
        thermal.print_image(sample_image())
    assert "hết giấy" in caught.value.for_people()
    assert thermal.status().paper == "out"
    printer.paper = "ok"
    thermal.print_image(sample_image(height=300))
    pages = printer.wait_for_pages(1)
    assert len(pages) == 1
    assert pages[0].image.height >= 300


def test_near_end_prints_and_says_so(printer: VirtualPrinter) -> None:
    printer.paper = "near_end"
    status = ThermalPrinter(printer.url).print_image(sample_image())
    assert status.paper == "near_end"
    assert status.describe() == "Sắp hết giấy."
    assert printer.wait_for_pages(1)


def test_offline_printer_is_reported(printer: VirtualPrinter) -> None:
    printer.online = False
    with pytest.raises(PrinterOffline) as caught:
        ThermalPrinter(printer.url).print_image(sample_image())
    assert "In lại" in caught.value.for_people()


def test_unreachable_printer_is_a_clear_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PrinterUnreachable) as caught:
        ThermalPrinter(f"tcp:127.0.0.1:{port}?timeout=2").print_image(sample_image())
    assert "Không kết nối được máy in" in caught.value.message
    assert "bấm In lại" in caught.value.hint


def test_a_printer_that_never_answers_status_still_prints() -> None:
    """Some network printers ignore DLE EOT: status is unknown, not a failure."""
    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def sink() -> None:
            conn, _ = server.accept()
            with conn:
                while chunk := conn.recv(65536):
                    received.extend(chunk)

        thread = threading.Thread(target=sink)
        thread.start()
        status = ThermalPrinter(f"tcp:127.0.0.1:{port}").print_image(sample_image())
        thread.join(10)
    assert not status.readable
    job = decode_escpos(bytes(received))
    assert job.status_requests == [1]  # asked once, gave up on the silence, printed
    assert len(job.pages) == 1


class FakeSerialPrinter:
    """The far end of a pty: answers DLE EOT like a printer on a COM port and keeps what it receives."""

    def __init__(self, paper: str = "ok") -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.paper = paper
        self.data = bytearray()
        self._stop_r, self._stop_w = os.pipe()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.master, selectors.EVENT_READ)
        sel.register(self._stop_r, selectors.EVENT_READ)
        pending = b""
        while True:
            ready = [key.fileobj for key, _ in sel.select()]
            if self.master in ready:
                chunk = os.read(self.master, 65536)
                self.data.extend(chunk)
                pending += chunk
                while (at := pending.find(b"\x10\x04")) >= 0 and len(pending) > at + 2:
                    reply = status_byte(pending[at + 2], paper=self.paper)  # type: ignore[arg-type]
                    if reply is not None:
                        os.write(self.master, bytes([reply]))
                    pending = pending[at + 3 :]
                pending = pending[-2:]
            elif self._stop_r in ready:
                break
        sel.close()

    def close(self) -> bytes:
        os.write(self._stop_w, b"x")
        self.thread.join(10)
        for fd in (self.master, self.slave, self._stop_r, self._stop_w):
            os.close(fd)
        return bytes(self.data)


def test_serial_printer_prints_and_reads_paper_status() -> None:
    fake = FakeSerialPrinter(paper="near_end")
    try:
        thermal = ThermalPrinter(f"serial:{fake.path}?baud=115200&speed=100000&timeout=3")
        status = thermal.print_image(sample_image(height=400))
    finally:
        data = fake.close()
    assert status.paper == "near_end"
    job = decode_escpos(data)
    assert len(job.pages) == 1
    assert job.pages[0].height >= 400


def test_serial_paper_out_is_refused() -> None:
    fake = FakeSerialPrinter(paper="out")
    try:
        with pytest.raises(PaperOut):
            ThermalPrinter(f"serial:{fake.path}?timeout=3").print_image(sample_image())
    finally:
        data = fake.close()
    assert decode_escpos(data).raster_commands == 0


def test_missing_serial_port_is_unreachable() -> None:
    with pytest.raises(PrinterUnreachable) as caught:
        ThermalPrinter("serial:/dev/ttyUSB-nonexistent").print_image(sample_image())
    assert "cổng COM" in caught.value.message


class FakeUsbPrinter:
    """Stands in for a pyusb device behind escpos's own Usb class: records writes, answers DLE EOT."""

    backend = types.SimpleNamespace(__module__="fake")  # escpos detaches kernel drivers only on libusb1

    def __init__(self, paper: str = "ok") -> None:
        self.paper = paper
        self.data = bytearray()
        self.replies: list[int] = []

    def set_configuration(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def write(self, endpoint: int, data: bytes, timeout: int = 0) -> int:
        assert endpoint == 0x01
        self.data.extend(data)
        if len(data) == 3 and data[:2] == b"\x10\x04":
            reply = status_byte(data[2], paper=self.paper)  # type: ignore[arg-type]
            if reply is not None:
                self.replies.append(reply)
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int = 0) -> bytes:
        assert endpoint == 0x82
        out, self.replies = bytes(self.replies[:size]), self.replies[size:]
        return out


@pytest.fixture
def usb_bus(monkeypatch: pytest.MonkeyPatch) -> dict[tuple[int, int], FakeUsbPrinter]:
    import usb.core
    import usb.util

    bus: dict[tuple[int, int], FakeUsbPrinter] = {}
    monkeypatch.setattr(usb.core, "find", lambda **ids: bus.get((ids["idVendor"], ids["idProduct"])))
    monkeypatch.setattr(usb.util, "dispose_resources", lambda device: None)
    return bus


def test_usb_printer_through_escpos(usb_bus: dict[tuple[int, int], FakeUsbPrinter]) -> None:
    device = usb_bus[(0x0416, 0x5011)] = FakeUsbPrinter(paper="near_end")
    image = sample_image(height=FRAGMENT_ROWS + 50)
    status = ThermalPrinter("usb:0416:5011?speed=100000").print_image(image)
    assert status.paper == "near_end"
    job = decode_escpos(bytes(device.data))
    assert job.raster_commands == 2
    assert same(job.pages[0].crop((0, 0, image.width, image.height)), image)


def test_usb_printer_unplugged_or_out_of_paper(usb_bus: dict[tuple[int, int], FakeUsbPrinter]) -> None:
    with pytest.raises(PrinterUnreachable) as caught:
        ThermalPrinter("usb:0416:5011").print_image(sample_image())
    assert "cổng USB" in caught.value.message
    usb_bus[(0x0416, 0x5011)] = FakeUsbPrinter(paper="out")
    with pytest.raises(PaperOut):
        ThermalPrinter("usb:0416:5011").print_image(sample_image())


@pytest.mark.skipif(sys.platform == "win32", reason="the Windows spooler exists there")
def test_windows_spooler_url_on_another_system_is_explained() -> None:
    with pytest.raises(PrinterUnreachable) as caught:
        ThermalPrinter("win32:EPSON TM-T82").print_image(sample_image())
    assert "chỉ dùng được trên Windows" in caught.value.message


def test_cups_without_lp_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("printing.connection.shutil.which", lambda name: None)
    with pytest.raises(PrinterUnreachable) as caught:
        ThermalPrinter("cups:kiosk").print_image(sample_image())
    assert "chưa cài CUPS" in caught.value.message
