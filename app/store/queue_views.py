"""What the queue looks like: the day's snapshot, the groups and the counters on their own, one ticket, a waiting
ticket's progress and estimate, the KPIs, and the event log a client replays.

Plain functions of a connection (a reader's, or the writer's inside a command: the issue answer carries the
estimate). Each costs the size of its answer: the group counts come from the counters the schema keeps (numbers
issued, people waiting per line), ticket rows straight from an index into their public form, so nothing but the
waiting list of a snapshot grows with the queue.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from app.core.calling import people_ahead
from app.core.centre import Centre, CounterConfig, ServiceGroup
from app.core.clock import local_day, to_iso
from app.core.errors import NotFound
from app.core.estimate import estimate_wait_s
from app.core.issuing import group_status
from app.core.kpi import compute_kpis
from app.core.ticket import State, Ticket
from app.store.rows import TICKET_COLUMNS, load_tickets, ticket_row_to_dict, ticket_to_dict
from app.store.writer import Event

RECENT_SERVICES = 20  # the service times the estimate takes its median of


@contextlib.contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Several reads that see one state of the database (a no-op inside a transaction already open)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


# --- the day's queue -------------------------------------------------------------------------------


def group_view(g: ServiceGroup) -> dict[str, Any]:
    return {"code": g.code, "name": g.name, "prefix": g.prefix, "fields": list(g.fields)}


def counter_view(c: CounterConfig) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "groups": dict(c.groups)}


def groups(conn: sqlite3.Connection, centre: Centre, now: datetime) -> list[dict[str, Any]]:
    """Each group with today's numbers issued, the people waiting and whether it issues now: two reads of
    kept counters (a row per group and line), whatever the length of the queue."""
    day = local_day(now)
    with read_transaction(conn):
        numbers = {
            r[0]: (int(r[1]), r[2])
            for r in conn.execute("SELECT grp, issued, last_number FROM day_counters WHERE day=?", [day.isoformat()])
        }
        waiting = dict(
            conn.execute("SELECT grp, sum(n) FROM waiting_counts WHERE day=? GROUP BY grp", [day.isoformat()])
        )
    views = []
    for g in centre.groups:
        issued, last = numbers.get(g.code, (0, None))
        status = group_status(g, now, issued, last)
        views.append({
            **group_view(g),
            "waiting": int(waiting.get(g.code) or 0),
            "issued_today": issued,
            "open": status.open,
            "closed_message": status.message or None,
            "reopens_at": to_iso(status.reopens_at) if status.reopens_at else None,
        })  # fmt: skip
    return views


def counters(conn: sqlite3.Connection, centre: Centre, now: datetime, *, public: bool = False) -> list[dict[str, Any]]:
    """Each counter with its status and the ticket it called or serves: the counters' rows and the tickets at
    counters (one range of the queue index per state: at most a few per counter)."""
    day = local_day(now)
    with read_transaction(conn):
        states = {r[0]: r for r in conn.execute("SELECT counter, status, reason FROM counter_state")}
        at_counters = conn.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE state IN ('called', 'serving') AND day=? ORDER BY id",
            [day.isoformat()],
        ).fetchall()
    current: dict[int, tuple[Any, ...]] = {}
    for row in at_counters:
        current.setdefault(row[12], row)  # the counter column; the first by id, as the counter shows it
    views = []
    for c in centre.counters:
        state = states.get(c.id)
        views.append({
            **counter_view(c),
            "status": state[1] if state else "closed",
            "reason": state[2] if state else None,
            "current": ticket_row_to_dict(current[c.id], public=public) if c.id in current else None,
        })  # fmt: skip
    return views


def snapshot(conn: sqlite3.Connection, centre: Centre, now: datetime, *, public: bool = False) -> dict[str, Any]:
    """The day's queue for a board or a reconnecting client, as of one `seq`; `public` leaves out the priority
    category of every ticket (what a board without a token may see), so the view is shaped once. `policy` carries
    the centre's rules a counter shows before it acts: the calls a no-show needs (`call_count_max`)."""
    day = local_day(now)
    with read_transaction(conn):
        seq = last_seq(conn)
        waiting = conn.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE state='waiting' AND day=? "
            "ORDER BY priority IS NULL, issued_at, id",
            [day.isoformat()],
        ).fetchall()
        group_views = groups(conn, centre, now)
        counter_views = counters(conn, centre, now, public=public)
    return {
        "seq": seq,
        "day": day.isoformat(),
        "groups": group_views,
        "counters": counter_views,
        "waiting": [ticket_row_to_dict(r, public=public) for r in waiting],
        "policy": {"call_count_max": centre.policy.call_count_max},
    }


# --- one ticket ------------------------------------------------------------------------------------


def ticket(conn: sqlite3.Connection, ticket_id: int) -> dict[str, Any]:
    return ticket_to_dict(_load(conn, ticket_id))


