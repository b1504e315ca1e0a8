"""The hall, kept from the service's snapshots and events: one model for the kiosk, the counter and the display.

No Qt here. Feed it `apply_snapshot(queue)` (GET /api/queue, or the event socket's own snapshot) and
`apply_event(event)` (`{"type": "event", "seq", "kind", "payload", "at"}`); read typed views (`counter_views()`,
`group_views()`, `recent_calls`, `last_call`) or the day's queue in its snapshot shape (`snapshot()`).
The web board runs the same rules in resources/web/hall.js; a test feeds both the same script.

The rules, all here:
1. A snapshot replaces everything. One older than the last seq applied is dropped (a re-fetch taken before an
   event would briefly undo it), unless it comes from the event socket itself (`authoritative`): after a
   service reset onto another database the numbering starts again lower, and the model follows it, forgetting
   the calls it had.
2. An event at or below the model's seq is already inside the snapshot and patches nothing; a call is still a
   call (a re-fetch can overtake the socket), kept once if it is newer than the last call, and brought out to
   be shown and said unless its ticket has moved on since (came to the counter, was called again).
3. An event after a gap in seq is applied, and asks for a resync; so does any event before the first snapshot.
4. A ticket never goes back: a view older than the one held (`progress`: transfers, then state, then calls)
   is ignored, so a late event cannot undo a counter's own answer. Done tickets leave the hall.
5. A counter's ticket is its newest called or serving one; a call opens the counter; pause and resume set
   its status. Waiting counts and the next numbers come from the waiting tickets themselves.
6. A new day (an event stamped on a later local day, a ticket of a later day, a `day.closed`) drops the older
   days' tickets and calls, closes every counter, as the service does at its day roll, and asks for a resync.
7. The last calls, newest first, only of the model's day; a recall is a call.
8. A `centre.changed` (the director changed the settings: groups, counters, caps, issuing hours) asks for a resync.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.client.hall_views import Applied, Call, CounterView, GroupView, RowStatus, as_int
from app.core.clock import from_iso, local_day

CALL_KINDS = frozenset({"ticket.called", "ticket.recalled"})
TICKET_KINDS = frozenset({"ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
                          "ticket.no_show", "ticket.transferred", "ticket.cancelled"})  # fmt: skip
COUNTER_KINDS = frozenset({"counter.paused", "counter.opened"})
RECENT_CALLS = 6
NEXT_NUMBERS = 3
_STATE_RANK = {"waiting": 0, "called": 1, "serving": 2, "done": 3}


def progress(ticket: dict[str, Any]) -> tuple[int, int, int]:
    """Grows with every change of a ticket: a transfer sends it back to waiting with one more transfer."""
    return (as_int(ticket.get("transfers")), _STATE_RANK.get(str(ticket.get("state")), 0),
            as_int(ticket.get("call_count")))  # fmt: skip


def waiting_order(ticket: dict[str, Any]) -> tuple[bool, str, int]:
    """About the order call-next takes a group's waiting tickets: priority first, then issue time."""
    return ticket.get("priority") is None, str(ticket.get("issued_at") or ""), as_int(ticket.get("id"))


