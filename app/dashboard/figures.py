"""What GET /api/report answers, read back into the core's own objects, and how the dashboard writes numbers.

The figures are never recomputed here: `report` is the very `PeriodReport` the XLSX and PDF writers take
(app/core/report_codec.py), `charts` the core's chart figures (app/core/report_charts.py). The live part (each
counter's clerk, today's dossier files) is kept as the service sent it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.clock import LOCAL_TZ, from_iso
from app.core.report import PeriodReport
from app.core.report_charts import ChartFigures, charts_from_dict
from app.core.report_codec import report_from_dict

NONE = "–"
NO_RATINGS = "Chưa có đánh giá"
PAUSE_REASONS = {"break": "nghỉ giải lao", "back_office": "xử lý hồ sơ", "meeting": "họp"}
PAUSE_SHORT = {"break": "nghỉ", "back_office": "hồ sơ", "meeting": "họp"}
STATUS_WORDS = {"open": "đang mở", "paused": "tạm dừng", "closed": "đóng", "called": "đang gọi",
                "serving": "đang phục vụ", "free": "đang chờ khách"}  # fmt: skip


@dataclass(frozen=True)
class Figures:
    report: PeriodReport
    charts: ChartFigures
    counters: tuple[dict[str, Any], ...] = ()  # id, name, status, reason, clerk (username), since
    mirror_today: dict[str, int] = field(default_factory=dict)  # complete, files_missing
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class BadFigures(ValueError):
    """The service's answer is not the dashboard's figures (another version, a broken answer)."""


def decode(data: dict[str, Any]) -> Figures:
    try:
        live = data.get("live") or {}
        return Figures(
            report=report_from_dict(data["report"]),
            charts=charts_from_dict(data["charts"]),
            counters=tuple(dict(c) for c in live.get("counters") or ()),
            mirror_today={str(k): int(v) for k, v in (live.get("mirror_today") or {}).items()},
            raw=data,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadFigures("Máy chủ Trung tâm trả số liệu không đúng định dạng của màn hình lãnh đạo.") from exc


# --- numbers the Vietnamese way -------------------------------------------------------------------------


def number(value: float, decimals: int = 0) -> str:
    """1.234,5: dot for thousands, comma for decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def count(value: int | None) -> str:
    return NONE if value is None else number(value)


def minutes(seconds: float | None) -> str:
    """'12,5 phút'; '–' without a value."""
    if seconds is None:
        return NONE
    return f"{number(seconds / 60, 1)} phút"


def minutes_short(seconds: float | None) -> str:
    return NONE if seconds is None else number(seconds / 60, 1)


def percent(share: float | None) -> str:
    return NONE if share is None else f"{number(share * 100, 1)} %"


def clock_text(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%H:%M")


def since_text(text: str | None) -> str:
    if not text:
        return ""
    try:
        return clock_text(from_iso(text))
    except ValueError:
        return ""


def clerk_name(username: str | None, names: dict[str, str] | Any) -> str:
    if not username:
        return NONE
    name = names.get(username) if hasattr(names, "get") else None
    return f"{name}" if name else username


def satisfied_text(report: PeriodReport) -> str:
    r = report.ratings
    if r is None or r.total.total == 0:
        return NO_RATINGS
    return f"{percent(r.total.satisfied_share)} hài lòng ({count(r.total.total)} lượt)"
