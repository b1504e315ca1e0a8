"""The thermal raster: exact dot width, pure 1-bit, text never cut, QR readable at both roll widths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from printing.doc import QR, ROLL_WIDTHS, Columns, Field, Page, Rule, Space, Table, Text, roll_width_mm
from printing.layouts import receipt_slip, ticket_document
from printing.raster import _font, qr_matrix, render_roll, wrap
from printing.samples import sample_receipt, sample_ticket

NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def qr_texts(image: Image.Image) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.mark.parametrize("width", ROLL_WIDTHS)
def test_ticket_is_one_bit_at_the_exact_dot_width_and_its_qr_reads_back(width: int) -> None:
    ticket = sample_ticket(NOW)
    image = render_roll(ticket_document(ticket, width).pages[0], width)
    assert image.mode == "1"
    assert image.width == width
    assert sorted(c for _, c in image.convert("L").getcolors() or []) == [
        0,
        255,
    ]  # no grey: nothing for a printer to dither
    assert qr_texts(image) == [ticket.follow_url]


@pytest.mark.parametrize("width", ROLL_WIDTHS)
def test_qr_keeps_a_quiet_zone_and_at_least_three_dots_per_module(width: int) -> None:
    data = "https://dichvucong.gov.vn/x?ma_thu_tuc=187805"
    page = Page(roll_width_mm(width), (QR(data, size_mm=24),))
    image = render_roll(page, width).convert("L")
    left, top, right, bottom = Image.eval(image, lambda v: 255 - v).getbbox() or (0, 0, 0, 0)
    # The QR's dark modules start at least 4 modules (≥ 12 dots) inside the image's own edges.
    assert top >= 12
    assert left >= 12
    assert right <= width - 12
    assert (right - left) == (bottom - top)
    modules = len(qr_matrix(data)) - 8
    module_dots = (right - left) / modules
    assert module_dots == int(module_dots) >= 3
    whole = module_dots * (modules + 8)  # the symbol with its quiet zone: as asked, 24 mm at 8 dots/mm
    assert 24 * 8 - (modules + 8) < whole <= 24 * 8


def test_slip_qr_and_every_block_kind_render() -> None:
    receipt = sample_receipt(NOW)
    image = render_roll(receipt_slip(receipt, 576).pages[0], 576)
    assert qr_texts(image) == [receipt.lookup_qr]
    assert image.height > 1200  # a full Mẫu 01 on a roll is long


def test_long_content_grows_the_roll_instead_of_being_cut() -> None:
    short = Page(48, (Text("Nguyễn Văn A"),))
    long_name = "Nguyễn " + "Thị " * 30 + "Ánh Tuyết"
    long = Page(48, (Text(long_name), Text("x" * 300)))
    assert render_roll(long, 384).height > 6 * render_roll(short, 384).height


def test_nothing_is_drawn_outside_the_roll_width() -> None:
    blocks = (
        Text("M" * 120, size=20, bold=True),
        Field("Tiếp nhận hồ sơ của Ông/Bà", "W" * 80),
        Table(("TT", "Tên"), (("1", "Ư" * 90),), (0.2, 0.8)),
        Columns(((Text("Đ" * 50),), (Text("Ộ" * 50),)), (0.5, 0.5), boxed=True),
        Rule(dashed=True),
        Space(2),
    )
    image = render_roll(Page(48, blocks, margin_mm=1), 384)
    inverted = Image.eval(image.convert("L"), lambda v: 255 - v)
    left, _, right, _ = inverted.getbbox() or (0, 0, 0, 0)
    assert left >= 8  # the 1 mm margin
    assert right <= 384 - 8


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyẠẢÃÀÁẾỆỖ ", min_size=0, max_size=200), st.integers(30, 400))
def test_wrap_keeps_every_letter_in_order_and_each_line_fits(text: str, width: int) -> None:
    font = _font(False, 24)
    lines = wrap(text, font, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert font.getlength(line) <= width or len(line) == 1
