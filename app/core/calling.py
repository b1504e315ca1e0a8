"""Which waiting citizen a counter calls next.

Priority tickets first, but after `fairness_cap` priority calls in a row a waiting normal
ticket goes; then the counter's group level; then first come, first served by issue time
(a transferred ticket keeps its original issue time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.centre import CounterConfig, QueuePolicy
from app.core.ticket import State, Ticket


@dataclass(frozen=True)
class Choice:
    ticket: Ticket
    priority_streak: int  # the counter's new count of priority calls in a row


def _order(counter: CounterConfig, ticket: Ticket) -> tuple[int, float, int]:
    return (counter.groups[ticket.group], ticket.issued_at.timestamp(), ticket.id)


def choose_next(
    waiting: Iterable[Ticket], counter: CounterConfig, priority_streak: int, policy: QueuePolicy
) -> Choice | None:
    candidates = [t for t in waiting if t.state is State.WAITING and t.group in counter.groups]
    if not candidates:
        return None
    priority = [t for t in candidates if t.is_priority]
    normal = [t for t in candidates if not t.is_priority]
    if priority and (not normal or priority_streak < policy.fairness_cap):
        chosen = min(priority, key=lambda t: _order(counter, t))
        return Choice(chosen, priority_streak + 1)
    chosen = min(normal, key=lambda t: _order(counter, t))
    return Choice(chosen, 0)


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket]) -> int:
    """Waiting tickets of the same group that go before this one."""

    def rank(t: Ticket) -> tuple[bool, float, int]:
        return (not t.is_priority, t.issued_at.timestamp(), t.id)

    mine = rank(ticket)
    return sum(
        1
        for t in waiting
        if t.id != ticket.id and t.group == ticket.group and t.state is State.WAITING and rank(t) < mine
    )
