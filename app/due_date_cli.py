"""`python -m app due-date`: the appointment date a clerk would write on Mẫu 01, explained."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from app.core.catalog import CatalogError
from app.core.clock import LOCAL_TZ
from app.core.workcalendar import NO_TIME_LIMIT, UNITS, DayOverride, due_date, time_limit_text

_RECEIVED = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_WEEKEND_NOTES = ("Thứ Bảy", "Chủ nhật")  # plain weekends are counted, not listed
_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


class _BadInput(Exception):
    pass


def _parse_received(text: str) -> datetime:
    cleaned = text.strip()
    try:
        if not _RECEIVED.match(cleaned):
            raise ValueError(cleaned)
        naive = datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise _BadInput(
            f"không hiểu thời điểm tiếp nhận {text!r}: nhập theo dạng YYYY-MM-DD HH:MM, ví dụ 2026-02-13 10:00."
        ) from exc
    return naive.replace(tzinfo=LOCAL_TZ)  # the counter's wall clock


def _spoken(instant: datetime) -> str:
    return f"{instant:%H:%M} {_WEEKDAYS[instant.weekday()]} {instant:%d/%m/%Y}"


def run_due_date(
    received_text: str,
    *,
    procedure: str | None,
    days: float | None,
    unit: str | None,
    catalog_path: Path | None,
    overrides: Sequence[DayOverride] = (),
) -> int:
    """Print the explanation, then the appointment as ISO 8601 with offset on the last line; 2 on bad input.

    `days`/`unit` given with `procedure` fill in (or replace) the catalogue's time, as the clerk types it.
    """
    from app.core.vn_holidays import vn_calendar  # imports `holidays`: only when the command runs

    lines: list[str] = []
    try:
        received = _parse_received(received_text)
        if days is not None and days < 0:
            raise _BadInput(f"số ngày phải không âm, không phải {days:g}.")
        if unit is not None and unit not in UNITS:
            raise _BadInput(f"đơn vị {unit!r} không hợp lệ: dùng working_days, days hoặc same_day.")
        if procedure is not None:
            from app.paths import default_catalog_path
            from app.store.catalog_file import load_catalog_file

            catalog = load_catalog_file(catalog_path or default_catalog_path())
            found = next((p for p in catalog.procedures if p.code == procedure), None)
            if found is None:
                raise _BadInput(f"không có thủ tục mã {procedure} trong danh mục.")
            lines.append(f"Thủ tục: {found.code} {found.name}")
            if found.time_note:
                lines.append(f"Theo danh mục: {found.time_note}")
            unit = unit or found.time_unit
            if days is None:
                days = found.time_value
        elif unit is None:
            raise _BadInput("cần --procedure MÃ, hoặc --days N --unit working_days|days|same_day.")
        if days is None and unit != "same_day":
            raise _BadInput(f"{NO_TIME_LIMIT} Dùng --days N (và --unit nếu cần).")
        cal = vn_calendar(overrides)
        due = due_date(received, days, unit, cal)
    except (_BadInput, CatalogError, ValueError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    lines.append(f"Thời hạn giải quyết: {time_limit_text(days, unit, cal.hours)}")
    lines.append(f"Tiếp nhận: {_spoken(received)}")
    # Calendar days count weekends and holidays; only the push off a day off skips any.
    first = received.date() + timedelta(days=math.ceil(days or 0)) if unit == "days" else received.date()
    skipped = cal.off_days(first, due.date())
    named = [f"{d:%d/%m} {note}" for d, note in skipped if note not in _WEEKEND_NOTES]
    weekends = len(skipped) - len(named)
    if weekends:
        named.append(f"{weekends} ngày thứ Bảy, Chủ nhật")
    if named:
        lines.append("Bỏ qua: " + "; ".join(named))
    lines.append(f"Lịch: {cal.version}")
    lines.append(f"Hẹn trả: {_spoken(due)}")
    lines.append(due.isoformat())
    print("\n".join(lines))
    return 0
