"""The period report (app/core/report.py) to and from plain JSON-able dicts: what GET /api/report answers and what
the director's dashboard turns back into the very `PeriodReport` the XLSX and PDF writers take.

Round trip is exact: `report_from_dict(json.loads(json.dumps(report_to_dict(r)))) == r` (floats survive JSON as
they are; mapping keys that are counter ids come back as ints). Unknown keys are ignored, so the service may add
figures an older dashboard does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.clock import from_iso, to_iso
from app.core.kpi import DurationStats
from app.core.rating import RatingCounts, RatingScale, RatingSummary
from app.core.report import PeriodReport, QueueRow, QueueSection, ReportPeriod
from app.core.report_dossiers import Counts, DossierRow, DossierSection

_STATS = ("count", "avg", "median", "p90", "max")
_COUNTS = ("carried", "online", "direct_post", "early", "on_time", "late", "within", "overdue", "returned",
           "withdrawn")  # fmt: skip


# --- to dicts ---------------------------------------------------------------------------------------------


def _stats_to(s: DurationStats) -> dict[str, Any]:
    return {k: getattr(s, k) for k in _STATS}


def _row_to(r: QueueRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "name": r.name,
        "tickets": r.tickets,
        "served": r.served,
        "no_show": r.no_show,
        "wait": _stats_to(r.wait),
        "service": _stats_to(r.service),
        "over_target_share": r.over_target_share,
        "finished": r.finished,
    }


def _queue_to(q: QueueSection) -> dict[str, Any]:
    return {
        "total": _row_to(q.total),
        "outcomes": dict(q.outcomes),
        "walk": _stats_to(q.walk),
        "no_show_rate": q.no_show_rate,
        "wait_target_s": q.wait_target_s,
        **{part: [_row_to(r) for r in getattr(q, part)]
           for part in ("by_group", "by_counter", "by_clerk", "by_hour", "by_day")},
    }  # fmt: skip


def _counts_to(c: Counts) -> dict[str, int]:
    return {k: getattr(c, k) for k in _COUNTS}


def _dossier_row_to(r: DossierRow) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "counts": _counts_to(r.counts), "field_code": r.field_code}


def _rating_counts_to(c: RatingCounts) -> dict[str, Any]:
    return {"per_level": {str(k): v for k, v in c.per_level.items()}, "out_of_scale": c.out_of_scale,
            "satisfied": c.satisfied}  # fmt: skip


def _ratings_to(r: RatingSummary | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "scale": {"labels": list(r.scale.labels), "satisfied_from": r.scale.satisfied_from},
        "total": _rating_counts_to(r.total),
        "by_clerk": {k: _rating_counts_to(v) for k, v in r.by_clerk.items()},
        "by_counter": {str(k): _rating_counts_to(v) for k, v in r.by_counter.items()},
        "with_reason": r.with_reason,
    }


def report_to_dict(report: PeriodReport) -> dict[str, Any]:
    return {
        "centre_name": report.centre_name,
        "unit_code": report.unit_code,
        "period": {"from": report.period.first.isoformat(), "to": report.period.last.isoformat()},
        "as_of": to_iso(report.as_of),
        "queue": _queue_to(report.queue),
        "dossiers": {
            "by_field": [_dossier_row_to(r) for r in report.dossiers.by_field],
            "by_procedure": [_dossier_row_to(r) for r in report.dossiers.by_procedure],
            "total": _counts_to(report.dossiers.total),
        },
        "ratings": _ratings_to(report.ratings),
        "clerk_names": dict(report.clerk_names),
        "counter_names": {str(k): v for k, v in report.counter_names.items()},
    }


# --- from dicts -------------------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _stats_from(d: Mapping[str, Any]) -> DurationStats:
    return DurationStats(int(d["count"]), *(_num(d.get(k)) for k in _STATS[1:]))


def _row_from(d: Mapping[str, Any]) -> QueueRow:
    finished = d.get("finished")
    return QueueRow(
        key=str(d["key"]),
        name=str(d["name"]),
        tickets=int(d["tickets"]),
        served=int(d["served"]),
        no_show=int(d["no_show"]),
        wait=_stats_from(d["wait"]),
        service=_stats_from(d["service"]),
        over_target_share=_num(d.get("over_target_share")),
        finished=None if finished is None else int(finished),
    )


def _queue_from(d: Mapping[str, Any]) -> QueueSection:
    rate = d.get("no_show_rate")

    def rows(part: str) -> tuple[QueueRow, ...]:
        return tuple(_row_from(r) for r in d.get(part) or ())

    return QueueSection(
        total=_row_from(d["total"]),
        outcomes={str(k): int(v) for k, v in (d.get("outcomes") or {}).items()},
        walk=_stats_from(d["walk"]),
        no_show_rate=None if rate is None else _num(rate),
        wait_target_s=float(d["wait_target_s"]),
        by_group=rows("by_group"),
        by_counter=rows("by_counter"),
        by_clerk=rows("by_clerk"),
        by_hour=rows("by_hour"),
        by_day=rows("by_day"),
    )


def _counts_from(d: Mapping[str, Any]) -> Counts:
    return Counts(**{k: int(d.get(k, 0)) for k in _COUNTS})


def _dossier_row_from(d: Mapping[str, Any]) -> DossierRow:
    return DossierRow(str(d["code"]), str(d["name"]), _counts_from(d["counts"]), str(d.get("field_code") or ""))


def _rating_counts_from(d: Mapping[str, Any]) -> RatingCounts:
    return RatingCounts({int(k): int(v) for k, v in d["per_level"].items()}, int(d["out_of_scale"]),
                        int(d["satisfied"]))  # fmt: skip


def _ratings_from(d: Mapping[str, Any] | None) -> RatingSummary | None:
    if d is None:
        return None
    scale = RatingScale(tuple(str(x) for x in d["scale"]["labels"]), int(d["scale"]["satisfied_from"]))
    return RatingSummary(
        scale=scale,
        total=_rating_counts_from(d["total"]),
        by_clerk={str(k): _rating_counts_from(v) for k, v in d["by_clerk"].items()},
        by_counter={int(k): _rating_counts_from(v) for k, v in d["by_counter"].items()},
        with_reason=int(d["with_reason"]),
    )


def report_from_dict(d: Mapping[str, Any]) -> PeriodReport:
    """The report from its dict; KeyError, ValueError or TypeError on a dict that is not one."""
    dossiers = d["dossiers"]
    return PeriodReport(
        centre_name=str(d["centre_name"]),
        unit_code=str(d["unit_code"]),
        period=ReportPeriod(date.fromisoformat(d["period"]["from"]), date.fromisoformat(d["period"]["to"])),
        as_of=from_iso(str(d["as_of"])),
        queue=_queue_from(d["queue"]),
        dossiers=DossierSection(
            tuple(_dossier_row_from(r) for r in dossiers.get("by_field") or ()),
            tuple(_dossier_row_from(r) for r in dossiers.get("by_procedure") or ()),
            _counts_from(dossiers["total"]),
        ),
        ratings=_ratings_from(d.get("ratings")),
        clerk_names={str(k): str(v) for k, v in (d.get("clerk_names") or {}).items()},
        counter_names={int(k): str(v) for k, v in (d.get("counter_names") or {}).items()},
    )
