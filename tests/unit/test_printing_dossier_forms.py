"""Mẫu 02 and Mẫu 03 on the document model and on the thermal roll (no Qt)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image

from printing.doc import QR, ROLL_WIDTHS, Block, Columns, Document, Field, Table, Text
from printing.dossier_forms import (
    SUPPLEMENT_NOTE,
    TITLE_02,
    TITLE_03,
    refusal_a4,
    refusal_slip,
    sample_refusal,
    sample_supplement,
    supplement_a4,
    supplement_slip,
)
from printing.raster import render_roll

NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # 14:05 in Hà Nội
LONG_REASON = "Giấy tờ nộp kèm không đúng mẫu quy định, thiếu chữ ký và con dấu của cơ quan cấp. " * 12
SLIP_MARGIN_DOTS = 8  # the slips' 1 mm margin at 8 dots/mm


def texts(doc: Document) -> list[str]:
    out: list[str] = []

    def walk(blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            if isinstance(b, Text):
                out.append(b.text)
            elif isinstance(b, Field):
                out.append(f"{b.label}: {b.value}")
            elif isinstance(b, QR):
                out.append(f"QR[{b.data}]")
            elif isinstance(b, Table):
                out.extend(" | ".join(row) for row in (b.headers, *b.rows))
            elif isinstance(b, Columns):
                for cell in b.cells:
                    walk(cell)

    for page in doc.pages:
        walk(page.blocks)
    return out


def all_supplement_docs(now: datetime = NOW) -> list[Document]:
    p = sample_supplement(now)
    return [supplement_a4(p), *(supplement_slip(p, w) for w in ROLL_WIDTHS)]


def qr_texts(image: Image.Image) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(image.convert("L"))]


def ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    box = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    assert box is not None
    return box


@pytest.mark.parametrize("doc", all_supplement_docs(), ids=["a4", "58mm", "80mm"])
def test_supplement_has_title_items_reason_officer_and_note(doc: Document) -> None:
    p = sample_supplement(NOW)
    lines = texts(doc)
    assert TITLE_02 in lines
    for i, (name, need) in enumerate(p.items, 1):
        assert f"{i} | {name} | {need}" in lines
    assert f"Lý do: {p.reason}" in lines
    assert "NGƯỜI HƯỚNG DẪN" in lines
    assert any(f"cán bộ {p.clerk_name}, số điện thoại {p.clerk_phone}" in line for line in lines)
    assert SUPPLEMENT_NOTE in lines
    assert f"Mã hồ sơ: {p.dossier_code}" in lines
    assert "Đông Hưng, ngày 23 tháng 11 năm 2026" in lines
    assert f"QR[{p.lookup_qr}]" in lines


def test_supplement_a4_carries_the_national_motto() -> None:
    lines = texts(supplement_a4(sample_supplement(NOW)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines


@pytest.mark.parametrize("width", [None, *ROLL_WIDTHS])
def test_refusal_has_reason_contact_and_both_signatures(width: int | None) -> None:
    p = sample_refusal(NOW)
    lines = texts(refusal_a4(p) if width is None else refusal_slip(p, width))
    assert TITLE_03 in lines
    assert p.reason in lines
    assert f"Mọi vướng mắc xin liên hệ: {p.contact}" in lines
    assert f"Tra cứu thủ tục tại: {p.lookup_where}" in lines
    assert "NGƯỜI NỘP HỒ SƠ" in lines
    assert "CÁN BỘ TIẾP NHẬN" in lines
    assert p.citizen_name in lines
    assert p.clerk_name in lines
    assert not any(line.startswith("Mã hồ sơ") for line in lines)  # a refused dossier has no code


def test_date_line_is_the_local_day() -> None:
    late = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 00:30 on the 24th in Hà Nội
    p = replace(sample_refusal(NOW), refused_at=late)
    assert "Đông Hưng, ngày 24 tháng 11 năm 2026" in texts(refusal_a4(p))
    assert "Ngày 24 tháng 11 năm 2026" in texts(refusal_slip(replace(p, place=""), 576))


def test_empty_optional_fields_are_left_out() -> None:
    s = replace(
        sample_supplement(NOW),
        clerk_phone="", reason="", id_number="", address="", phone="", lookup_where="", lookup_qr=None, dossier_code="",
    )  # fmt: skip
    r = replace(
        sample_refusal(NOW),
        contact=" ", id_number="", address="", phone="", lookup_where="", lookup_qr=None, dossier_code="",
    )  # fmt: skip
    for doc in (supplement_a4(s), supplement_slip(s, 384), refusal_a4(r), refusal_slip(r, 576)):
        lines = texts(doc)
        assert not any("None" in line for line in lines)
        assert not any(line.startswith(("QR[", "Mã hồ sơ", "Số CCCD", "Địa chỉ", "Số điện thoại")) for line in lines)
        assert not any(line.startswith(("Lý do", "Tra cứu", "Mọi vướng mắc")) for line in lines)
        assert not any(line.rstrip().endswith(":") for line in lines if not line.startswith(("Yêu cầu", "Qua xem")))
    assert any(line.endswith(f"cán bộ {s.clerk_name} để được hướng dẫn./.") for line in texts(supplement_a4(s)))


def test_required_parts_are_enforced() -> None:
    with pytest.raises(ValueError, match="reason"):
        replace(sample_refusal(NOW), reason="  ")
    with pytest.raises(ValueError, match="document"):
        replace(sample_supplement(NOW), items=())


@pytest.mark.parametrize("width", ROLL_WIDTHS)
def test_slips_are_one_bit_at_the_dot_width_and_their_qr_reads_back(width: int) -> None:
    s, r = sample_supplement(NOW), sample_refusal(NOW)
    for doc, url in ((supplement_slip(s, width), s.lookup_qr), (refusal_slip(r, width), r.lookup_qr)):
        image = render_roll(doc.pages[0], width)
        assert image.mode == "1"
        assert image.width == width
        assert sorted(c for _, c in image.convert("L").getcolors() or []) == [0, 255]
        assert qr_texts(image) == [url]


@pytest.mark.parametrize("width", ROLL_WIDTHS)
def test_long_reason_wraps_inside_the_roll(width: int) -> None:
    s = sample_supplement(NOW)
    r = sample_refusal(NOW)
    for short_doc, long_doc in (
        (supplement_slip(s, width), supplement_slip(replace(s, reason=LONG_REASON), width)),
        (refusal_slip(r, width), refusal_slip(replace(r, reason=LONG_REASON), width)),
    ):
        short = render_roll(short_doc.pages[0], width)
        long = render_roll(long_doc.pages[0], width)
        assert long.height > short.height + 300  # many more lines, nothing cut off
        left, _, right, _ = ink_box(long)
        assert left >= SLIP_MARGIN_DOTS
        assert right <= width - SLIP_MARGIN_DOTS
