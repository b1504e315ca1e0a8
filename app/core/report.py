"""The centre's period report, as figures: the queue (from app/core/kpi.py's tally), the dossiers by the national
columns (app/core/report_dossiers.py) and the citizens' ratings (app/core/rating.py).

A period is whole local days (Asia/Ho_Chi_Minh), [first 00:00, last + 1 day 00:00). Figures are as of the end of
the period, or now when the period has not ended yet. The director's dashboard calls the same functions.

Queue figures, all from state intervals:
- lượt lấy số: tickets issued in the period (per hour: by the local hour of issue);
- đã phục vụ: tickets whose outcome is served; per hour also "xong trong giờ", by the hour service ended;
- vắng mặt: no-shows; a no-show is credited to the counter and clerk whose call went unanswered;
- chờ: last call before serving − issue, over the tickets that were called; đi tới quầy: that call → serving;
- phục vụ: the sum of serving intervals, over the tickets that reached serving;
- chờ quá mục tiêu: the share of called tickets that waited strictly longer than centre.policy.wait_target_s;
- a visit is credited to the counter and clerk of its last serving interval, to the group it is in at the end;
  groups are named by Centre.group_names: the current name, else the name a removed group had when it went.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.core.centre import Centre
from app.core.clock import LOCAL_TZ
from app.core.dossier import Dossier
from app.core.errors import DomainError
from app.core.kpi import Bucket, DurationStats, duration_stats, share_over, tally
from app.core.rating import DEFAULT_SCALE, Rating, RatingScale, RatingSummary, summarise_ratings
from app.core.report_dossiers import DossierSection, dossier_section
from app.core.ticket import Ticket

MAX_DAYS = 366  # a year and a day: a report over more is a mistake in the dates


@dataclass(frozen=True)
class ReportPeriod:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise DomainError(
                f"Ngày kết thúc {self.last:%d/%m/%Y} trước ngày bắt đầu {self.first:%d/%m/%Y}.", code="bad_period"
            )
        if self.days > MAX_DAYS:
            raise DomainError(f"Kỳ báo cáo dài quá {MAX_DAYS} ngày.", code="bad_period")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """Local midnight opening the first day (an aware instant)."""
        return datetime.combine(self.first, time(0), tzinfo=LOCAL_TZ)

    @property
    def end(self) -> datetime:
        """Local midnight closing the last day."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)

    def as_of(self, now: datetime) -> datetime:
        """The moment the figures describe: the end of the period, or `now` while it runs."""
        return min(now, self.end)

    def label(self) -> str:
        if self.first == self.last:
            return f"Ngày {self.first:%d/%m/%Y}"
        return f"Từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"

    def as_of_label(self, as_of: datetime) -> str:
        """ "số liệu đến hết ngày 23/11/2026", or the hour while the period runs."""
        if as_of >= self.end:
            return f"số liệu đến hết ngày {self.last:%d/%m/%Y}"
        moment = as_of.astimezone(LOCAL_TZ)
        return f"số liệu đến {moment:%H:%M} ngày {moment:%d/%m/%Y}"


@dataclass(frozen=True)
class QueueRow:
    key: str  # group code, counter id, clerk username, "08" (hour) or "2026-11-23" (day)
    name: str
    tickets: int  # issued (a group, hour or day) or visits credited (a counter or clerk)
    served: int
    no_show: int
    wait: DurationStats
    service: DurationStats
    over_target_share: float | None
    finished: int | None = None  # per hour: services that ended in that hour


@dataclass(frozen=True)
class QueueSection:
    total: QueueRow
    outcomes: Mapping[str, int]  # served, no_show, left, removed_at_close
    walk: DurationStats
    no_show_rate: float | None  # no-shows over called tickets
    wait_target_s: float
    by_group: tuple[QueueRow, ...]
    by_counter: tuple[QueueRow, ...]
    by_clerk: tuple[QueueRow, ...]
    by_hour: tuple[QueueRow, ...]
    by_day: tuple[QueueRow, ...]


