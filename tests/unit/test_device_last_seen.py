"""Last-seen times are written behind: a burst of requests from one device costs one write, not one per request,
and the next write comes once a minute has passed (the service in-process, a clock the test moves)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import ManualClock, to_iso
from app.service.api import create_app
from app.service.server import open_store
from app.store.last_seen import WRITE_EVERY
from app.store.queue_store import QueueStore
from app.store.writer import Tx

Env = tuple[TestClient, QueueStore, dict[str, str], ManualClock]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Env]:
    clock = ManualClock()
    store, devices = open_store(tmp_path / "data", clock)
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    with TestClient(create_app(store, devices)) as client:
        yield client, store, {"Authorization": f"Bearer {token}"}, clock
    store.close()


def changes(store: QueueStore) -> int:
    """Rows the writer's connection has changed so far; run as a job, so it follows every write queued before."""
    return int(store.writer.run(lambda tx: tx.conn.total_changes))


def stored(store: QueueStore, device_id: int) -> Any:
    def job(tx: Tx) -> Any:
        return tx.conn.execute("SELECT last_seen FROM devices WHERE id = ?", (device_id,)).fetchone()[0]

    return store.writer.run(job)


def test_a_burst_of_200_requests_costs_one_write_then_one_a_minute(service: Env) -> None:
    client, store, admin, clock = service
    made = client.post("/api/devices", json={"name": "Màn hình sảnh", "role": "display"}, headers=admin).json()
    device = {"Authorization": f"Bearer {made['token']}"}
    start = changes(store)
    for _ in range(200):
        assert client.get("/api/stats/today", headers=device).status_code == 200
    assert changes(store) - start == 1  # the first request of the minute; the other 199 stay in memory
    assert stored(store, made["id"]) == to_iso(clock.now())
    clock.advance(WRITE_EVERY.total_seconds() - 1)
    assert client.get("/api/stats/today", headers=device).status_code == 200
    assert changes(store) - start == 1  # still within the minute
    clock.advance(1)
    assert client.get("/api/stats/today", headers=device).status_code == 200
    assert changes(store) - start == 2
    assert stored(store, made["id"]) == to_iso(clock.now())


def test_the_list_shows_the_latest_request_before_it_is_written(service: Env) -> None:
    client, store, admin, clock = service
    made = client.post("/api/devices", json={"name": "Quầy 1", "role": "counter", "counter": 1}, headers=admin)
    device_id, token = made.json()["id"], made.json()["token"]
    client.get("/api/stats/today", headers={"Authorization": f"Bearer {token}"})
    first = to_iso(clock.now())
    clock.advance(5)
    client.get("/api/stats/today", headers={"Authorization": f"Bearer {token}"})
    (row,) = [d for d in client.get("/api/devices", headers=admin).json() if d["id"] == device_id]
    assert row["last_seen"] == to_iso(clock.now())  # from memory
    assert stored(store, device_id) == first  # the column lags by up to a minute
