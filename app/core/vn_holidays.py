"""Vietnam's public-sector calendar from the pinned `holidays` package, plus the admin's override table.

`holidays.VN` carries the Labour Code holidays, the civil-service swaps (its `weekend_workdays` are the
Saturdays made working, e.g. 22/08/2026, and the matching day off, e.g. 31/08/2026) and 24/11 from 2026.
Its Tết and swap days for 2027 onwards are a rule, not the yearly notice: the override table fixes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from holidays.utils import country_holidays
from holidays.version import __version__ as holidays_version

from app.core.workcalendar import DayOverride, WorkCalendar, WorkingHours, YearDays

HOLIDAYS_VERSION = f"holidays {holidays_version}"


@lru_cache(maxsize=64)
def vn_year(year: int) -> YearDays:
    """One year of `holidays.VN`, with Vietnamese names ("Mùng hai Tết Nguyên Đán", "Quốc khánh"…)."""
    data = country_holidays("VN", years=year, language="vi")
    return YearDays(
        holidays={day: str(name) for day, name in data.items()},
        weekend_workdays=frozenset(data.weekend_workdays),
    )


def vn_calendar(overrides: Sequence[DayOverride] = (), hours: WorkingHours | None = None) -> WorkCalendar:
    return WorkCalendar(overrides=overrides, hours=hours, provider=vn_year, source=HOLIDAYS_VERSION)
