"""What runs around every queue command on the writer, inside its transaction: first the roll to a new local day
(closing what the last day left open and pruning what is kept for one day only), then, for a request sent with an
idempotency key, the answer kept for that key instead of running the command twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from app.core.clock import LOCAL_TZ, Clock, local_day, to_iso
from app.core.errors import DomainError
from app.store.rows import load_tickets, save_ticket
from app.store.writer import Tx


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key, the scope it is valid in (who, method, path) and the fingerprint of its request body."""

    key: str
    scope: str = ""
    fingerprint: str = ""

    @property
    def stored(self) -> str:
        return hashlib.sha256(f"{self.scope}\n{self.key}".encode()).hexdigest()


def in_day(tx: Tx, job: Callable[[Tx], Any], clock: Clock) -> Any:
    """Run `job` in the current local day (rolled over first when it is the first command of the day)."""
    roll_day(tx, clock.now())
    return job(tx)


def answer_once(tx: Tx, key: IdempotencyKey, job: Callable[[Tx], Any], clock: Clock) -> Any:
    """Run `job` once per key: a retried request gets the first answer and changes nothing. A key is stored per
    scope (who, method, path) with the request's fingerprint: the same key for another request is refused, never
    answered with someone else's result."""
    roll_day(tx, clock.now())  # first, so yesterday's keys are gone before one is looked up
    row = tx.conn.execute("SELECT body FROM requests WHERE key = ?", (key.stored,)).fetchone()
    if row is not None:
        kept = json.loads(row[0])
        if not isinstance(kept, dict) or kept.get("fingerprint") != key.fingerprint:
            raise IdempotencyKeyReused(
                "Mã chống gửi trùng (Idempotency-Key) này đã dùng cho một yêu cầu khác. Mỗi yêu cầu mới cần một mã mới."
            )
        return kept["result"]
    result = job(tx)
    tx.conn.execute(
        "INSERT INTO requests (key, status, body, at) VALUES (?, 200, ?, ?)",
        (key.stored, json.dumps({"fingerprint": key.fingerprint, "result": result}, ensure_ascii=False),
         to_iso(clock.now())),
    )  # fmt: skip
    return result


def roll_day(tx: Tx, now: datetime) -> None:
    """On the first command of a new local day, close what the previous days left open.

    The open day lives in the database, inside the same transaction as the command: a failed command rolls the
    closing back with it, and a restart on the same day changes nothing."""
    today = local_day(now)
    row = tx.conn.execute("SELECT value FROM config WHERE key='open_day'").fetchone()
    if row is not None and row[0] == today.isoformat():
        return
    stale = load_tickets(tx.conn, "day < ? AND state != 'done'", [today.isoformat()])
    for ticket in stale:
        ticket.close_day(now=now)
        save_ticket(tx.conn, ticket)
    tx.conn.execute(
        "UPDATE counter_state SET status='closed', reason=NULL, priority_streak=0, since=? WHERE status != 'closed'",
        (to_iso(now),),
    )
    tx.conn.execute('UPDATE counter_intervals SET "end"=? WHERE "end" IS NULL', (to_iso(now),))
    # `at` is stored in UTC: compare with local midnight in UTC, not with the local date.
    midnight = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
    tx.conn.execute("DELETE FROM requests WHERE at < ?", (to_iso(midnight),))
    # Keep only the day's events (a client further behind gets a snapshot, see queue_views.seq_range) and counts:
    # the file then grows with the tickets and their intervals, the KPI history, and nothing else.
    tx.conn.execute("DELETE FROM events WHERE at < ?", (to_iso(midnight),))
    tx.conn.execute("DELETE FROM waiting_counts WHERE day < ?", (today.isoformat(),))
    tx.conn.execute(
        "INSERT INTO config (key, value) VALUES ('open_day', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (today.isoformat(),),
    )
    if stale:
        tx.emit("day.closed", {"day": today.isoformat(), "removed": [t.id for t in stale]}, now)
