"""The period report as tables with Vietnamese headers: what the XLSX (app/reports/period_report.py) writes one
sheet each and the PDF (printing/report_pdf.py) prints one after another, so both show the same figures.

Cells hold numbers, never text that looks like one: counts as ints, durations in minutes (rounded to 0.1),
shares as fractions (0.25 = 25 %); the renderers format them by the column's (or the cell's) kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.core.kpi import DurationStats
from app.core.rating import RatingCounts
from app.core.report import PeriodReport, QueueRow, QueueSection, clerk_label
from app.core.report_dossiers import Counts, DossierRow

NO_RATINGS = "Chưa có đánh giá"
NO_DATA = "Không có số liệu trong kỳ"
TOTAL = "Tổng cộng"


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MINUTES = "minutes"
    SHARE = "share"


Value = int | float | str | None


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (the summary sheet's "Giá trị" column)."""

    value: Value
    kind: Kind


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.COUNT
    width: float = 11.0  # characters (Excel); the PDF shares the page width in the same proportions


@dataclass(frozen=True)
class ReportTable:
    sheet: str  # at most 31 characters, none of []:*?/\ (an Excel sheet name)
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value | Cell, ...], ...]
    totals: int = 0  # the last `totals` rows sum up the others (bold)
    groups: tuple[tuple[str, int], ...] = ()  # a header row above the columns: (label, columns spanned)
    notes: tuple[str, ...] = ()  # definitions, printed under the table
    empty: str = NO_DATA
    headings: tuple[int, ...] = ()  # indexes of rows that head a part of the table (bold, no figures)

    def __post_init__(self) -> None:
        if len(self.sheet) > 31 or any(ch in self.sheet for ch in "[]:*?/\\"):
            raise ValueError(f"bad sheet name {self.sheet!r}")
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError("every row needs one cell per column")
        if self.groups and sum(span for _, span in self.groups) != len(self.columns):
            raise ValueError("header groups must span every column")


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- queue ------------------------------------------------------------------------------------------

_WAIT = (
    Column("Chờ TB (phút)", Kind.MINUTES, 9),
    Column("Chờ trung vị (phút)", Kind.MINUTES, 9),
    Column("Chờ P90 (phút)", Kind.MINUTES, 9),
    Column("Chờ lâu nhất (phút)", Kind.MINUTES, 9),
)
_SERVICE = (
    Column("Phục vụ TB (phút)", Kind.MINUTES, 9),
    Column("Phục vụ trung vị (phút)", Kind.MINUTES, 9),
    Column("Phục vụ P90 (phút)", Kind.MINUTES, 9),
)


def _wait(s: DurationStats) -> tuple[Value, ...]:
    return minutes(s.avg), minutes(s.median), minutes(s.p90), minutes(s.max)


def _service(s: DurationStats) -> tuple[Value, ...]:
    return minutes(s.avg), minutes(s.median), minutes(s.p90)


def _target_column(q: QueueSection) -> Column:
    return Column(f"Tỉ lệ chờ quá {minutes(q.wait_target_s):g} phút", Kind.SHARE, 11)


def _queue_notes(q: QueueSection) -> tuple[str, ...]:
    return (
        "Chờ: từ lúc lấy số đến lần gọi đưa công dân tới quầy (lần gọi cuối nếu gọi lại); chỉ tính số đã được gọi.",
        "Phục vụ: tổng các khoảng đang phục vụ. P90: 90% số lượt bằng hoặc ngắn hơn giá trị này.",
        f"Tỉ lệ chờ quá mục tiêu: số lượt chờ lâu hơn {minutes(q.wait_target_s):g} phút trên số lượt đã được gọi.",
    )


