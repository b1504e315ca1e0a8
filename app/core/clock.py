"""Time for the domain: every rule takes a clock instead of calling now() itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# Numbering and caps follow the hall's local day; a peer corrupted numbers at UTC midnight.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock tests and simulations move by hand."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 1, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def local_day(instant: datetime, tz: ZoneInfo = LOCAL_TZ) -> date:
    """The service day an instant belongs to, in the centre's time zone."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware instant")
    return instant.astimezone(tz).date()


def to_iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"naive timestamp {text!r}")
    return value.astimezone(UTC)
