"""Working days, office hours and the appointment date (ngày hẹn trả) of a dossier.

Pure: the holiday data comes in through a provider (app/core/vn_holidays.py wires `holidays.VN`).
Reference behaviour: TD's CaculateTime (8 h = one working day, 07:00–11:30 and 13:30–17:00, receipt
after closing counts from the next morning) and the 15:00 cut-off of same-day procedures.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.core.clock import LOCAL_TZ

NO_TIME_LIMIT = "Thủ tục chưa có thời hạn giải quyết trong danh mục: nhập số ngày."
UNITS = ("working_days", "days", "same_day")
_WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
# A calendar with no working day for this long is broken data, not a long holiday.
_MAX_DAYS_OFF_IN_A_ROW = 400
_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class WorkingHours:
    """Office hours of the centre; `hours_per_day` of counted work make one working day."""

    morning: tuple[time, time] = (time(7, 0), time(11, 30))
    afternoon: tuple[time, time] = (time(13, 30), time(17, 0))
    hours_per_day: float = 8.0
    same_day_cutoff: time = time(15, 0)

    def __post_init__(self) -> None:
        (m_start, m_end), (a_start, a_end) = self.morning, self.afternoon
        if not m_start < m_end:
            raise ValueError(f"Giờ làm việc buổi sáng không hợp lệ: {m_start:%H:%M} phải trước {m_end:%H:%M}.")
        if not a_start < a_end:
            raise ValueError(f"Giờ làm việc buổi chiều không hợp lệ: {a_start:%H:%M} phải trước {a_end:%H:%M}.")
        if m_end > a_start:
            raise ValueError("Buổi sáng phải kết thúc trước khi buổi chiều bắt đầu.")
        if not self.hours_per_day > 0:
            raise ValueError("Số giờ của một ngày làm việc phải lớn hơn 0.")
        if not m_start <= self.same_day_cutoff <= a_end:
            raise ValueError(
                f"Giờ chốt nhận hồ sơ trong ngày phải nằm trong giờ làm việc ({m_start:%H:%M}–{a_end:%H:%M})."
            )

    @property
    def opens(self) -> time:
        return self.morning[0]

    @property
    def closes(self) -> time:
        return self.afternoon[1]


@dataclass(frozen=True)
class DayOverride:
    """An admin-entered exception to the holiday data: a day off or a working day, with its source document.

    `effective` is the date the decision took effect, kept for the audit trail; the override applies to
    `day` whatever the receipt date. When two overrides name the same day, the later `effective` wins.
    """

    day: date
    working: bool
    source: str  # the document, e.g. "TB 9441/TB-BNV"
    effective: date
    note: str = ""

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError(f"Ngày điều chỉnh {self.day:%d/%m/%Y} phải ghi rõ văn bản căn cứ.")


@dataclass(frozen=True)
class YearDays:
    """What a provider knows about one year: public holidays (name) and Saturdays/Sundays made working."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    weekend_workdays: frozenset[date] = frozenset()


YearProvider = Callable[[int], YearDays]


