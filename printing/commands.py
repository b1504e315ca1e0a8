"""`python -m app print-test | posters | slip | virtual-printer`: what an IT officer runs when installing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from app.core.catalog import CatalogError
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from printing.connection import PrinterStatus, ThermalPrinter
from printing.doc import ROLL_WIDTHS
from printing.errors import PrintError
from printing.layouts import label_sheets, posters, receipt_a4, receipt_slip, ticket_document
from printing.raster import render_roll
from printing.samples import SAMPLE_CENTRE, sample_receipt, sample_ticket


def _fail(error: PrintError | CatalogError | OSError) -> int:
    text = error.for_people() if isinstance(error, PrintError) else str(error)
    print(f"Lỗi: {text}", file=sys.stderr)
    return 1


def sample_ticket_image(width: int) -> Image.Image:
    return render_roll(ticket_document(sample_ticket(datetime.now(UTC)), width).pages[0], width)


def print_sample(printer_url: str, width: int) -> PrinterStatus:
    """The sample ticket on `printer_url` (print-test, the first-run wizard's "In phiếu thử"); PrintError if not."""
    return ThermalPrinter(printer_url).print_image(sample_ticket_image(width))


def print_test(printer_url: str, width: int, out: Path | None = None) -> int:
    if width not in ROLL_WIDTHS:
        print(f"Lỗi: khổ in phải là {' hoặc '.join(map(str, ROLL_WIDTHS))} điểm.", file=sys.stderr)
        return 2
    try:
        image = sample_ticket_image(width)
        if out:
            image.save(out)
        printer = ThermalPrinter(printer_url)
        status = printer.print_image(image)
    except PrintError as exc:
        return _fail(exc)
    print(f"Đã gửi phiếu mẫu {image.width}×{image.height} điểm tới {printer_url}. {status.describe()}")
    return 0


def write_posters(out: Path, catalog: Path | None, centre: str = SAMPLE_CENTRE, labels: Path | None = None,
                  page_url: str | None = None) -> int:  # fmt: skip
    from printing.a4 import write_pdf  # Qt is loaded only for A4 output

    try:
        data = load_catalog_file(catalog or default_catalog_path())
        pages = write_pdf(posters(data, centre, page_url), out)
        print(f"Đã ghi {pages} trang áp phích mã QR ({len(data.procedures)} thủ tục) vào {out}.")
        if labels:
            label_pages = write_pdf(label_sheets(data, page_url), labels)
            print(f"Đã ghi {label_pages} trang nhãn mã QR vào {labels}.")
    except (PrintError, CatalogError, OSError) as exc:
        return _fail(exc)
    return 0


def write_slip(out: Path, width: int) -> int:
    """A sample Mẫu 01: a PDF for A4, a PNG of the 80/58 mm slip."""
    receipt = sample_receipt(datetime.now(UTC))
    try:
        if out.suffix.lower() == ".png":
            render_roll(receipt_slip(receipt, width).pages[0], width).save(out)
            print(f"Đã ghi phiếu tiếp nhận khổ {width} điểm vào {out}.")
            return 0
        from printing.a4 import write_pdf

        pages = write_pdf(receipt_a4(receipt), out)
    except (PrintError, OSError) as exc:
        return _fail(exc)
    print(f"Đã ghi Mẫu 01 ({pages} trang A4) vào {out}.")
    return 0
