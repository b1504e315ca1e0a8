"""Event scripts for the hall model's tests: hand-written ones for each rule, and a day recorded from the real store.

A script is a list of steps, each `{"snapshot": queue, "authoritative": bool}` or `{"event": message}`, fed in
order to a model (app/client/hall.py, or resources/web/hall.js in Node.js). `views()` is what a model shows after
a step, in plain JSON, the same for both.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from app.client.fake import FakeQueueClient
from app.client.hall import HallModel
from app.core.clock import ManualClock

DAY = "2026-11-23"
NEXT_DAY = "2026-11-24"
AT = "2026-11-23T02:00:00.000000+00:00"  # 09:00 in the centre
NEXT_AT = "2026-11-24T01:00:00.000000+00:00"

Step = dict[str, Any]


def ticket(tid: int, state: str = "waiting", *, group: str = "HT", calls: int = 0, counter: int | None = None,
           transfers: int = 0, day: str = DAY, prefix: str = "A", **kw: Any) -> dict[str, Any]:  # fmt: skip
    return {"id": tid, "number": f"{prefix}{tid:03d}", "seq_number": tid, "group": group, "day": day,
            "issued_at": f"2026-11-23T01:{tid:02d}:00.000000+00:00", "channel": "kiosk", "priority": None,
            "state": state, "outcome": "served" if state == "done" else None, "call_count": calls,
            "counter": counter, "transfers": transfers, **kw}  # fmt: skip


def queue(seq: int, *tickets: dict[str, Any], day: str = DAY, paused: int | None = None) -> dict[str, Any]:
    """A snapshot of a hall with 2 groups and 3 counters, as GET /api/queue gives it."""
    groups = [
        {"code": "HT", "name": "Hộ tịch", "prefix": "A", "fields": ["HT"], "open": True, "issued_today": 0,
         "closed_message": None, "reopens_at": None},
        {"code": "CT", "name": "Chứng thực", "prefix": "B", "fields": ["CT"], "open": False, "issued_today": 0,
         "closed_message": "Chứng thực: đã hết giờ nhận số.", "reopens_at": "2026-11-24T00:30:00.000000+00:00"},
    ]  # fmt: skip
    counters = [
        {"id": 1, "name": "Quầy 1", "groups": {"HT": 1, "CT": 2}, "status": "open", "reason": None, "current": None},
        {"id": 2, "name": "Quầy số 2", "groups": {"CT": 1, "HT": 2}, "status": "open", "reason": None,
         "current": None},
        {"id": 3, "name": "Tư pháp", "groups": {"HT": 1}, "status": "closed", "reason": None, "current": None},
    ]  # fmt: skip
    for t in tickets:
        if t["state"] in ("called", "serving"):
            counters[int(t["counter"]) - 1]["current"] = t
    if paused is not None:
        counters[paused - 1].update(status="paused", reason="break")
    for g in groups:
        g["waiting"] = sum(1 for t in tickets if t["state"] == "waiting" and t["group"] == g["code"])
        g["issued_today"] = sum(1 for t in tickets if t["group"] == g["code"])
    waiting = [t for t in tickets if t["state"] == "waiting"]
    return {"seq": seq, "day": day, "groups": groups, "counters": counters, "waiting": waiting}


def event(seq: int, kind: str, at: str = AT, **payload: Any) -> dict[str, Any]:
    return {"type": "event", "seq": seq, "kind": kind, "payload": payload, "at": at}


def snap(q: dict[str, Any], authoritative: bool = False) -> Step:
    return {"snapshot": q, "authoritative": authoritative}


def ev(message: dict[str, Any]) -> Step:
    return {"event": message}


# --- running a script through the Python model ------------------------------------------------------


def views(model: HallModel) -> dict[str, Any]:
    """What the model shows, as JSON: the same keys as the JS runner prints."""
    return {
        "seq": model.seq,
        "day": model.day,
        "counters": [{**asdict(c), "groups": list(c.groups), "value": c.value} for c in model.counter_views()],
        "groups": [
            {**asdict(g), "next_numbers": list(g.next_numbers), "counters": list(g.counters)}
            for g in model.group_views()
        ],
        "calls": [asdict(c) for c in model.recent_calls],
    }


def run_python(script: list[Step]) -> list[dict[str, Any]]:
    model = HallModel()
    out = []
    for step in copy.deepcopy(script):
        if "snapshot" in step:
            result: Any = model.apply_snapshot(step["snapshot"], authoritative=bool(step.get("authoritative")))
        else:
            applied = model.apply_event(step["event"])
            result = {"fresh": applied.fresh, "resync": applied.resync,
                      "call": asdict(applied.call) if applied.call else None}  # fmt: skip
        out.append({"result": result, **views(model)})
    return out


# --- hand-written scripts, one per rule ----------------------------------------------------------------


def script_in_order() -> list[Step]:
    """A morning: issue, call, serve, recall, no-show, transfer, pause and resume, cancel."""
    a1, a2, b3 = ticket(1), ticket(2), ticket(3, group="CT", prefix="B")
    return [
        snap(queue(0)),
        ev(event(1, "ticket.issued", ticket=a1)),
        ev(event(2, "ticket.issued", ticket=a2)),
        ev(event(3, "ticket.issued", ticket=b3)),
        ev(event(4, "counter.opened", counter=3, status="open", reason=None)),
        ev(event(5, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1)),
        ev(
            event(6, "ticket.called", ticket=ticket(3, "called", group="CT", prefix="B", calls=1, counter=2), counter=2)
        ),
        ev(event(7, "ticket.started", ticket=ticket(1, "serving", calls=1, counter=1), counter=1)),
        ev(
            event(
                8, "ticket.recalled", ticket=ticket(3, "called", group="CT", prefix="B", calls=2, counter=2), counter=2
            )
        ),
        ev(
            event(
                9,
                "ticket.no_show",
                ticket=ticket(3, "done", group="CT", prefix="B", calls=3, counter=2, outcome="no_show"),
                counter=2,
            )
        ),
        ev(event(10, "counter.paused", counter=2, status="paused", reason="break", label="Nghỉ giải lao")),
        ev(event(11, "ticket.transferred", ticket=ticket(1, "waiting", group="CT", calls=1, transfers=1), counter=1)),
        ev(event(12, "ticket.cancelled", ticket=ticket(2, "done", outcome="left"))),
        ev(event(13, "counter.opened", counter=2, status="open", reason=None)),
        ev(
            event(
                14, "ticket.called", ticket=ticket(1, "called", group="CT", calls=1, counter=3, transfers=1), counter=3
            )
        ),
    ]


def script_duplicates_and_out_of_order() -> list[Step]:
    """A duplicate, an event after a gap (resync), the missing one arriving late (covered: ignored)."""
    return [
        snap(queue(4, ticket(1), ticket(2))),
        ev(event(5, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1)),
        ev(event(5, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1)),  # twice
        ev(event(7, "ticket.started", ticket=ticket(1, "serving", calls=1, counter=1), counter=1)),  # 6 missing
        ev(event(6, "ticket.recalled", ticket=ticket(1, "called", calls=2, counter=1), counter=1)),  # late
        snap(queue(7, ticket(1, "serving", calls=2, counter=1), ticket(2))),  # the resync
        ev(event(8, "ticket.issued", ticket=ticket(3))),
    ]


def script_stale_snapshots() -> list[Step]:
    """A re-fetch older than an event is dropped; one that overtook the socket brings its call once; a reset."""
    called = ticket(1, "called", calls=1, counter=1)
    return [
        snap(queue(3, ticket(1), ticket(2))),
        ev(event(4, "ticket.issued", ticket=ticket(3))),
        snap(queue(3, ticket(1), ticket(2))),  # taken before seq 4: dropped
        snap(queue(5, called, ticket(2), ticket(3))),  # overtook the socket's seq 5
        ev(event(5, "ticket.called", ticket=called, counter=1)),  # covered, but still a call
        ev(event(5, "ticket.called", ticket=called, counter=1)),  # and only once
        snap(queue(0), authoritative=True),  # the service reset onto a new database
        ev(event(1, "ticket.issued", ticket=ticket(1))),
        ev(event(2, "ticket.called", ticket=ticket(1, "called", calls=1, counter=2), counter=2)),
    ]


def script_day_roll() -> list[Step]:
    """Yesterday's hall, then the first commands of a new day: with day.closed, and stamped later only."""
    return [
        snap(queue(10, ticket(1), ticket(2, "called", calls=1, counter=2), paused=1)),
        ev(event(11, "ticket.called", ticket=ticket(1, "called", calls=1, counter=3), counter=3)),
        ev(event(12, "day.closed", NEXT_AT, day=NEXT_DAY, removed=[1, 2])),
        ev(event(13, "ticket.issued", NEXT_AT, ticket=ticket(4, day=NEXT_DAY))),
        ev(event(14, "ticket.finished", NEXT_AT, ticket=ticket(2, "done", calls=1, counter=2))),  # yesterday's
        snap(queue(14, ticket(4, day=NEXT_DAY), day=NEXT_DAY)),
        ev(event(15, "counter.opened", "2026-11-24T17:00:00.000000+00:00", counter=1, status="open", reason=None)),
        ev(event(16, "ticket.issued", "2026-11-24T17:00:01.000000+00:00", ticket=ticket(1, day="2026-11-25"))),
    ]


