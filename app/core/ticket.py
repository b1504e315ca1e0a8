"""A queue ticket and its life as a list of state intervals.

Every KPI is a sum over intervals, so a transition closes the open interval and opens the next
one instead of flipping flags (the lesson of TheQ's Period table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.core.errors import Conflict


class State(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"


class Outcome(StrEnum):
    SERVED = "served"
    NO_SHOW = "no_show"  # called call_count_max times and never came
    LEFT = "left"  # cancelled before being called
    REMOVED_AT_CLOSE = "removed_at_close"  # still open when the service day ended


class Channel(StrEnum):
    KIOSK = "kiosk"
    COUNTER = "counter"
    BOOKING = "booking"


@dataclass
class Interval:
    state: State
    group: str
    start: datetime
    end: datetime | None = None
    counter: int | None = None
    clerk: str | None = None

    def seconds(self, until: datetime) -> float:
        return ((self.end or until) - self.start).total_seconds()


_STATE_NAMES = {
    State.WAITING: "đang chờ",
    State.CALLED: "đã được gọi",
    State.SERVING: "đang được phục vụ",
    State.DONE: "đã kết thúc",
}


@dataclass
class Ticket:
    id: int
    day: date
    group: str
    number: int
    display: str
    issued_at: datetime
    channel: Channel = Channel.KIOSK
    priority: str | None = None
    priority_granted_by: str | None = None  # audit: the device or clerk that granted priority
    state: State = State.WAITING
    outcome: Outcome | None = None
    call_count: int = 0
    counter: int | None = None
    transfers: int = 0
    intervals: list[Interval] = field(default_factory=list)

    @classmethod
    def issue(
        cls,
        *,
        id: int,
        day: date,
        group: str,
        number: int,
        display: str,
        now: datetime,
        channel: Channel = Channel.KIOSK,
        priority: str | None = None,
        granted_by: str | None = None,
    ) -> Ticket:
        ticket = cls(
            id=id,
            day=day,
            group=group,
            number=number,
            display=display,
            issued_at=now,
            channel=channel,
            priority=priority,
            priority_granted_by=granted_by if priority else None,
        )
        ticket.intervals.append(Interval(State.WAITING, group, now))
        return ticket

    # --- transitions -------------------------------------------------------------------------

    def call(self, *, counter: int, clerk: str | None, now: datetime) -> None:
        self._require(State.WAITING, "gọi")
        self.call_count = 1
        self.counter = counter
        self._enter(State.CALLED, now, counter=counter, clerk=clerk)

    def recall(self, *, call_count_max: int, now: datetime) -> bool:
        """Call again; past the limit the ticket becomes a no-show. Returns True if called."""
        self._require(State.CALLED, "gọi lại")
        current = self.intervals[-1]
        if self.call_count >= call_count_max:
            self.no_show(now=now)
            return False
        self.call_count += 1
        self._enter(State.CALLED, now, counter=current.counter, clerk=current.clerk)
        return True

    def start(self, *, now: datetime) -> None:
        self._require(State.CALLED, "bắt đầu phục vụ")
        current = self.intervals[-1]
        self._enter(State.SERVING, now, counter=current.counter, clerk=current.clerk)

    def finish(self, *, now: datetime) -> None:
        self._require(State.SERVING, "hoàn thành")  # the counter's button says "Hoàn thành"
        self._close(now, Outcome.SERVED)

    def no_show(self, *, now: datetime, calls_required: int = 1) -> None:
        """The citizen did not come. The ticket promises "Quá N lần gọi …": a clerk marks it only after N calls."""
        self._require(State.CALLED, "đánh dấu vắng mặt")
        if self.call_count < calls_required:
            raise Conflict(
                f"Số {self.display} mới được gọi {self.call_count} lần. Theo quy định của Trung tâm, chỉ đánh dấu "
                f"vắng mặt sau {calls_required} lần gọi: hãy bấm Gọi lại.",
                code="too_few_calls",
            )
        self._close(now, Outcome.NO_SHOW)

    def transfer(self, *, group: str, now: datetime) -> None:
        """Send the citizen to another group's queue; the original issue time keeps their place."""
        if self.state not in (State.CALLED, State.SERVING):
            raise Conflict(
                f"Số {self.display} {_STATE_NAMES[self.state]}, không chuyển được.",
                code="bad_state",
            )
        if group == self.group:
            raise Conflict(f"Số {self.display} đã ở nhóm này.", code="same_group")
        self.group = group
        self.counter = None
        self.call_count = 0
        self.transfers += 1
        self._enter(State.WAITING, now, counter=None, clerk=None)

    def cancel(self, *, now: datetime) -> None:
        self._require(State.WAITING, "hủy")
        self._close(now, Outcome.LEFT)

    def close_day(self, *, now: datetime) -> None:
        if self.state is not State.DONE:
            self._close(now, Outcome.REMOVED_AT_CLOSE)

    # --- helpers -----------------------------------------------------------------------------

    @property
    def is_priority(self) -> bool:
        return self.priority is not None

    def _require(self, state: State, action: str) -> None:
        if self.state is not state:
            raise Conflict(
                f"Không thể {action} số {self.display}: số này {_STATE_NAMES[self.state]}.",
                code="bad_state",
            )

    def _enter(self, state: State, now: datetime, *, counter: int | None, clerk: str | None) -> None:
        self.intervals[-1].end = now
        self.intervals.append(Interval(state, self.group, now, counter=counter, clerk=clerk))
        self.state = state

    def _close(self, now: datetime, outcome: Outcome) -> None:
        self.intervals[-1].end = now
        self.state = State.DONE
        self.outcome = outcome