def _group_table(q: QueueSection) -> ReportTable:
    columns = (
        Column("Mã nhóm", Kind.TEXT, 9), Column("Nhóm dịch vụ", Kind.TEXT, 28), Column("Lượt lấy số"),
        Column("Đã phục vụ xong"), Column("Vắng mặt"), *_WAIT, *_SERVICE, _target_column(q),
    )  # fmt: skip

    def line(code: str, r: QueueRow) -> tuple[Value, ...]:
        return (code, r.name, r.tickets, r.served, r.no_show, *_wait(r.wait), *_service(r.service),
                share(r.over_target_share))  # fmt: skip

    rows = tuple(line(r.key, r) for r in q.by_group)
    total = (line("", q.total),) if rows else ()
    return ReportTable("Theo nhóm", "Hàng đợi theo nhóm dịch vụ", columns, (*rows, *_named_total(total)),
                       totals=len(total), notes=_queue_notes(q))  # fmt: skip


def _named_total(rows: tuple[tuple[Value, ...], ...]) -> tuple[tuple[Value, ...], ...]:
    """A total row reads "Tổng cộng" in its first text column."""
    return tuple((TOTAL, *row[1:]) if row[0] == "" else row for row in rows)


def _staff_table(q: QueueSection, sheet: str, title: str, who: Column, rows: Sequence[QueueRow],
                 key_column: Column | None) -> ReportTable:  # fmt: skip
    columns = (
        *((key_column,) if key_column else ()), who, Column("Lượt phục vụ"), Column("Đã phục vụ xong"),
        Column("Vắng mặt khi gọi"), *_WAIT, *_SERVICE, Column("Phục vụ lâu nhất (phút)", Kind.MINUTES, 9),
        _target_column(q),
    )  # fmt: skip
    lines = tuple(
        (
            *((int(r.key),) if key_column else ()),
            r.name,
            r.tickets,
            r.served,
            r.no_show,
            *_wait(r.wait),
            *_service(r.service),
            minutes(r.service.max),
            share(r.over_target_share),
        )
        for r in rows
    )
    notes = (
        "Lượt phục vụ: số lượt có khoảng phục vụ cuối cùng tại đây (số chuyển nhóm tính cho nơi phục vụ sau cùng).",
        "Vắng mặt khi gọi: số lượt bị đánh dấu vắng mặt sau lần gọi của quầy/cán bộ này.",
        *_queue_notes(q),
    )
    return ReportTable(sheet, title, columns, lines, notes=notes)


def _hour_table(q: QueueSection) -> ReportTable:
    columns = (
        Column("Khung giờ", Kind.TEXT, 13), Column("Lượt lấy số (đến)"), Column("Phục vụ xong trong giờ"),
        Column("Vắng mặt"), *_WAIT, _target_column(q),
    )  # fmt: skip
    rows = tuple((r.name, r.tickets, r.finished, r.no_show, *_wait(r.wait), share(r.over_target_share))
                 for r in q.by_hour)  # fmt: skip
    finished = sum(r.finished or 0 for r in q.by_hour)
    total = q.total
    totals = ((TOTAL, total.tickets, finished, total.no_show, *_wait(total.wait), share(total.over_target_share)),)
    notes = (
        "Lượt lấy số theo giờ cấp số; phục vụ xong theo giờ kết thúc phục vụ; thời gian chờ của các số cấp trong giờ.",
        "Giờ Việt Nam (Asia/Ho_Chi_Minh). Kỳ nhiều ngày: cộng các ngày theo từng khung giờ.",
    )
    return ReportTable("Theo giờ", "Lượt đến và lượt phục vụ theo giờ", columns,
                       (*rows, *(totals if rows else ())), totals=1 if rows else 0, notes=notes)  # fmt: skip


def _day_table(q: QueueSection) -> ReportTable:
    columns = (
        Column("Ngày", Kind.TEXT, 12), Column("Lượt lấy số"), Column("Đã phục vụ xong"), Column("Vắng mặt"),
        Column("Chờ trung vị (phút)", Kind.MINUTES, 9), Column("Chờ P90 (phút)", Kind.MINUTES, 9),
        Column("Phục vụ trung vị (phút)", Kind.MINUTES, 9), _target_column(q),
    )  # fmt: skip

    def line(name: str, r: QueueRow) -> tuple[Value, ...]:
        return (name, r.tickets, r.served, r.no_show, minutes(r.wait.median), minutes(r.wait.p90),
                minutes(r.service.median), share(r.over_target_share))  # fmt: skip

    rows = tuple(line(r.name, r) for r in q.by_day)
    total = (line(TOTAL, q.total),) if rows else ()
    return ReportTable("Theo ngày", "Hàng đợi theo ngày", columns, (*rows, *total), totals=len(total))


