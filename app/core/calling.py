"""Which waiting citizen a counter calls next.

Priority tickets first, but after `fairness_cap` priority calls in a row a waiting normal
ticket goes; then the counter's group level; then first come, first served by issue time
(a transferred ticket keeps its original issue time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    priority = [t for t in candidates if t.is_priority]
    normal = [t for t in candidates if not t.is_priority]
    line = line_to_call(
        priority_waiting=len(priority), normal_waiting=len(normal), priority_streak=priority_streak, policy=policy
    )
    if line is None:
        return None
    if line:
        chosen = min(priority, key=lambda t: _order(counter, t))
        return Choice(chosen, priority_streak + 1)
    chosen = min(normal, key=lambda t: _order(counter, t))
    return Choice(chosen, 0)


def line_to_call(
    *, priority_waiting: int, normal_waiting: int, priority_streak: int, policy: QueuePolicy
) -> bool | None:
    """The line a counter calls from, given how many wait in each among its groups: True the priority line,
    False the normal one, None when nobody waits."""
    if priority_waiting and (not normal_waiting or priority_streak < policy.fairness_cap):
        return True
    return False if normal_waiting else None


@dataclass(frozen=True)
class Heads:
    """Whose first waiting ticket `choose_next` needs: the `priority` (or normal) line of these groups."""

    priority: bool
    groups: tuple[str, ...]


def heads_to_load(
    counter: CounterConfig, waiting: Mapping[tuple[str, bool], int], priority_streak: int, policy: QueuePolicy
) -> Heads | None:
    """From how many wait in each group's line (`waiting[(group, is_priority)]`), the heads the choice is among:
    the line to call from (line_to_call), and of that line's groups with someone waiting, those at the counter's
    best level (the first key of the order). `choose_next` over those heads equals `choose_next` over the whole
    queue, so the store loads a few rows chosen from counts it keeps, however long the queue; None: nobody waits."""
    mine = {(g, bool(p)): n for (g, p), n in waiting.items() if g in counter.groups and n > 0}
    line = line_to_call(
        priority_waiting=sum(n for (_g, p), n in mine.items() if p),
        normal_waiting=sum(n for (_g, p), n in mine.items() if not p),
        priority_streak=priority_streak,
        policy=policy,
    )
    if line is None:
        return None
    groups = [g for g, p in mine if p is line]
    best = min(counter.groups[g] for g in groups)
    return Heads(line, tuple(sorted(g for g in groups if counter.groups[g] == best)))


def people_ahead(*, is_priority: bool, priority_waiting: int, same_line_before: int) -> int:
    """How many of the group's waiting citizens go before a ticket: its group has two lines, the
    priority line called first, each by issue time then id (a transferred ticket keeps its time).

    Counts, not lists, so the store answers from counters it keeps and one index range, at a cost
    that does not grow with the queue: `priority_waiting` is the group's waiting priority tickets,
    `same_line_before` the waiting tickets of the ticket's own line that go before it."""
    return same_line_before + (0 if is_priority else priority_waiting)
