"""The virtual printer: ESC/POS from python-escpos decodes back to the same pixels, and the TCP listener behaves
like a network printer towards python-escpos (pages, status replies, refused connections)."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
import zxingcpp
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, Network
from PIL import Image, ImageChops, ImageDraw, ImageOps

from printing.escpos_decode import DEFAULT_LINE_DOTS, EscPosDecodeError, decode_escpos
from printing.virtual_printer import PaperState, VirtualPrinter, status_byte

QR_TEXT = "https://example.vn/t/A001"
CUT_FEED = 6 * DEFAULT_LINE_DOTS  # python-escpos cut() sends ESC d 6 first


def ticket_image() -> Image.Image:
    """203 dots wide (not a whole number of bytes): a filled rectangle, a frame and a QR code."""
    buffer = io.BytesIO()
    segno.make(QR_TEXT, error="m").save(buffer, kind="png", scale=4, border=4)
    buffer.seek(0)
    with Image.open(buffer) as png:
        qr = png.convert("1")
    image = Image.new("1", (203, 60 + qr.height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((5, 5, 60, 40), fill=0)
    draw.rectangle((0, 0, 202, image.height - 1), outline=0)
    image.paste(qr, (40, 55))
    return image


def black_bbox(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Where the black dots are (None when all white)."""
    return ImageOps.invert(image.convert("L")).getbbox()


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def read_qr(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image.convert("L"))]


def escpos_job(*images: Image.Image, impl: str = "bitImageRaster", cut_each: bool = True) -> bytes:
    printer = Dummy()
    for image in images:
        printer.image(image, impl=impl)
        if cut_each:
            printer.cut()
    return bytes(printer.output)


def raster(width_bytes: int, rows: bytes) -> bytes:
    """GS v 0 for `rows` (width_bytes per row)."""
    height = len(rows) // width_bytes
    return b"\x1dv0\x00" + bytes((width_bytes, 0, height & 0xFF, height >> 8)) + rows


# --- decoding ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("impl", ["bitImageRaster", "graphics"])
def test_image_round_trips_to_the_same_pixels_and_a_readable_qr(impl: str) -> None:
    original = ticket_image()

    job = decode_escpos(escpos_job(original, impl=impl))

    assert (job.cuts, job.raster_commands, len(job.pages)) == (1, 1, 1)
    page = job.pages[0]
    assert page.mode == "1"
    # GS v 0 sends whole bytes per row, so its page is padded to 208 dots; GS ( L knows the width in dots.
    assert page.width == (208 if impl == "bitImageRaster" else 203)
    assert page.height == original.height + CUT_FEED
    assert same_pixels(page.crop((0, 0, *original.size)), original)
    assert black_bbox(page.crop((original.width, 0, page.width, page.height))) is None
    assert black_bbox(page.crop((0, original.height, page.width, page.height))) is None
    assert read_qr(page) == [QR_TEXT]


@pytest.mark.parametrize("impl", ["bitImageRaster", "graphics"])
def test_image_split_into_fragments_decodes_as_one_page(impl: str) -> None:
    original = Image.new("1", (96, 2000), 1)
    draw = ImageDraw.Draw(original)
    for y in range(0, 2000, 7):  # lines crossing the 960-row fragment borders
        draw.line((0, y, 95, y + 40), fill=0)

    job = decode_escpos(escpos_job(original, impl=impl))

    assert job.raster_commands == 3  # 960 + 960 + 80 rows
    assert len(job.pages) == 1
    assert job.pages[0].height == 2000 + CUT_FEED
    assert same_pixels(job.pages[0].crop((0, 0, 96, 2000)), original)


def test_python_escpos_graphics_over_64_kib_is_reported_not_garbled() -> None:
    # python-escpos 3.1 writes GS ( L's 2-byte length modulo 65536 (its range check is off), so a 576-dot wide
    # fragment of 960 rows (69 120 bytes) announces 3 584: a real printer would print garbage.
    data = escpos_job(Image.new("1", (576, 960), 0), impl="graphics")

    with pytest.raises(EscPosDecodeError, match="needs 69120 data bytes, the length says 3584") as caught:
        decode_escpos(data)
    assert caught.value.offset == 0


