"""QueueStore on a real SQLite file with a hand-moved clock, and the single writer under it."""

from __future__ import annotations

import dataclasses
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from app.core.centre import Centre, IssueWindow, default_centre
from app.core.clock import LOCAL_TZ, ManualClock
from app.core.errors import Conflict, DomainError, IssueClosed, NotFound
from app.core.ticket import Channel
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.database import connect
from app.store.queue_store import QueueStore
from app.store.writer import Event, Tx, Writer

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 on Monday 23/11/2026 in Hà Nội
WAIT = 10  # seconds any blocking wait in these tests may take before the test fails


def the_default_centre() -> Centre:
    return default_centre(load_catalog_file(default_catalog_path()))


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def open_store(tmp_path: Path, clock: ManualClock) -> Iterator[Callable[..., QueueStore]]:
    """Open (or reopen) the store file; every store still open at the end is closed."""
    opened: list[QueueStore] = []

    def open_(centre: Callable[[], Centre] = the_default_centre) -> QueueStore:
        store = QueueStore(tmp_path / "q.db", clock, centre)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        if store.writer._thread.is_alive():
            store.close()


@pytest.fixture
def store(open_store: Callable[..., QueueStore]) -> QueueStore:
    return open_store()


def reopen(store: QueueStore, open_store: Callable[..., QueueStore]) -> QueueStore:
    store.close()

    def must_not_be_called() -> Centre:
        raise AssertionError("a reopened store must read its centre from the file")

    return open_store(must_not_be_called)


def kinds(store: QueueStore, since: int = 0) -> list[str]:
    return [e.kind for e in store.events_since(since)]


def counter_view(store: QueueStore, counter_id: int) -> dict[str, Any]:
    return next(c for c in store.snapshot()["counters"] if c["id"] == counter_id)


# --- issuing ---------------------------------------------------------------------------------------


def test_numbers_run_per_group(store: QueueStore, clock: ManualClock) -> None:
    issued = []
    for group in ("HT", "HT", "CT", "HT", "CT", "DD"):
        issued.append(store.issue(group))
        clock.advance(30)
    assert [t["number"] for t in issued] == ["A001", "A002", "B001", "A003", "B002", "D001"]
    assert [t["seq_number"] for t in issued] == [1, 2, 1, 3, 2, 1]
    assert [t["id"] for t in issued] == [1, 2, 3, 4, 5, 6]
    assert {t["day"] for t in issued} == {"2026-11-23"}
    assert all(t["state"] == "waiting" and t["channel"] == "kiosk" for t in issued)
    assert issued[0]["issued_at"] == "2026-11-23T01:00:00.000000+00:00"


def test_issue_reports_people_ahead_and_an_estimate(store: QueueStore, clock: ManualClock) -> None:
    first = store.issue("HT")
    second = store.issue("HT")
    assert (first["people_ahead"], first["estimated_wait_s"]) == (0, 0)
    # no counter open yet: the four counters serving HT are assumed; 1 × 300 s ÷ 4
    assert (second["people_ahead"], second["estimated_wait_s"]) == (1, 75)
    store.resume(1)
    third = store.issue("HT")
    assert (third["people_ahead"], third["estimated_wait_s"]) == (2, 600)  # 2 × 300 s ÷ 1 open counter
    elderly = store.issue("HT", priority="elderly", device="kiosk-1")
    assert elderly["priority"] == "elderly"
    assert elderly["people_ahead"] == 0
    assert store.issue("HT")["people_ahead"] == 4
    assert store.issue("CT")["people_ahead"] == 0


def test_estimate_uses_recent_service_times(store: QueueStore, clock: ManualClock) -> None:
    store.issue("HT")
    store.call_next(1)
    store.act(1, "start")
    clock.advance(120)
    store.act(1, "finish")
    store.issue("HT")
    ticket = store.issue("HT")
    assert ticket["people_ahead"] == 1
    assert ticket["estimated_wait_s"] == 120  # 1 × 120 s median ÷ 1 open counter


def test_unknown_group_or_priority_is_refused_before_anything_is_written(store: QueueStore) -> None:
    with pytest.raises(NotFound) as info:
        store.issue("XX")
    assert info.value.code == "unknown_group"
    assert "Không có nhóm dịch vụ" in info.value.message
    assert "HT" in info.value.message
    with pytest.raises(DomainError) as info2:
        store.issue("HT", priority="vip")
    assert info2.value.code == "unknown_priority"
    assert "elderly" in info2.value.message
    assert store.events_since(0) == []
    assert store.stats()["issued"] == 0


