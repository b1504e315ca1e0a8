"""What a counter does to the ticket it called: one enum that the routes, the store and the clients dispatch on.

The route segment (`no-show`), the event it makes (`ticket.no_show`) and the Vietnamese verb of its error
messages are properties of the action, so no layer keeps its own table of names to translate at the next.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from app.core.errors import DomainError
from app.core.ticket import Ticket


class TicketAction(StrEnum):
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"

    @classmethod
    def of(cls, name: str) -> TicketAction:
        """The action called `name` (its value), or a DomainError listing the actions there are."""
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(a.value for a in cls)
            raise DomainError(f"Không có thao tác “{name}”. Có: {known}.", code="unknown_action") from None

    @property
    def path(self) -> str:
        """The last segment of its route: POST /api/counters/{id}/{path}."""
        return self.value.replace("_", "-")

    @property
    def event(self) -> str:
        """The kind of the event it records (a recall past the limit records `ticket.no_show` instead)."""
        return _EVENTS[self]

    @property
    def verb(self) -> str:
        """What it does, in Vietnamese, for messages such as "Quầy 1 chưa gọi ai nên không thể {verb}."."""
        return _VERBS[self]


_EVENTS = {
    TicketAction.RECALL: "ticket.recalled",
    TicketAction.START: "ticket.started",
    TicketAction.FINISH: "ticket.finished",
    TicketAction.NO_SHOW: "ticket.no_show",
    TicketAction.TRANSFER: "ticket.transferred",
}
_VERBS = {
    TicketAction.RECALL: "gọi lại",
    TicketAction.START: "bắt đầu phục vụ",
    TicketAction.FINISH: "hoàn thành",  # the counter's button says "Hoàn thành" (as core.ticket does)
    TicketAction.NO_SHOW: "đánh dấu vắng mặt",
    TicketAction.TRANSFER: "chuyển",
}


def apply_action(
    ticket: Ticket, action: TicketAction, *, now: datetime, call_count_max: int, group: str | None = None
) -> str:
    """Apply `action` to the counter's current ticket; returns the kind of event that records what happened.

    `group` is the transfer's target (already checked to exist); the ticket's own rules refuse an action its
    state does not allow (Conflict, code bad_state)."""
    if action is TicketAction.RECALL:
        if not ticket.recall(call_count_max=call_count_max, now=now):
            return TicketAction.NO_SHOW.event  # called call_count_max times: a no-show
    elif action is TicketAction.START:
        ticket.start(now=now)
    elif action is TicketAction.FINISH:
        ticket.finish(now=now)
    elif action is TicketAction.NO_SHOW:
        ticket.no_show(now=now, calls_required=call_count_max)
    else:
        if group is None:
            raise DomainError("Chuyển số cần nhóm dịch vụ đích.", code="missing_group")
        ticket.transfer(group=group, now=now)
    return action.event
