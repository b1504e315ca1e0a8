"""What the counter knows about the hall, kept from the event stream; no Qt here.

`QueueModel` starts from a snapshot and applies events in `seq` order; an HTTP snapshot older than what the
stream already delivered is refused, and events it already covers are skipped. Ticket views coming from
the counter's own actions are applied at once too; a view never replaces a newer one of the same ticket
(`progress`: transfers, then state, then calls only ever grow), so a late event cannot roll the panel back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.clock import from_iso

PAUSE_REASONS = {"break": "Nghỉ giải lao", "back_office": "Xử lý hồ sơ", "meeting": "Họp"}
ACTIONS = ("call_next", "recall", "start", "finish", "no_show", "transfer", "pause", "resume")
ACTION_LABELS = {
    "call_next": "Gọi số tiếp",
    "recall": "Gọi lại",
    "start": "Bắt đầu phục vụ",
    "finish": "Hoàn thành",
    "no_show": "Vắng mặt",
    "transfer": "Chuyển nhóm",
    "pause": "Tạm nghỉ",
    "resume": "Tiếp tục làm việc",
}
_STATE_RANK = {"waiting": 0, "called": 1, "serving": 2, "done": 3}
_TICKET_EVENTS = {"ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
                  "ticket.no_show", "ticket.transferred", "ticket.cancelled"}  # fmt: skip


def progress(ticket: dict[str, Any]) -> tuple[int, int, int]:
    """Grows with every change of a ticket: a transfer sends it back to waiting with one more transfer."""
    return int(ticket.get("transfers", 0)), _STATE_RANK.get(str(ticket.get("state")), 0), int(ticket["call_count"])


@dataclass(frozen=True)
class Counter:
    id: int
    name: str
    groups: dict[str, int]  # group code → level (1 is served first)
    status: str  # closed | open | paused
    reason: str | None


class QueueModel:
    def __init__(self) -> None:
        self.seq: int | None = None
        self.day = ""
        self.groups: list[dict[str, Any]] = []
        self.counters: dict[int, Counter] = {}
        self.tickets: dict[int, dict[str, Any]] = {}  # open tickets (waiting, called, serving)
        self.since: dict[int, datetime] = {}  # when an open ticket entered its state, when we saw it happen
        self._seen: dict[int, tuple[int, int, int]] = {}

    @property
    def loaded(self) -> bool:
        return self.seq is not None

    # --- feeding ----------------------------------------------------------------------------------

    def load(self, snapshot: dict[str, Any]) -> bool:
        """Replace everything with a snapshot; False (and nothing changes) if it is older than what we have."""
        seq = int(snapshot.get("seq", 0))
        if self.seq is not None and seq < self.seq:
            return False
        self.seq = seq
        self.day = str(snapshot.get("day", ""))
        self.groups = [dict(g) for g in snapshot.get("groups", [])]
        self.counters = {}
        tickets: dict[int, dict[str, Any]] = {}
        for c in snapshot.get("counters", []):
            self.counters[int(c["id"])] = Counter(int(c["id"]), str(c["name"]), dict(c.get("groups", {})),
                                                  str(c.get("status", "closed")), c.get("reason"))  # fmt: skip
            if c.get("current"):
                tickets[int(c["current"]["id"])] = dict(c["current"])
        for t in snapshot.get("waiting", []):
            tickets[int(t["id"])] = dict(t)
        self.since = {i: at for i, at in self.since.items() if i in tickets and self._same(tickets[i])}
        self.tickets = tickets
        self._seen = {i: progress(t) for i, t in tickets.items()}
        return True

    def _same(self, ticket: dict[str, Any]) -> bool:
        known = self.tickets.get(int(ticket["id"]))
        return known is not None and progress(known) == progress(ticket)

    def apply_event(self, event: dict[str, Any]) -> bool:
        """Apply one stream event; False when it was already covered (older than the snapshot)."""
        seq = int(event["seq"])
        if self.seq is not None and seq <= self.seq:
            return False
        self.seq = seq
        kind, payload = str(event.get("kind")), event.get("payload") or {}
        at = _when(event.get("at"))
        if kind in _TICKET_EVENTS and isinstance(payload.get("ticket"), dict):
            ticket = payload["ticket"]
            self.apply_ticket(ticket, at)
            if kind == "ticket.called" and ticket.get("counter") is not None:
                self.set_status(int(ticket["counter"]), "open", None)  # a call opens the counter
        elif kind in ("counter.paused", "counter.opened"):
            self.set_status(int(payload["counter"]), str(payload.get("status")), payload.get("reason"))
        elif kind == "day.closed":
            for ticket_id in payload.get("removed", []):
                self.tickets.pop(int(ticket_id), None)
                self.since.pop(int(ticket_id), None)
            for c in self.counters.values():
                self.counters[c.id] = Counter(c.id, c.name, c.groups, "closed", None)
            self.day = str(payload.get("day", self.day))
        return True

    def apply_ticket(self, ticket: dict[str, Any], at: datetime | None = None) -> bool:
        """A ticket view from an event or from our own action; ignored if we already hold a newer one."""
        ticket_id = int(ticket["id"])
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
        c = self.counters.get(counter_id)
        if c is not None:
            self.counters[counter_id] = Counter(c.id, c.name, c.groups, status, reason)

    # --- views -----------------------------------------------------------------------------------

    def group(self, code: str) -> dict[str, Any] | None:
        return next((g for g in self.groups if g["code"] == code), None)

    def group_name(self, code: str) -> str:
        group = self.group(code)
        return str(group["name"]) if group else code

    def current(self, counter_id: int) -> dict[str, Any] | None:
        found = [t for t in self.tickets.values() if t.get("counter") == counter_id and t["state"] != "waiting"]
        return max(found, key=lambda t: t["id"]) if found else None

    def waiting_in(self, code: str) -> int:
        return sum(1 for t in self.tickets.values() if t["state"] == "waiting" and t["group"] == code)

    def waiting_for(self, counter_id: int) -> list[dict[str, Any]]:
        """The counter's waiting citizens in about the order call-next takes them: priority first, then the
        counter's group level, then issue time (the service also caps priority calls in a row)."""
        counter = self.counters.get(counter_id)
        if counter is None:
            return []
        mine = [t for t in self.tickets.values() if t["state"] == "waiting" and t["group"] in counter.groups]
        return sorted(mine, key=lambda t: (t.get("priority") is None, counter.groups[t["group"]], t["issued_at"],
                                           t["id"]))  # fmt: skip

    def my_groups(self, counter_id: int) -> list[dict[str, Any]]:
        """The counter's groups, home groups first, each with its name and how many wait."""
        counter = self.counters.get(counter_id)
        if counter is None:
            return []
        rows = [{"code": code, "level": level, "name": self.group_name(code), "waiting": self.waiting_in(code),
                 "prefix": (self.group(code) or {}).get("prefix", "")}
                for code, level in counter.groups.items()]  # fmt: skip
        return sorted(rows, key=lambda r: (r["level"], -r["waiting"], r["name"]))