def ticket_progress(conn: sqlite3.Connection, centre: Centre, ticket_id: int, today: date) -> dict[str, Any]:
    """A ticket with, while it waits today, how many are ahead and the estimate (the follow-your-turn page)."""
    with read_transaction(conn):
        found = _load(conn, ticket_id)
        result = ticket_to_dict(found)
        group = centre.group(found.group)
        if found.state is State.WAITING and group is not None and found.day == today:
            result.update(estimate(conn, centre, found, group))
    return result


def estimate(
    conn: sqlite3.Connection, centre: Centre, ticket: Ticket, group: ServiceGroup, *, just_issued: bool = False
) -> dict[str, Any]:
    """People ahead and the wait estimate (core.estimate) from kept counts and bounded reads."""
    ahead = people_ahead_of(conn, ticket, just_issued=just_issued)
    recent = conn.execute(
        'SELECT (julianday("end") - julianday(start)) * 86400 FROM intervals '
        'WHERE state=\'serving\' AND grp=? AND "end" IS NOT NULL ORDER BY "end" DESC LIMIT ?',
        (group.code, RECENT_SERVICES),
    ).fetchall()
    serving_counters = [c.id for c in centre.counters_serving(group.code)]
    marks = ",".join("?" * len(serving_counters)) or "NULL"
    open_count = conn.execute(
        f"SELECT count(*) FROM counter_state WHERE status='open' AND counter IN ({marks})", serving_counters
    ).fetchone()[0]
    wait = estimate_wait_s(ahead, [r[0] for r in recent], open_count or len(serving_counters), group.default_service_s)
    return {"people_ahead": ahead, "estimated_wait_s": round(wait)}


def people_ahead_of(conn: sqlite3.Connection, ticket: Ticket, *, just_issued: bool) -> int:
    """core.calling.people_ahead from the kept line counts and one range of the tickets_queue index: the range
    behind a ticket just issued (it is normally last: empty), before one asked about later."""
    day = ticket.day.isoformat()
    lines = dict(conn.execute("SELECT priority, n FROM waiting_counts WHERE day=? AND grp=?", (day, ticket.group)))
    # Two seeks, not a row-value range: SQLite would range on issued_at alone and walk every ticket
    # issued in the same instant.
    line = "SELECT count(*) FROM tickets WHERE state='waiting' AND day=:day AND grp=:grp AND (priority IS NULL)=:normal"
    side = "<" if not just_issued else ">"
    sql = f"SELECT ({line} AND issued_at {side} :at) + ({line} AND issued_at = :at AND id {side} :id)"
    params = {"day": day, "grp": ticket.group, "normal": int(not ticket.is_priority),
              "at": to_iso(ticket.issued_at), "id": ticket.id}  # fmt: skip
    counted = int(conn.execute(sql, params).fetchone()[0])
    # Just issued: the line's count includes the ticket itself and those counted are behind it.
    before = int(lines.get(int(ticket.is_priority), 0)) - 1 - counted if just_issued else counted
    return people_ahead(is_priority=ticket.is_priority, priority_waiting=int(lines.get(1, 0)), same_line_before=before)


def stats(conn: sqlite3.Connection, centre: Centre, day: date, now: datetime) -> dict[str, Any]:
    tickets = load_tickets(conn, "day = ?", [day.isoformat()])
    return {"day": day.isoformat(), **compute_kpis(tickets, now, centre.policy.wait_target_s)}


def _load(conn: sqlite3.Connection, ticket_id: int) -> Ticket:
    found = load_tickets(conn, "id = ?", [ticket_id], with_intervals=False)
    if not found:
        raise NotFound(f"Không có số thứ tự mã {ticket_id}.")
    return found[0]


# --- the event log ---------------------------------------------------------------------------------


def last_seq(conn: sqlite3.Connection) -> int:
    """The newest event seq ever given (AUTOINCREMENT keeps it when older events are pruned), 0 before any."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='events'").fetchone()
    return int(row[0]) if row else 0


def seq_range(conn: sqlite3.Connection) -> tuple[int, int]:
    """The oldest event seq kept and the newest ever given: (0, 0) on a fresh database. Only today's events
    are kept (the day roll prunes the rest); when none is kept yet, (newest + 1, newest), so a client that
    is not up to date is sent a snapshot rather than an empty replay."""
    with read_transaction(conn):
        oldest = conn.execute("SELECT min(seq) FROM events").fetchone()[0]
        newest = last_seq(conn)
    if oldest is None:
        return (newest + 1 if newest else 0), newest
    return int(oldest), newest


def events_since(conn: sqlite3.Connection, seq: int, limit: int = 10_000) -> list[Event]:
    """The kept events after `seq`, in order. Seqs are consecutive (a job that fails rolls its seq back with it)
    from the oldest kept: a jump from `seq` means the day roll pruned what lay between (see seq_range)."""
    rows = conn.execute("SELECT seq, at, kind, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
    return [Event(s, at, kind, json.loads(p)) for s, at, kind, p in rows]
