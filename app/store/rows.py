"""Tickets to and from rows of the tickets and intervals tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import Any

from app.core.clock import from_iso, to_iso
from app.core.ticket import Channel, Interval, Outcome, State, Ticket

TICKET_COLUMNS = (
    "id, day, grp, number, display, issued_at, channel, priority, priority_granted_by, "
    "state, outcome, call_count, counter, transfers"
)


def ticket_from_row(row: tuple[Any, ...], intervals: Iterable[Interval] = ()) -> Ticket:
    (tid, day, grp, number, display, issued_at, channel, priority, granted_by, state, outcome,
     call_count, counter, transfers) = row  # fmt: skip
    return Ticket(
        id=int(tid),
        day=date.fromisoformat(day),
        group=grp,
        number=int(number),
        display=display,
        issued_at=from_iso(issued_at),
        channel=Channel(channel),
        priority=priority,
        priority_granted_by=granted_by,
        state=State(state),
        outcome=Outcome(outcome) if outcome else None,
        call_count=int(call_count),
        counter=counter,
        transfers=int(transfers),
        intervals=list(intervals),
    )


def load_intervals(conn: sqlite3.Connection, ticket_ids: list[int]) -> dict[int, list[Interval]]:
    found: dict[int, list[Interval]] = {t: [] for t in ticket_ids}
    if not ticket_ids:
        return found
    marks = ",".join("?" * len(ticket_ids))
    rows = conn.execute(
        f'SELECT ticket_id, state, grp, start, "end", counter, clerk FROM intervals '
        f"WHERE ticket_id IN ({marks}) ORDER BY ticket_id, idx",
        ticket_ids,
    )
    for tid, state, grp, start, end, counter, clerk in rows:
        found[tid].append(Interval(State(state), grp, from_iso(start), from_iso(end) if end else None, counter, clerk))
    return found


def load_tickets(
    conn: sqlite3.Connection,
    where: str,
    params: Iterable[Any] = (),
    *,
    with_intervals: bool = True,
    order: bool = True,
) -> list[Ticket]:
    """Tickets matching `where` (by id, unless the clause brings its own ORDER BY: order=False)."""
    sql = f"SELECT {TICKET_COLUMNS} FROM tickets WHERE {where}" + (" ORDER BY id" if order else "")
    rows = conn.execute(sql, list(params)).fetchall()
    intervals = load_intervals(conn, [r[0] for r in rows]) if with_intervals else {}
    return [ticket_from_row(r, intervals.get(r[0], ())) for r in rows]


def save_ticket(conn: sqlite3.Connection, ticket: Ticket, *, issue_group: str | None = None) -> None:
    """Insert (when issue_group is given) or update a ticket and all its intervals."""
    values = (
        ticket.day.isoformat(), ticket.group, ticket.number, ticket.display, to_iso(ticket.issued_at),
        ticket.channel.value, ticket.priority, ticket.priority_granted_by, ticket.state.value,
        ticket.outcome.value if ticket.outcome else None, ticket.call_count, ticket.counter,
        ticket.transfers,
    )  # fmt: skip
    if issue_group is not None:
        conn.execute(
            f"INSERT INTO tickets (id, issue_group, {TICKET_COLUMNS.removeprefix('id, ')}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket.id, issue_group, *values),
        )
    else:
        conn.execute(
            "UPDATE tickets SET day=?, grp=?, number=?, display=?, issued_at=?, channel=?, priority=?, "
            "priority_granted_by=?, state=?, outcome=?, call_count=?, counter=?, transfers=? WHERE id=?",
            (*values, ticket.id),
        )
    conn.executemany(
        'INSERT OR REPLACE INTO intervals (ticket_id, idx, state, grp, counter, clerk, start, "end") '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (ticket.id, idx, i.state.value, i.group, i.counter, i.clerk, to_iso(i.start),
             to_iso(i.end) if i.end else None)
            for idx, i in enumerate(ticket.intervals)
        ],
    )  # fmt: skip


def ticket_to_dict(ticket: Ticket) -> dict[str, Any]:
    """The public view of a ticket: no personal data lives on a ticket."""
    return {
        "id": ticket.id,
        "number": ticket.display,
        "seq_number": ticket.number,
        "group": ticket.group,
        "day": ticket.day.isoformat(),
        "issued_at": to_iso(ticket.issued_at),
        "channel": ticket.channel.value,
        "priority": ticket.priority,
        "state": ticket.state.value,
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "call_count": ticket.call_count,
        "counter": ticket.counter,
        "transfers": ticket.transfers,
    }


def ticket_row_to_dict(row: tuple[Any, ...], *, public: bool = False) -> dict[str, Any]:
    """`ticket_to_dict` straight from a row of TICKET_COLUMNS, for views listing a whole queue: the stored
    text is already the public form (days and times are written by `save_ticket` as the view shows them).
    `public`: without the priority category (who is elderly, disabled, pregnant…), for boards without a token."""
    (tid, day, grp, number, display, issued_at, channel, priority, _granted_by, state, outcome,
     call_count, counter, transfers) = row  # fmt: skip
    if public:
        return {"id": int(tid), "number": display, "seq_number": int(number), "group": grp, "day": day,
                "issued_at": issued_at, "channel": channel, "state": state, "outcome": outcome or None,
                "call_count": int(call_count), "counter": counter, "transfers": int(transfers)}  # fmt: skip
    return {
        "id": int(tid),
        "number": display,
        "seq_number": int(number),
        "group": grp,
        "day": day,
        "issued_at": issued_at,
        "channel": channel,
        "priority": priority,
        "state": state,
        "outcome": outcome or None,
        "call_count": int(call_count),
        "counter": counter,
        "transfers": int(transfers),
    }
