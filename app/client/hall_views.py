"""What the hall model shows: frozen views for the kiosk, the counter and the hall display. No Qt here.

The texts that a board prints (a free counter's dash, "Tạm nghỉ", "đến quầy 3") are rules like the others:
the web board (resources/web/hall.js) prints the same ones, and tests/unit/test_client_hall_parity.py checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

IDLE_VALUE = "—"
PAUSED_VALUE = "Tạm nghỉ"

RowStatus = Literal["called", "serving", "paused", "free", "closed"]

_QUAY = re.compile(r"^qu[aầ]y\s*(?:số\s*)?", re.IGNORECASE)


def counter_phrase(name: str) -> str:
    """ "Quầy 3" → "đến quầy 3"; "Quầy số 3" → "đến quầy 3"; "Tư pháp" → "đến quầy Tư pháp"."""
    name = " ".join(name.split())
    rest = _QUAY.sub("", name, count=1)
    return f"đến quầy {rest or name}"


@dataclass(frozen=True)
class Call:
    """A call or recall of one of the day's tickets, as the hall sees and hears it."""

    number: str
    counter_id: int
    counter_name: str
    recall: bool
    day: str
    seq: int
    ticket_id: int | None = None

    @property
    def counter_phrase(self) -> str:
        return counter_phrase(self.counter_name)


@dataclass(frozen=True)
class CounterView:
    """One counter as the hall sees it: what it does now and what it serves (home groups first)."""

    id: int
    name: str
    status: RowStatus
    number: str | None  # the ticket it has called or is serving
    groups: tuple[str, ...]
    reason: str | None = None  # why it is paused (break, back_office, meeting)

    @property
    def counter_id(self) -> int:
        return self.id

    @property
    def value(self) -> str:
        """What the board prints beside the counter's name."""
        if self.status == "paused":
            return PAUSED_VALUE
        return self.number if self.number is not None else IDLE_VALUE


@dataclass(frozen=True)
class GroupView:
    """One service group: how many wait and who is next, whether tickets can be taken, who serves it."""

    code: str
    name: str
    prefix: str
    waiting: int
    next_numbers: tuple[str, ...]  # the first few waiting, in about the order they will be called
    open: bool
    counters: tuple[int, ...] = ()  # the counters that serve the group
    closed_message: str | None = None
    reopens_at: str | None = None
    issued_today: int = 0
    estimated_wait_s: int | None = None  # when the service gives one

    @property
    def count(self) -> int:
        return self.waiting


@dataclass(frozen=True)
class Applied:
    """What one event did to the model.

    fresh: it was newer than everything the model held (False: already covered by a snapshot, or no snapshot
    yet). resync: fetch a snapshot now (a gap in `seq`, a new day, or no snapshot yet). call: the call or
    recall it brought, for the hall to show and say; None when it brought none, an older one, or one whose
    ticket has moved on since (that one is still the model's `last_call`: shown, not said)."""

    fresh: bool
    resync: bool
    call: Call | None = None


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