class WorkCalendar:
    """Which days the centre works. Precedence: override > weekend workday > holiday > Saturday/Sunday.

    `holidays` and `weekend_workdays` are fixed entries; `provider` fills any year on first use, so the
    calendar has no end year. `source` names the holiday data for `version`.
    """

    def __init__(
        self,
        holidays: Mapping[date, str] | None = None,
        weekend_workdays: Iterable[date] = (),
        overrides: Sequence[DayOverride] = (),
        hours: WorkingHours | None = None,
        *,
        provider: YearProvider | None = None,
        source: str = "lịch nhập tay",
    ) -> None:
        self.hours = hours or WorkingHours()
        self.source = source
        self._provider = provider
        self._holidays: dict[date, str] = dict(holidays or {})
        self._weekend_workdays: set[date] = set(weekend_workdays)
        self._loaded_years: set[int] = set()
        self.overrides: tuple[DayOverride, ...] = tuple(overrides)
        self._overrides: dict[date, DayOverride] = {}
        # Stable sort: same effective date → the later entry in the sequence wins.
        for override in sorted(self.overrides, key=lambda o: o.effective):
            self._overrides[override.day] = override

    @property
    def version(self) -> str:
        """Snapshot on each dossier: which holiday data and which overrides computed its date."""
        text = f"{self.source} + {len(self._overrides)} ngày điều chỉnh"
        if not self._overrides:
            return text
        # Same count, different days must not look like the same calendar.
        key = ";".join(
            f"{o.day.isoformat()}:{int(o.working)}:{o.source}"
            for o in sorted(self._overrides.values(), key=lambda o: o.day)
        )
        return f"{text} ({hashlib.sha256(key.encode()).hexdigest()[:8]})"

    def _load(self, year: int) -> None:
        # Substituted days can cross a year end (the 2015 data makes 27/12/2014 a working Saturday).
        if self._provider is None:
            return
        for y in (year, year + 1):
            if y not in self._loaded_years:
                self._loaded_years.add(y)
                data = self._provider(y)
                for day, name in data.holidays.items():
                    self._holidays.setdefault(day, name)
                self._weekend_workdays.update(data.weekend_workdays)

    def holiday_name(self, d: date) -> str | None:
        self._load(d.year)
        return self._holidays.get(d)

    def is_working_day(self, d: date) -> bool:
        override = self._overrides.get(d)
        if override is not None:
            return override.working
        self._load(d.year)
        if d.weekday() >= 5:
            return d in self._weekend_workdays
        return d not in self._holidays

    def day_note(self, d: date) -> str:
        """Why the centre is closed that day, in Vietnamese; "" on a working day."""
        override = self._overrides.get(d)
        if override is not None:
            if override.working:
                return ""
            return f"{override.note or 'Ngày nghỉ'} (theo {override.source})"
        if self.is_working_day(d):
            return ""
        name = self._holidays.get(d)
        weekday = _WEEKDAY_NAMES[d.weekday()]
        if name is None:
            return weekday
        return f"{name} ({weekday})" if d.weekday() >= 5 else name

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            d += _DAY
            if self.is_working_day(d):
                return d
        raise ValueError(f"Lịch làm việc không có ngày làm việc nào sau {d:%d/%m/%Y}: kiểm tra ngày điều chỉnh.")

    def off_days(self, first: date, last: date) -> list[tuple[date, str]]:
        """Days off from `first` to `last` inclusive, with their notes (what a due date skipped)."""
        out = []
        d = first
        while d <= last:
            if not self.is_working_day(d):
                out.append((d, self.day_note(d)))
            d += _DAY
        return out

    def segments(self, d: date) -> list[Interval]:
        """Office hours of `d` as aware local intervals; none on a day off."""
        if not self.is_working_day(d):
            return []
        h = self.hours
        return [
            (datetime.combine(d, h.morning[0], LOCAL_TZ), datetime.combine(d, h.morning[1], LOCAL_TZ)),
            (datetime.combine(d, h.afternoon[0], LOCAL_TZ), datetime.combine(d, h.afternoon[1], LOCAL_TZ)),
        ]


def _local(instant: datetime, what: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"Thời điểm {what} thiếu múi giờ (naive datetime): truyền thời điểm có múi giờ.")
    return instant.astimezone(LOCAL_TZ)


def _merged_pauses(pauses: Sequence[Interval], after: datetime) -> list[Interval]:
    """Pauses in local time, cut to start no earlier than `after`, overlaps joined, sorted."""
    cut = []
    for start, end in pauses:
        s, e = _local(start, "bắt đầu tạm dừng"), _local(end, "kết thúc tạm dừng")
        if e < s:
            raise ValueError(f"Khoảng tạm dừng kết thúc ({e:%H:%M %d/%m/%Y}) trước khi bắt đầu ({s:%H:%M %d/%m/%Y}).")
        s = max(s, after)
        if e > s:
            cut.append((s, e))
    cut.sort()
    merged: list[Interval] = []
    for s, e in cut:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _free_time(cal: WorkCalendar, start: datetime, pauses: list[Interval]) -> Iterator[Interval]:
    """Office time from `start` on, with the paused parts cut out, in order; endless."""
    day, idle_days, p = start.date(), 0, 0
    while True:
        while p < len(pauses) and pauses[p][1] <= datetime.combine(day, time(0), LOCAL_TZ):
            p += 1
        # A pause spanning whole days: jump over them instead of walking each one.
        if p < len(pauses) and pauses[p][0] <= datetime.combine(day, time(0), LOCAL_TZ):
            skip_to = pauses[p][1].date()
            if skip_to > day:
                day = skip_to
                continue
        pieces = cal.segments(day)
        idle_days = 0 if pieces else idle_days + 1
        if idle_days > _MAX_DAYS_OFF_IN_A_ROW:
            raise ValueError(f"Lịch làm việc không có ngày làm việc nào sau {day:%d/%m/%Y}: kiểm tra ngày điều chỉnh.")
        for seg_start, seg_end in pieces:
            s = max(seg_start, start)
            for q in pauses[p:]:
                if q[0] >= seg_end:
                    break
                if q[1] <= s:
                    continue
                if q[0] > s:
                    yield (s, q[0])
                s = max(s, q[1])
            if s < seg_end:
                yield (s, seg_end)
        day += _DAY


