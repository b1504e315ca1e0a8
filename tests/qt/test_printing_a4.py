"""A4 rendering: Vietnamese text, a QR that scans back, tables across pages, PDF and printer output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from printing import a4
from printing.doc import QR, Columns, Document, Field, Page, Rule, Space, Table, Text
from printing.errors import PrintError

DPI = 150
QR_DATA = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001612"
QR_MM = 35.0
PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")


def a4_doc(*blocks: Text | Field | QR | Rule | Space | Table | Columns, title: str = "Phiếu hẹn") -> Document:
    return Document(title=title, pages=(Page(width_mm=210, height_mm=297, margin_mm=15, blocks=blocks),))


def sample() -> Document:
    return a4_doc(
        Text("UBND XÃ TÂN PHÚ — BỘ PHẬN MỘT CỬA", size=10, bold=True, align="center"),
        Text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", size=16, bold=True, align="center"),
        Text("Mã hồ sơ: 000.00.21.H56-250314-0007", size=9, italic=True, align="center"),
        Space(4),
        Field("Họ và tên", "Nguyễn Thị Ánh Tuyết"),
        Field("Địa chỉ", "Số 12, đường Lê Lợi, ấp Phước Hưng, xã Tân Phú, huyện Đức Hòa, tỉnh Long An"),
        Field(
            "Thủ tục", "Đăng ký khai sinh kết hợp đăng ký thường trú và cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
        ),
        Rule(),
        Table(
            headers=("STT", "Tên giấy tờ", "Số lượng"),
            rows=(
                ("1", "Tờ khai đăng ký khai sinh (bản chính)", "1"),
                ("2", "Giấy chứng sinh do cơ sở y tế cấp", "1"),
                ("3", "Căn cước công dân của cha hoặc mẹ — xuất trình bản chính để đối chiếu", "1"),
            ),
            widths=(0.1, 0.7, 0.2),
            align=("center", "left", "right"),
        ),
        Space(3),
        Columns(
            cells=(
                (
                    Text("Ngày hẹn trả kết quả", bold=True),
                    Text("Thứ Năm, 20/03/2025 lúc 14 giờ 00"),
                    Text("Quét mã để tra cứu tiến độ xử lý hồ sơ trên Cổng Dịch vụ công quốc gia.", size=8),
                ),
                (QR(QR_DATA, size_mm=QR_MM, caption="Tra cứu hồ sơ"),),
            ),
            widths=(0.6, 0.4),
            boxed=True,
            padding_mm=3,
        ),
        Rule(dashed=True),
        Text("Người tiếp nhận (ký, ghi rõ họ tên)", size=9, align="right"),
    )


def to_pil(image: QImage, path: Path) -> Image.Image:
    assert image.save(str(path))
    return Image.open(path).convert("L")


def lowest_ink_row(image: Image.Image) -> int:
    bbox = Image.eval(image, lambda v: 255 if v < 200 else 0).getbbox()
    assert bbox is not None
    return bbox[3]


def test_sample_page_is_a4_and_qr_scans_back(qapp: QApplication, tmp_path: Path) -> None:
    pages = a4.render_pages(sample(), dpi=DPI)
    assert len(pages) == 1
    assert abs(pages[0].width() - 1240) <= 1
    assert abs(pages[0].height() - 1754) <= 1

    image = to_pil(pages[0], tmp_path / "sample.png")
    shutil.copyfile(tmp_path / "sample.png", "/tmp/a4_sample.png")
    found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [QR_DATA]

    # Measure the dark symbol in pixels: the quiet zone around it is white, so crop a little outside it.
    pos = found[0].position
    corners = (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    module_px = QR_MM * DPI / 25.4 / (len(segno.make(QR_DATA, error="m", micro=False).matrix) + 2 * a4.QUIET_ZONE)
    quiet = round(2 * module_px)
    box = (min(xs) - quiet, min(ys) - quiet, max(xs) + quiet, max(ys) + quiet)
    dark = Image.eval(image.crop(box), lambda v: 255 if v < 128 else 0).getbbox()
    assert dark is not None
    symbol_px = max(dark[2] - dark[0], dark[3] - dark[1])
    assert abs(symbol_px + 2 * a4.QUIET_ZONE * module_px - QR_MM * DPI / 25.4) <= module_px


def test_long_word_and_paragraph_wrap_instead_of_being_cut(qapp: QApplication, tmp_path: Path) -> None:
    word = "Nguyễn" * 5
    paragraph = "Hồ sơ được tiếp nhận và chuyển đến bộ phận chuyên môn để thẩm định. "
    short = a4.render_pages(a4_doc(Text(word), Text(paragraph)), dpi=DPI)
    long = a4.render_pages(a4_doc(Text(word * 20), Text(paragraph * 15)), dpi=DPI)
    assert len(short) == len(long) == 1
    short_bottom = lowest_ink_row(to_pil(short[0], tmp_path / "short.png"))
    long_bottom = lowest_ink_row(to_pil(long[0], tmp_path / "long.png"))
    assert long_bottom > short_bottom + 20 * 19  # many more wrapped lines of ~19 px type


def test_overflowing_text_continues_on_a_new_page(qapp: QApplication) -> None:
    pages = a4.render_pages(a4_doc(*(Text(f"Dòng số {i}") for i in range(120))), dpi=72)
    assert len(pages) >= 2


def test_long_table_spans_pages_and_repeats_its_header(qapp: QApplication, tmp_path: Path) -> None:
    table = Table(
        headers=("STT", "Số vé", "Dịch vụ"),
        rows=tuple((str(i), f"A{i:03d}", "Chứng thực bản sao từ bản chính") for i in range(1, 201)),
        widths=(0.15, 0.25, 0.6),
    )
    pages = a4.render_pages(a4_doc(Text("Danh sách vé trong ngày", bold=True), table), dpi=DPI)
    assert len(pages) >= 2
    pdf_pages = a4.write_pdf(a4_doc(table), tmp_path / "table.pdf")
    assert pdf_pages >= 2
    assert len(PDF_PAGE.findall((tmp_path / "table.pdf").read_bytes())) == pdf_pages
    # The header's grey band sits at the top margin of every continuation page.
    margin_px = round(15 * DPI / 25.4)
    for page in pages[1:]:
        probe = page.pixelColor(margin_px + 40, margin_px + 8)
        assert probe.red() == probe.green() == probe.blue() == a4.HEADER_FILL.red()


def test_write_pdf_reports_its_page_count(qapp: QApplication, tmp_path: Path) -> None:
    path = tmp_path / "phiếu hẹn.pdf"
    doc = Document(title="Phiếu hẹn", pages=(*sample().pages, *sample().pages))
    pages = a4.write_pdf(doc, path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert pages == 2
    assert len(PDF_PAGE.findall(data)) == pages


def test_qprinter_pdf_output_uses_the_same_painting(qapp: QApplication, tmp_path: Path) -> None:
    path = tmp_path / "printer.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    pages = a4.print_on(printer, sample())
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert pages == 1
    assert len(PDF_PAGE.findall(data)) == 1


def test_unknown_printer_is_reported_in_vietnamese(qapp: QApplication) -> None:
    with pytest.raises(PrintError) as caught:
        a4.print_document(sample(), "Không có máy này")
    assert caught.value.message == "Không tìm thấy máy in “Không có máy này”."
    assert caught.value.hint == "Kiểm tra tên máy in trong cài đặt hoặc in ra PDF."


def test_empty_document(qapp: QApplication, tmp_path: Path) -> None:
    assert a4.render_pages(Document(title="Trống")) == []
    with pytest.raises(PrintError):
        a4.write_pdf(Document(title="Trống"), tmp_path / "empty.pdf")


def test_load_fonts_registers_noto_sans_once(qapp: QApplication) -> None:
    assert a4.load_fonts() == a4.load_fonts() == "Noto Sans"


def test_short_data_still_makes_a_full_qr_code(qapp: QApplication, tmp_path: Path) -> None:
    pages = a4.render_pages(a4_doc(QR("A001", size_mm=20, caption="Vé A001")), dpi=DPI)
    found = zxingcpp.read_barcodes(to_pil(pages[0], tmp_path / "short-qr.png"))
    assert [(b.text, b.format) for b in found] == [("A001", zxingcpp.BarcodeFormat.QRCode)]
