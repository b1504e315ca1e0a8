"""Queue KPIs, every one a sum over state intervals.

wait    = the call that brought the citizen to the counter − issue (the last call if recalled)
walk    = that call → start of serving
service = sum of serving intervals
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
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


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"avg": None, "median": None, "max": None}
    return {
        "avg": round(sum(values) / len(values), 1),
        "median": round(median(values), 1),
        "max": round(max(values), 1),
    }


@dataclass
class _Bucket:
    issued: int = 0
    served: int = 0
    no_show: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "wait_s": _stats(self.waits),
            "service_s": _stats(self.services),
        }


def compute_kpis(tickets: Iterable[Ticket], now: datetime, wait_target_s: float) -> dict[str, Any]:
    total = _Bucket()
    by_group: dict[str, _Bucket] = defaultdict(_Bucket)
    by_counter: dict[int, _Bucket] = defaultdict(_Bucket)
    by_clerk: dict[str, _Bucket] = defaultdict(_Bucket)
    by_hour: dict[int, _Bucket] = defaultdict(_Bucket)
    outcomes: dict[str, int] = {o.value: 0 for o in Outcome}
    walks: list[float] = []
    waiting_now = over_target = called = 0
    for ticket in tickets:
        times = visit_times(ticket, now)
        hour = ticket.issued_at.astimezone(LOCAL_TZ).hour
        serving = [i for i in ticket.intervals if i.state is State.SERVING]
        last = serving[-1] if serving else None
        buckets = [total, by_group[ticket.group], by_hour[hour]]
        if last is not None and last.counter is not None:
            buckets.append(by_counter[last.counter])
        if last is not None and last.clerk:
            buckets.append(by_clerk[last.clerk])
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
        if ticket.outcome is not None:
            outcomes[ticket.outcome.value] += 1
        if ticket.state is State.WAITING:
            waiting_now += 1
        if times.wait_s is not None:
            called += 1
            over_target += times.wait_s > wait_target_s
        if times.walk_s is not None:
            walks.append(times.walk_s)
    return {
        **total.summary(),
        "waiting_now": waiting_now,
        "outcomes": outcomes,
        "walk_s": _stats(walks),
        "no_show_rate": round(total.no_show / called, 4) if called else None,
        "wait_target_s": wait_target_s,
        "over_target_share": round(over_target / called, 4) if called else None,
        "by_group": {k: v.summary() for k, v in sorted(by_group.items())},
        "by_counter": {str(k): v.summary() for k, v in sorted(by_counter.items())},
        "by_clerk": {k: v.summary() for k, v in sorted(by_clerk.items())},
        "by_hour": {f"{k:02d}": v.summary() for k, v in sorted(by_hour.items())},
    }
