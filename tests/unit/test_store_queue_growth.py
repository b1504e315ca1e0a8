"""The queue store's cost and size do not grow with what it holds: an issue or a call-next costs the same with
thousands waiting (issue 11, "cost flat as the day grows"), and a year of days keeps only the day's events
(finding 9). Cost is counted in SQLite virtual-machine steps, never timed."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.centre import Centre, default_centre
from app.core.clock import ManualClock
from app.paths import default_catalog_path
from app.service.api import create_app
from app.service.server import open_store as open_service_store
from app.store.catalog_file import load_catalog_file
from app.store.queue_store import QueueStore

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 on Monday 23/11/2026 in Hà Nội


def the_default_centre() -> Centre:
    return default_centre(load_catalog_file(default_catalog_path()))


def centre_beyond_the_daily_range() -> Centre:
    """The default centre with numbers up to 99,999 a day (the default range, 999, cannot hold 2,000 waiting)."""
    centre = the_default_centre()
    return dataclasses.replace(centre, groups=tuple(dataclasses.replace(g, number_end=99_999) for g in centre.groups))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[QueueStore]:
    opened = QueueStore(tmp_path / "q.db", clock, the_default_centre)
    yield opened
    opened.close()


def fill(store: QueueStore, group: str, n: int, *, every_priority: int = 0) -> None:
    """n tickets at once through the writer (one commit per batch), all issued in the same instant."""
    jobs = [
        store.writer.submit(
            store.issue_job(group, priority="elderly" if every_priority and i % every_priority == 0 else None)
        )
        for i in range(n)
    ]
    for job in jobs:
        job.result()


def steps(store: QueueStore, command: Callable[[], Any]) -> int:
    """SQLite VM instructions (in hundreds) the writer runs for one command, its commit included."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    store._db.conn.set_progress_handler(tick, 100)
    try:
        command()
    finally:
        store._db.conn.set_progress_handler(None, 100)
    return count[0]


def rank_in_line(ticket: dict[str, Any], waiting: list[dict[str, Any]]) -> int:
    """The reference: the ticket's place in its group, priority line first, then issue time, then id."""
    line = sorted(
        (t for t in waiting if t["group"] == ticket["group"]),
        key=lambda t: (t["priority"] is None, t["issued_at"], t["id"]),
    )
    return [t["id"] for t in line].index(ticket["id"])


# --- cost flat as the queue grows ------------------------------------------------------------------


def test_issue_and_call_next_cost_the_same_with_two_thousand_waiting(tmp_path: Path, clock: ManualClock) -> None:
    store = QueueStore(tmp_path / "big.db", clock, centre_beyond_the_daily_range)
    try:
        cost_flat(store)
    finally:
        store.close()


def cost_flat(store: QueueStore) -> None:
    fill(store, "HT", 5, every_priority=3)
    store.call_next(1)
    store.act(1, "start")
    small_issue = steps(store, lambda: store.issue("HT"))
    small_priority = steps(store, lambda: store.issue("HT", priority="elderly"))
    small_call = steps(store, lambda: store.call_next(1))  # finishes the one being served, calls the next
    store.act(1, "start")
    # The worst case for the people-ahead count: 2,000 more in the same lines, every one issued in the same
    # instant as the next ticket (so an index range on the issue time alone would walk them all).
    fill(store, "HT", 2000, every_priority=10)
    fill(store, "CT", 500)
    big_issue = steps(store, lambda: store.issue("HT"))
    big_priority = steps(store, lambda: store.issue("HT", priority="elderly"))
    big_call = steps(store, lambda: store.call_next(1))
    # A B-tree one level deeper costs a few steps; a count or a scan over the waiting tickets costs thousands.
    assert big_issue <= small_issue * 1.3 + 5, (small_issue, big_issue)
    assert big_priority <= small_priority * 1.3 + 5, (small_priority, big_priority)
    assert big_call <= small_call * 1.3 + 5, (small_call, big_call)
    # and the answers stay right
    waiting = store.snapshot()["waiting"]
    issued = store.issue("HT")
    assert issued["people_ahead"] == rank_in_line(issued, [*waiting, issued])


