"""A ticket whose print fails is kept, says why in Vietnamese, and reprints once the printer is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp

from printing import fonts, raster
from printing.errors import FontMissing, PrinterUrlError
from printing.samples import sample_ticket
from printing.ticket_printer import TicketPrinter
from printing.virtual_printer import VirtualPrinter

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


def test_printed_ticket_arrives_and_its_qr_reads(printer: VirtualPrinter) -> None:
    tickets = TicketPrinter(printer.url, 576)
    job = tickets.print_ticket(sample_ticket(NOW))
    assert job.state == "printed"
    assert job.message == "Đã in phiếu."
    page = printer.wait_for_pages(1)[0].image
    assert page.width == 576
    assert [b.text for b in zxingcpp.read_barcodes(page.convert("L"))] == ["http://motcua.local:8710/t/15"]


def test_paper_out_keeps_the_job_and_reprint_prints_it_once(printer: VirtualPrinter) -> None:
    tickets = TicketPrinter(printer.url, 384)
    printer.paper = "out"
    job = tickets.print_ticket(sample_ticket(NOW))
    assert job.state == "failed"
    assert "hết giấy" in job.message
    assert tickets.failed() == [job]
    printer.paper = "ok"
    again = tickets.reprint(job.id)
    assert again.state == "printed"
    assert tickets.failed() == []
    pages = printer.wait_for_pages(1)
    assert len(pages) == 1
    assert pages[0].image.width == 384


def test_near_end_prints_and_warns(printer: VirtualPrinter) -> None:
    printer.paper = "near_end"
    job = TicketPrinter(printer.url, 576).print_ticket(sample_ticket(NOW))
    assert job.state == "printed"
    assert "sắp hết giấy" in job.message


def test_unreachable_printer_fails_with_advice_and_unknown_url_fails_at_start() -> None:
    job = TicketPrinter("tcp:127.0.0.1:1?timeout=1", 576).print_ticket(sample_ticket(NOW))
    assert job.state == "failed"
    assert "In lại" in job.message
    with pytest.raises(PrinterUrlError):
        TicketPrinter("lpt1", 576)


def test_missing_font_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FontMissing) as caught:
        fonts.font_path(bold=True, directory=tmp_path)
    assert "NotoSans-Bold.ttf" in caught.value.for_people()
    assert "Không tìm thấy phông chữ" in caught.value.message
    monkeypatch.setattr(fonts, "font_dir", lambda: tmp_path)
    raster._font.cache_clear()
    try:
        job = TicketPrinter("file:" + str(tmp_path / "out.bin"), 576).print_ticket(sample_ticket(NOW))
        assert job.state == "failed"
        assert isinstance(job.error, FontMissing)
        assert not (tmp_path / "out.bin").exists()  # nothing half-printed
    finally:
        raster._font.cache_clear()
