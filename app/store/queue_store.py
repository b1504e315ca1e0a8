"""The queue's commands: issue, call next, the TicketActions on a counter's current ticket, cancel, pause and
resume. Each is one writer transaction that loads, applies a core rule, saves and records an event, framed by
app/store/command_frame.py (the roll to a new local day first; a retried request answered from its idempotency
key). What the queue looks like is shaped by app/store/queue_views.py on reader connections (WAL lets them run
beside the writer); QueueStore answers those reads too, so that the service, the in-process fake and the benches
hold one object."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from app.core.actions import TicketAction, apply_action
from app.core.calling import Choice, Heads, choose_next, heads_to_load
from app.core.centre import Centre, CounterConfig, ServiceGroup
from app.core.centre_codec import centre_from_dict, centre_to_dict
from app.core.clock import Clock, local_day, to_iso
from app.core.errors import Conflict, DomainError, NotFound
from app.core.issuing import next_number
from app.core.ticket import Channel, State, Ticket
from app.store import queue_views as views
from app.store.command_frame import IdempotencyKey, answer_once, in_day, roll_day
from app.store.database import Readers, open_database
from app.store.rows import TICKET_COLUMNS, load_tickets, save_ticket, ticket_from_row, ticket_to_dict
from app.store.writer import Event, Tx, Writer

_PAUSE_REASONS = {"break": "Nghỉ giải lao", "back_office": "Xử lý hồ sơ", "meeting": "Họp"}


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
        self.writer.run(lambda tx: roll_day(tx, self.clock.now()))

    def close(self) -> None:
        self.writer.close()
        self._db.conn.close()

    # --- reading (app/store/queue_views.py on this thread's reader connection) ------------------------

    def reader(self) -> sqlite3.Connection:
        return self._readers.get()

    def today(self) -> date:
        return local_day(self.clock.now())

    def snapshot(self, *, public: bool = False) -> dict[str, Any]:
        """The day's queue as of one seq; `public`: without priority categories (a board without a token)."""
        return views.snapshot(self.reader(), self.centre, self.clock.now(), public=public)

    def groups(self) -> list[dict[str, Any]]:
        """The groups with today's counts (GET /api/groups), without reading the queue itself."""
        return views.groups(self.reader(), self.centre, self.clock.now())

    def counters(self) -> list[dict[str, Any]]:
        """The counters with their status and current ticket (GET /api/counters), without reading the queue."""
        return views.counters(self.reader(), self.centre, self.clock.now())

    def events_since(self, seq: int, limit: int = 10_000) -> list[Event]:
        return views.events_since(self.reader(), seq, limit)

    def seq_range(self) -> tuple[int, int]:
        """The oldest event seq kept and the newest ever given (queue_views.seq_range)."""
        return views.seq_range(self.reader())

    def oldest_seq(self) -> int:
        return self.seq_range()[0]

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return views.ticket(self.reader(), ticket_id)

    def ticket_progress(self, ticket_id: int) -> dict[str, Any]:
        """A ticket with, while it waits, how many are ahead and the estimate (the follow-your-turn page)."""
        return views.ticket_progress(self.reader(), self.centre, ticket_id, self.today())

    def stats(self, day: date | None = None) -> dict[str, Any]:
        return views.stats(self.reader(), self.centre, day or self.today(), self.clock.now())

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

    def rename_centre(self, commune: str, name: str) -> bool:
        """Keep the centre's commune and full name (`serve --commune`); the rest of its configuration stays.
        False when both were already so. Clients read the name from /api/health when they (re)connect."""
        if (commune, name) == (self.centre.commune, self.centre.name):
            return False
        centre = replace(self.centre, commune=commune, name=name)
        value = json.dumps(centre_to_dict(centre), ensure_ascii=False)
        self.writer.run(lambda tx: tx.conn.execute("UPDATE config SET value = ? WHERE key = 'centre'", (value,)))
        self.centre = centre
        return True

    # --- commands (each runs on the writer) ----------------------------------------------------

    def command(self, job: Callable[[Tx], Any], idempotency_key: str | IdempotencyKey | None = None) -> Any:
        """Run a command and wait for its commit."""
        return self.submit(job, idempotency_key).result()

    def submit(self, job: Callable[[Tx], Any], idempotency_key: str | IdempotencyKey | None = None) -> Future[Any]:
        """Queue a command for the writer, in the current local day; with a key, a retried request gets the first
        answer and changes nothing (command_frame.answer_once)."""
        if idempotency_key is None:
            return self.writer.submit(lambda tx: in_day(tx, job, self.clock))
        key = idempotency_key if isinstance(idempotency_key, IdempotencyKey) else IdempotencyKey(idempotency_key)
        return self.writer.submit(lambda tx: answer_once(tx, key, job, self.clock))

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
            return {**view, **views.estimate(tx.conn, self.centre, ticket, group, just_issued=True)}

        return job

    def _choose(self, conn: sqlite3.Connection, day: date, counter: CounterConfig, streak: int) -> Choice | None:
        """core.calling's choice for a counter from the kept line counts and a few heads (heads_to_load): one read
        of the counts and one statement with an index seek per head, the same with ten waiting or ten thousand."""
        groups = list(counter.groups)
        marks = ",".join("?" * len(groups))
        counts = conn.execute(
            f"SELECT grp, priority, n FROM waiting_counts WHERE day=? AND grp IN ({marks})", [day.isoformat(), *groups]
        )
        heads = heads_to_load(counter, {(g, bool(p)): n for g, p, n in counts}, streak, self.centre.policy)
        if heads is None:
            return None
        return choose_next(self._queue_heads(conn, day, heads), counter, streak, self.centre.policy)

    def _queue_heads(self, conn: sqlite3.Connection, day: date, heads: Heads) -> list[Ticket]:
        """The first waiting ticket of each group's line that `heads` names, in one statement."""
        head = (
            f"SELECT * FROM (SELECT {TICKET_COLUMNS} FROM tickets WHERE state='waiting' AND day=? AND grp=? "
            "AND (priority IS NULL)=? ORDER BY issued_at, id LIMIT 1)"
        )
        sql = " UNION ALL ".join([head] * len(heads.groups))
        normal = int(not heads.priority)
        rows = conn.execute(sql, [v for grp in heads.groups for v in (day.isoformat(), grp, normal)]).fetchall()
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
            choice = self._choose(tx.conn, local_day(now), counter, row[0] if row else 0)
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

    def act(self, counter_id: int, action: TicketAction | str, *, idempotency_key: str | None = None,
            **kw: Any) -> dict[str, Any]:  # fmt: skip
        result: dict[str, Any] = self.command(self.act_job(counter_id, action, **kw), idempotency_key)
        return result

    def act_job(
        self, counter_id: int, action: TicketAction | str, *, group: str | None = None
    ) -> Callable[[Tx], dict[str, Any]]:
        """A TicketAction on the counter's current ticket (`group`: a transfer's target, ignored otherwise)."""
        self._counter(counter_id)
        action = TicketAction.of(action)
        target = self._group(group or "").code if action is TicketAction.TRANSFER else None

        def job(tx: Tx) -> dict[str, Any]:
            now = self.clock.now()
            ticket = self._current(tx.conn, counter_id)
            if ticket is None:
                raise Conflict(f"Quầy {counter_id} chưa gọi ai nên không thể {action.verb}.", code="no_current")
            kind = apply_action(ticket, action, now=now, call_count_max=self.centre.policy.call_count_max,
                                group=target)  # fmt: skip
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