class HallModel:
    def __init__(self, recent_calls: int = RECENT_CALLS) -> None:
        self.seq: int | None = None  # of the last snapshot or event applied; None before the first snapshot
        self.day = ""
        self.groups: list[dict[str, Any]] = []  # as the snapshot gives them (code, name, prefix, fields, open…)
        self.counter_rows: list[dict[str, Any]] = []  # id, name, groups, status, reason (current comes from tickets)
        self.tickets: dict[int, dict[str, Any]] = {}  # the day's open tickets: waiting, called, serving
        self.since: dict[int, datetime] = {}  # when an open ticket entered its state, when we saw it happen
        self.recent_calls: tuple[Call, ...] = ()  # newest first
        self._seen: dict[int, tuple[int, int, int]] = {}
        self._recent_max = recent_calls

    @property
    def loaded(self) -> bool:
        return self.seq is not None

    @property
    def last_call(self) -> Call | None:
        return self.recent_calls[0] if self.recent_calls else None

    # --- input -----------------------------------------------------------------------------------

    def apply_snapshot(self, queue: dict[str, Any], *, authoritative: bool = False) -> bool:
        """Replace everything; False (and nothing changes) for a re-fetch older than what the model holds."""
        seq = as_int(queue.get("seq"))
        if self.seq is not None and seq < self.seq and not authoritative:
            return False
        reset = self.seq is not None and seq < self.seq
        self.seq = seq
        self.day = str(queue.get("day") or "")
        self.groups = [dict(g) for g in queue.get("groups") or [] if isinstance(g, dict)]
        tickets: dict[int, dict[str, Any]] = {}
        self.counter_rows = []
        for c in queue.get("counters") or []:
            if not isinstance(c, dict):
                continue
            self.counter_rows.append({k: v for k, v in c.items() if k != "current"})
            if isinstance(c.get("current"), dict):
                tickets[as_int(c["current"].get("id"))] = dict(c["current"])
        for t in queue.get("waiting") or []:
            if isinstance(t, dict):
                tickets[as_int(t.get("id"))] = dict(t)
        self.since = {i: at for i, at in self.since.items() if i in tickets and self._same(tickets[i])}
        self.tickets = tickets
        self._seen = {i: progress(t) for i, t in tickets.items()}
        self.recent_calls = () if reset else tuple(c for c in self.recent_calls if c.day == self.day)
        return True

    def _same(self, ticket: dict[str, Any]) -> bool:
        known = self.tickets.get(as_int(ticket.get("id")))
        return known is not None and progress(known) == progress(ticket)

    def apply_event(self, event: dict[str, Any]) -> Applied:
        seq = as_int(event.get("seq"))
        kind = str(event.get("kind") or "")
        raw = event.get("payload")
        payload: dict[str, Any] = raw if isinstance(raw, dict) else {}
        ticket = payload.get("ticket") if isinstance(payload.get("ticket"), dict) else None
        if self.seq is None:  # nothing to patch: a snapshot first
            return Applied(False, True, self._note_call(kind, payload, ticket, seq))
        if seq <= self.seq:  # already inside the snapshot
            return Applied(False, False, self._note_call(kind, payload, ticket, seq))
        resync = seq != self.seq + 1
        self.seq = seq
        at = _when(event.get("at"))
        day = max(local_day(at).isoformat() if at else "", str((ticket or {}).get("day") or ""),
                  str(payload.get("day") or "") if kind == "day.closed" else "")  # fmt: skip
        if day > self.day:  # the service rolled its day before this event
            self._new_day(day)
            resync = True
        if kind in TICKET_KINDS and ticket is not None:
            if str(ticket.get("day") or self.day) == self.day:
                new = as_int(ticket.get("id")) not in self._seen
                if self.apply_ticket(ticket, at) and kind == "ticket.issued" and new:
                    self._count_issued(str(ticket.get("group")))
                counter = payload.get("counter", ticket.get("counter"))
                if kind == "ticket.called" and counter is not None:
                    self.set_status(as_int(counter), "open", None)  # a call opens the counter
        elif kind in COUNTER_KINDS and payload.get("counter") is not None:
            self.set_status(as_int(payload["counter"]), str(payload.get("status")), payload.get("reason"))
        elif kind == "day.closed":
            for ticket_id in payload.get("removed") or []:
                self._forget(as_int(ticket_id))
            resync = True
        elif kind == "centre.changed":  # rule 8: the director changed groups, counters, caps or hours
            resync = True
        return Applied(True, resync, self._note_call(kind, payload, ticket, seq))

    def apply_ticket(self, ticket: dict[str, Any], at: datetime | None = None) -> bool:
        """A ticket view from an event or from our own action; ignored if we already hold a newer one."""
        ticket_id = as_int(ticket.get("id"))
        new = progress(ticket)
        old = self._seen.get(ticket_id)
        if old is not None and new < old:
            return False
        self._seen[ticket_id] = new
        if old != new and at is not None:
            self.since[ticket_id] = at
        if ticket.get("state") == "done":
            self.tickets.pop(ticket_id, None)
            self.since.pop(ticket_id, None)
        else:
            self.tickets[ticket_id] = dict(ticket)
        return True

    def set_status(self, counter_id: int, status: str, reason: str | None) -> None:
        row = self.counter_row(counter_id)
        if row is not None:
            row["status"] = status
            row["reason"] = reason

    def _note_call(self, kind: str, payload: dict[str, Any], ticket: dict[str, Any] | None, seq: int) -> Call | None:
        if kind not in CALL_KINDS or ticket is None or not ticket.get("number"):
            return None
        day = str(ticket.get("day") or "")
        if self.seq is not None and day != self.day:
            return None  # another day's ticket
        if self.recent_calls and seq <= self.recent_calls[0].seq:
            return None  # delivered twice, or older than the call on show
        counter_id = as_int(payload.get("counter") or ticket.get("counter"))
        call = Call(str(ticket["number"]), counter_id, self.counter_name(counter_id), kind == "ticket.recalled", day,
                    seq, as_int(ticket.get("id")))  # fmt: skip
        self.recent_calls = (call, *self.recent_calls)[: self._recent_max]
        known = self._seen.get(as_int(ticket.get("id")))
        if known is not None and known > progress(ticket):
            return None  # kept as the last call, but not said again: the citizen has moved on since
        return call

    def _new_day(self, day: str) -> None:
        self.day = day
        for ticket_id in [i for i, t in self.tickets.items() if str(t.get("day") or day) < day]:
            self._forget(ticket_id)
        for row in self.counter_rows:
            row["status"], row["reason"] = "closed", None
        for group in self.groups:
            group["issued_today"] = 0
        self.recent_calls = tuple(c for c in self.recent_calls if c.day == day)

    def _forget(self, ticket_id: int) -> None:
        self.tickets.pop(ticket_id, None)
        self.since.pop(ticket_id, None)

    def _count_issued(self, code: str) -> None:
        group = self.group(code)
        if group is not None:
            group["issued_today"] = as_int(group.get("issued_today")) + 1

    # --- reading ---------------------------------------------------------------------------------------

    def group(self, code: str) -> dict[str, Any] | None:
        return next((g for g in self.groups if g.get("code") == code), None)

    def group_name(self, code: str) -> str:
        group = self.group(code)
        return str(group["name"]) if group and group.get("name") else code

    def counter_row(self, counter_id: object) -> dict[str, Any] | None:
        return next((c for c in self.counter_rows if c.get("id") == counter_id), None)

    def counter_name(self, counter_id: int) -> str:
        row = self.counter_row(counter_id)
        return str(row["name"]) if row and row.get("name") else f"Quầy {counter_id}"

    def current(self, counter_id: int) -> dict[str, Any] | None:
        """The counter's ticket: its newest called or serving one."""
        found = [t for t in self.tickets.values() if t.get("counter") == counter_id and t.get("state") != "waiting"]
        return max(found, key=lambda t: as_int(t.get("id"))) if found else None

    def waiting_tickets(self, codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
        wanted = set(codes) if codes is not None else None
        found = [t for t in self.tickets.values()
                 if t.get("state") == "waiting" and (wanted is None or t.get("group") in wanted)]  # fmt: skip
        return sorted(found, key=waiting_order)

    def waiting_in(self, code: str) -> int:
        return sum(1 for t in self.tickets.values() if t.get("state") == "waiting" and t.get("group") == code)

    # --- typed views -----------------------------------------------------------------------------------

    def counter_views(self) -> list[CounterView]:
        """Every counter in the centre's order: called, serving, paused, free (open) or closed."""
        views = []
        for row in self.counter_rows:
            counter_id = as_int(row.get("id"))
            current = self.current(counter_id)
            status: RowStatus
            if row.get("status") == "paused":
                status = "paused"
            elif current is not None:
                status = "called" if current.get("state") == "called" else "serving"
            else:
                status = "free" if row.get("status") == "open" else "closed"
            served = row.get("groups") or {}
            groups = tuple(sorted(served, key=lambda code: (as_int(served[code], 1), code)))
            reason = row.get("reason") if status == "paused" else None
            number = str(current["number"]) if current is not None and status != "paused" else None
            views.append(CounterView(counter_id, str(row.get("name", "")), status, number, groups,
                                     str(reason) if reason else None))  # fmt: skip
        return views

    def group_views(self) -> list[GroupView]:
        """Every group in the centre's order, with its waiting count and next numbers."""
        by_group: dict[str, list[dict[str, Any]]] = {}
        for t in self.waiting_tickets():
            by_group.setdefault(str(t.get("group")), []).append(t)
        views = []
        for g in self.groups:
            code = str(g.get("code", ""))
            waiting = by_group.get(code, [])
            estimate = g.get("estimated_wait_s")
            views.append(GroupView(
                code, str(g.get("name", "")), str(g.get("prefix", "")), len(waiting),
                tuple(str(t.get("number")) for t in waiting[:NEXT_NUMBERS]), g.get("open") is not False,
                tuple(as_int(c.get("id")) for c in self.counter_rows if code in (c.get("groups") or {})),
                g.get("closed_message") or None, g.get("reopens_at") or None, as_int(g.get("issued_today")),
                as_int(estimate) if estimate is not None else None,
            ))  # fmt: skip
        return views

    def snapshot(self) -> dict[str, Any]:
        """The day's queue as it stands, in the shape of GET /api/queue (for screens written against it)."""
        waiting = self.waiting_tickets()
        counts: dict[str, int] = {}
        for t in waiting:
            counts[str(t.get("group"))] = counts.get(str(t.get("group")), 0) + 1
        return {
            "seq": self.seq if self.seq is not None else 0,
            "day": self.day,
            "groups": [{**g, "waiting": counts.get(str(g.get("code")), 0)} for g in self.groups],
            "counters": [{**c, "current": self.current(as_int(c.get("id")))} for c in self.counter_rows],
            "waiting": waiting,
        }


def _when(text: object) -> datetime | None:
    try:
        return from_iso(str(text)) if text else None
    except ValueError:
        return None