# --- dossiers (Biểu số II.06a) --------------------------------------------------------------------------

_06A_COLUMNS = (
    Column("Tổng số", width=9), Column("Mới tiếp nhận trực tuyến", width=10),
    Column("Mới tiếp nhận trực tiếp, bưu chính", width=11), Column("Kỳ trước chuyển qua", width=10),
    Column("Tổng số", width=9), Column("Trước hạn", width=9), Column("Đúng hạn", width=9), Column("Quá hạn", width=9),
    Column("Tổng số", width=9), Column("Trong hạn", width=9), Column("Quá hạn", width=9),
    Column("Trả lại, dừng xử lý", width=10), Column("Rút hồ sơ", width=9),
)  # fmt: skip
_06A_GROUPS = (("Số hồ sơ nhận giải quyết", 4), ("Số hồ sơ đã giải quyết", 4), ("Số hồ sơ đang giải quyết", 3),
               ("Không giải quyết", 2))  # fmt: skip
_06A_NOTES = (
    "Theo cột của Biểu số II.06a/VPCP/KSTT. Hồ sơ nhận giải quyết = đã giải quyết + đang giải quyết + trả lại, "
    "dừng xử lý + rút hồ sơ.",
    "Đã giải quyết: có bước «Đã xử lý xong» hoặc «Đã trả kết quả» trong kỳ; trước hạn / đúng hạn / quá hạn so "
    "ngày hoàn thành với ngày hẹn trả.",
    "Đang giải quyết: chưa xong ở cuối kỳ; quá hạn khi ngày giờ hẹn trả đã qua (đang tạm dừng chờ bổ sung: trong hạn).",
    "Trả lại, dừng xử lý: từ chối giải quyết (Mẫu 03) hoặc dừng xử lý trong kỳ. Rút hồ sơ: công dân rút trong kỳ.",
)


def _counts(c: Counts) -> tuple[Value, ...]:
    return (c.received, c.online, c.direct_post, c.carried, c.done, c.early, c.on_time, c.late, c.in_progress,
            c.within, c.overdue, c.returned, c.withdrawn)  # fmt: skip


def _field_table(rows: Sequence[DossierRow], total: Counts) -> ReportTable:
    columns = (Column("STT", width=5), Column("Lĩnh vực", Kind.TEXT, 30), *_06A_COLUMNS)
    lines = tuple((i, r.name, *_counts(r.counts)) for i, r in enumerate(rows, 1))
    totals = ((None, TOTAL, *_counts(total)),) if lines else ()
    return ReportTable("II.06a theo lĩnh vực", "Tình hình, kết quả giải quyết TTHC theo lĩnh vực", columns,
                       (*lines, *totals), totals=len(totals), groups=(("", 2), *_06A_GROUPS),
                       notes=_06A_NOTES)  # fmt: skip


def _procedure_table(rows: Sequence[DossierRow], total: Counts, field_names: dict[str, str]) -> ReportTable:
    columns = (
        Column("STT", width=5), Column("Mã thủ tục", Kind.TEXT, 11), Column("Tên thủ tục", Kind.TEXT, 34),
        Column("Lĩnh vực", Kind.TEXT, 16), *_06A_COLUMNS,
    )  # fmt: skip
    lines = tuple((i, r.code, r.name, field_names.get(r.field_code, r.field_code), *_counts(r.counts))
                  for i, r in enumerate(rows, 1))  # fmt: skip
    totals = ((None, "", TOTAL, "", *_counts(total)),) if lines else ()
    return ReportTable("II.06a theo thủ tục", "Tình hình, kết quả giải quyết TTHC theo thủ tục", columns,
                       (*lines, *totals), totals=len(totals), groups=(("", 4), *_06A_GROUPS),
                       notes=_06A_NOTES)  # fmt: skip


