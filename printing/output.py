"""Where a counter form goes: the 80 mm roll of the ticket printer, or A4 on a system printer (or a PDF).

Built from a `Printable` (both layouts of one form), so the clerk's choice never changes what is printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from printing.connection import ThermalPrinter
from printing.doc import Document
from printing.errors import PrintError
from printing.raster import render_roll


class Printable(Protocol):
    @property
    def name(self) -> str:  # the file name stem for a PDF, e.g. "mau01-000.00.12.H48-261130-0001"
        ...

    def a4(self) -> Document: ...
    def roll(self, width_dots: int) -> Document: ...


@dataclass(frozen=True)
class PrintTarget:
    kind: str  # roll | a4
    roll_url: str | None = None  # a printer URL (printing/connection.py)
    roll_width: int = 576
    a4_printer: str | None = None  # a system printer's name; "pdf:DIR" writes a PDF there; None: the default


def print_document(printable: Printable, target: PrintTarget) -> str:
    """Send it; return where it went. PrintError (Vietnamese, with what to do) when it could not."""
    if target.kind == "roll":
        if not target.roll_url:
            raise PrintError("Quầy chưa cấu hình máy in nhiệt.", hint="Chọn in khổ A4 hoặc cấu hình máy in phiếu.",
                             code="no_roll_printer")  # fmt: skip
        page = printable.roll(target.roll_width).pages[0]
        ThermalPrinter(target.roll_url).print_image(render_roll(page, target.roll_width))
        return target.roll_url
    if target.a4_printer and target.a4_printer.startswith("pdf:"):
        from printing.a4 import write_pdf

        folder = Path(target.a4_printer[4:])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{printable.name}.pdf"
        write_pdf(printable.a4(), path)
        path.chmod(0o600)  # the form carries the citizen's personal data
        return str(path)
    from printing.a4 import print_document as print_a4

    print_a4(printable.a4(), target.a4_printer)
    return target.a4_printer or "máy in mặc định"