def working_seconds_between(a: datetime, b: datetime, cal: WorkCalendar, pauses: Sequence[Interval] = ()) -> float:
    """Office time from `a` to `b` in seconds, paused time excluded; negative when `b` is before `a`."""
    a, b = _local(a, "đầu"), _local(b, "cuối")
    if b < a:
        return -working_seconds_between(b, a, cal, pauses)
    total = 0.0
    for s, e in _free_time(cal, a, _merged_pauses(pauses, a)):
        if s >= b:
            break
        total += (min(e, b) - s).total_seconds()
    return total


def _clip_to_hours(t: time, hours: WorkingHours) -> time:
    """A time of day moved into office hours: before opening → opening, lunch → 13:30, after closing → closing."""
    if t < hours.morning[0]:
        return hours.morning[0]
    if hours.morning[1] <= t < hours.afternoon[0]:
        return hours.afternoon[0]
    return min(t, hours.afternoon[1])


def _on_working_day(cal: WorkCalendar, instant: datetime) -> datetime:
    d = instant.date()
    if cal.is_working_day(d):
        return instant
    return datetime.combine(cal.next_working_day(d), instant.timetz())


def _same_day_from(cal: WorkCalendar, instant: datetime) -> datetime:
    d = instant.date()
    if not (cal.is_working_day(d) and instant.time() < cal.hours.same_day_cutoff):
        d = cal.next_working_day(d)
    return datetime.combine(d, cal.hours.closes, LOCAL_TZ)


def due_date(
    received: datetime,
    value: float | None,
    unit: str | None,
    cal: WorkCalendar,
    pauses: Sequence[Interval] = (),
) -> datetime:
    """The appointment date of a dossier, an aware datetime in LOCAL_TZ.

    working_days: `value` × hours_per_day of office time, walked from the receipt. A receipt before opening
        counts from opening, in the lunch break from 13:30, after closing or on a day off from the next
        working morning. When the count runs out exactly at the end of a session it ends there (11:30 or
        17:00), never at the start of the next session: 8 h from 07:00 is 17:00 the same day.
        Paused office time does not count.
    days: calendar days. Due on the receipt's local date + ceil(value) days, at the receipt's time of day
        moved into office hours (before opening → 07:00, lunch → 13:30, after closing → 17:00); a due day
        that is not a working day moves to the next working day, same time. (0 days received after
        closing: the next working morning.) Each pause (overlaps joined)
        that starts before the current due moment pushes it by ceil(its length in days).
    same_day: `value` is ignored. Received on a working day before the cut-off (15:00; also before
        opening) → that day at closing (17:00); at/after the cut-off or on a day off → the next working
        day at closing. A pause that starts before the due moment re-applies this rule at the pause end.
    Pauses are (start, end) intervals; only their part after the receipt counts.
    """
    local = _local(received, "tiếp nhận")
    if unit is None or (value is None and unit != "same_day"):
        raise ValueError(NO_TIME_LIMIT)
    if unit not in UNITS:
        raise ValueError(f"Đơn vị thời hạn không hợp lệ: {unit!r} (dùng working_days, days hoặc same_day).")
    merged = _merged_pauses(pauses, local)
    if unit == "same_day":
        due = _same_day_from(cal, local)
        for start, end in merged:
            if start < due:
                due = max(due, _same_day_from(cal, end))
        return due
    assert value is not None  # checked above; narrows for mypy
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Thời hạn giải quyết phải là số không âm, không phải {value}.")
    if unit == "days":
        tod = _clip_to_hours(local.time(), cal.hours)
        raw = datetime.combine(local.date() + timedelta(days=math.ceil(value)), tod, LOCAL_TZ)
        if raw < local:  # 0 days, received after closing: the next office moment, never before the receipt
            raw = next(_free_time(cal, local, []))[0]
        due = _on_working_day(cal, raw)
        for start, end in merged:
            if start < due:
                raw += timedelta(days=math.ceil((end - start).total_seconds() / 86400))
                due = _on_working_day(cal, raw)
        return due
    remaining = value * cal.hours.hours_per_day * 3600
    for start, end in _free_time(cal, local, merged):
        length = (end - start).total_seconds()
        if remaining <= length:
            return start + timedelta(seconds=remaining)
        remaining -= length
    raise AssertionError("unreachable: _free_time is endless")


def time_limit_text(value: float | None, unit: str | None, hours: WorkingHours | None = None) -> str:
    """The statutory time as a clerk reads it: "3 ngày làm việc", "30 ngày", "Trong ngày (…)"."""
    hours = hours or WorkingHours()
    if unit == "same_day":
        return f"Trong ngày (tiếp nhận từ {hours.same_day_cutoff:%H:%M} trở đi: ngày làm việc tiếp theo)"
    if value is None or unit is None:
        return "chưa có trong danh mục"
    number = f"{value:g}".replace(".", ",")
    return f"{number} ngày làm việc" if unit == "working_days" else f"{number} ngày"
