"""What the hall board shows, kept from snapshots and events. No Qt here.

A snapshot (GET /api/queue, or the event socket's first message) replaces everything; events patch it at
once so a call is on screen before the confirming re-fetch comes back. A re-fetched snapshot older than the
last event applied is dropped: it was taken before that event and would briefly undo it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

CALL_KINDS = frozenset({"ticket.called", "ticket.recalled"})
IDLE_VALUE = "—"
PAUSED_VALUE = "Tạm nghỉ"

RowStatus = Literal["called", "serving", "paused", "free", "closed"]

_QUAY = re.compile(r"^qu[aầ]y\s*(?:số\s*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Call:
    number: str
    counter_id: int
    counter_name: str
    recall: bool
    day: str
    seq: int

    @property
    def counter_phrase(self) -> str:
        return counter_phrase(self.counter_name)


@dataclass(frozen=True)
class BoardRow:
    counter_id: int
    name: str
    value: str
    status: RowStatus


@dataclass(frozen=True)
class WaitingChip:
    code: str
    prefix: str
    name: str
    count: int
    open: bool


def counter_phrase(name: str) -> str:
    """ "Quầy 3" → "đến quầy 3"; "Quầy số 3" → "đến quầy 3"; "Tư pháp" → "đến quầy Tư pháp"."""
    name = " ".join(name.split())
    rest = _QUAY.sub("", name, count=1)
    return f"đến quầy {rest or name}"


class HallState:
    def __init__(self) -> None:
        self.queue: dict[str, Any] | None = None
        self.seq = -1  # of the last snapshot or event applied
        self.call: Call | None = None

    # --- input -----------------------------------------------------------------------------------

    def apply_snapshot(self, queue: dict[str, Any], *, authoritative: bool = False) -> bool:
        """True when it was applied. A re-fetch older than the last event applied is not; the event stream's
        own snapshot always is (after a service reset onto a new database its seq starts again lower)."""
        seq = int(queue.get("seq", 0))
        if self.queue is not None and seq < self.seq and not authoritative:
            return False
        self.queue = queue
        self.seq = seq
        if self.call is not None and self.call.day != queue.get("day"):
            self.call = None  # a new day: yesterday's last call means nothing
        return True

    def apply_event(self, event: dict[str, Any]) -> Call | None:
        """Patch the board; the call when the event is a call or recall of today's ticket.

        The stream delivers each event once. One already inside the last snapshot (a re-fetch can overtake
        the socket) patches nothing, but a call is still a call: the hall must see and hear it."""
        seq = int(event.get("seq", 0))
        kind = str(event.get("kind", ""))
        payload = event.get("payload") or {}
        ticket = payload.get("ticket") if isinstance(payload.get("ticket"), dict) else None
        if self.queue is None or seq <= self.seq:
            return self._call(kind, payload, ticket, seq)
        self.seq = seq
        if kind == "ticket.issued" and ticket:
            self._add_waiting(ticket.get("group"), 1)
        elif kind == "ticket.called" and ticket:
            self._add_waiting(ticket.get("group"), -1)
            self._set_current(payload.get("counter"), ticket)
        elif kind in ("ticket.recalled", "ticket.started") and ticket:
            self._set_current(payload.get("counter"), ticket)
        elif kind in ("ticket.finished", "ticket.no_show") and ticket:
            self._clear_current(ticket)
        elif kind == "ticket.transferred" and ticket:
            self._clear_current(ticket)
            self._add_waiting(ticket.get("group"), 1)
        elif kind == "ticket.cancelled" and ticket:
            self._add_waiting(ticket.get("group"), -1)
        elif kind in ("counter.paused", "counter.opened"):
            counter = self.counter(payload.get("counter"))
            if counter is not None:
                counter["status"] = payload.get("status", counter.get("status"))
                counter["reason"] = payload.get("reason")
        return self._call(kind, payload, ticket, seq)

    def _call(self, kind: str, payload: dict[str, Any], ticket: dict[str, Any] | None, seq: int) -> Call | None:
        if kind not in CALL_KINDS or not ticket or not ticket.get("number"):
            return None
        if self.queue is not None and ticket.get("day") != self.queue.get("day"):
            return None
        counter_id = int(payload.get("counter") or ticket.get("counter") or 0)
        self.call = Call(str(ticket["number"]), counter_id, self.counter_name(counter_id),
                         kind == "ticket.recalled", str(ticket.get("day", "")), seq)  # fmt: skip
        return self.call

    # --- patches -----------------------------------------------------------------------------------

    def counter(self, counter_id: object) -> dict[str, Any] | None:
        for c in (self.queue or {}).get("counters", []):
            if c.get("id") == counter_id:
                found: dict[str, Any] = c  # the snapshot's own dict: patches change it in place
                return found
        return None

    def counter_name(self, counter_id: int) -> str:
        counter = self.counter(counter_id)
        return str(counter["name"]) if counter and counter.get("name") else f"Quầy {counter_id}"

    def _set_current(self, counter_id: object, ticket: dict[str, Any]) -> None:
        counter = self.counter(counter_id)
        if counter is not None:
            counter["current"] = ticket
            counter["status"] = "open"

    def _clear_current(self, ticket: dict[str, Any]) -> None:
        for c in (self.queue or {}).get("counters", []):
            current = c.get("current")
            if current and current.get("id") == ticket.get("id"):
                c["current"] = None

    def _add_waiting(self, group: object, delta: int) -> None:
        for g in (self.queue or {}).get("groups", []):
            if g.get("code") == group:
                g["waiting"] = max(0, int(g.get("waiting", 0)) + delta)

    # --- output ------------------------------------------------------------------------------------

    def board(self) -> list[BoardRow]:
        rows = []
        for c in (self.queue or {}).get("counters", []):
            current = c.get("current")
            status: RowStatus
            if c.get("status") == "paused":
                status, value = "paused", PAUSED_VALUE
            elif current:
                status, value = ("called" if current.get("state") == "called" else "serving"), str(current["number"])
            else:
                status, value = ("free" if c.get("status") == "open" else "closed"), IDLE_VALUE
            rows.append(BoardRow(int(c.get("id", 0)), str(c.get("name", "")), value, status))
        return rows

    def waiting(self) -> list[WaitingChip]:
        return [
            WaitingChip(
                str(g.get("code", "")),
                str(g.get("prefix", "")),
                str(g.get("name", "")),
                int(g.get("waiting", 0)),
                g.get("open") is not False,
            )
            for g in (self.queue or {}).get("groups", [])
        ]