def test_closed_group_refuses_and_the_snapshot_says_why(open_store: Callable[..., QueueStore]) -> None:
    def centre() -> Centre:
        base = the_default_centre()
        groups = tuple(
            dataclasses.replace(g, daily_cap=1)
            if g.code == "DD"
            else dataclasses.replace(g, windows=(IssueWindow(time(13, 30), time(16, 0)),))
            if g.code == "HT"
            else g
            for g in base.groups
        )
        return dataclasses.replace(base, groups=groups)

    store = open_store(centre)
    assert store.issue("DD")["number"] == "D001"
    with pytest.raises(IssueClosed) as info:
        store.issue("DD")
    assert info.value.details["reason"] == "cap"
    with pytest.raises(IssueClosed) as info:
        store.issue("HT")
    assert info.value.details["reason"] == "window"
    groups = {g["code"]: g for g in store.snapshot()["groups"]}
    assert groups["DD"]["open"] is False
    assert groups["DD"]["issued_today"] == 1
    assert "đã cấp đủ 1 số" in groups["DD"]["closed_message"]
    assert groups["DD"]["reopens_at"] == "2026-11-24T00:00:00.000000+00:00"  # 07:00 local tomorrow
    assert groups["HT"]["open"] is False
    assert groups["HT"]["reopens_at"] == "2026-11-23T06:30:00.000000+00:00"  # 13:30 local today
    assert "13:30–16:00" in groups["HT"]["closed_message"]
    assert groups["CT"]["open"] is True
    assert groups["CT"]["closed_message"] is None
    assert groups["CT"]["reopens_at"] is None
    assert store.stats()["issued"] == 1
    assert kinds(store) == ["ticket.issued"]


# --- the local day ---------------------------------------------------------------------------------


def test_numbering_resets_at_local_midnight_not_before(store: QueueStore, clock: ManualClock) -> None:
    assert store.issue("HT")["number"] == "A001"
    clock.current = datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)  # 23:59:59 local
    late = store.issue("HT")
    assert (late["number"], late["day"]) == ("A002", "2026-11-23")
    clock.advance(1)  # 17:00:00 UTC = 00:00 local on the 24th
    fresh = store.issue("HT")
    assert (fresh["number"], fresh["day"]) == ("A001", "2026-11-24")
    assert store.issue("CT")["number"] == "B001"
    assert store.today() == date(2026, 11, 24)


def test_utc_midnight_does_not_reset_numbers(store: QueueStore, clock: ManualClock) -> None:
    clock.current = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)  # 06:59 local on the 24th
    assert store.issue("HT")["number"] == "A001"
    clock.current = datetime(2026, 11, 24, 0, 1, tzinfo=UTC)  # 07:01 local, same local day
    assert store.issue("HT")["number"] == "A002"


def test_first_command_of_a_new_day_closes_what_yesterday_left_open(store: QueueStore, clock: ManualClock) -> None:
    called = store.issue("HT")
    waiting = store.issue("HT")
    served = store.issue("CT")
    store.call_next(2)  # CT is counter 2's home group
    store.act(2, "start")
    store.call_next(2)  # finishes CT, calls HT
    store.pause(3, "break")
    assert store.ticket(called["id"])["state"] == "called"
    assert store.ticket(waiting["id"])["state"] == "waiting"
    clock.current = local(24, 7, 30)
    seq_before = store.events_since(0)[-1].seq

    store.resume(4)  # any command is the first command of the day

    for tid in (waiting["id"], called["id"]):
        ticket = store.ticket(tid)
        assert (ticket["state"], ticket["outcome"]) == ("done", "removed_at_close")
    assert store.ticket(served["id"])["outcome"] == "served"
    events = store.events_since(seq_before)
    assert [e.kind for e in events] == ["day.closed", "counter.opened"]
    assert events[0].payload == {"day": "2026-11-24", "removed": sorted([waiting["id"], called["id"]])}
    snapshot = store.snapshot()
    assert snapshot["day"] == "2026-11-24"
    assert snapshot["waiting"] == []
    statuses = {c["id"]: (c["status"], c["current"]) for c in snapshot["counters"]}
    assert statuses == {1: ("closed", None), 2: ("closed", None), 3: ("closed", None), 4: ("open", None)}
    yesterday = store.stats(date(2026, 11, 23))
    assert yesterday["outcomes"]["removed_at_close"] == 2
    assert yesterday["served"] == 1
    assert store.stats()["issued"] == 0


