""" "Xuất báo cáo…": the fetched figures written by the report's own writers, the same workbook and PDF as
`python -m app report` makes from the data folder (app/reports/period_report.py, printing/report_pdf.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.atomic_file import write_atomic
from app.core.report import PeriodReport

SUFFIXES = (".xlsx", ".pdf")
FILE_MODE = 0o600  # per-clerk figures are staff data


class ExportError(Exception):
    """The report could not be written; the message is Vietnamese."""


def default_name(report: PeriodReport, suffix: str = ".xlsx") -> str:
    p = report.period
    span = p.first.isoformat() if p.first == p.last else f"{p.first.isoformat()}_{p.last.isoformat()}"
    return f"bao-cao-{span}{suffix}"


def write_report(report: PeriodReport, out: Path, now: datetime) -> str:
    """Write `report` to `out` (.xlsx or .pdf); what was written, in Vietnamese. ExportError when it cannot."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(f"Chỉ xuất được tệp .xlsx (Excel) hoặc .pdf, không phải «{out.name}».")
    try:
        if suffix == ".xlsx":
            from app.reports.period_report import write_period_report

            write_period_report(report, out, now)
            return f"Đã ghi báo cáo Excel vào {out}."
        from printing.errors import PrintError
        from printing.report_pdf import report_pdf

        try:
            body, pages = report_pdf(report, now)
        except PrintError as exc:
            raise ExportError(f"{exc.for_people()} Không có tệp nào được tạo.") from None
        write_atomic(out, body, FILE_MODE)
        return f"Đã ghi báo cáo PDF ({pages} trang A4 ngang) vào {out}."
    except OSError as exc:
        raise ExportError(f"Không ghi được {out}: {exc.strerror or exc}. Không có tệp nào được tạo.") from None