# --- ratings ----------------------------------------------------------------------------------------


def _rating_tables(report: PeriodReport) -> tuple[ReportTable, ...]:
    r = report.ratings
    if r is None or r.total.total == 0:
        return (ReportTable("Đánh giá", "Đánh giá của công dân", (Column("Mức đánh giá", Kind.TEXT, 30),
                            Column("Số lượt"), Column("Tỉ lệ", Kind.SHARE)), (), empty=NO_RATINGS),)  # fmt: skip
    levels = tuple(reversed(r.scale.levels))  # the best first, as the forms list them
    rows: list[tuple[Value | Cell, ...]] = [(r.scale.label(lv), r.total.per_level[lv], share(r.total.share(lv)))
                                            for lv in levels]  # fmt: skip
    if r.total.out_of_scale:
        rows.append(("Ngoài thang đánh giá hiện hành", r.total.out_of_scale, None))
    rows.append((TOTAL, r.total.total, None))
    rows.append(("Tỉ lệ hài lòng", None, share(r.total.satisfied_share)))
    levels_table = ReportTable(
        "Đánh giá", "Đánh giá của công dân", (Column("Mức đánh giá", Kind.TEXT, 30), Column("Số lượt"),
        Column("Tỉ lệ", Kind.SHARE)), tuple(rows), totals=2,
        notes=(f"Hài lòng: từ mức «{r.scale.label(r.scale.satisfied_from)}» trở lên. "
               f"Có ghi lý do: {r.with_reason} lượt.",),
    )  # fmt: skip
    level_columns = tuple(Column(r.scale.label(lv), width=10) for lv in levels)

    def line(name: str, c: RatingCounts) -> tuple[Value, ...]:
        return (name, c.total, *(c.per_level[lv] for lv in levels), share(c.satisfied_share))

    clerks = tuple(line(clerk_label(k, report.clerk_names) if k else "(không rõ cán bộ)", c)
                   for k, c in r.by_clerk.items())  # fmt: skip
    counters = tuple(line(report.counter_names.get(k, f"Quầy {k}") if k else "(không rõ quầy)", c)
                     for k, c in r.by_counter.items())  # fmt: skip
    tail = (Column("Số lượt"), *level_columns, Column("Tỉ lệ hài lòng", Kind.SHARE))
    return (
        levels_table,
        ReportTable("Đánh giá theo cán bộ", "Đánh giá theo cán bộ", (Column("Cán bộ", Kind.TEXT, 30), *tail), clerks),
        ReportTable("Đánh giá theo quầy", "Đánh giá theo quầy", (Column("Quầy", Kind.TEXT, 16), *tail), counters),
    )


# --- the summary sheet and the whole report ---------------------------------------------------------------