def test_gs_8_l_carries_graphics_over_64_kib() -> None:
    width, height = 576, 960
    rows = bytearray(width // 8 * height)
    rows[: width // 8] = b"\xff" * (width // 8)  # first row black
    body = b"0p" + b"0\x01\x011" + width.to_bytes(2, "little") + height.to_bytes(2, "little") + rows
    data = b"\x1d8L" + len(body).to_bytes(4, "little") + body + b"\x1d(L\x02\x0002"

    job = decode_escpos(data)

    assert job.raster_commands == 1
    assert job.pages[0].size == (width, height)
    assert black_bbox(job.pages[0]) == (0, 0, width, 1)


def test_each_cut_makes_a_page() -> None:
    first, second = Image.new("1", (40, 10), 0), ticket_image()

    job = decode_escpos(escpos_job(first, second))

    assert job.cuts == 2
    assert [page.size for page in job.pages] == [(40, 10 + CUT_FEED), (208, second.height + CUT_FEED)]
    assert same_pixels(job.pages[0].crop((0, 0, 40, 10)), first)
    assert read_qr(job.pages[1]) == [QR_TEXT]


def test_feeds_add_white_rows_and_an_uncut_job_is_still_a_page() -> None:
    black_row = raster(1, b"\xff")
    data = (
        b"\x1b@"
        + black_row
        + b"\n"  # one line: 30 dots
        + b"\x1bd\x02"  # two lines
        + b"\x1bJ\x07"  # seven dots
        + b"\x1b3\x0a\n\x1b2"  # one 10-dot line, then the default spacing again
        + black_row
        + b"\n"
    )

    job = decode_escpos(data)

    assert job.cuts == 0
    (page,) = job.pages
    gap = DEFAULT_LINE_DOTS + 2 * DEFAULT_LINE_DOTS + 7 + 10
    assert page.size == (8, 1 + gap + 1 + DEFAULT_LINE_DOTS)
    assert black_bbox(page) == (0, 0, 8, gap + 2)
    assert black_bbox(page.crop((0, 1, 8, 1 + gap))) is None


def test_cut_with_feed_and_bare_cuts() -> None:
    # GS V 66 n feeds n dots before cutting; a cut with nothing printed since the last one is not a page.
    job = decode_escpos(raster(1, b"\x80") + b"\x1dVB\x05" + b"\x1dV\x00" + b"\x1bd\x03\x1dV\x01")

    assert job.cuts == 3
    assert [page.size for page in job.pages] == [(8, 6)]


def test_double_width_and_height_modes_scale_the_image() -> None:
    job = decode_escpos(b"\x1dv0\x03\x01\x00\x02\x00\x80\x00")  # m=3: double both ways

    assert job.pages[0].size == (16, 4)
    assert black_bbox(job.pages[0]) == (0, 0, 2, 2)


def test_status_requests_text_and_native_qr_are_recorded() -> None:
    printer = Dummy()
    printer.qr("A001", native=True)  # GS ( k, then ESC t 0
    printer.set(bold=True, align="center")
    printer.text("Xin chao A001\n")
    data = b"\x10\x04\x01" + bytes(printer.output) + b"\x10\x04\x04"

    job = decode_escpos(data)

    assert job.status_requests == [1, 4]
    assert job.text == "Xin chao A001\n"
    assert job.unsupported
    assert all(item.startswith("GS ( k") for item in job.unsupported)
    assert job.pages == []  # text is kept, not rendered; no image was printed


@pytest.mark.parametrize(
    ("data", "offset", "message"),
    [
        pytest.param(b"\x1b@" + raster(2, b"\xff\xff")[:-1], 2, "truncated GS v 0", id="truncated-raster"),
        pytest.param(b"\x1b@\x1dv0\x00\x01", 2, "truncated GS v 0 header", id="truncated-header"),
        pytest.param(b"\x1b@\x1b", 2, "truncated ESC", id="lone-esc"),
        pytest.param(b"AB\x10\x04", 2, "truncated DLE", id="truncated-status"),
        pytest.param(b"\x1b@\x1d(L\x05\x00" + b"0p", 2, "truncated GS ( L", id="truncated-graphics"),
        pytest.param(b"\x1b@\x1b\x7f", 2, "unknown command ESC 0x7F", id="unknown-esc"),
        pytest.param(b"\x1b@\x1b*\x21\x01\x00", 2, "unknown command ESC 0x2A", id="column-images-unsupported"),
        pytest.param(b"ok\n\x00", 3, "unknown byte 0x00", id="nul"),
        pytest.param(b"\x1dV\x07", 0, "unknown cut mode", id="cut-mode"),
        pytest.param(b"\x1d(L\x04\x000p0\x01", 0, "without its header", id="graphics-header"),
        pytest.param(b"\x1d(L\x02\x000q", 0, "function 0x71", id="graphics-function"),
        pytest.param(b"\x1dv0\x00\x00\x00\x01\x00", 0, "empty GS v 0", id="empty-raster"),
        pytest.param(b"\x10\x04\x09", 0, "DLE EOT 9", id="status-n"),
    ],
)
def test_malformed_input_names_the_offset(data: bytes, offset: int, message: str) -> None:
    with pytest.raises(EscPosDecodeError, match=re.escape(message)) as caught:
        decode_escpos(data)

    assert isinstance(caught.value, ValueError)
    assert caught.value.offset == offset
    assert f"at byte {offset}" in str(caught.value)


@pytest.mark.parametrize(
    ("paper", "online", "replies"),
    [
        ("ok", True, {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}),
        ("near_end", True, {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x1E}),
        ("out", True, {1: 0x1E, 2: 0x32, 3: 0x12, 4: 0x7E}),
        ("ok", False, {1: 0x1E, 2: 0x12, 3: 0x12, 4: 0x12}),
    ],
)
def test_status_bytes(paper: PaperState, online: bool, replies: dict[int, int]) -> None:
    assert {n: status_byte(n, paper=paper, online=online) for n in replies} == replies


# --- the TCP listener -------------------------------------------------------------------------------------------


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(out_dir=tmp_path / "pages") as virtual:
        yield virtual


def network(virtual: VirtualPrinter) -> Network:
    return Network("127.0.0.1", virtual.port, timeout=5)


def test_network_printer_job_arrives_as_a_page_and_a_png(printer: VirtualPrinter) -> None:
    original = ticket_image()
    client = network(printer)
    try:
        client.image(original)
        client.cut()
    finally:
        client.close()

    (page,) = printer.wait_for_pages(1)

    assert printer.url == f"tcp:127.0.0.1:{printer.port}"
    assert same_pixels(page.image.crop((0, 0, *original.size)), original)
    assert read_qr(page.image) == [QR_TEXT]
    assert printer.out_dir is not None
    assert page.path == printer.out_dir / "0001.png"
    with Image.open(page.path) as png:
        assert same_pixels(png, page.image)
    assert printer.errors == []
    assert printer.jobs[0].cuts == 1


@pytest.mark.parametrize(("paper", "expected"), [("ok", 2), ("near_end", 1), ("out", 0)])
def test_paper_status_through_python_escpos(printer: VirtualPrinter, paper: PaperState, expected: int) -> None:
    printer.paper = paper
    client = network(printer)
    try:
        assert client.paper_status() == expected
    finally:
        client.close()


def test_is_online_follows_the_fault(printer: VirtualPrinter) -> None:
    client = network(printer)
    try:
        assert client.is_online() is True
        printer.online = False
        assert client.is_online() is False
        printer.online = True
        printer.paper = "out"  # like real printers, one out of paper stops and reports offline
        assert client.is_online() is False
    finally:
        client.close()


def test_status_then_print_on_one_connection(printer: VirtualPrinter) -> None:
    client = network(printer)
    try:
        assert client.is_online()
        assert client.paper_status() == 2
        client.image(Image.new("1", (16, 16), 0))
        client.cut()
        assert client.paper_status() == 2
    finally:
        client.close()

    (page,) = printer.wait_for_pages(1)

    assert black_bbox(page.image) == (0, 0, 16, 16)
    assert printer.jobs[0].status_requests == [1, 4, 4]


def test_status_bytes_inside_bitmap_data_are_not_answered(printer: VirtualPrinter) -> None:
    # Bitmap rows 10 04 01 look like DLE EOT 1; answering them would put a stray byte before the real reply.
    printer.paper = "near_end"
    with socket.create_connection(("127.0.0.1", printer.port), timeout=5) as client:
        client.sendall(b"\x1dv0\x00\x03\x00\x02\x00\x10\x04")  # split mid-bitmap and mid-request on purpose
        client.sendall(b"\x01\x10\x04\x01\x10")
        client.sendall(b"\x04\x04")
        assert client.recv(16) == b"\x1e"

    printer.wait_for_jobs(1)
    assert printer.jobs[0].status_requests == [4]


def test_refused_while_not_accepting(printer: VirtualPrinter) -> None:
    port = printer.port
    printer.accept = False

    # python-escpos 3.1 drops the socket of a failed connect without closing it; callers must expect the warning.
    with pytest.warns(ResourceWarning), pytest.raises(DeviceNotFoundError):
        network(printer).open()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()

    printer.accept = True
    assert printer.port == port
    client = network(printer)
    try:
        client.image(Image.new("1", (8, 8), 0))
    finally:
        client.close()
    assert len(printer.wait_for_pages(1)) == 1


def test_a_bad_job_is_kept_as_an_error_and_the_printer_carries_on(printer: VirtualPrinter) -> None:
    with socket.create_connection(("127.0.0.1", printer.port), timeout=5) as client:
        client.sendall(b"\x1b@\x00garbage")
    printer.wait_for_jobs(1)

    assert len(printer.errors) == 1
    assert isinstance(printer.errors[0], EscPosDecodeError)
    assert printer.errors[0].offset == 2

    with socket.create_connection(("127.0.0.1", printer.port), timeout=5) as client:
        client.sendall(raster(1, b"\xff") + b"\x1dV\x00")
    assert len(printer.wait_for_pages(1)) == 1


def test_wait_for_pages_times_out_with_a_clear_message(printer: VirtualPrinter) -> None:
    with pytest.raises(TimeoutError, match=r"received 0 of 1 pages within 0\.01 s"):
        printer.wait_for_pages(1, timeout=0.01)


def test_numbering_continues_after_pages_already_in_the_folder(tmp_path: Path) -> None:
    Image.new("1", (1, 1)).save(tmp_path / "0007.png")
    with VirtualPrinter(out_dir=tmp_path) as virtual:
        with socket.create_connection(("127.0.0.1", virtual.port), timeout=5) as client:
            client.sendall(raster(1, b"\xff"))
        (page,) = virtual.wait_for_pages(1)

    assert page.path == tmp_path / "0008.png"
    assert page.path.is_file()


def test_stop_decodes_what_an_open_connection_sent() -> None:
    virtual = VirtualPrinter()
    virtual.start()
    with socket.create_connection(("127.0.0.1", virtual.port), timeout=5) as client:
        client.sendall(raster(1, b"\xff"))
        # The reply proves the listener has read the bitmap before we stop it.
        client.sendall(b"\x10\x04\x01")
        assert client.recv(1) == b"\x16"
        virtual.stop()

    assert len(virtual.pages) == 1
