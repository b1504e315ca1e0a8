"""Whether a group issues a ticket now, and which number it gets.

Numbers run per group per local day, from the group's start; a day's counter is kept by the
store, keyed by the local date, so the reset happens at local midnight and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from app.core.centre import ServiceGroup
from app.core.clock import LOCAL_TZ
from app.core.errors import IssueClosed


@dataclass(frozen=True)
class GroupStatus:
    open: bool
    reason: str | None = None  # window | cap | range
    message: str = ""
    reopens_at: datetime | None = None  # aware; None when it does not reopen by itself


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def _window_status(group: ServiceGroup, now: datetime) -> GroupStatus:
    if not group.windows:
        return GroupStatus(open=True)
    local = now.astimezone(LOCAL_TZ)
    moment = local.time()
    if any(w.contains(moment) for w in group.windows):
        return GroupStatus(open=True)
    starts = sorted(w.start for w in group.windows)
    later = [s for s in starts if s > moment]
    if later:
        reopen = datetime.combine(local.date(), later[0], LOCAL_TZ)
        when = f"lúc {_hhmm(later[0])} hôm nay"
    else:
        reopen = datetime.combine(local.date() + timedelta(days=1), starts[0], LOCAL_TZ)
        when = f"lúc {_hhmm(starts[0])} ngày làm việc tiếp theo"
    hours = ", ".join(f"{_hhmm(w.start)}–{_hhmm(w.end)}" for w in group.windows)
    return GroupStatus(
        open=False,
        reason="window",
        message=f"{group.name}: chỉ cấp số trong giờ {hours}. Mời quay lại {when}.",
        reopens_at=reopen,
    )


def _next_day_open(group: ServiceGroup, now: datetime) -> datetime:
    local = now.astimezone(LOCAL_TZ)
    first = min((w.start for w in group.windows), default=time(7, 0))
    return datetime.combine(local.date() + timedelta(days=1), first, LOCAL_TZ)


def group_status(group: ServiceGroup, now: datetime, issued_today: int, last_number: int | None) -> GroupStatus:
    """Open or closed, and why, for the kiosk and for issuing."""
    if group.daily_cap is not None and issued_today >= group.daily_cap:
        return GroupStatus(
            open=False,
            reason="cap",
            message=f"{group.name}: hôm nay đã cấp đủ {group.daily_cap} số. Mời quay lại ngày làm việc tiếp theo.",
            reopens_at=_next_day_open(group, now),
        )
    if last_number is not None and last_number >= group.number_end:
        return GroupStatus(
            open=False,
            reason="range",
            message=f"{group.name}: đã hết số thứ tự trong ngày. Mời quay lại ngày làm việc tiếp theo.",
            reopens_at=_next_day_open(group, now),
        )
    return _window_status(group, now)


def next_number(group: ServiceGroup, now: datetime, issued_today: int, last_number: int | None) -> int:
    """The number the next ticket of the day gets, or IssueClosed saying when to come back."""
    status = group_status(group, now, issued_today, last_number)
    if not status.open:
        raise IssueClosed(
            status.message,
            reason=status.reason,
            reopens_at=status.reopens_at.isoformat() if status.reopens_at else None,
        )
    return group.number_start if last_number is None else last_number + 1