def script_catch_up_after_a_reboot() -> list[Step]:
    """The web board after a TV reboot: a snapshot, then the last events again, only to find the last call."""
    return [
        snap(queue(9, ticket(2, "serving", calls=1, counter=2), ticket(3))),
        ev(event(5, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1)),  # done since
        ev(event(6, "ticket.finished", ticket=ticket(1, "done", calls=1, counter=1))),
        ev(event(7, "ticket.called", ticket=ticket(2, "called", calls=1, counter=2), counter=2)),  # being served now
        ev(event(8, "ticket.started", ticket=ticket(2, "serving", calls=1, counter=2), counter=2)),
        ev(event(9, "ticket.issued", ticket=ticket(3))),
        ev(event(10, "ticket.called", ticket=ticket(3, "called", calls=1, counter=1), counter=1)),  # live
    ]


def script_before_a_snapshot() -> list[Step]:
    return [
        ev(event(3, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1)),
        snap(queue(3, ticket(1, "called", calls=1, counter=1))),
        ev(event(4, "ticket.finished", ticket=ticket(1, "done", calls=1, counter=1))),
    ]


def script_director_changes_settings() -> list[Step]:
    """A director changes caps or hours (rule 8): the event itself patches nothing and asks for a fresh queue."""
    return [
        snap(queue(5, ticket(1))),
        ev(event(6, "centre.changed", changed=["group.HT.daily_cap"], by="giamdoc (Trần Văn Giám)")),
        ev(event(7, "ticket.issued", ticket=ticket(2))),
    ]


