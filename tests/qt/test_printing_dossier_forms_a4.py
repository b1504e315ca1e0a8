"""Mẫu 02 and Mẫu 03 painted on A4: one sheet, the QR scans back, nothing strays into the margins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtWidgets import QApplication

from printing import a4
from printing.doc import Document
from printing.dossier_forms import refusal_a4, sample_refusal, sample_supplement, supplement_a4

NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)
DPI = 150
MARGIN_PX = round(15 * DPI / 25.4)
SLACK_PX = 2  # a table's outer grid line is centred on the text area's edge
LONG_REASON = "Giấy tờ nộp kèm không đúng mẫu quy định, thiếu chữ ký và con dấu của cơ quan cấp. " * 12


def pages(doc: Document, folder: Path, name: str = "page") -> list[Image.Image]:
    out = []
    for i, page in enumerate(a4.render_pages(doc, dpi=DPI)):
        path = folder / f"{name}{i}.png"
        assert page.save(str(path))
        out.append(Image.open(path).convert("L"))
    return out


def assert_inside_margins(image: Image.Image) -> None:
    box = Image.eval(image, lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert left >= MARGIN_PX - SLACK_PX
    assert top >= MARGIN_PX - SLACK_PX
    assert right <= image.width - MARGIN_PX + SLACK_PX
    assert bottom <= image.height - MARGIN_PX + SLACK_PX


def ink_bottom(image: Image.Image) -> int:
    box = Image.eval(image, lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None
    return box[3]


@pytest.mark.parametrize("form", ["supplement", "refusal"])
def test_form_fits_one_sheet_and_its_qr_scans_back(qapp: QApplication, tmp_path: Path, form: str) -> None:
    if form == "supplement":
        s = sample_supplement(NOW)
        doc, url = supplement_a4(s), s.lookup_qr
    else:
        r = sample_refusal(NOW)
        doc, url = refusal_a4(r), r.lookup_qr
    images = pages(doc, tmp_path)
    assert len(images) == 1
    assert [b.text for b in zxingcpp.read_barcodes(images[0])] == [url]
    assert_inside_margins(images[0])


def test_long_reason_wraps_within_the_page(qapp: QApplication, tmp_path: Path) -> None:
    cases = (
        (refusal_a4(sample_refusal(NOW)), refusal_a4(replace(sample_refusal(NOW), reason=LONG_REASON))),
        (supplement_a4(sample_supplement(NOW)), supplement_a4(replace(sample_supplement(NOW), reason=LONG_REASON))),
    )
    for short_doc, long_doc in cases:
        (short,) = pages(short_doc, tmp_path, "short")
        images = pages(long_doc, tmp_path, "long")
        for image in images:
            assert_inside_margins(image)
        if len(images) == 1:  # still one sheet: it must have grown downwards, nothing cut off
            assert ink_bottom(images[0]) > ink_bottom(short) + 200


def test_forms_without_optional_parts_still_paint(qapp: QApplication, tmp_path: Path) -> None:
    s = replace(sample_supplement(NOW), clerk_phone="", lookup_qr=None, id_number="", address="", phone="")
    r = replace(sample_refusal(NOW), contact="", lookup_qr=None, id_number="", address="", phone="")
    for doc in (
        supplement_a4(replace(s, lookup_where="", dossier_code="")),
        refusal_a4(replace(r, lookup_where="", dossier_code="")),
    ):
        (image,) = pages(doc, tmp_path)
        assert zxingcpp.read_barcodes(image) == []
        assert_inside_margins(image)