def test_day_closes_once(store: QueueStore, clock: ManualClock) -> None:
    store.issue("HT")
    clock.current = local(24, 8)
    store.issue("HT")
    store.issue("HT")
    assert kinds(store).count("day.closed") == 1


def test_a_failing_first_command_does_not_skip_the_day_close(store: QueueStore, clock: ManualClock) -> None:
    old = store.issue("HT")
    clock.current = local(24, 8)
    with pytest.raises(Conflict):
        store.act(1, "start")  # refused: counter 1 has nobody
    store.issue("HT")
    assert store.ticket(old["id"])["outcome"] == "removed_at_close"


# --- calling and counter actions -------------------------------------------------------------------


def test_call_start_finish_cycle(store: QueueStore, clock: ManualClock) -> None:
    first = store.issue("HT")
    second = store.issue("HT")
    clock.advance(600)
    called = store.call_next(1, clerk="lan")
    assert called is not None
    assert (called["id"], called["state"], called["counter"], called["call_count"]) == (first["id"], "called", 1, 1)
    view = counter_view(store, 1)
    assert view["status"] == "open"
    assert view["current"]["id"] == first["id"]

    with pytest.raises(Conflict) as info:
        store.call_next(1)
    assert info.value.code == "counter_busy"
    assert "A001" in info.value.message

    clock.advance(60)
    assert store.act(1, "start")["state"] == "serving"
    clock.advance(300)
    nxt = store.call_next(1)  # serving: calling the next one finishes the current citizen
    assert nxt is not None
    assert nxt["id"] == second["id"]
    done = store.ticket(first["id"])
    assert (done["state"], done["outcome"]) == ("done", "served")
    clock.advance(30)
    assert store.act(1, "start")["state"] == "serving"
    clock.advance(30)
    assert store.act(1, "finish")["outcome"] == "served"
    assert store.call_next(1) is None
    assert counter_view(store, 1)["status"] == "open"
    assert kinds(store) == [
        "ticket.issued",
        "ticket.issued",
        "counter.opened",
        "ticket.called",
        "ticket.started",
        "ticket.finished",
        "ticket.called",
        "ticket.started",
        "ticket.finished",
    ]
    stats = store.stats()
    assert (stats["issued"], stats["served"]) == (2, 2)
    assert stats["wait_s"]["max"] == 960.0  # second ticket: issued at 0, called at 600+60+300
    assert stats["service_s"]["avg"] == 165.0  # 300 s and 30 s
    assert stats["walk_s"]["avg"] == 45.0  # 60 s and 30 s
    assert stats["by_clerk"]["lan"]["served"] == 1
    assert set(stats["by_counter"]) == {"1"}
    assert stats["day"] == "2026-11-23"


def test_two_counters_never_get_the_same_citizen(store: QueueStore) -> None:
    for _ in range(6):
        store.issue("HT")
    futures = [store.submit(store.call_next_job(c)) for c in (1, 2, 3, 4)]
    called = [f.result(timeout=WAIT) for f in futures]
    assert sorted(t["id"] for t in called) == [1, 2, 3, 4]
    assert len({t["counter"] for t in called}) == 4
    assert [t["id"] for t in store.snapshot()["waiting"]] == [5, 6]


def test_parallel_issues_get_unique_consecutive_numbers(store: QueueStore) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def burst() -> None:
        for _ in range(25):
            number = store.issue("HT")["number"]
            with lock:
                results.append(number)

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert sorted(results) == [f"A{n:03d}" for n in range(1, 101)]


def test_counter_calls_home_group_first_then_fifo(store: QueueStore, clock: ManualClock) -> None:
    ht = store.issue("HT")  # counter 2 serves HT at level 2
    clock.advance(60)
    ct = store.issue("CT")  # counter 2's home group
    assert store.call_next(2)["id"] == ct["id"]
    store.act(2, "transfer", group="DD")
    assert store.call_next(2)["id"] == ht["id"]


def test_priority_and_fairness_cap_through_the_store(store: QueueStore, clock: ManualClock) -> None:
    normal = store.issue("HT")
    clock.advance(1)
    elderly = [store.issue("HT", priority="elderly") for _ in range(5)]
    order = []
    while (called := store.call_next(1)) is not None:
        order.append(called["id"])
        store.act(1, "start")
    ids = [t["id"] for t in elderly]
    assert order == [*ids[:3], normal["id"], *ids[3:]]