HAND_WRITTEN: dict[str, Callable[[], list[Step]]] = {
    "in_order": script_in_order,
    "duplicates_and_out_of_order": script_duplicates_and_out_of_order,
    "stale_snapshots": script_stale_snapshots,
    "day_roll": script_day_roll,
    "catch_up_after_a_reboot": script_catch_up_after_a_reboot,
    "before_a_snapshot": script_before_a_snapshot,
    "director_changes_settings": script_director_changes_settings,
}


# --- a day recorded from the real store ---------------------------------------------------------------


class Recording:
    """Runs commands on an in-process service and keeps, after each, its new events and its snapshot."""

    def __init__(self, fake: FakeQueueClient, public: bool) -> None:
        self.fake = fake
        self.public = public
        self.events: list[dict[str, Any]] = []
        self.snapshots: list[dict[str, Any]] = [self._queue()]
        self.seq = self.snapshots[0]["seq"]

    def _queue(self) -> dict[str, Any]:
        q = self.fake.queue()
        return _public(q) if self.public else q

    def do(self, command: Callable[[], object]) -> None:
        try:
            command()
        except Exception as exc:  # a refused command (nobody waiting, a busy counter) is part of the day too
            if not hasattr(exc, "message"):
                raise
        for e in self.fake.store.events_since(self.seq):
            message = {"type": "event", **e.to_dict()}
            self.events.append(_public(message) if self.public else message)
            self.seq = e.seq
        self.snapshots.append(self._queue())


def _public(value: Any) -> Any:
    """What a board without a token gets (app.service.api.public_view)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in ("priority", "priority_granted_by", "clerk")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def record_two_days(public: bool = True) -> Recording:
    """Two days of a small hall on the real store: every kind of event, priorities, and the day roll."""
    clock = ManualClock()
    clock.current = clock.current + timedelta(hours=1)  # 09:00 in the centre
    with FakeQueueClient(clock=clock) as fake:
        rec = Recording(fake, public)
        priority = fake.priorities()[0]["code"]
        for group in ("HT", "HT", "CT", "HT", "DD", "CT"):
            rec.do(lambda group=group: fake.issue(group))
            clock.advance(30)
        rec.do(lambda: fake.issue("HT", priority))
        rec.do(lambda: fake.call_next(1))
        rec.do(lambda: fake.call_next(2))
        rec.do(lambda: fake.start(1))
        rec.do(lambda: fake.recall(2))
        rec.do(lambda: fake.recall(2))
        rec.do(lambda: fake.no_show(2))
        rec.do(lambda: fake.call_next(3))
        rec.do(lambda: fake.transfer(3, "CT"))
        rec.do(lambda: fake.pause(3, "break"))
        rec.do(lambda: fake.call_next(1))  # finishes its citizen, calls the next
        rec.do(lambda: fake.start(1))
        waiting = [t for t in fake.queue()["waiting"] if t["group"] == "DD"]
        rec.do(lambda: fake.cancel(int(waiting[0]["id"])))
        rec.do(lambda: fake.resume(3))
        rec.do(lambda: fake.call_next(4))
        rec.do(lambda: fake.call_next(4))  # refused: the counter is calling
        clock.advance(24 * 3600)  # the next morning, with citizens still waiting
        rec.do(lambda: fake.issue("HT"))  # the day roll: day.closed, then the issue
        rec.do(lambda: fake.resume(2))
        rec.do(lambda: fake.call_next(1))
        rec.do(lambda: fake.finish(1))
        clock.advance(24 * 3600)  # a day with nobody left over: no day.closed at all
        rec.do(lambda: fake.resume(4))
        rec.do(lambda: fake.issue("CT"))
        rec.do(lambda: fake.call_next(4))
    return rec


def recorded_script(rec: Recording) -> list[Step]:
    """The recorded day as the socket gives it: the first snapshot, then every event in order."""
    return [snap(rec.snapshots[0], authoritative=True), *(ev(e) for e in rec.events)]
