"""The queue: every command is one writer transaction that loads, applies a core rule, saves
and records an event; reads use their own connections (WAL lets them run beside the writer)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from app.core.calling import choose_next, people_ahead
from app.core.centre import Centre, CounterConfig, ServiceGroup
from app.core.centre_codec import centre_from_dict, centre_to_dict
from app.core.clock import LOCAL_TZ, Clock, local_day, to_iso
from app.core.errors import Conflict, DomainError, NotFound
from app.core.estimate import estimate_wait_s
from app.core.issuing import group_status, next_number
from app.core.kpi import compute_kpis
from app.core.ticket import Channel, State, Ticket
from app.store.database import Readers, open_database
from app.store.rows import (
    TICKET_COLUMNS,
    load_tickets,
    save_ticket,
    ticket_from_row,
    ticket_row_to_dict,
    ticket_to_dict,
)
from app.store.writer import Event, Tx, Writer

_RECENT_SERVICES = 20
_PAUSE_REASONS = {"break": "Nghỉ giải lao", "back_office": "Xử lý hồ sơ", "meeting": "Họp"}


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


class QueueStore:
    def __init__(self, path: Path, clock: Clock, default_centre: Callable[[], Centre]) -> None:
        self.path = path
        self.clock = clock
        self._db = open_database(path)
        self._readers = Readers(self.path)
        row = self._db.execute("SELECT value FROM config WHERE key='centre'").fetchone()
        if row is None:
            self.centre = default_centre()
            self._db.execute(
                "INSERT INTO config (key, value) VALUES ('centre', ?)",
                (json.dumps(centre_to_dict(self.centre), ensure_ascii=False),),
            )
        else:
            self.centre = centre_from_dict(json.loads(row[0]))
        self.writer = Writer(self._db.conn)
        self.writer.run(self._roll_day)

    def close(self) -> None:
        self.writer.close()
        self._db.conn.close()

    # --- reading -------------------------------------------------------------------------------

    def reader(self) -> sqlite3.Connection:
        return self._readers.get()

    def today(self) -> date:
        return local_day(self.clock.now())

    def snapshot(self) -> dict[str, Any]:
        """The day's queue for a board or a reconnecting client. Its cost is the size of its answer: the group
        counts come from the kept counters, the rows straight from the index into their public form."""
        conn = self.reader()
        conn.execute("BEGIN")
        try:
            seq = _last_seq(conn)
            day = self.today().isoformat()
            waiting = conn.execute(
                f"SELECT {TICKET_COLUMNS} FROM tickets WHERE state='waiting' AND day=? "
                "ORDER BY priority IS NULL, issued_at, id",
                [day],
            ).fetchall()
            at_counters = conn.execute(
                f"SELECT {TICKET_COLUMNS} FROM tickets WHERE state IN ('called', 'serving') AND day=? ORDER BY id",
                [day],
            ).fetchall()
            counters = {r[0]: r for r in conn.execute("SELECT counter, status, reason, clerk FROM counter_state")}
            numbers = {
                r[0]: r for r in conn.execute("SELECT grp, issued, last_number FROM day_counters WHERE day=?", [day])
            }
            waiting_by_group = dict(
                conn.execute("SELECT grp, sum(n) FROM waiting_counts WHERE day=? GROUP BY grp", [day]).fetchall()
            )
        finally:
            conn.execute("COMMIT")
        now = self.clock.now()
        groups = []
        for g in self.centre.groups:
            issued, last = numbers[g.code][1:] if g.code in numbers else (0, None)
            status = group_status(g, now, issued, last)
            groups.append({
                **self.group_view(g),
                "waiting": int(waiting_by_group.get(g.code) or 0),
                "issued_today": issued,
                "open": status.open,
                "closed_message": status.message or None,
                "reopens_at": to_iso(status.reopens_at) if status.reopens_at else None,
            })  # fmt: skip
        current: dict[int, tuple[Any, ...]] = {}
        for row in at_counters:
            current.setdefault(row[12], row)  # the counter column; the first by id, as the counter shows it
        counter_views = []
        for c in self.centre.counters:
            state = counters.get(c.id)
            counter_views.append({
                **self.counter_view(c),
                "status": state[1] if state else "closed",
                "reason": state[2] if state else None,
                "current": ticket_row_to_dict(current[c.id]) if c.id in current else None,
            })  # fmt: skip
        return {
            "seq": seq,
            "day": day,
            "groups": groups,
            "counters": counter_views,
            "waiting": [ticket_row_to_dict(r) for r in waiting],
        }

    def events_since(self, seq: int, limit: int = 10_000) -> list[Event]:
        rows = self.reader().execute(
            "SELECT seq, at, kind, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit),
        )
        return [Event(s, at, kind, json.loads(p)) for s, at, kind, p in rows]

    def oldest_seq(self) -> int:
        """The oldest event seq kept (see seq_range)."""
        return self.seq_range()[0]

    def setting(self, key: str) -> str | None:
        """A centre setting kept in the config table (e.g. the hall notice), or None when never set."""
        row = self.reader().execute("SELECT value FROM config WHERE key = ?", (f"setting:{key}",)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        def job(tx: Tx) -> None:
            tx.conn.execute(
                "INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (f"setting:{key}", value),
            )

        self.writer.run(job)

    def seq_range(self) -> tuple[int, int]:
        """The oldest event seq kept and the newest ever given: (0, 0) on a fresh database. Only today's events
        are kept (the day roll prunes the rest); when none is kept yet, (newest + 1, newest), so a client that
        is not up to date is sent a snapshot rather than an empty replay."""
        conn = self.reader()
        conn.execute("BEGIN")
        try:
            oldest = conn.execute("SELECT min(seq) FROM events").fetchone()[0]
            newest = _last_seq(conn)
        finally:
            conn.execute("COMMIT")
        if oldest is None:
            return (newest + 1 if newest else 0), newest
        return int(oldest), newest

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        found = load_tickets(self.reader(), "id = ?", [ticket_id], with_intervals=False)
        if not found:
            raise NotFound(f"Không có số thứ tự mã {ticket_id}.")
        return ticket_to_dict(found[0])

    def ticket_progress(self, ticket_id: int) -> dict[str, Any]:
        """A ticket with, while it waits, how many are ahead and the estimate (the follow-your-turn page)."""
        conn = self.reader()
        found = load_tickets(conn, "id = ?", [ticket_id], with_intervals=False)
        if not found:
            raise NotFound(f"Không có số thứ tự mã {ticket_id}.")
        ticket = found[0]
        result = ticket_to_dict(ticket)
        group = self.centre.group(ticket.group)
        if ticket.state is State.WAITING and group is not None and ticket.day == self.today():
            result.update(self._estimate(conn, ticket, group))
        return result

    def stats(self, day: date | None = None) -> dict[str, Any]:
        day = day or self.today()
        tickets = load_tickets(self.reader(), "day = ?", [day.isoformat()])
        return {
            "day": day.isoformat(),
            **compute_kpis(tickets, self.clock.now(), self.centre.policy.wait_target_s),
        }

    @staticmethod
    def group_view(g: ServiceGroup) -> dict[str, Any]:
        return {"code": g.code, "name": g.name, "prefix": g.prefix, "fields": list(g.fields)}

    @staticmethod
    def counter_view(c: CounterConfig) -> dict[str, Any]:
        return {"id": c.id, "name": c.name, "groups": dict(c.groups)}

    # --- commands (each runs on the writer) ----------------------------------------------------

    def command(self, job: Callable[[Tx], Any], idempotency_key: str | IdempotencyKey | None = None) -> Any:
        """Run a command and wait for its commit."""
        return self.submit(job, idempotency_key).result()

    def submit(self, job: Callable[[Tx], Any], idempotency_key: str | IdempotencyKey | None = None) -> Future[Any]:
        """Queue a command for the writer; with a key, a retried request gets the first answer
        and changes nothing. A key is stored per scope (who, method, path) with the request's fingerprint:
        the same key for another request is refused, never answered with someone else's result."""
        if idempotency_key is None:
            return self.writer.submit(lambda tx: self._with_day(tx, job))
        key = idempotency_key if isinstance(idempotency_key, IdempotencyKey) else IdempotencyKey(idempotency_key)

        def once(tx: Tx) -> Any:
            # Roll first, so yesterday's keys are gone before we look one up.
            self._roll_day(tx)
            row = tx.conn.execute("SELECT body FROM requests WHERE key = ?", (key.stored,)).fetchone()
            if row is not None:
                kept = json.loads(row[0])
                if not isinstance(kept, dict) or kept.get("fingerprint") != key.fingerprint:
                    raise IdempotencyKeyReused(
                        "Mã chống gửi trùng (Idempotency-Key) này đã dùng cho một yêu cầu khác. "
                        "Mỗi yêu cầu mới cần một mã mới.",
                    )
                return kept["result"]
            result = job(tx)
            tx.conn.execute(
                "INSERT INTO requests (key, status, body, at) VALUES (?, 200, ?, ?)",
                (key.stored, json.dumps({"fingerprint": key.fingerprint, "result": result}, ensure_ascii=False),
                 to_iso(self.clock.now())),
            )  # fmt: skip
            return result

        return self.writer.submit(once)

    def _with_day(self, tx: Tx, job: Callable[[Tx], Any]) -> Any:
        self._roll_day(tx)
        return job(tx)

    def _roll_day(self, tx: Tx) -> None:
        """On the first command of a new local day, close what the previous days left open.

        The open day lives in the database, inside the same transaction as the command: a failed
        command rolls the closing back with it, and a restart on the same day changes nothing."""
        now = self.clock.now()
        today = local_day(now)
        row = tx.conn.execute("SELECT value FROM config WHERE key='open_day'").fetchone()
        if row is not None and row[0] == today.isoformat():
            return
        stale = load_tickets(tx.conn, "day < ? AND state != 'done'", [today.isoformat()])
        for ticket in stale:
            ticket.close_day(now=now)
            save_ticket(tx.conn, ticket)
        tx.conn.execute(
            "UPDATE counter_state SET status='closed', reason=NULL, priority_streak=0, since=? "
            "WHERE status != 'closed'",
            (to_iso(now),),
        )
        tx.conn.execute('UPDATE counter_intervals SET "end"=? WHERE "end" IS NULL', (to_iso(now),))
        # `at` is stored in UTC: compare with local midnight in UTC, not with the local date.
        midnight = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
        tx.conn.execute("DELETE FROM requests WHERE at < ?", (to_iso(midnight),))
        # Keep only the day's events (a client further behind gets a snapshot, see seq_range) and counts:
        # the file then grows with the tickets and their intervals, the KPI history, and nothing else.
        tx.conn.execute("DELETE FROM events WHERE at < ?", (to_iso(midnight),))
        tx.conn.execute("DELETE FROM waiting_counts WHERE day < ?", (today.isoformat(),))
        tx.conn.execute(
            "INSERT INTO config (key, value) VALUES ('open_day', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (today.isoformat(),),
        )
        if stale:
            tx.emit("day.closed", {"day": today.isoformat(), "removed": [t.id for t in stale]}, now)

    def _group(self, code: str) -> ServiceGroup:
        group = self.centre.group(code)
        if group is None:
            known = ", ".join(g.code for g in self.centre.groups)
            raise NotFound(f"Không có nhóm dịch vụ “{code}”. Các nhóm hiện có: {known}.", code="unknown_group")
        return group

    def _counter(self, counter_id: int) -> CounterConfig:
        counter = self.centre.counter(counter_id)
        if counter is None:
            raise NotFound(f"Không có quầy số {counter_id}.", code="unknown_counter")
        return counter

    # Each command has a *_job builder (validates now, returns the writer job) so the service can
    # submit it without blocking its event loop, and a plain method that runs it and waits.

    def issue(self, group_code: str, *, idempotency_key: str | None = None, **kw: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.command(self.issue_job(group_code, **kw), idempotency_key)
        return result

    def issue_job(
        self,
        group_code: str,
        *,
        priority: str | None = None,
        channel: Channel = Channel.KIOSK,
        device: str | None = None,
    ) -> Callable[[Tx], dict[str, Any]]:
        group = self._group(group_code)
        if priority is not None and self.centre.priority(priority) is None:
            known = ", ".join(p.code for p in self.centre.priority_categories)
            raise DomainError(f"Không có đối tượng ưu tiên “{priority}”. Có: {known}.", code="unknown_priority")

        def job(tx: Tx) -> dict[str, Any]:
            now = self.clock.now()
            day = local_day(now).isoformat()
            row = tx.conn.execute(
                "SELECT issued, last_number FROM day_counters WHERE day=? AND grp=?",
                (day, group.code),
            ).fetchone()
            issued, last = (row[0], row[1]) if row else (0, None)
            number = next_number(group, now, issued, last)
            tid = tx.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tickets").fetchone()[0]
            ticket = Ticket.issue(
                id=tid, day=local_day(now), group=group.code, number=number,
                display=group.display_number(number), now=now, channel=channel,
                priority=priority, granted_by=device,
            )  # fmt: skip
            save_ticket(tx.conn, ticket, issue_group=group.code)
            tx.conn.execute(
                "INSERT INTO day_counters (day, grp, last_number, issued) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (day, grp) DO UPDATE SET last_number=excluded.last_number, issued=issued+1",
                (day, group.code, number),
            )
            view = ticket_to_dict(ticket)
            tx.emit("ticket.issued", {"ticket": view}, now)
            return {**view, **self._estimate(tx.conn, ticket, group, just_issued=True)}

        return job

    def _estimate(
        self, conn: sqlite3.Connection, ticket: Ticket, group: ServiceGroup, *, just_issued: bool = False
    ) -> dict[str, Any]:
        ahead = self._people_ahead(conn, ticket, just_issued=just_issued)
        recent = conn.execute(
            'SELECT (julianday("end") - julianday(start)) * 86400 FROM intervals '
            'WHERE state=\'serving\' AND grp=? AND "end" IS NOT NULL ORDER BY "end" DESC LIMIT ?',
            (group.code, _RECENT_SERVICES),
        ).fetchall()
        serving_counters = [c.id for c in self.centre.counters_serving(group.code)]
        marks = ",".join("?" * len(serving_counters)) or "NULL"
        open_count = conn.execute(
            f"SELECT count(*) FROM counter_state WHERE status='open' AND counter IN ({marks})", serving_counters
        ).fetchone()[0]
        wait = estimate_wait_s(
            ahead, [r[0] for r in recent], open_count or len(serving_counters), group.default_service_s
        )
        return {"people_ahead": ahead, "estimated_wait_s": round(wait)}

    def _people_ahead(self, conn: sqlite3.Connection, ticket: Ticket, *, just_issued: bool) -> int:
        """core.calling.people_ahead from the kept line counts and one range of the tickets_queue index: the
        range behind a ticket just issued (it is normally last: empty), before one asked about later."""
        day = ticket.day.isoformat()
        lines = dict(conn.execute("SELECT priority, n FROM waiting_counts WHERE day=? AND grp=?", (day, ticket.group)))
        # Two seeks, not a row-value range: SQLite would range on issued_at alone and walk every ticket
        # issued in the same instant.
        line = (
            "SELECT count(*) FROM tickets WHERE state='waiting' AND day=:day AND grp=:grp "
            "AND (priority IS NULL)=:normal"
        )
        side = "<" if not just_issued else ">"
        sql = f"SELECT ({line} AND issued_at {side} :at) + ({line} AND issued_at = :at AND id {side} :id)"
        params = {"day": day, "grp": ticket.group, "normal": int(not ticket.is_priority),
                  "at": to_iso(ticket.issued_at), "id": ticket.id}  # fmt: skip
        if just_issued:  # the line includes the ticket itself
            behind = int(conn.execute(sql, params).fetchone()[0])
            before = int(lines.get(int(ticket.is_priority), 0)) - 1 - behind
        else:
            before = int(conn.execute(sql, params).fetchone()[0])
        return people_ahead(
            is_priority=ticket.is_priority, priority_waiting=int(lines.get(1, 0)), same_line_before=before
        )

    def _queue_heads(self, conn: sqlite3.Connection, day: date, groups: list[str]) -> list[Ticket]:
        """The first waiting priority and normal ticket of each group: all call-next needs to choose,
        since the policy's pick over these heads equals its pick over the whole queue. One statement,
        one index seek per line."""
        head = (
            f"SELECT * FROM (SELECT {TICKET_COLUMNS} FROM tickets WHERE state='waiting' AND day=? AND grp=? "
            "AND (priority IS NULL)=? ORDER BY issued_at, id LIMIT 1)"
        )
        lines = [(day.isoformat(), grp, normal) for grp in groups for normal in (0, 1)]
        if not lines:
            return []
        sql = " UNION ALL ".join([head] * len(lines))
        rows = conn.execute(sql, [v for line in lines for v in line]).fetchall()
        return [ticket_from_row(r) for r in rows]

    def _current(self, conn: sqlite3.Connection, counter_id: int) -> Ticket | None:
        found = load_tickets(conn, "counter = ? AND state IN ('called', 'serving')", [counter_id])
        return found[-1] if found else None

    def _set_counter(self, tx: Tx, counter_id: int, status: str, *, clerk: str | None,
                     reason: str | None = None, streak: int | None = None) -> bool:  # fmt: skip
        """Set the counter's state; True when its status or reason changed (a new counter interval)."""
        now = to_iso(self.clock.now())
        row = tx.conn.execute("SELECT status, reason FROM counter_state WHERE counter=?", (counter_id,)).fetchone()
        changed = row is None or (row[0], row[1]) != (status, reason)
        if changed:
            tx.conn.execute(
                'UPDATE counter_intervals SET "end"=? WHERE counter=? AND "end" IS NULL',
                (now, counter_id),
            )
            tx.conn.execute(
                "INSERT INTO counter_intervals (counter, status, reason, start) VALUES (?, ?, ?, ?)",
                (counter_id, status, reason, now),
            )
        tx.conn.execute(
            "INSERT INTO counter_state (counter, status, reason, clerk, priority_streak, since) "
            "VALUES (?, ?, ?, ?, coalesce(?, 0), ?) ON CONFLICT (counter) DO UPDATE SET status=excluded.status, "
            "reason=excluded.reason, clerk=coalesce(excluded.clerk, clerk), "
            "priority_streak=coalesce(?, priority_streak), since=excluded.since",
            (counter_id, status, reason, clerk, streak, now, streak),
        )
        return changed

    def call_next(self, counter_id: int, *, idempotency_key: str | None = None, **kw: Any) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.command(self.call_next_job(counter_id, **kw), idempotency_key)
        return result

    def call_next_job(self, counter_id: int, *, clerk: str | None = None) -> Callable[[Tx], dict[str, Any] | None]:
        counter = self._counter(counter_id)

        def job(tx: Tx) -> dict[str, Any] | None:
            now = self.clock.now()
            current = self._current(tx.conn, counter_id)
            if current is not None and current.state is State.CALLED:
                raise Conflict(
                    f"Quầy đang gọi số {current.display}. Bấm “Bắt đầu phục vụ” hoặc “Vắng mặt” trước khi gọi số mới.",
                    code="counter_busy",
                )
            if current is not None:  # serving: calling the next citizen ends this one
                current.finish(now=now)
                save_ticket(tx.conn, current)
                tx.emit("ticket.finished", {"ticket": ticket_to_dict(current)}, now)
            row = tx.conn.execute("SELECT priority_streak FROM counter_state WHERE counter=?", (counter_id,)).fetchone()
            waiting = self._queue_heads(tx.conn, local_day(now), list(counter.groups))
            choice = choose_next(waiting, counter, row[0] if row else 0, self.centre.policy)
            reopened = self._set_counter(
                tx,
                counter_id,
                "open",
                clerk=clerk,
                streak=choice.priority_streak if choice else None,
            )
            if reopened:  # calling opens a closed or paused counter: the boards must hear of it
                tx.emit("counter.opened", {"counter": counter_id, "status": "open", "reason": None}, now)
            if choice is None:
                return None
            ticket = load_tickets(tx.conn, "id = ?", [choice.ticket.id])[0]
            ticket.call(counter=counter_id, clerk=clerk, now=now)
            save_ticket(tx.conn, ticket)
            view = ticket_to_dict(ticket)
            tx.emit("ticket.called", {"ticket": view, "counter": counter_id}, now)
            return view

        return job

    def act(self, counter_id: int, action: str, *, idempotency_key: str | None = None, **kw: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.command(self.act_job(counter_id, action, **kw), idempotency_key)
        return result

    def act_job(self, counter_id: int, action: str, *, group: str | None = None) -> Callable[[Tx], dict[str, Any]]:
        """recall | start | finish | no_show | transfer on the counter's current ticket."""
        self._counter(counter_id)
        if action == "transfer":
            target = self._group(group or "")
        names = {"recall": "gọi lại", "start": "bắt đầu phục vụ", "finish": "kết thúc",
                 "no_show": "đánh dấu vắng mặt", "transfer": "chuyển"}  # fmt: skip

        def job(tx: Tx) -> dict[str, Any]:
            now = self.clock.now()
            ticket = self._current(tx.conn, counter_id)
            if ticket is None:
                raise Conflict(
                    f"Quầy {counter_id} chưa gọi ai nên không thể {names[action]}.",
                    code="no_current",
                )
            kind = {"recall": "ticket.recalled", "start": "ticket.started", "finish": "ticket.finished",
                    "no_show": "ticket.no_show", "transfer": "ticket.transferred"}[action]  # fmt: skip
            if action == "recall":
                if not ticket.recall(call_count_max=self.centre.policy.call_count_max, now=now):
                    kind = "ticket.no_show"
            elif action == "start":
                ticket.start(now=now)
            elif action == "finish":
                ticket.finish(now=now)
            elif action == "no_show":
                ticket.no_show(now=now)
            else:
                ticket.transfer(group=target.code, now=now)
            save_ticket(tx.conn, ticket)
            view = ticket_to_dict(ticket)
            tx.emit(kind, {"ticket": view, "counter": counter_id}, now)
            return view

        return job

    def cancel(self, ticket_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self.command(self.cancel_job(ticket_id))
        return result

    def cancel_job(self, ticket_id: int) -> Callable[[Tx], dict[str, Any]]:
        def job(tx: Tx) -> dict[str, Any]:
            now = self.clock.now()
            found = load_tickets(tx.conn, "id = ?", [ticket_id])
            if not found:
                raise NotFound(f"Không có số thứ tự mã {ticket_id}.")
            found[0].cancel(now=now)
            save_ticket(tx.conn, found[0])
            view = ticket_to_dict(found[0])
            tx.emit("ticket.cancelled", {"ticket": view}, now)
            return view

        return job

    def pause(self, counter_id: int, reason: str, *, clerk: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.command(self.pause_job(counter_id, reason, clerk=clerk))
        return result

    def pause_job(self, counter_id: int, reason: str, *, clerk: str | None = None) -> Callable[[Tx], dict[str, Any]]:
        self._counter(counter_id)
        if reason not in _PAUSE_REASONS:
            raise DomainError(
                f"Lý do tạm dừng “{reason}” không hợp lệ. Chọn: {', '.join(_PAUSE_REASONS)}.",
                code="bad_reason",
            )

        def job(tx: Tx) -> dict[str, Any]:
            current = self._current(tx.conn, counter_id)
            if current is not None:
                raise Conflict(
                    f"Quầy đang phục vụ số {current.display}. Kết thúc hoặc chuyển số này trước khi tạm dừng.",
                    code="counter_busy",
                )
            self._set_counter(tx, counter_id, "paused", clerk=clerk, reason=reason)
            view = {
                "counter": counter_id,
                "status": "paused",
                "reason": reason,
                "label": _PAUSE_REASONS[reason],
            }
            tx.emit("counter.paused", view, self.clock.now())
            return view

        return job

    def resume(self, counter_id: int, *, clerk: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.command(self.resume_job(counter_id, clerk=clerk))
        return result

    def resume_job(self, counter_id: int, *, clerk: str | None = None) -> Callable[[Tx], dict[str, Any]]:
        self._counter(counter_id)

        def job(tx: Tx) -> dict[str, Any]:
            self._set_counter(tx, counter_id, "open", clerk=clerk)
            view = {"counter": counter_id, "status": "open", "reason": None}
            tx.emit("counter.opened", view, self.clock.now())
            return view

        return job


def _last_seq(conn: sqlite3.Connection) -> int:
    """The newest event seq ever given (AUTOINCREMENT keeps it when older events are pruned), 0 before any."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='events'").fetchone()
    return int(row[0]) if row else 0