def test_recall_up_to_the_limit_then_no_show(store: QueueStore, clock: ManualClock) -> None:
    ticket = store.issue("HT")
    store.call_next(1)
    assert store.centre.policy.call_count_max == 3
    assert store.act(1, "recall")["call_count"] == 2
    assert store.act(1, "recall")["call_count"] == 3
    last = store.act(1, "recall")
    assert (last["state"], last["outcome"]) == ("done", "no_show")
    assert kinds(store)[-3:] == ["ticket.recalled", "ticket.recalled", "ticket.no_show"]
    assert store.ticket(ticket["id"])["outcome"] == "no_show"
    assert counter_view(store, 1)["current"] is None
    assert store.stats()["no_show_rate"] == 1.0


def test_no_show_action(store: QueueStore) -> None:
    store.issue("HT")
    store.call_next(1)
    with pytest.raises(Conflict) as early:  # the ticket says "Quá 3 lần gọi không có mặt, số sẽ bị hủy"
        store.act(1, "no_show")
    assert early.value.code == "too_few_calls"
    store.act(1, "recall")
    store.act(1, "recall")
    assert store.act(1, "no_show")["outcome"] == "no_show"
    with pytest.raises(Conflict) as info:
        store.act(1, "no_show")
    assert info.value.code == "no_current"


@pytest.mark.parametrize("action", ["recall", "start", "finish", "no_show", "transfer"])
def test_actions_need_a_current_ticket(store: QueueStore, action: str) -> None:
    store.issue("HT")
    with pytest.raises(Conflict) as info:
        store.act(1, action, group="CT")
    assert info.value.code == "no_current"
    assert info.value.message.startswith("Quầy 1 chưa gọi ai nên không thể")


def test_wrong_action_for_the_state_is_a_conflict_and_changes_nothing(store: QueueStore) -> None:
    store.issue("HT")
    store.call_next(1)
    before = kinds(store)
    with pytest.raises(Conflict) as info:
        store.act(1, "finish")
    assert info.value.code == "bad_state"
    assert kinds(store) == before
    assert counter_view(store, 1)["current"]["state"] == "called"


def test_unknown_counter_is_not_found(store: QueueStore) -> None:
    for attempt in (lambda: store.call_next(9), lambda: store.act(9, "start"), lambda: store.pause(9, "break")):
        with pytest.raises(NotFound) as info:
            attempt()
        assert info.value.code == "unknown_counter"
        assert "Không có quầy số 9" in info.value.message


def test_transfer_keeps_the_original_place(store: QueueStore, clock: ManualClock) -> None:
    moved = store.issue("HT")
    clock.advance(60)
    newcomer = store.issue("CT")
    clock.advance(60)
    store.call_next(1)
    store.act(1, "start")
    clock.advance(60)
    view = store.act(1, "transfer", group="CT")
    assert (view["state"], view["group"], view["transfers"], view["call_count"], view["counter"]) == (
        "waiting",
        "CT",
        1,
        0,
        None,
    )
    assert view["issued_at"] == moved["issued_at"]
    assert view["number"] == "A001"  # the citizen keeps the number on their ticket
    assert counter_view(store, 1)["current"] is None
    assert kinds(store)[-1] == "ticket.transferred"
    again = store.call_next(2)
    assert again is not None
    assert again["id"] == moved["id"]  # before the CT ticket issued after it
    assert store.ticket(newcomer["id"])["state"] == "waiting"
    # the HT numbering is not disturbed by the move
    assert store.issue("HT")["number"] == "A002"


def test_transfer_to_an_unknown_group_is_refused(store: QueueStore) -> None:
    store.issue("HT")
    store.call_next(1)
    with pytest.raises(NotFound):
        store.act(1, "transfer", group="XX")
    with pytest.raises(Conflict) as info:
        store.act(1, "transfer", group="HT")
    assert info.value.code == "same_group"
    assert counter_view(store, 1)["current"]["group"] == "HT"


def test_cancel(store: QueueStore) -> None:
    ticket = store.issue("HT")
    other = store.issue("HT")
    view = store.cancel(ticket["id"])
    assert (view["state"], view["outcome"]) == ("done", "left")
    assert kinds(store)[-1] == "ticket.cancelled"
    with pytest.raises(Conflict) as info:
        store.cancel(ticket["id"])
    assert info.value.code == "bad_state"
    with pytest.raises(NotFound):
        store.cancel(999)
    store.call_next(1)
    with pytest.raises(Conflict):
        store.cancel(other["id"])  # already called
    assert store.stats()["outcomes"]["left"] == 1