def _row(key: str, name: str, bucket: Bucket, target: float, *, no_show: int | None = None,
         finished: int | None = None) -> QueueRow:  # fmt: skip
    return QueueRow(
        key=key,
        name=name,
        tickets=bucket.issued,
        served=bucket.served,
        no_show=bucket.no_show if no_show is None else no_show,
        wait=duration_stats(bucket.waits),
        service=duration_stats(bucket.services),
        over_target_share=share_over(bucket.waits, target),
        finished=finished,
    )


def clerk_label(username: str, names: Mapping[str, str]) -> str:
    name = names.get(username, "")
    return f"{name} ({username})" if name and name != username else username


def queue_section(
    tickets: Iterable[Ticket], now: datetime, centre: Centre, clerk_names: Mapping[str, str] | None = None
) -> QueueSection:
    target = centre.policy.wait_target_s
    names = clerk_names or {}
    t = tally(tickets, now)
    called = len(t.total.waits)
    groups = centre.group_names()  # a group removed since keeps the name it had (Centre.group_names)
    counters = {c.id: c.name for c in centre.counters}
    counter_ids = sorted(set(t.by_counter) | set(t.no_show_by_counter))
    clerks = sorted(set(t.by_clerk) | set(t.no_show_by_clerk))
    hours = sorted(set(t.by_hour) | set(t.served_by_hour))
    return QueueSection(
        total=_row("", "Toàn Trung tâm", t.total, target),
        outcomes=dict(t.outcomes),
        walk=duration_stats(t.walks),
        no_show_rate=t.total.no_show / called if called else None,
        wait_target_s=target,
        by_group=tuple(_row(k, groups.get(k, k), b, target) for k, b in sorted(t.by_group.items())),
        by_counter=tuple(
            _row(
                str(c),
                counters.get(c, f"Quầy {c}"),
                t.by_counter.get(c, Bucket()),
                target,
                no_show=t.no_show_by_counter.get(c, 0),
            )
            for c in counter_ids
        ),
        by_clerk=tuple(
            _row(k, clerk_label(k, names), t.by_clerk.get(k, Bucket()), target, no_show=t.no_show_by_clerk.get(k, 0))
            for k in clerks
        ),
        by_hour=tuple(
            _row(
                f"{h:02d}",
                f"{h:02d}:00–{h + 1:02d}:00",
                t.by_hour.get(h, Bucket()),
                target,
                finished=t.served_by_hour.get(h, 0),
            )
            for h in hours
        ),
        by_day=tuple(_row(d.isoformat(), f"{d:%d/%m/%Y}", b, target) for d, b in sorted(t.by_day.items())),
    )


@dataclass(frozen=True)
class PeriodReport:
    centre_name: str
    unit_code: str
    period: ReportPeriod
    as_of: datetime
    queue: QueueSection
    dossiers: DossierSection
    ratings: RatingSummary | None  # None: the centre records no ratings yet
    clerk_names: Mapping[str, str]  # username → full name
    counter_names: Mapping[int, str]


def build_report(
    centre: Centre,
    period: ReportPeriod,
    now: datetime,
    tickets: Iterable[Ticket],
    dossiers: Iterable[Dossier],
    *,
    ratings: Iterable[Rating] | None = None,
    scale: RatingScale = DEFAULT_SCALE,
    clerk_names: Mapping[str, str] | None = None,
    field_names: Mapping[str, str] | None = None,
) -> PeriodReport:
    """Every figure of the report. `tickets`: those issued in the period; `dossiers`: every dossier received
    before the period ended (the carried-over ones included); `ratings`: those given in the period, or None."""
    as_of = period.as_of(now)
    names = dict(clerk_names or {})
    fields = dict(field_names or {})
    named: list[tuple[tuple[str, ...], str]] = [(g.fields, g.name) for g in centre.groups]
    named += [(r.fields, r.name) for r in centre.retired_groups]  # after the current ones: those win a shared field
    for codes, name in named:  # the default centre has one group per field, named after it
        for code in codes:
            fields.setdefault(code, name)
    return PeriodReport(
        centre_name=centre.name,
        unit_code=centre.unit_code,
        period=period,
        as_of=as_of,
        queue=queue_section(tickets, as_of, centre, names),
        dossiers=dossier_section(dossiers, period.start, as_of, fields),
        ratings=summarise_ratings(ratings, scale) if ratings is not None else None,
        clerk_names=names,
        counter_names={c.id: c.name for c in centre.counters},
    )
