"""The hall model (app/client/hall.py) on scripted event sequences, without Qt, and against the real store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.client.hall import HallModel
from app.client.hall_views import counter_phrase
from tests.unit.hall_scripts import (
    DAY,
    NEXT_DAY,
    event,
    queue,
    record_two_days,
    run_python,
    script_catch_up_after_a_reboot,
    script_day_roll,
    script_duplicates_and_out_of_order,
    script_in_order,
    script_stale_snapshots,
    ticket,
    views,
)


def board(model: HallModel) -> list[tuple[str, str, str]]:
    return [(c.name, c.value, c.status) for c in model.counter_views()]


def chips(model: HallModel) -> dict[str, tuple[int, tuple[str, ...]]]:
    return {g.code: (g.waiting, g.next_numbers) for g in model.group_views()}


def test_a_morning_in_order() -> None:
    steps = run_python(script_in_order())
    assert [s["seq"] for s in steps] == list(range(15))
    assert all(not s["result"]["resync"] for s in steps[1:])
    after_issue = steps[3]
    assert {g["code"]: (g["waiting"], g["next_numbers"], g["issued_today"]) for g in after_issue["groups"]} == {
        "HT": (2, ["A001", "A002"], 2),
        "CT": (1, ["B003"], 1),
    }
    called = steps[5]
    assert called["result"]["call"]["number"] == "A001"
    assert called["result"]["call"]["counter_name"] == "Quầy 1"
    assert [(c["name"], c["value"], c["status"]) for c in called["counters"]] == [
        ("Quầy 1", "A001", "called"),
        ("Quầy số 2", "—", "free"),
        ("Tư pháp", "—", "free"),  # counter.opened at seq 4
    ]
    assert steps[7]["counters"][0]["status"] == "serving"
    recalled = steps[8]["result"]["call"]
    assert (recalled["number"], recalled["recall"], recalled["counter_id"]) == ("B003", True, 2)
    assert [c["number"] for c in steps[8]["calls"]] == ["B003", "B003", "A001"]  # newest first
    assert steps[9]["counters"][1]["value"] == "—"  # the no-show left the counter
    paused = steps[10]["counters"][1]
    assert (paused["value"], paused["status"], paused["reason"]) == ("Tạm nghỉ", "paused", "break")
    moved = steps[11]
    assert moved["counters"][0]["status"] == "free"
    assert {g["code"]: g["next_numbers"] for g in moved["groups"]} == {"HT": ["A002"], "CT": ["A001"]}
    assert {g["code"]: g["waiting"] for g in steps[12]["groups"]} == {"HT": 0, "CT": 1}
    last = steps[14]
    assert last["counters"][2] == {"id": 3, "name": "Tư pháp", "status": "called", "number": "A001",
                                   "groups": ["HT"], "reason": None, "value": "A001"}  # fmt: skip
    assert last["result"]["call"]["counter_name"] == "Tư pháp"


def test_a_duplicate_is_ignored_and_a_gap_asks_for_a_resync() -> None:
    steps = run_python(script_duplicates_and_out_of_order())
    first, twice, after_gap, late, resync, next_one = steps[1:]
    assert first["result"]["fresh"]
    assert first["result"]["call"]["number"] == "A001"
    assert twice["result"] == {"fresh": False, "resync": False, "call": None}
    assert twice["counters"] == first["counters"]
    assert twice["calls"] == first["calls"]
    assert after_gap["result"]["resync"]
    assert after_gap["result"]["fresh"]
    assert after_gap["counters"][0]["status"] == "serving"  # applied all the same
    assert late["result"] == {"fresh": False, "resync": False, "call": None}  # older than the call on show
    assert late["counters"][0]["status"] == "serving"  # never back to called
    assert resync["result"] is True
    assert next_one["result"]["resync"] is False
    assert [g["waiting"] for g in next_one["groups"]] == [2, 0]


def test_an_older_refetch_is_dropped_and_an_overtaken_call_still_called_once() -> None:
    steps = run_python(script_stale_snapshots())
    assert steps[2]["result"] is False  # taken before seq 4
    assert steps[2]["groups"][0]["waiting"] == 3
    assert steps[3]["result"] is True
    overtaken = steps[4]["result"]
    assert not overtaken["fresh"]
    assert not overtaken["resync"]
    assert overtaken["call"]["number"] == "A001"  # the hall must see and hear it
    assert steps[5]["result"]["call"] is None  # once
    reset = steps[6]
    assert reset["result"] is True
    assert reset["seq"] == 0
    assert reset["calls"] == []  # the old numbering's calls would hide the new ones
    assert [c["value"] for c in reset["counters"]] == ["—", "—", "—"]
    assert steps[8]["result"]["call"]["number"] == "A001"
    assert steps[8]["result"]["call"]["counter_name"] == "Quầy số 2"


def test_a_new_day_drops_yesterday_and_asks_for_a_resync() -> None:
    steps = run_python(script_day_roll())
    assert steps[1]["calls"][0]["number"] == "A001"
    closed = steps[2]
    assert closed["result"]["resync"]
    assert closed["day"] == NEXT_DAY
    assert closed["calls"] == []
    assert [c["status"] for c in closed["counters"]] == ["closed", "closed", "closed"]
    assert [g["waiting"] for g in closed["groups"]] == [0, 0]
    assert steps[3]["groups"][0]["next_numbers"] == ["A004"]
    assert steps[4]["result"]["fresh"]
    assert steps[4]["groups"] == steps[3]["groups"]
    assert steps[5]["result"] is True
    stamped_later = steps[6]  # the first command of the 25th (00:00 local) carries no day but its time
    assert stamped_later["day"] == "2026-11-25"
    assert stamped_later["result"]["resync"]
    assert [c["status"] for c in stamped_later["counters"]] == ["free", "closed", "closed"]
    assert [g["waiting"] for g in stamped_later["groups"]] == [0, 0]
    assert steps[7]["groups"][0]["next_numbers"] == ["A001"]


def test_replayed_calls_find_the_last_call_without_calling_a_citizen_being_served() -> None:
    steps = run_python(script_catch_up_after_a_reboot())
    assert steps[1]["result"]["call"]["number"] == "A001"  # nothing says A001 moved on: it is brought out
    assert steps[3]["result"]["call"] is None  # A002 is being served: not said again…
    assert steps[3]["calls"][0]["number"] == "A002"  # …but it is the last call
    assert all(s["counters"] == steps[0]["counters"] for s in steps[1:6])  # covered: nothing patched
    assert steps[6]["result"]["call"]["number"] == "A003"
    assert [c["number"] for c in steps[6]["calls"]] == ["A003", "A002", "A001"]


def test_events_before_the_first_snapshot_ask_for_one_but_a_call_shows() -> None:
    model = HallModel()
    applied = model.apply_event(event(3, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1))
    assert applied.resync
    assert not applied.fresh
    assert applied.call is not None
    assert applied.call.counter_name == "Quầy 1"
    assert not model.loaded
    assert model.counter_views() == []


def test_a_ticket_never_goes_back() -> None:
    model = HallModel()
    model.apply_snapshot(queue(5, ticket(1), ticket(2)))
    model.apply_ticket(ticket(1, "serving", calls=1, counter=1))  # a counter's own answer, before its event
    late = event(6, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1)
    assert model.apply_event(late).fresh
    assert (model.current(1) or {})["state"] == "serving"
    moved = ticket(1, "waiting", group="CT", calls=1, transfers=1)
    assert model.apply_ticket(moved)
    assert not model.apply_ticket(ticket(1, "called", calls=3, counter=1))  # a transfer outranks any call
    assert model.current(1) is None
    assert chips(model) == {"HT": (1, ("A002",)), "CT": (1, ("A001",))}


def test_priority_tickets_come_first_in_the_next_numbers() -> None:
    model = HallModel()
    model.apply_snapshot(queue(1, ticket(1), ticket(2), ticket(3, priority="elderly")))
    assert chips(model)["HT"] == (3, ("A003", "A001", "A002"))


def test_when_a_ticket_entered_its_state_is_kept_across_a_resync() -> None:
    model = HallModel()
    model.apply_snapshot(queue(1, ticket(1)))
    model.apply_event(event(2, "ticket.called", ticket=ticket(1, "called", calls=1, counter=1), counter=1))
    called_at = datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert model.since == {1: called_at}
    model.apply_snapshot(queue(2, ticket(1, "called", calls=1, counter=1)))
    assert model.since == {1: called_at}  # the same state: still since the call
    model.apply_snapshot(queue(3, ticket(1, "serving", calls=1, counter=1)))
    assert model.since == {}


def test_the_snapshot_shape_is_kept_for_screens_written_against_it() -> None:
    q = queue(7, ticket(1), ticket(2, "called", calls=1, counter=2), ticket(3, group="CT", prefix="B"), paused=3)
    model = HallModel()
    model.apply_snapshot(q)
    assert model.snapshot() == q
    model.apply_event(event(8, "ticket.issued", ticket=ticket(4)))
    shown = model.snapshot()
    assert shown["seq"] == 8
    assert [g["waiting"] for g in shown["groups"]] == [2, 1]
    assert shown["groups"][0]["issued_today"] == 3
    assert [t["number"] for t in shown["waiting"]] == ["A001", "B003", "A004"]


def test_kiosk_views_open_groups_counters_and_estimates() -> None:
    q = queue(1, ticket(1))
    q["groups"][0]["estimated_wait_s"] = 600
    model = HallModel()
    model.apply_snapshot(q)
    ht, ct = model.group_views()
    assert (ht.open, ht.counters, ht.estimated_wait_s) == (True, (1, 2, 3), 600)
    assert (ct.open, ct.counters, ct.closed_message) == (False, (1, 2), "Chứng thực: đã hết giờ nhận số.")
    assert ct.estimated_wait_s is None
    assert [c.groups for c in model.counter_views()] == [("HT", "CT"), ("CT", "HT"), ("HT",)]  # home groups first


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("Quầy 3", "đến quầy 3"),
        ("Quầy số 3", "đến quầy 3"),
        ("QUẦY  12", "đến quầy 12"),
        ("Tư pháp", "đến quầy Tư pháp"),
    ],
)
def test_counter_phrase(name: str, phrase: str) -> None:
    assert counter_phrase(name) == phrase


@pytest.mark.parametrize("public", [True, False])
def test_the_real_stores_events_rebuild_its_snapshots(public: bool) -> None:
    """Two days on the real store: after each command, the model fed only events shows what a model loaded
    from the store's own snapshot at that seq shows (waiting counts, next numbers, counters, statuses)."""
    rec = record_two_days(public)
    kinds = {e["kind"] for e in rec.events}
    assert kinds >= {"ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
                     "ticket.no_show", "ticket.transferred", "ticket.cancelled", "counter.paused",
                     "counter.opened", "day.closed"}  # fmt: skip
    model = HallModel()
    model.apply_snapshot(rec.snapshots[0], authoritative=True)
    at_seq = {s["seq"]: s for s in rec.snapshots}
    checked = 0
    for message in rec.events:
        applied = model.apply_event(message)
        assert applied.fresh
        truth = at_seq.get(message["seq"])
        if truth is None:
            continue
        fresh = HallModel()
        fresh.apply_snapshot(truth)
        mine, theirs = views(model), views(fresh)
        assert (mine["day"], mine["counters"], mine["groups"]) == (theirs["day"], theirs["counters"], theirs["groups"])
        checked += 1
        if applied.resync:  # a new day: the resync makes it exact again
            model.apply_snapshot(truth)
    assert checked >= 20
    assert model.day > DAY


def test_covered_events_patch_nothing() -> None:
    model = HallModel()
    q = queue(9, ticket(1))
    model.apply_snapshot(q)
    before = views(model)
    paused = event(9, "counter.paused", counter=1, status="paused", reason="meeting")
    for message in (event(8, "ticket.issued", ticket=ticket(5)), paused):
        assert model.apply_event(message).fresh is False
    assert views(model) == before
