"""Queue KPIs, every one a sum over state intervals.

wait    = the call that brought the citizen to the counter − issue (the last call if recalled)
walk    = that call → start of serving
service = sum of serving intervals

`tally` walks the tickets once and keeps the raw durations per group, counter, clerk, hour and day;
`compute_kpis` (the API's /stats) and the period report (app/core/report.py) both read that one tally.
A visit is credited to the counter and clerk of its last serving interval; a no-show, never served, to
the counter and clerk whose call it ignored (`no_show_by_counter`, `no_show_by_clerk`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import Any

from app.core.clock import LOCAL_TZ
from app.core.ticket import Interval, Outcome, State, Ticket


@dataclass(frozen=True)
class VisitTimes:
    wait_s: float | None  # None: never called
    walk_s: float | None  # None: never started
    service_s: float


def visit_times(ticket: Ticket, now: datetime) -> VisitTimes:
    last_call: Interval | None = None
    walk: float | None = None
    for interval in ticket.intervals:
        if interval.state is State.CALLED and walk is None:
            last_call = interval
        elif interval.state is State.SERVING and walk is None and last_call is not None:
            walk = (interval.start - last_call.start).total_seconds()
    wait = (last_call.start - ticket.issued_at).total_seconds() if last_call else None
    service = sum(i.seconds(now) for i in ticket.intervals if i.state is State.SERVING)
    return VisitTimes(wait, walk, service)


def percentile(values: Sequence[float], pct: int) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `pct` % of the values at or below it
    (the rank in integers, so it is exact whatever the count)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-pct * len(ordered) // 100)  # ceil(pct/100 × n)
    return ordered[max(0, rank - 1)]


@dataclass(frozen=True)
class DurationStats:
    """Seconds, unrounded; None when there is no value."""

    count: int
    avg: float | None
    median: float | None
    p90: float | None
    max: float | None


def duration_stats(values: Sequence[float]) -> DurationStats:
    if not values:
        return DurationStats(0, None, None, None, None)
    return DurationStats(len(values), sum(values) / len(values), median(values), percentile(values, 90), max(values))


def share_over(values: Sequence[float], target: float) -> float | None:
    """The share of `values` strictly above `target` (a wait equal to the target met it); None without values."""
    return sum(1 for v in values if v > target) / len(values) if values else None


def _stats(values: list[float]) -> dict[str, float | None]:
    s = duration_stats(values)
    if s.count == 0:
        return {"avg": None, "median": None, "max": None}
    return {"avg": round(s.avg or 0.0, 1), "median": round(s.median or 0.0, 1), "max": round(s.max or 0.0, 1)}


@dataclass
class Bucket:
    """The raw figures of one slice of the tickets (a group, a counter, an hour…)."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    waits: list[float] = field(default_factory=list)  # one per called ticket
    services: list[float] = field(default_factory=list)  # one per ticket that reached serving

    def summary(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "wait_s": _stats(self.waits),
            "service_s": _stats(self.services),
        }


@dataclass
class Tally:
    """Every figure the KPIs and the report need, kept raw (durations in seconds) after one pass over the tickets."""

    total: Bucket = field(default_factory=Bucket)
    by_group: dict[str, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    by_counter: dict[int, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    by_clerk: dict[str, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    by_hour: dict[int, Bucket] = field(default_factory=lambda: defaultdict(Bucket))  # local hour of issue
    by_day: dict[date, Bucket] = field(default_factory=lambda: defaultdict(Bucket))  # local day of issue
    served_by_hour: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # local hour service ended
    no_show_by_counter: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    no_show_by_clerk: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    outcomes: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    walks: list[float] = field(default_factory=list)
    waiting_now: int = 0


def tally(tickets: Iterable[Ticket], now: datetime) -> Tally:
    t = Tally()
    for ticket in tickets:
        times = visit_times(ticket, now)
        issued = ticket.issued_at.astimezone(LOCAL_TZ)
        serving = [i for i in ticket.intervals if i.state is State.SERVING]
        last = serving[-1] if serving else None
        buckets = [t.total, t.by_group[ticket.group], t.by_hour[issued.hour], t.by_day[ticket.day]]
        if last is not None and last.counter is not None:
            buckets.append(t.by_counter[last.counter])
        if last is not None and last.clerk:
            buckets.append(t.by_clerk[last.clerk])
        for bucket in buckets:
            bucket.issued += 1
            if ticket.outcome is Outcome.SERVED:
                bucket.served += 1
            if ticket.outcome is Outcome.NO_SHOW:
                bucket.no_show += 1
            if times.wait_s is not None:
                bucket.waits.append(times.wait_s)
            if serving:
                bucket.services.append(times.service_s)
        if ticket.outcome is Outcome.SERVED and last is not None and last.end is not None:
            t.served_by_hour[last.end.astimezone(LOCAL_TZ).hour] += 1
        if ticket.outcome is Outcome.NO_SHOW:
            call = next((i for i in reversed(ticket.intervals) if i.state is State.CALLED), None)
            if call is not None and call.counter is not None:
                t.no_show_by_counter[call.counter] += 1
            if call is not None and call.clerk:
                t.no_show_by_clerk[call.clerk] += 1
        if ticket.outcome is not None:
            t.outcomes[ticket.outcome.value] += 1
        if ticket.state is State.WAITING:
            t.waiting_now += 1
        if times.walk_s is not None:
            t.walks.append(times.walk_s)
    return t


def compute_kpis(tickets: Iterable[Ticket], now: datetime, wait_target_s: float) -> dict[str, Any]:
    t = tally(tickets, now)
    called = len(t.total.waits)
    over_target = share_over(t.total.waits, wait_target_s)
    return {
        **t.total.summary(),
        "waiting_now": t.waiting_now,
        "outcomes": t.outcomes,
        "walk_s": _stats(t.walks),
        "no_show_rate": round(t.total.no_show / called, 4) if called else None,
        "wait_target_s": wait_target_s,
        "over_target_share": round(over_target, 4) if over_target is not None else None,
        "by_group": {k: v.summary() for k, v in sorted(t.by_group.items())},
        "by_counter": {str(k): v.summary() for k, v in sorted(t.by_counter.items())},
        "by_clerk": {k: v.summary() for k, v in sorted(t.by_clerk.items())},
        "by_hour": {f"{k:02d}": v.summary() for k, v in sorted(t.by_hour.items())},
    }