def test_pause_and_resume(store: QueueStore, clock: ManualClock) -> None:
    view = store.pause(1, "meeting", clerk="lan")
    assert view == {"counter": 1, "status": "paused", "reason": "meeting", "label": "Họp"}
    assert (counter_view(store, 1)["status"], counter_view(store, 1)["reason"]) == ("paused", "meeting")
    clock.advance(900)
    assert store.resume(1) == {"counter": 1, "status": "open", "reason": None}
    assert (counter_view(store, 1)["status"], counter_view(store, 1)["reason"]) == ("open", None)
    assert kinds(store) == ["counter.paused", "counter.opened"]
    rows = store.reader().execute('SELECT status, reason, start, "end" FROM counter_intervals WHERE counter=1')
    assert list(rows) == [
        ("paused", "meeting", "2026-11-23T01:00:00.000000+00:00", "2026-11-23T01:15:00.000000+00:00"),
        ("open", None, "2026-11-23T01:15:00.000000+00:00", None),
    ]
    clerk = store.reader().execute("SELECT clerk FROM counter_state WHERE counter=1").fetchone()[0]
    assert clerk == "lan"  # resume without a clerk keeps who is at the counter


def test_pause_is_refused_with_a_citizen_at_the_counter_or_a_bad_reason(store: QueueStore) -> None:
    with pytest.raises(DomainError) as info:
        store.pause(1, "lunch")
    assert info.value.code == "bad_reason"
    assert "break" in info.value.message
    store.issue("HT")
    store.call_next(1)
    with pytest.raises(Conflict) as info2:
        store.pause(1, "break")
    assert info2.value.code == "counter_busy"
    assert "A001" in info2.value.message
    assert counter_view(store, 1)["status"] == "open"


# --- events ----------------------------------------------------------------------------------------


def test_events_are_recorded_in_seq_order_and_can_be_replayed(store: QueueStore) -> None:
    store.issue("HT")
    store.issue("CT")
    store.call_next(1)
    store.act(1, "start")
    store.pause(2, "break")
    events = store.events_since(0)
    assert [e.seq for e in events] == list(range(1, 7))
    assert [e.kind for e in events] == [
        "ticket.issued",
        "ticket.issued",
        "counter.opened",  # the first call of the day opens the closed counter
        "ticket.called",
        "ticket.started",
        "counter.paused",
    ]
    assert events[0].payload["ticket"]["number"] == "A001"
    assert events[3].payload == {"ticket": events[3].payload["ticket"], "counter": 1}
    assert events[3].payload["ticket"]["state"] == "called"
    assert events[2].payload == {"counter": 1, "status": "open", "reason": None}
    assert events[0].at == "2026-11-23T01:00:00.000000+00:00"
    assert store.events_since(3) == events[3:]
    assert store.events_since(6) == []
    assert store.events_since(0, limit=2) == events[:2]
    assert store.oldest_seq() == 1
    assert store.snapshot()["seq"] == 6
    assert events[0].to_dict() == {"seq": 1, "at": events[0].at, "kind": "ticket.issued", "payload": events[0].payload}


def test_subscribers_get_the_store_events(store: QueueStore) -> None:
    seen: list[Event] = []
    store.writer.subscribe(seen.extend)
    store.issue("HT")
    store.call_next(1)
    flush(store.writer)
    assert [e.kind for e in seen] == ["ticket.issued", "counter.opened", "ticket.called"]
    assert seen == store.events_since(0)


# --- idempotency -----------------------------------------------------------------------------------


def test_idempotency_key_answers_again_without_issuing_twice(store: QueueStore) -> None:
    first = store.issue("HT", idempotency_key="kiosk-1:42")
    again = store.issue("HT", idempotency_key="kiosk-1:42")
    assert again == first
    assert store.stats()["issued"] == 1
    assert kinds(store) == ["ticket.issued"]
    other = store.issue("HT", idempotency_key="kiosk-1:43")
    assert other["number"] == "A002"
    assert store.issue("HT")["number"] == "A003"


def test_idempotent_call_next_does_not_call_twice(store: QueueStore) -> None:
    store.issue("HT")
    store.issue("HT")
    first = store.call_next(1, idempotency_key="c1")
    assert store.call_next(1, idempotency_key="c1") == first
    assert [t["id"] for t in store.snapshot()["waiting"]] == [2]
    empty_key = store.call_next(3, idempotency_key="c3")
    assert empty_key is not None
    store.act(3, "start")
    assert store.call_next(4, idempotency_key="c4") is None
    store.issue("HT")
    assert store.call_next(4, idempotency_key="c4") is None  # the first answer stands
    assert len(store.snapshot()["waiting"]) == 1