def test_people_ahead_and_the_boards_counts_follow_any_history(store: QueueStore, clock: ManualClock) -> None:
    rng = random.Random(11)
    groups = ["HT", "CT", "DD"]
    for _day in range(2):
        for _ in range(300):
            op = rng.random()
            clock.advance(rng.choice([0, 0, 1, 7]))  # many tickets share an instant
            if op < 0.45:
                before = store.snapshot()["waiting"]
                ticket = store.issue(rng.choice(groups), priority=rng.choice([None, None, None, "elderly", "merit"]))
                assert ticket["people_ahead"] == rank_in_line(ticket, [*before, ticket])
                continue
            counter = rng.randint(1, 4)
            current = next(c for c in store.snapshot()["counters"] if c["id"] == counter)["current"]
            if current is None or op < 0.6:
                if current is None or current["state"] == "serving":
                    store.call_next(counter)
            elif current["state"] == "called":
                action = rng.choice(["start", "no_show", "recall"])
                if action == "no_show" and current["call_count"] < store.centre.policy.call_count_max:
                    action = "recall"  # a no-show only after the calls the ticket promises
                store.act(counter, action)
            else:
                target = rng.choice([g for g in groups if g != current["group"]])
                if op < 0.7:
                    store.act(counter, "transfer", group=target)  # back in a line, with its old issue time
                else:
                    store.act(counter, "finish")
            if op > 0.95:
                waiting = store.snapshot()["waiting"]
                if waiting:
                    store.cancel(rng.choice(waiting)["id"])
        snapshot = store.snapshot()
        waiting = snapshot["waiting"]
        assert waiting, "the history leaves people waiting"
        for group in snapshot["groups"]:
            assert group["waiting"] == sum(1 for t in waiting if t["group"] == group["code"])
        for ticket in waiting:
            assert store.ticket_progress(ticket["id"])["people_ahead"] == rank_in_line(ticket, waiting)
        # the snapshot's rows are the ticket views, and its order the hall's (priority, then issue time)
        assert waiting == [store.ticket(t["id"]) for t in waiting]
        assert waiting == sorted(waiting, key=lambda t: (t["priority"] is None, t["issued_at"], t["id"]))
        for counter in snapshot["counters"]:
            if counter["current"] is not None:
                assert counter["current"] == store.ticket(counter["current"]["id"])
        clock.advance(24 * 3600)  # the next day closes what is left
        store.issue("HT")
        assert [g["waiting"] for g in store.snapshot()["groups"] if g["code"] == "HT"] == [1]
        conn = sqlite3.connect(store.path)
        assert conn.execute("SELECT count(DISTINCT day) FROM waiting_counts").fetchone()[0] == 1
        conn.close()