def _summary_table(report: PeriodReport) -> ReportTable:
    q, d, t = report.queue, report.dossiers.total, report.queue.total

    def n(v: int | None) -> Cell:
        return Cell(v, Kind.COUNT)

    def m(v: float | None) -> Cell:
        return Cell(minutes(v), Kind.MINUTES)

    def p(v: float | None) -> Cell:
        return Cell(share(v), Kind.SHARE)

    rows: list[tuple[Value | Cell, ...]] = [
        ("Hàng đợi", None, ""),
        ("Số lượt lấy số", n(t.tickets), ""),
        ("Đã phục vụ xong", n(t.served), ""),
        ("Vắng mặt (gọi không đến)", n(t.no_show), ""),
        ("Tự hủy số trước khi được gọi", n(q.outcomes.get("left", 0)), ""),
        ("Chưa được phục vụ khi hết ngày", n(q.outcomes.get("removed_at_close", 0)), ""),
        ("Tỉ lệ vắng mặt", p(q.no_show_rate), "trên số lượt đã được gọi"),
        ("Thời gian chờ trung bình (phút)", m(t.wait.avg), f"{t.wait.count} lượt đã được gọi"),
        ("Thời gian chờ trung vị (phút)", m(t.wait.median), ""),
        ("Thời gian chờ P90 (phút)", m(t.wait.p90), "90% số lượt chờ bằng hoặc ít hơn"),
        ("Thời gian chờ lâu nhất (phút)", m(t.wait.max), ""),
        ("Thời gian đi tới quầy trung vị (phút)", m(q.walk.median), "từ lúc gọi đến lúc bắt đầu phục vụ"),
        ("Thời gian phục vụ trung bình (phút)", m(t.service.avg), f"{t.service.count} lượt được phục vụ"),
        ("Thời gian phục vụ trung vị (phút)", m(t.service.median), ""),
        ("Thời gian phục vụ P90 (phút)", m(t.service.p90), ""),
        ("Mục tiêu thời gian chờ (phút)", m(q.wait_target_s), "cấu hình của Trung tâm"),
        ("Tỉ lệ chờ quá mục tiêu", p(t.over_target_share), "trên số lượt đã được gọi"),
        ("Hồ sơ (Biểu II.06a)", None, ""),
        ("Số hồ sơ nhận giải quyết", n(d.received), f"kỳ trước chuyển qua {d.carried}"),
        ("Số hồ sơ mới tiếp nhận trong kỳ", n(d.new), f"trực tuyến {d.online}, trực tiếp/bưu chính {d.direct_post}"),
        ("Số hồ sơ đã giải quyết", n(d.done), f"trước hạn {d.early}, đúng hạn {d.on_time}, quá hạn {d.late}"),
        ("Tỉ lệ giải quyết đúng hạn", p(d.on_time_share), "trước hạn và đúng hạn trên số đã giải quyết"),
        ("Số hồ sơ đang giải quyết", n(d.in_progress), f"trong hạn {d.within}, quá hạn {d.overdue}"),
        ("Trả lại, dừng xử lý", n(d.returned), ""),
        ("Rút hồ sơ", n(d.withdrawn), ""),
        ("Đánh giá của công dân", None, ""),
    ]
    r = report.ratings
    if r is None or r.total.total == 0:
        rows.append(("Số lượt đánh giá", None, NO_RATINGS))
    else:
        rows.append(("Số lượt đánh giá", n(r.total.total), ""))
        rows.append(("Tỉ lệ hài lòng", p(r.total.satisfied_share), "hài lòng và rất hài lòng"))
    columns = (Column("Chỉ tiêu", Kind.TEXT, 40), Column("Giá trị", Kind.COUNT, 12), Column("Ghi chú", Kind.TEXT, 50))
    headings = tuple(i for i, row in enumerate(rows) if row[1] is None and row[2] == "")
    return ReportTable("Tổng hợp", "Tổng hợp", columns, tuple(rows), headings=headings)


def report_tables(report: PeriodReport) -> tuple[ReportTable, ...]:
    q = report.queue
    field_names = {r.code: r.name for r in report.dossiers.by_field}
    tables = [
        _summary_table(report),
        _group_table(q),
        _staff_table(q, "Theo quầy", "Hàng đợi theo quầy", Column("Quầy", Kind.TEXT, 14), q.by_counter,
                     Column("Số quầy", width=7)),
        _staff_table(q, "Theo cán bộ", "Hàng đợi theo cán bộ", Column("Cán bộ", Kind.TEXT, 30), q.by_clerk, None),
        _hour_table(q),
    ]  # fmt: skip
    if report.period.days > 1:
        tables.append(_day_table(q))
    tables += [
        _field_table(report.dossiers.by_field, report.dossiers.total),
        _procedure_table(report.dossiers.by_procedure, report.dossiers.total, field_names),
        *_rating_tables(report),
    ]
    return tuple(tables)