def test_a_refused_request_is_not_remembered(store: QueueStore) -> None:
    with pytest.raises(Conflict):
        store.act(1, "start", idempotency_key="a1")
    store.issue("HT")
    store.call_next(1)
    assert store.act(1, "start", idempotency_key="a1")["state"] == "serving"


def test_idempotency_survives_a_reopen(
    store: QueueStore, open_store: Callable[..., QueueStore], clock: ManualClock
) -> None:
    first = store.issue("HT", idempotency_key="k")
    clock.advance(60)
    reopened = reopen(store, open_store)
    assert reopened.issue("HT", idempotency_key="k") == first
    assert reopened.stats()["issued"] == 1


def test_early_morning_idempotency_key_survives_a_same_day_restart(
    open_store: Callable[..., QueueStore], clock: ManualClock
) -> None:
    clock.current = local(24, 6, 55)
    store = open_store()
    first = store.issue("HT", idempotency_key="k")
    clock.current = local(24, 7, 5)
    reopened = reopen(store, open_store)
    assert reopened.issue("HT", idempotency_key="k") == first
    assert reopened.stats()["issued"] == 1


# --- snapshot and stats ----------------------------------------------------------------------------


def test_snapshot_of_a_fresh_store(store: QueueStore) -> None:
    snapshot = store.snapshot()
    assert snapshot["seq"] == 0
    assert snapshot["day"] == "2026-11-23"
    assert snapshot["waiting"] == []
    assert [g["code"] for g in snapshot["groups"]] == ["HT", "CT", "NCN", "DD", "KD", "BTXH", "NCC", "GN", "CUTRU"]
    ht = snapshot["groups"][0]
    assert ht == {
        "code": "HT",
        "name": "Hộ tịch",
        "prefix": "A",
        "fields": ["HT"],
        "waiting": 0,
        "issued_today": 0,
        "open": True,
        "closed_message": None,
        "reopens_at": None,
    }
    assert [c["id"] for c in snapshot["counters"]] == [1, 2, 3, 4]
    assert all(c["status"] == "closed" and c["current"] is None for c in snapshot["counters"])
    assert snapshot["counters"][0]["name"] == "Quầy 1"
    assert snapshot["counters"][0]["groups"]["HT"] == 1
    assert snapshot["policy"] == {"call_count_max": 3}  # the counter's F5 waits for the third call


def test_the_snapshot_carries_the_centres_no_show_rule(open_store: Callable[..., QueueStore]) -> None:
    """A counter shows F5 "Vắng mặt" only from the call the centre's rule asks for: the snapshot says which."""

    def centre() -> Centre:
        base = the_default_centre()
        return dataclasses.replace(base, policy=dataclasses.replace(base.policy, call_count_max=5))

    store = open_store(centre)
    assert store.snapshot()["policy"] == {"call_count_max": 5}
    assert store.snapshot(public=True)["policy"] == {"call_count_max": 5}  # a board may know it too


def test_snapshot_shows_the_hall(store: QueueStore, clock: ManualClock) -> None:
    for group in ("HT", "HT", "HT", "CT"):
        store.issue(group)
        clock.advance(10)
    elderly = store.issue("CT", priority="elderly")
    store.call_next(1)  # elderly first: priority beats the counter's home group
    store.call_next(2)  # then HT #1 would be older, but counter 2's home group CT goes first
    store.pause(3, "back_office")
    snapshot = store.snapshot()
    groups = {g["code"]: g for g in snapshot["groups"]}
    assert (groups["HT"]["waiting"], groups["HT"]["issued_today"]) == (3, 3)
    assert (groups["CT"]["waiting"], groups["CT"]["issued_today"]) == (0, 2)
    assert groups["DD"]["issued_today"] == 0
    counters = {c["id"]: c for c in snapshot["counters"]}
    assert counters[1]["current"]["id"] == elderly["id"]
    assert counters[2]["current"]["number"] == "B001"
    assert (counters[3]["status"], counters[3]["reason"]) == ("paused", "back_office")
    assert counters[4]["status"] == "closed"
    assert [t["number"] for t in snapshot["waiting"]] == ["A001", "A002", "A003"]
    assert snapshot["seq"] == store.events_since(0)[-1].seq


def test_snapshot_lists_priority_first(store: QueueStore, clock: ManualClock) -> None:
    store.issue("HT")
    clock.advance(10)
    store.issue("CT")
    clock.advance(10)
    store.issue("DD", priority="pregnant")
    assert [t["number"] for t in store.snapshot()["waiting"]] == ["D001", "A001", "B001"]


