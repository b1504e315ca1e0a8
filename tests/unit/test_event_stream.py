"""The events WebSocket's catch-up: a replay that races the midnight prune, and the view a board without a token gets.

The service runs in-process (TestClient) on a hand-moved clock. The race is made certain rather than likely: the
store's seq_range is wrapped so that midnight passes, and the first command of the new day prunes yesterday's
events, between the moment the handler checks the client's `since` and the moment it reads the events to replay.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.broadcast import Broadcaster
from app.service.event_stream import PRIVATE_KEYS, public_view
from app.service.server import open_store
from app.store.command_frame import roll_day
from app.store.queue_store import QueueStore
from app.store.writer import Event

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 on Monday 23/11/2026 in Hà Nội
DAY_S = 24 * 3600


@dataclass
class Service:
    store: QueueStore
    client: TestClient
    admin: dict[str, str]
    clock: ManualClock


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    clock = ManualClock(START)
    store, devices = open_store(tmp_path / "data", clock)
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    try:
        with TestClient(create_app(store, devices)) as client:
            yield Service(store, client, {"Authorization": f"Bearer {token}"}, clock)
    finally:
        store.close()


def midnight_passes_after_the_range_is_read(
    service: Service, monkeypatch: pytest.MonkeyPatch, new_day: Callable[[], None]
) -> threading.Event:
    """seq_range answers as before midnight; then the clock passes midnight and `new_day` runs the day roll.
    The event returned is set once that has happened."""
    real = service.store.seq_range
    passed = threading.Event()

    def racing() -> tuple[int, int]:
        answer = real()
        monkeypatch.setattr(service.store, "seq_range", real)  # once
        service.clock.advance(DAY_S)
        new_day()
        passed.set()
        return answer

    monkeypatch.setattr(service.store, "seq_range", racing)
    return passed


def test_a_replay_that_races_the_prune_of_yesterdays_events_gets_a_snapshot(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = service.store
    for _ in range(3):
        store.issue("HT")  # seq 1, 2, 3
    assert store.seq_range() == (1, 3)
    # A client that saw seq 1 comes back. The first command of the new day closes the three tickets still waiting
    # and prunes seq 1–3: the events after 1 that are left are seq 4 (day.closed) and 5 (this ticket).
    midnight_passes_after_the_range_is_read(service, monkeypatch, lambda: store.issue("CT"))
    with service.client.websocket_connect("/api/events?since=1", headers=service.admin) as ws:
        first = ws.receive_json()
    assert store.seq_range() == (4, 5)
    # Replaying 4 and 5 would skip 2 and 3 silently (the client would still show yesterday's three waiting).
    assert first["type"] == "snapshot", first
    assert first["seq"] == 5
    assert first["queue"]["day"] == "2026-11-24"
    assert [t["number"] for t in first["queue"]["waiting"]] == ["B001"]


def test_a_replay_left_empty_by_the_prune_gets_a_snapshot_not_silence(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roll closes nothing (every ticket is done), so it records no event: the replay finds nothing at all
    after `since`, although the client missed what was pruned. It must not just wait for the next event."""
    store = service.store
    store.issue("HT")
    store.call_next(1)
    store.act(1, "start")
    store.act(1, "finish")
    oldest, newest = store.seq_range()
    assert (oldest, newest) == (1, 5)
    passed = midnight_passes_after_the_range_is_read(
        service, monkeypatch, lambda: store.writer.run(lambda tx: roll_day(tx, service.clock.now()))
    )
    with service.client.websocket_connect("/api/events?since=2", headers=service.admin) as ws:
        assert passed.wait(10)
        store.issue("CT")  # seq 6: something for a stream that went live without catching up to show
        first = ws.receive_json()
    assert first["type"] == "snapshot", first
    assert first["seq"] in (5, 6)  # taken before or after that ticket


def test_a_replay_without_a_prune_sends_every_event_then_live_ones(service: Service) -> None:
    store = service.store
    for group in ("HT", "CT", "DD"):
        store.issue(group)
    with service.client.websocket_connect("/api/events?since=1", headers=service.admin) as ws:
        replayed = [ws.receive_json() for _ in range(2)]
        store.issue("HT")
        live = ws.receive_json()
    assert [(m["type"], m["seq"]) for m in [*replayed, live]] == [("event", 2), ("event", 3), ("event", 4)]


def test_a_board_without_a_token_gets_the_same_queue_without_private_fields(service: Service) -> None:
    store = service.store
    store.issue("HT", priority="elderly")
    store.issue("CT")
    store.issue("HT", priority="disabled")
    store.call_next(1, clerk="canbo1")
    full = service.client.get("/api/queue", headers=service.admin).json()
    public = service.client.get("/api/queue").json()
    assert any(t["priority"] for t in full["waiting"])
    assert public == public_view(full)  # shaped by the store in one pass, the same as filtering the full view
    with service.client.websocket_connect("/api/events") as ws:
        snapshot = ws.receive_json()
    assert snapshot["queue"] == public
    assert not _keys(snapshot) & PRIVATE_KEYS


def test_groups_and_counters_answer_as_the_snapshot_does(service: Service) -> None:
    service.store.issue("HT")
    service.store.issue("HT", priority="elderly")
    service.store.call_next(2)
    snapshot = service.client.get("/api/queue", headers=service.admin).json()
    assert service.client.get("/api/groups", headers=service.admin).json() == snapshot["groups"]
    assert service.client.get("/api/counters", headers=service.admin).json() == snapshot["counters"]


def test_a_live_event_is_encoded_once_for_all_clients_of_a_view() -> None:
    async def scenario() -> None:
        broadcaster = Broadcaster(asyncio.get_running_loop())
        subs = [broadcaster.subscribe() for _ in range(3)]
        event = Event(7, "2026-11-23T01:00:00.000000+00:00", "ticket.issued", {"ticket": {"priority": "elderly"}})
        broadcaster.publish_threadsafe([event])
        await asyncio.sleep(0)
        items = [sub.queue.get_nowait() for sub in subs]
        assert all(item is items[0] for item in items)
        assert items[0].seq == 7

    asyncio.run(scenario())


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()
