"""What the director's dashboard draws beside the report's tables, from the same tickets and dossiers and by the same
definitions (app/core/kpi.py's visit times, app/core/report_dossiers.py's columns):

- arrivals by weekday × local hour of issue (the heat-map; the report's per-hour table is its column sums);
- the waits of called tickets in bins of minutes (the histogram; its counts add up to the report's wait count);
- the dossiers due today that are still in progress (the live tab's "hẹn trả hôm nay").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.clock import LOCAL_TZ
from app.core.dossier import Dossier
from app.core.kpi import visit_times
from app.core.report import ReportPeriod
from app.core.report_dossiers import classify
from app.core.ticket import Ticket

# Upper edges of the wait bins, in minutes; the last bin is open (60 phút trở lên).
WAIT_EDGES_MIN = (5, 10, 15, 20, 30, 45, 60)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class WaitBin:
    low_min: int
    high_min: int | None  # None: the open last bin
    count: int

    @property
    def label(self) -> str:
        return f"{self.low_min}–{self.high_min}" if self.high_min is not None else f"≥ {self.low_min}"


@dataclass(frozen=True)
class ChartFigures:
    arrivals: Mapping[tuple[int, int], int]  # (weekday 0 = Monday, local hour) → tickets issued
    weekdays_in_period: Mapping[int, int]  # how many of each weekday the period has (for a per-day average)
    wait_bins: tuple[WaitBin, ...]
    due_today: int  # dossiers in progress whose appointment falls on the local day of `as_of`


def wait_bins(waits: Iterable[float]) -> tuple[WaitBin, ...]:
    counts = [0] * (len(WAIT_EDGES_MIN) + 1)
    for seconds in waits:
        minutes = seconds / 60
        index = next((i for i, edge in enumerate(WAIT_EDGES_MIN) if minutes < edge), len(WAIT_EDGES_MIN))
        counts[index] += 1
    lows = (0, *WAIT_EDGES_MIN)
    highs: tuple[int | None, ...] = (*WAIT_EDGES_MIN, None)
    return tuple(WaitBin(lo, hi, n) for lo, hi, n in zip(lows, highs, counts, strict=True))


def due_today(dossiers: Iterable[Dossier], period: ReportPeriod, as_of: datetime) -> int:
    day = as_of.astimezone(LOCAL_TZ).date()
    found = 0
    for d in dossiers:
        columns = classify(d, period.start, as_of)
        if columns is None or columns[1] not in ("within", "overdue") or d.due_at is None:
            continue
        found += d.due_at.astimezone(LOCAL_TZ).date() == day
    return found


def chart_figures(
    tickets: Iterable[Ticket], dossiers: Iterable[Dossier], period: ReportPeriod, now: datetime
) -> ChartFigures:
    """`tickets` issued in the period, `dossiers` received before it ended: what build_report takes."""
    as_of = period.as_of(now)
    arrivals: Counter[tuple[int, int]] = Counter()
    waits: list[float] = []
    for ticket in tickets:
        issued = ticket.issued_at.astimezone(LOCAL_TZ)
        arrivals[(issued.weekday(), issued.hour)] += 1
        wait = visit_times(ticket, as_of).wait_s
        if wait is not None:
            waits.append(wait)
    weekdays = Counter((period.first + timedelta(days=i)).weekday() for i in range(period.days))
    return ChartFigures(dict(arrivals), dict(weekdays), wait_bins(waits), due_today(dossiers, period, as_of))


def charts_to_dict(c: ChartFigures) -> dict[str, Any]:
    return {
        "arrivals": [[wd, h, n] for (wd, h), n in sorted(c.arrivals.items())],
        "weekdays_in_period": {str(k): v for k, v in sorted(c.weekdays_in_period.items())},
        "wait_bins": [[b.low_min, b.high_min, b.count] for b in c.wait_bins],
        "due_today": c.due_today,
    }


def charts_from_dict(d: Mapping[str, Any]) -> ChartFigures:
    return ChartFigures(
        arrivals={(int(wd), int(h)): int(n) for wd, h, n in d.get("arrivals") or ()},
        weekdays_in_period={int(k): int(v) for k, v in (d.get("weekdays_in_period") or {}).items()},
        wait_bins=tuple(WaitBin(int(lo), None if hi is None else int(hi), int(n)) for lo, hi, n in d["wait_bins"]),
        due_today=int(d.get("due_today") or 0),
    )