def test_ticket_lookup(store: QueueStore) -> None:
    issued = store.issue("KD", channel=Channel.COUNTER)
    view = store.ticket(issued["id"])
    assert view["number"] == "E001"
    assert view["channel"] == "counter"
    assert "people_ahead" not in view
    with pytest.raises(NotFound) as info:
        store.ticket(77)
    assert "77" in info.value.message


# --- reopening -------------------------------------------------------------------------------------


def test_reopening_the_file_keeps_everything(
    store: QueueStore, open_store: Callable[..., QueueStore], clock: ManualClock
) -> None:
    for group in ("HT", "HT", "HT", "CT"):
        store.issue(group)
        clock.advance(10)
    store.call_next(1, clerk="lan")
    store.act(1, "start")
    clock.advance(100)
    store.act(1, "finish")
    store.call_next(1)
    store.cancel(3)
    events = store.events_since(0)
    stats = store.stats()
    centre = store.centre
    clock.advance(60)

    again = reopen(store, open_store)

    assert again.centre == centre
    assert again.events_since(0) == events
    assert [again.ticket(t)["state"] for t in (1, 2, 3, 4)] == ["done", "called", "done", "waiting"]
    assert again.ticket(3)["outcome"] == "left"
    reopened_stats = again.stats()
    for key in ("issued", "served", "outcomes", "wait_s", "service_s", "by_group"):
        assert reopened_stats[key] == stats[key]
    assert again.issue("HT")["number"] == "A004"
    assert again.issue("CT")["number"] == "B002"
    assert again.events_since(0)[-1].seq == events[-1].seq + 2
    assert [t["number"] for t in again.snapshot()["waiting"]] == ["B001", "A004", "B002"]


def test_a_reopened_store_keeps_its_own_centre(open_store: Callable[..., QueueStore]) -> None:
    def small() -> Centre:
        base = the_default_centre()
        return dataclasses.replace(base, name="Xã Thử", counters=base.counters[:2])

    store = open_store(small)
    assert store.centre.name == "Xã Thử"
    again = reopen(store, open_store)
    assert again.centre.name == "Xã Thử"
    assert [c["id"] for c in again.snapshot()["counters"]] == [1, 2]


def test_reopen_on_the_next_day_closes_yesterday(store: QueueStore, open_store, clock: ManualClock) -> None:
    store.issue("HT")
    clock.current = local(24, 7)
    again = reopen(store, open_store)
    assert again.ticket(1)["outcome"] == "removed_at_close"
    assert again.issue("HT")["number"] == "A001"


def test_a_same_day_restart_keeps_counter_state(store: QueueStore, open_store, clock: ManualClock) -> None:
    store.issue("HT")
    store.call_next(1)
    store.pause(2, "meeting")
    clock.advance(60)
    again = reopen(store, open_store)
    counters = {c["id"]: c for c in again.snapshot()["counters"]}
    assert counters[1]["current"] is not None
    assert counters[1]["status"] == "open"
    assert (counters[2]["status"], counters[2]["reason"]) == ("paused", "meeting")


# --- the writer ------------------------------------------------------------------------------------


@pytest.fixture
def writer_db(tmp_path: Path) -> Iterator[tuple[Writer, Path]]:
    path = tmp_path / "w.db"
    conn = connect(path)
    conn.executescript(
        """
        CREATE TABLE items (name TEXT PRIMARY KEY);
        CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, kind TEXT, payload TEXT);
        """
    )
    writer = Writer(conn)
    yield writer, path
    writer.close()
    conn.close()


def insert(name: str, *, fail: bool = False) -> Callable[[Tx], str]:
    def job(tx: Tx) -> str:
        tx.conn.execute("INSERT INTO items (name) VALUES (?)", (name,))
        tx.emit("item.added", {"name": name}, START)
        if fail:
            raise Conflict(f"không thêm được {name}")
        return name

    return job


class Held:
    """A job that keeps the writer busy until released, so the next jobs queue up as one batch."""

    def __init__(self, writer: Writer) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

        def job(tx: Tx) -> None:
            self.started.set()
            assert self.release.wait(WAIT)

        self.future = writer.submit(job)
        assert self.started.wait(WAIT)


def flush(writer: Writer) -> None:
    """Wait until every earlier commit has been delivered: subscribers run before the next batch starts."""
    writer.run(lambda tx: None)


