"""What the counter knows about the hall: the hall model (app/client/hall.py), with the counter's own views.

The rules (snapshot and seq, a ticket never going back, the day roll) are the hall model's, shared with the
kiosk and the hall display. Here: the counter as the clerk's panel reads it, the waiting citizens in the order
call-next takes them, which actions make sense now, and what the clerk is told after one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.client.hall import HallModel

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


@dataclass(frozen=True)
class Counter:
    id: int
    name: str
    groups: dict[str, int]  # group code → level (1 is served first)
    status: str  # closed | open | paused
    reason: str | None


class QueueModel(HallModel):
    def __init__(self) -> None:
        super().__init__()
        self.call_count_max: int | None = None  # calls before a no-show may be marked; None: the service decides

    def load(self, snapshot: dict[str, Any], *, authoritative: bool = False) -> bool:
        """Replace everything with a snapshot; False (and nothing changes) if it is older than what we have."""
        if not self.apply_snapshot(snapshot, authoritative=authoritative):
            return False
        policy = snapshot.get("policy")
        calls = policy.get("call_count_max") if isinstance(policy, dict) else None
        self.call_count_max = int(calls) if isinstance(calls, int) and calls > 0 else None
        return True

    def calls_before_no_show(self, ticket: dict[str, Any] | None) -> int:
        """How many more calls the centre's rule wants before this called ticket may be marked absent (0: none)."""
        if ticket is None or self.call_count_max is None:
            return 0
        return max(0, self.call_count_max - int(ticket.get("call_count") or 0))

    @property
    def counters(self) -> dict[int, Counter]:
        found = {}
        for c in self.counter_rows:
            status, reason = str(c.get("status", "closed")), c.get("reason")
            found[int(c["id"])] = Counter(
                int(c["id"]), str(c.get("name", "")), dict(c.get("groups") or {}), status, reason
            )
        return found

    def waiting_for(self, counter_id: int) -> list[dict[str, Any]]:
        """The counter's waiting citizens in about the order call-next takes them: priority first, then the
        counter's group level, then issue time (the service also caps priority calls in a row)."""
        counter = self.counters.get(counter_id)
        if counter is None:
            return []
        mine = self.waiting_tickets(counter.groups)
        return sorted(mine, key=lambda t: (t.get("priority") is None, counter.groups[t["group"]], t["issued_at"],
                                           t["id"]))  # fmt: skip

    def my_groups(self, counter_id: int) -> list[dict[str, Any]]:
        """The counter's groups in a fixed order: its own (home) groups first, marked `own`, then the others, each
        part in the centre's order of groups, with its name and how many wait. The order never follows the counts,
        so a clerk finds a group where it was."""
        counter = self.counters.get(counter_id)
        if counter is None or not counter.groups:
            return []
        top = min(counter.groups.values())
        order = {str(g.get("code")): i for i, g in enumerate(self.groups)}
        rows = [{"code": code, "level": level, "own": level == top, "name": self.group_name(code),
                 "waiting": self.waiting_in(code), "prefix": (self.group(code) or {}).get("prefix", "")}
                for code, level in counter.groups.items()]  # fmt: skip
        return sorted(rows, key=lambda r: (not r["own"], order.get(r["code"], len(order)), r["code"]))


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
    if current["state"] == "called":  # absent only after the calls the centre's rule (and the ticket) promises
        absent = model.calls_before_no_show(current) == 0
        return {**none, "recall": True, "start": True, "no_show": absent, "transfer": True}
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
