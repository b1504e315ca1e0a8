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


def people_ahead(*, is_priority: bool, priority_waiting: int, same_line_before: int) -> int:
    """How many of the group's waiting citizens go before a ticket: its group has two lines, the
    priority line called first, each by issue time then id (a transferred ticket keeps its time).

    Counts, not lists, so the store answers from counters it keeps and one index range, at a cost
    that does not grow with the queue: `priority_waiting` is the group's waiting priority tickets,
    `same_line_before` the waiting tickets of the ticket's own line that go before it."""
    return same_line_before + (0 if is_priority else priority_waiting)