def names(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = [r[0] for r in conn.execute("SELECT name FROM items ORDER BY name")]
    conn.close()
    return rows


def test_a_failing_job_rolls_back_alone(writer_db: tuple[Writer, Path]) -> None:
    writer, path = writer_db
    batches: queue.Queue[list[Event]] = queue.Queue()
    writer.subscribe(batches.put)
    held = Held(writer)
    ok1 = writer.submit(insert("a"))
    bad = writer.submit(insert("b", fail=True))
    ok2 = writer.submit(insert("c"))
    held.release.set()
    assert ok1.result(WAIT) == "a"
    assert ok2.result(WAIT) == "c"
    with pytest.raises(Conflict, match="không thêm được b"):
        bad.result(WAIT)
    assert held.future.result(WAIT) is None
    assert names(path) == ["a", "c"]
    # one batch, one commit, one delivery: the failed job's event is not in it
    batch = batches.get(timeout=WAIT)
    assert [e.payload["name"] for e in batch] == ["a", "c"]
    assert batch[0].seq < batch[1].seq
    flush(writer)
    assert batches.empty()


def test_events_are_published_after_commit_and_only_for_successful_jobs(writer_db: tuple[Writer, Path]) -> None:
    writer, path = writer_db
    visible: list[tuple[list[str], list[str]]] = []

    def subscriber(events: list[Event]) -> None:
        # a separate connection sees only committed data
        with sqlite3.connect(path) as conn:
            kinds = [r[0] for r in conn.execute("SELECT kind FROM events ORDER BY seq")]
            items = [r[0] for r in conn.execute("SELECT name FROM items ORDER BY name")]
        conn.close()
        visible.append(([e.payload["name"] for e in events], items + kinds))

    writer.subscribe(subscriber)
    assert writer.run(insert("a")) == "a"
    with pytest.raises(Conflict):
        writer.run(insert("z", fail=True))
    assert writer.run(insert("b")) == "b"
    flush(writer)
    assert visible == [
        (["a"], ["a", "item.added"]),
        (["b"], ["a", "b", "item.added", "item.added"]),
    ]


def test_no_delivery_when_every_job_fails(writer_db: tuple[Writer, Path]) -> None:
    writer, path = writer_db
    batches: list[list[Event]] = []
    writer.subscribe(batches.append)
    with pytest.raises(Conflict):
        writer.run(insert("x", fail=True))
    flush(writer)
    assert batches == []
    assert names(path) == []


def test_a_failing_subscriber_does_not_stop_the_others(
    writer_db: tuple[Writer, Path], caplog: pytest.LogCaptureFixture
) -> None:
    writer, _ = writer_db
    got: list[str] = []

    def broken(events: list[Event]) -> None:
        raise RuntimeError("display gone")

    writer.subscribe(broken)
    writer.subscribe(lambda events: got.extend(e.payload["name"] for e in events))
    assert writer.run(insert("a")) == "a"
    assert writer.run(insert("b")) == "b"  # the writer goes on
    flush(writer)
    assert got == ["a", "b"]
    assert "event subscriber failed" in caplog.text


def test_unsubscribe(writer_db: tuple[Writer, Path]) -> None:
    writer, _ = writer_db
    got: list[str] = []
    unsubscribe = writer.subscribe(lambda events: got.extend(e.payload["name"] for e in events))
    writer.run(insert("a"))
    flush(writer)
    unsubscribe()
    unsubscribe()  # twice is harmless
    writer.run(insert("b"))
    flush(writer)
    assert got == ["a"]


def test_a_cancelled_job_never_runs(writer_db: tuple[Writer, Path]) -> None:
    writer, path = writer_db
    held = Held(writer)
    doomed = writer.submit(insert("never"))
    assert doomed.cancel()
    kept = writer.submit(insert("kept"))
    held.release.set()
    assert kept.result(WAIT) == "kept"
    with pytest.raises(CancelledError):
        doomed.result(WAIT)
    assert names(path) == ["kept"]


def test_a_job_error_that_is_not_a_domain_error_is_passed_on(writer_db: tuple[Writer, Path]) -> None:
    writer, path = writer_db
    writer.run(insert("a"))
    with pytest.raises(sqlite3.IntegrityError):
        writer.run(insert("a"))  # duplicate key
    assert names(path) == ["a"]


def test_calling_on_a_paused_counter_reopens_it_and_says_so(store: QueueStore) -> None:
    store.pause(1, "break")
    before = store.events_since(0)[-1].seq
    assert store.call_next(1) is None  # nobody waits: the counter still opens for work
    kinds = [e.kind for e in store.events_since(before)]
    assert kinds == ["counter.opened"]
    assert next(c for c in store.snapshot()["counters"] if c["id"] == 1)["status"] == "open"
    store.call_next(1)  # already open: no second event
    assert [e.kind for e in store.events_since(before)] == ["counter.opened"]
