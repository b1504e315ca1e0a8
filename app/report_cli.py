"""`python -m app report --data DIR --date YYYY-MM-DD [--to YYYY-MM-DD] --out FILE.xlsx|FILE.pdf`.

The centre's report for whole local days, read from the centre service's data folder (queue.db: the queue, the
staff, the dossier mirror, the ratings) without changing it. Bad input gets one Vietnamese line and exit 2; the
output file appears whole or not at all.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.report import PeriodReport

SUFFIXES = (".xlsx", ".pdf")


def add_report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = sub.add_parser(
        "report",
        help="báo cáo của Trung tâm (hàng đợi, hồ sơ theo Biểu II.06a, đánh giá) ra tệp Excel hoặc PDF",
        description="Báo cáo theo ngày (giờ Việt Nam) từ thư mục dữ liệu của dịch vụ trung tâm.",
    )
    rep.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu của dịch vụ trung tâm (có queue.db)")
    rep.add_argument("--date", dest="first", required=True, help="ngày báo cáo, hoặc ngày đầu kỳ: YYYY-MM-DD")
    rep.add_argument("--to", dest="last", help="ngày cuối kỳ YYYY-MM-DD (mặc định: bằng --date)")
    rep.add_argument("--out", type=Path, required=True, help="tệp .xlsx (Excel) hoặc .pdf (A4 ngang)")


def _fail(message: str) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return 2


def _day(text: str, flag: str) -> date | str:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return f"{flag} «{text}» không phải ngày hợp lệ dạng YYYY-MM-DD (ví dụ 2026-11-23)."


def _out_problem(out: Path) -> str:
    """Why `out` cannot be the report, before any work; "" when it may (writing can still fail: see run_report)."""
    if out.suffix.lower() not in SUFFIXES:
        return f"--out phải là tệp .xlsx hoặc .pdf, không phải «{out.name}»."
    try:
        if out.is_dir():
            return f"--out {out} là một thư mục; hãy ghi tên tệp, ví dụ {out / 'bao-cao.xlsx'}."
        if not out.parent.is_dir():
            return f"không có thư mục {out.parent} để ghi {out.name}."
    except OSError as exc:
        return f"không ghi được {out}: {exc.strerror or exc}. Không có tệp nào được tạo."
    return ""


def run_report(args: argparse.Namespace, now: datetime | None = None) -> int:
    from app.core.clock import SystemClock
    from app.core.errors import DomainError
    from app.core.report import ReportPeriod, build_report
    from app.paths import default_catalog_path
    from app.store.report_queries import QUEUE_DB, load_report_data

    first = _day(args.first, "--date")
    if isinstance(first, str):
        return _fail(first)
    last = _day(args.last, "--to") if args.last else first
    if isinstance(last, str):
        return _fail(last)
    if last < first:
        return _fail(f"--to {last:%d/%m/%Y} trước --date {first:%d/%m/%Y}: ngày cuối kỳ phải từ ngày đầu kỳ trở đi.")
    out: Path = args.out
    problem = _out_problem(out)
    if problem:
        return _fail(problem)
    data: Path = args.data
    try:
        found = (data / QUEUE_DB).is_file()
    except OSError:  # a name the file system refuses (Python 3.11 raises for ENAMETOOLONG)
        found = False
    if not found:
        return _fail(f"không có {QUEUE_DB} trong {data}: cần thư mục --data của dịch vụ trung tâm.")
    now = now or SystemClock().now()
    try:
        period = ReportPeriod(first, last)
        loaded = load_report_data(data, period, catalog_path=default_catalog_path)
        report = build_report(
            loaded.centre, period, now, loaded.tickets, loaded.dossiers, ratings=loaded.ratings,
            scale=loaded.rating_scale, clerk_names=loaded.clerk_names, field_names=loaded.field_names,
        )  # fmt: skip
    except DomainError as exc:
        return _fail(exc.message)
    try:
        pages = _write(report, out, now)
    except OSError as exc:
        return _fail(f"không ghi được {out}: {exc.strerror or exc}. Không có tệp nào được tạo.")
    except CannotDraw as exc:
        return _fail(f"{exc} Không có tệp nào được tạo.")
    what = f"{pages} trang A4 ngang" if pages else "Excel"
    print(f"Đã ghi báo cáo {period.label().lower()} của {report.centre_name} ({what}) vào {out}.")
    q, d = report.queue.total, report.dossiers.total
    print(f"Lượt lấy số: {q.tickets}, đã phục vụ: {q.served}, vắng mặt: {q.no_show}; hồ sơ nhận giải quyết: "
          f"{d.received}, đã giải quyết: {d.done}, đang giải quyết: {d.in_progress}.")  # fmt: skip
    if loaded.skipped_dossiers or loaded.skipped_ratings:
        print(f"Chú ý: bỏ qua {loaded.skipped_dossiers} hồ sơ và {loaded.skipped_ratings} lượt đánh giá không đọc "
              "được.", file=sys.stderr)  # fmt: skip
    return 0


class CannotDraw(Exception):
    """The PDF could not be drawn (printing's PrintError, e.g. a missing font), in Vietnamese."""


def _write(report: PeriodReport, out: Path, now: datetime) -> int:
    """Write the report; the number of PDF pages (0 for a workbook)."""
    from app.atomic_file import write_atomic

    if out.suffix.lower() == ".xlsx":
        from app.reports.period_report import write_period_report  # openpyxl only for this command

        write_period_report(report, out, now)
        return 0
    from printing.errors import PrintError
    from printing.report_pdf import report_pdf  # Qt only for PDF output

    try:
        body, pages = report_pdf(report, now)
    except PrintError as exc:
        raise CannotDraw(exc.for_people()) from None
    write_atomic(out, body)  # 0600: per-clerk figures
    return pages
