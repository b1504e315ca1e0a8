"""The period report as an A4 landscape PDF: the header on every sheet, tables that break across sheets with their
header repeated, Vietnamese number formatting, and a first page that is really drawn (rendered back with QtPdf)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from app.core.centre import default_centre
from app.core.dossier import Channel, Citizen, Dossier, Status, Statutory, Step
from app.core.report import PeriodReport, ReportPeriod, build_report
from app.core.report_tables import Cell, Kind
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.report_queries import load_report_data
from printing.report_pdf import cell_text, render_report_pages, report_pdf
from tests.unit.conftest import env  # noqa: F401  (the in-process centre service fixture)
from tests.unit.report_day import DAY, add_ratings, at, d, scripted_day, scripted_dossiers

NOW = at(d(30), 12)


@pytest.fixture
def day_report(env, tmp_path: Path) -> PeriodReport:  # noqa: F811
    client, admin, clock = env
    hall = scripted_day(client, admin, clock)
    scripted_dossiers(client, admin, tmp_path / "counter")
    add_ratings(tmp_path / "data" / "queue.db", hall)
    period = ReportPeriod(DAY, DAY)
    data = load_report_data(tmp_path / "data", period, catalog_path=default_catalog_path)
    return build_report(data.centre, period, NOW, data.tickets, data.dossiers, ratings=data.ratings,
                        clerk_names=data.clerk_names, field_names=data.field_names)  # fmt: skip


def open_pdf(body: bytes) -> tuple[QPdfDocument, QBuffer]:
    buffer = QBuffer()
    buffer.setData(QByteArray(body))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buffer)
    assert doc.status() == QPdfDocument.Status.Ready
    return doc, buffer  # the buffer must outlive the document


def on_white(image: QImage) -> QImage:
    """QtPdf renders on a transparent sheet: lay it on paper."""
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper


def ink(image: QImage) -> float:
    """The share of dark pixels, sampled."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    dark = total = 0
    for y in range(0, gray.height(), 4):
        for x in range(0, gray.width(), 4):
            total += 1
            dark += gray.pixelColor(x, y).value() < 128
    return dark / total


def test_the_day_as_a_landscape_pdf(qapp, day_report: PeriodReport, tmp_path: Path) -> None:
    body, pages = report_pdf(day_report, NOW)
    assert body.startswith(b"%PDF")
    doc, _buffer = open_pdf(body)
    assert doc.pageCount() == pages >= 3
    for page in range(pages):
        size = doc.pagePointSize(page)
        assert (round(size.width()), round(size.height())) == (842, 595)  # A4 landscape in points
        text = doc.getAllText(page).text()
        assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ" in text
        assert "BÁO CÁO HOẠT ĐỘNG BỘ PHẬN MỘT CỬA" in text
        assert "Ngày 23/11/2026 — số liệu đến hết ngày 23/11/2026" in text
        assert f"Trang {page + 1}/{pages}" in text
    first = doc.getAllText(0).text()
    for line in ("TỔNG HỢP", "Số lượt lấy số", "Tỉ lệ chờ quá mục tiêu", "42,9 %", "22,6", "Số hồ sơ nhận giải quyết"):
        assert line in first
    everything = " ".join(doc.getAllText(p).text() for p in range(pages))
    for title in (
        "HÀNG ĐỢI THEO QUẦY",
        "HÀNG ĐỢI THEO CÁN BỘ",
        "LƯỢT ĐẾN VÀ LƯỢT PHỤC VỤ THEO GIỜ",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC THEO LĨNH VỰC",
        "ĐÁNH GIÁ CỦA CÔNG DÂN",
        "Nguyễn Thị Lan (lan)",
    ):
        assert title in everything
    image = on_white(doc.render(0, QSize(1684, 1190)))
    image.save(str(tmp_path / "page1.png"))
    assert image.width() > image.height()
    assert 0.01 < ink(image) < 0.3  # drawn, not blank and not a black sheet
    previews = render_report_pages(day_report, NOW, dpi=60)
    assert len(previews) == pages
    assert previews[0].width() > previews[0].height()


def plain_dossier(n: int) -> Dossier:
    return Dossier(
        code=f"X-{n}", procedure_code=f"9.{n:06d}", procedure_name=f"Thủ tục thử số {n}", field_code="HT",
        citizen=Citizen("034186012345", "Nguyễn Văn A"), components=(), received_at=at(DAY, 9), due_at=at(d(25), 9),
        statutory=Statutory(3, "working_days"), clerk="lan", counter=1, channel=Channel.DIRECT,
        steps=(Step(at(DAY, 9), Status.RECEIVED, "lan", "Tiếp nhận hồ sơ"),),
    )  # fmt: skip


def test_a_long_table_breaks_between_rows_and_repeats_its_header(qapp) -> None:
    centre = default_centre(load_catalog_file(default_catalog_path()))
    report = build_report(centre, ReportPeriod(DAY, DAY), NOW, [], [plain_dossier(n) for n in range(90)])
    body, pages = report_pdf(report, NOW)
    doc, _buffer = open_pdf(body)
    with_rows = [p for p in range(pages) if "Thủ tục thử số" in doc.getAllText(p).text()]
    assert len(with_rows) >= 2
    for page in with_rows:
        text = doc.getAllText(page).text()
        assert "Số hồ sơ nhận giải quyết" in text  # the national column groups, repeated
        assert "Tên thủ tục" in text
    assert "Chưa có đánh giá" in doc.getAllText(pages - 1).text()


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234.5, Kind.MINUTES, "1.234,5"),
        (7.0, Kind.MINUTES, "7,0"),
        (0.4286, Kind.SHARE, "42,9 %"),
        (1.0, Kind.SHARE, "100,0 %"),
        (12345, Kind.COUNT, "12.345"),
        (None, Kind.COUNT, "–"),
        (None, Kind.TEXT, ""),
        ("Hộ tịch", Kind.TEXT, "Hộ tịch"),
        (Cell(0.5, Kind.SHARE), Kind.COUNT, "50,0 %"),
    ],
)
def test_numbers_read_the_vietnamese_way(value, kind: Kind, text: str) -> None:
    assert cell_text(value, kind) == text


def test_the_generated_line_is_local_time(qapp, day_report: PeriodReport) -> None:
    body, _ = report_pdf(day_report, datetime.fromisoformat("2026-11-30T05:07:00+00:00"))
    doc, _buffer = open_pdf(body)
    assert "Lập lúc 12:07 ngày 30/11/2026" in doc.getAllText(0).text()