def reader_steps(store: QueueStore, read: Callable[[], Any]) -> int:
    """SQLite VM instructions (in hundreds) a read runs on this thread's reader connection."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    conn = store.reader()
    conn.set_progress_handler(tick, 100)
    try:
        read()
    finally:
        conn.set_progress_handler(None, 100)
    return count[0]


def test_the_groups_counters_and_a_tickets_progress_read_the_same_with_two_thousand_waiting(
    tmp_path: Path, clock: ManualClock
) -> None:
    """GET /api/groups and /api/counters and the follow-your-turn page read kept counts and bounded ranges, not
    the queue (they used to build a whole snapshot)."""
    store = QueueStore(tmp_path / "big.db", clock, centre_beyond_the_daily_range)
    try:
        fill(store, "HT", 5, every_priority=3)
        store.call_next(1)
        last = store.issue("HT")["id"]
        reads = {"groups": store.groups, "counters": store.counters, "progress": lambda: store.ticket_progress(last)}
        small = {name: reader_steps(store, read) for name, read in reads.items()}
        fill(store, "HT", 2000, every_priority=10)
        fill(store, "CT", 500)
        big = {name: reader_steps(store, read) for name, read in reads.items()}
        assert all(big[name] <= small[name] * 1.3 + 5 for name in reads), (small, big)
        # while a snapshot, whose answer is the queue, grows with it
        assert reader_steps(store, store.snapshot) > 10 * (small["groups"] + small["counters"] + 5)
        snapshot = store.snapshot()
        assert (store.groups(), store.counters()) == (snapshot["groups"], snapshot["counters"])
    finally:
        store.close()


# --- events: the day's only; the database flat over a year -----------------------------------------


def test_the_day_roll_drops_older_events_and_a_client_that_far_behind_is_sent_a_snapshot(
    store: QueueStore, clock: ManualClock
) -> None:
    assert store.seq_range() == (0, 0)
    for _ in range(3):
        store.issue("HT")
    assert store.seq_range() == (1, 3)
    clock.advance(24 * 3600)
    store.issue("CT")  # the first command of the day closes yesterday: 3 removed, then this ticket
    assert [e.kind for e in store.events_since(0)] == ["day.closed", "ticket.issued"]
    oldest, newest = store.seq_range()
    assert (oldest, newest) == (4, 5)
    assert store.snapshot()["seq"] == newest
    # the events route sends a snapshot to a client whose `since` is below oldest - 1
    assert oldest - 1 > 0


def test_when_no_event_is_kept_the_range_still_knows_the_newest(
    tmp_path: Path, store: QueueStore, clock: ManualClock
) -> None:
    store.issue("HT")
    ticket = store.call_next(1)
    assert ticket is not None
    store.act(1, "start")
    store.act(1, "finish")
    newest = store.seq_range()[1]
    store.close()
    clock.advance(24 * 3600)
    reopened = QueueStore(tmp_path / "q.db", clock, the_default_centre)  # the roll at open prunes everything
    try:
        assert reopened.events_since(0) == []
        assert reopened.seq_range() == (newest + 1, newest)  # a client at 0 is sent a snapshot, one at newest waits
        assert reopened.snapshot()["seq"] == newest
        assert reopened.issue("HT")["id"] == ticket["id"] + 1
        assert [e.seq for e in reopened.events_since(newest)] == [newest + 1]
    finally:
        reopened.close()
        store.writer._thread.join()  # closed above


def run_day(store: QueueStore, day: int) -> list[Future[Any]]:
    """One short day, submitted together (the writer runs the jobs in order, a few per commit): five tickets,
    one issued again with the same idempotency key, three served, one called and not coming, one left waiting."""
    jobs: list[Future[Any]] = []
    for i, group in enumerate(["HT", "CT", "HT", "DD", "HT"]):
        if i == 0:
            job = store.issue_job(group)
            jobs += [store.submit(job, f"kiosk-1-{day}"), store.submit(job, f"kiosk-1-{day}")]
        else:
            jobs.append(store.submit(store.issue_job(group, priority="elderly" if i == 3 else None)))
    for counter, action in [(1, "start"), (2, "start"), (3, "start"), (4, "no_show")]:
        jobs.append(store.submit(store.call_next_job(counter)))
        if action == "no_show":  # only after the calls the ticket promises
            jobs += [store.submit(store.act_job(counter, "recall")) for _ in range(2)]
        jobs.append(store.submit(store.act_job(counter, action)))
    for counter in (1, 2, 3):
        jobs.append(store.submit(store.act_job(counter, "finish")))
    jobs.append(store.submit(store.pause_job(1, "break")))
    jobs.append(store.submit(store.resume_job(1)))
    return jobs


def table_pages(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = dict(conn.execute("SELECT name, count(*) FROM dbstat GROUP BY name").fetchall())
        pages["(free)"] = conn.execute("PRAGMA freelist_count").fetchone()[0]
        pages["(file)"] = conn.execute("PRAGMA page_count").fetchone()[0]
        return pages
    finally:
        conn.close()


def test_a_year_of_days_keeps_events_and_requests_to_one_day_and_the_file_grows_only_with_tickets(
    tmp_path: Path, clock: ManualClock
) -> None:
    """400 days with a hand-moved clock. The store runs no VACUUM and auto_vacuum stays off (the default): the
    pages freed by each day's pruning go to SQLite's free list and the next day's events and keys reuse them,
    so the file only grows by the tickets and intervals kept as the KPI history."""
    store, devices = open_service_store(tmp_path / "data", clock)
    db = tmp_path / "data" / "queue.db"
    history = {"tickets", "intervals", "sqlite_autoindex_tickets_1", "sqlite_autoindex_intervals_1",
               "tickets_queue", "tickets_counter", "intervals_finished", "counter_intervals", "day_counters",
               "sqlite_autoindex_day_counters_1"}  # fmt: skip
    try:
        sizes: dict[int, dict[str, int]] = {}
        for day in range(400):
            clock.current = START + timedelta(days=day)
            for job in run_day(store, day):
                job.result()
            conn = sqlite3.connect(db)
            kept = conn.execute("SELECT count(*), count(DISTINCT substr(at, 1, 10)) FROM events").fetchone()
            requests = conn.execute("SELECT count(*) FROM requests").fetchone()[0]
            conn.close()
            assert kept[0] <= 40, kept  # one day's events
            assert kept[1] == 1, kept
            assert requests == 1  # one day's idempotency keys
            if day in (99, 399):
                sizes[day] = table_pages(db)
        tickets = sqlite3.connect(db).execute("SELECT count(*) FROM tickets").fetchone()[0]
        assert tickets == 400 * 5  # the KPI history stays whole
        early, late = sizes[99], sizes[399]
        not_history = {day: sum(n for name, n in s.items() if name not in history and name != "(file)")
                       for day, s in sizes.items()}  # fmt: skip
        # Everything but the history (events, keys, counts, config, users, schema, free pages) stays the same size.
        assert not_history[399] <= not_history[99] + 2, (early, late)
        assert late["events"] <= 4, late
        assert late["requests"] <= 2, late
        assert late["(free)"] <= 8, late
        # The file grows by the pages the history gained, and no more.
        grown = late["(file)"] - early["(file)"]
        history_grown = sum(late.get(n, 0) - early.get(n, 0) for n in history)
        assert grown <= history_grown + 2, (early, late)

        # A display asking since=0 after a year is sent the day's snapshot, not a year of events.
        oldest, newest = store.seq_range()
        assert oldest > 1
        assert newest > 400 * 20
        token = (tmp_path / "data" / "admin.token").read_text().strip()
        with (
            TestClient(create_app(store, devices)) as client,
            client.websocket_connect("/api/events?since=0", headers={"Authorization": f"Bearer {token}"}) as ws,
        ):
            first = ws.receive_json()
        assert first["type"] == "snapshot"
        assert first["seq"] == newest
        assert first["queue"]["day"] == (START + timedelta(days=399)).date().isoformat()
    finally:
        store.close()