def available(model: QueueModel, counter_id: int | None, *, online: bool, busy: bool) -> dict[str, bool]:
    """Which actions make sense now. Nothing while offline or while an action is on its way."""
    none = dict.fromkeys(ACTIONS, False)
    counter = model.counters.get(counter_id) if counter_id is not None else None
    if not online or busy or counter is None:
        return none
    if counter.status == "paused":
        return {**none, "resume": True}
    current = model.current(counter.id)
    anyone = bool(model.waiting_for(counter.id))
    if current is None:
        return {**none, "call_next": anyone, "pause": True}
    if current["state"] == "called":
        return {**none, "recall": True, "start": True, "no_show": True, "transfer": True}
    return {**none, "finish": True, "transfer": True, "call_next": anyone}  # serving: F1 finishes and calls on


def result_message(action: str, result: dict[str, Any] | None, before: dict[str, Any] | None,
                   model: QueueModel) -> str:  # fmt: skip
    """What the clerk is told after the service accepted an action."""
    number = str(result.get("number", "")) if result else ""
    if action == "call_next":
        if result is None:
            return "Không còn ai đang chờ ở các nhóm của quầy này."
        if before is not None and before.get("state") == "serving":
            return f"Đã hoàn thành số {before['number']} và gọi số {number}. Mời công dân đến quầy."
        return f"Đã gọi số {number}. Mời công dân đến quầy."
    if action == "recall" and result is not None:
        if result.get("state") == "done":
            calls = before.get("call_count", "") if before else ""
            return f"Đã gọi số {number} đủ {calls} lần mà công dân không đến: số này được ghi là vắng mặt."
        return f"Đã gọi lại số {number} (lần thứ {result.get('call_count')})."
    if action == "transfer" and result is not None:
        return (f"Đã chuyển số {number} sang nhóm “{model.group_name(str(result['group']))}”. Công dân giữ "
                "nguyên thứ tự theo giờ lấy số.")  # fmt: skip
    if action == "pause" and result is not None:
        label = PAUSE_REASONS.get(str(result.get("reason")), str(result.get("reason")))
        return f"Quầy đang tạm nghỉ ({label}). Bấm F7 “Tiếp tục làm việc” khi quay lại."
    return {
        "start": f"Đang phục vụ số {number}.",
        "finish": f"Đã hoàn thành số {number}.",
        "no_show": f"Đã ghi số {number} là vắng mặt.",
        "resume": "Quầy đã làm việc trở lại.",
    }.get(action, "Đã thực hiện.")


def _when(text: object) -> datetime | None:
    try:
        return from_iso(str(text)) if text else None
    except ValueError:
        return None
