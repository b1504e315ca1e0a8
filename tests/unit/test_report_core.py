"""The report's pure parts: periods in local days, percentiles, the national columns' edge cases, ratings, tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.catalog import Catalog, PriorityCategory
from app.core.catalog import Field as CatalogField
from app.core.centre import default_centre
from app.core.clock import local_day
from app.core.dossier import Channel, Citizen, Dossier, Pause, Status, Statutory, Step
from app.core.errors import DomainError
from app.core.kpi import duration_stats, percentile, share_over, tally
from app.core.rating import FIVE_LEVELS, THREE_LEVELS, Rating, RatingScale, check_rating, summarise_ratings
from app.core.report import ReportPeriod, build_report, queue_section
from app.core.report_dossiers import Counts, classify, closing, dossier_section
from app.core.report_tables import Cell, Kind, report_tables
from app.core.ticket import Ticket
from tests.unit.report_day import at, d

DAY = date(2026, 11, 23)
START, END = at(DAY, 0), at(d(24), 0)


# --- periods and statistics ---------------------------------------------------------------------------


def test_a_period_is_whole_local_days() -> None:
    p = ReportPeriod(DAY, DAY)
    assert p.start == datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # midnight in Hà Nội
    assert p.end - p.start == timedelta(days=1)
    assert p.label() == "Ngày 23/11/2026"
    assert ReportPeriod(d(1), d(30)).label() == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    assert ReportPeriod(d(1), d(30)).days == 30
    assert p.as_of(at(d(30), 9)) == p.end
    assert p.as_of(at(DAY, 9)) == at(DAY, 9)
    assert p.as_of_label(p.end) == "số liệu đến hết ngày 23/11/2026"
    assert p.as_of_label(at(DAY, 9, 5)) == "số liệu đến 09:05 ngày 23/11/2026"


@pytest.mark.parametrize(("first", "last"), [(d(24), d(23)), (date(2025, 1, 1), date(2026, 1, 5))])
def test_a_bad_period_is_refused_in_vietnamese(first: date, last: date) -> None:
    with pytest.raises(DomainError) as caught:
        ReportPeriod(first, last)
    assert caught.value.code == "bad_period"
    assert "ngày" in caught.value.message


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]  # 1…10
    assert percentile(values, 90) == 9.0
    assert percentile(values, 50) == 5.0
    assert percentile([7.0], 90) == 7.0
    assert percentile([], 90) is None
    assert percentile([3.0, 1.0, 2.0], 90) == 3.0
    assert percentile([float(v) for v in range(1, 71)], 90) == 63.0
    stats = duration_stats([60.0, 120.0, 600.0])
    assert (stats.count, stats.avg, stats.median, stats.p90, stats.max) == (3, 260.0, 120.0, 600.0, 600.0)
    assert duration_stats([]).avg is None
    assert share_over([100.0, 200.0, 300.0], 200.0) == pytest.approx(1 / 3)  # equal to the target met it
    assert share_over([], 1.0) is None


def _ticket(tid: int, group: str, issued: datetime) -> Ticket:
    return Ticket.issue(id=tid, day=local_day(issued), group=group, number=tid,
                        display=f"A{tid:03d}", now=issued)  # fmt: skip


def test_a_no_show_is_credited_to_the_calling_counter_and_the_hour_service_ended() -> None:
    served = _ticket(1, "HT", at(DAY, 8, 50))
    served.call(counter=2, clerk="minh", now=at(DAY, 8, 55))
    served.start(now=at(DAY, 8, 56))
    served.finish(now=at(DAY, 9, 10))
    gone = _ticket(2, "HT", at(DAY, 9))
    gone.call(counter=3, clerk="lan", now=at(DAY, 9, 5))
    gone.no_show(now=at(DAY, 9, 9))
    t = tally([served, gone], at(DAY, 12))
    assert dict(t.served_by_hour) == {9: 1}
    assert dict(t.no_show_by_counter) == {3: 1}
    assert dict(t.no_show_by_clerk) == {"lan": 1}
    assert set(t.by_counter) == {2}  # the no-show never reached serving
    centre = default_centre(_catalog())
    q = queue_section([served, gone], at(DAY, 12), centre, {"lan": "Nguyễn Thị Lan"})
    assert [(r.key, r.tickets, r.no_show) for r in q.by_counter] == [("2", 1, 0), ("3", 0, 1)]
    assert [(r.name, r.no_show) for r in q.by_clerk] == [("Nguyễn Thị Lan (lan)", 1), ("minh", 0)]
    assert [(r.key, r.tickets, r.finished) for r in q.by_hour] == [("08", 1, 0), ("09", 1, 1)]
    assert q.no_show_rate == 0.5


# --- the national columns -------------------------------------------------------------------------------


def _catalog() -> Catalog:
    return Catalog(fields=(CatalogField("HT", "Hộ tịch"), CatalogField("CT", "Chứng thực")), procedures=(),
                   priority_categories=(PriorityCategory("elderly", "Người cao tuổi"),))  # fmt: skip


def dossier(received: datetime, due: datetime | None, *steps: tuple[datetime, Status],
            channel: Channel = Channel.DIRECT, field: str = "HT", procedure: str = "1.004873") -> Dossier:  # fmt: skip
    made = Dossier(
        code=f"X-{received:%m%d%H%M}", procedure_code=procedure, procedure_name=f"Thủ tục {procedure}",
        field_code=field, citizen=Citizen("034186012345", "Nguyễn Văn A"), components=(), received_at=received,
        due_at=due, statutory=Statutory(3, "working_days"), clerk="lan", counter=1, channel=channel,
        steps=(Step(received, Status.RECEIVED, "lan", "Tiếp nhận hồ sơ"),),
    )  # fmt: skip
    for when, status in steps:
        made = replace(made, status=status, steps=(*made.steps, Step(when, status, "lan", "…")))
    return made


@pytest.mark.parametrize(
    ("made", "columns"),
    [
        (dossier(at(DAY, 9), at(d(25), 9)), ("direct_post", "within")),
        (dossier(at(DAY, 9), at(d(25), 9), channel=Channel.POST), ("direct_post", "within")),
        (dossier(at(DAY, 9), at(d(25), 9), channel=Channel.ONLINE), ("online", "within")),
        (dossier(at(d(20), 9), at(d(23), 16)), ("carried", "overdue")),  # due in the day, still open at its end
        (dossier(at(d(20), 9), at(d(24), 0)), ("carried", "within")),  # due exactly at the end: not yet late
        (dossier(at(d(20), 9), None), ("carried", "within")),
        (dossier(at(d(20), 9), at(d(21), 9), (at(DAY, 23, 59), Status.DONE)), ("carried", "late")),
        (dossier(at(DAY, 9), at(DAY, 17), (at(DAY, 17, 30), Status.DONE)), ("direct_post", "on_time")),  # same day
        (dossier(at(DAY, 9), at(d(24), 8), (at(DAY, 16), Status.RETURNED)), ("direct_post", "early")),
        (dossier(at(DAY, 9), None, (at(DAY, 16), Status.DONE)), ("direct_post", "on_time")),
        (dossier(at(DAY, 9), at(DAY, 17), (at(DAY, 10), Status.REFUSED)), ("direct_post", "returned")),
        (dossier(at(d(2), 9), at(d(9), 9), (at(DAY, 10), Status.STOPPED)), ("carried", "returned")),
        (dossier(at(DAY, 9), at(DAY, 17), (at(DAY, 10), Status.WITHDRAWN)), ("direct_post", "withdrawn")),
        # done, then returned later: the first closing step counts
        (dossier(at(d(20), 9), at(d(22), 9), (at(d(21), 9), Status.DONE), (at(DAY, 9), Status.RETURNED)), None),
        (dossier(at(d(20), 9), at(d(22), 9), (at(d(21), 9), Status.PROCESSING)), ("carried", "overdue")),
        (dossier(at(d(24), 0), at(d(25), 9)), None),  # the first instant after the day
        (dossier(at(d(20), 9), at(d(22), 9), (at(d(22), 23, 59), Status.WITHDRAWN)), None),
        (dossier(at(d(20), 9), at(d(22), 9), (at(d(24), 8), Status.DONE)), ("carried", "overdue")),
    ],
)
def test_classify(made: Dossier, columns: tuple[str, str] | None) -> None:
    assert classify(made, START, END) == columns


def test_a_running_pause_keeps_a_dossier_within_its_deadline() -> None:
    paused = replace(dossier(at(d(18), 9), at(d(20), 9)), pauses=(Pause(at(d(19), 9), None, "Tờ khai"),))
    assert classify(paused, START, END) == ("carried", "within")
    resumed = replace(paused, pauses=(Pause(at(d(19), 9), at(DAY, 9), "Tờ khai"),))
    assert classify(resumed, START, END) == ("carried", "overdue")


def test_a_record_without_steps_closes_by_its_status() -> None:
    imported = replace(dossier(at(d(20), 9), at(d(22), 9)), steps=(), status=Status.RETURNED, returned_at=at(DAY, 9))
    assert closing(imported) == ("done", at(DAY, 9))
    assert classify(imported, START, END) == ("carried", "late")
    assert closing(replace(imported, status=Status.PROCESSING)) is None


def test_a_period_still_running_counts_to_now() -> None:
    now = at(DAY, 12)
    assert classify(dossier(at(DAY, 13), at(DAY, 17)), START, now) is None  # received after now
    assert classify(dossier(at(d(20), 9), at(DAY, 16)), START, now) == ("carried", "within")  # due this afternoon


def test_rows_per_field_and_procedure_and_their_totals() -> None:
    dossiers = [
        dossier(at(DAY, 9), at(d(25), 9), field="CT", procedure="2.000815"),
        dossier(at(DAY, 10), at(d(25), 9), (at(DAY, 11), Status.DONE)),
        dossier(at(d(20), 10), at(d(21), 9)),
        dossier(at(DAY, 11), at(d(25), 9), field="ZZ", procedure="9.999999"),
    ]
    s = dossier_section(dossiers, START, END, {"HT": "Hộ tịch", "CT": "Chứng thực"})
    assert [(r.code, r.name) for r in s.by_field] == [("HT", "Hộ tịch"), ("CT", "Chứng thực"), ("ZZ", "ZZ")]
    assert [r.code for r in s.by_procedure] == ["1.004873", "2.000815", "9.999999"]
    assert s.by_procedure[0].field_code == "HT"
    assert s.total == Counts(carried=1, direct_post=3, early=1, within=2, overdue=1)
    assert s.total.received == s.total.done + s.total.in_progress + s.total.returned + s.total.withdrawn == 4
    assert s.total.on_time_share == 1.0
    assert Counts().on_time_share is None


# --- ratings ----------------------------------------------------------------------------------------------


def rating(level: int, clerk: str | None = "lan", counter: int | None = 1, reason: str | None = None) -> Rating:
    return Rating(1, counter, clerk, None, level, reason, at(DAY, 10))


def test_the_default_scale_has_three_levels_and_five_is_possible() -> None:
    assert THREE_LEVELS.labels == ("Không hài lòng", "Hài lòng", "Rất hài lòng")
    assert [THREE_LEVELS.satisfied(lv) for lv in (1, 2, 3, 4)] == [False, True, True, False]
    assert FIVE_LEVELS.label(5) == "Rất hài lòng"
    assert [FIVE_LEVELS.satisfied(lv) for lv in (3, 4)] == [False, True]
    with pytest.raises(ValueError, match="2 to 5"):
        RatingScale(("Tốt",), satisfied_from=1)
    with pytest.raises(ValueError, match="satisfied_from"):
        RatingScale(("Không", "Có"), satisfied_from=1)
    with pytest.raises(ValueError, match="naive"):
        Rating(1, 1, "lan", None, 3, None, datetime(2026, 11, 23, 10))


def test_check_rating_speaks_vietnamese() -> None:
    assert check_rating(rating(3)).level == 3
    with pytest.raises(DomainError, match="Mức đánh giá phải từ 1 đến 3"):
        check_rating(rating(4))
    assert check_rating(rating(5), FIVE_LEVELS).level == 5
    with pytest.raises(DomainError, match="Lý do dài quá"):
        check_rating(rating(1, reason="x" * 501))


def test_summary_per_level_clerk_and_counter() -> None:
    s = summarise_ratings(
        [rating(3), rating(2), rating(1, reason="Chờ lâu"), rating(3, "minh", 2), rating(9), rating(3, None, None)]
    )
    assert dict(s.total.per_level) == {1: 1, 2: 1, 3: 3}
    assert (s.total.total, s.total.rated, s.total.out_of_scale, s.total.satisfied) == (6, 5, 1, 4)
    assert s.total.satisfied_share == 0.8
    assert s.total.share(3) == 0.6
    assert list(s.by_clerk) == ["", "lan", "minh"]
    assert s.by_clerk["lan"].total == 4
    assert s.by_clerk["lan"].satisfied_share == pytest.approx(2 / 3)
    assert list(s.by_counter) == [0, 1, 2]
    assert s.with_reason == 1
    empty = summarise_ratings([])
    assert empty.total.total == 0
    assert empty.total.satisfied_share is None


# --- the tables ------------------------------------------------------------------------------------------


def test_tables_are_numbers_with_kinds_and_sheet_names_fit_excel() -> None:
    centre = default_centre(_catalog())
    t = _ticket(1, "HT", at(DAY, 8))
    t.call(counter=1, clerk="lan", now=at(DAY, 8, 10))
    t.start(now=at(DAY, 8, 11))
    t.finish(now=at(DAY, 8, 20))
    report = build_report(centre, ReportPeriod(DAY, d(24)), at(d(30), 9), [t], [dossier(at(DAY, 9), at(d(25), 9))])
    tables = report_tables(report)
    names = [table.sheet for table in tables]
    assert len(names) == len(set(names))
    assert "Theo ngày" in names  # a period of more than one day
    assert names[-1] == "Đánh giá"
    assert tables[-1].rows == ()
    assert tables[-1].empty == "Chưa có đánh giá"
    for table in tables:
        for row in table.rows:
            for value, column in zip(row, table.columns, strict=True):
                kind = value.kind if isinstance(value, Cell) else column.kind
                plain = value.value if isinstance(value, Cell) else value
                if kind is not Kind.TEXT and plain is not None:
                    assert isinstance(plain, (int, float)), (table.sheet, row)
    groups = next(table for table in tables if table.sheet == "Theo nhóm")
    assert groups.rows[0][:6] == ("HT", "Hộ tịch", 1, 1, 0, 10.0)  # 10 minutes' wait, as minutes
    assert report.dossiers.total.direct_post == 1
    assert report.ratings is None
