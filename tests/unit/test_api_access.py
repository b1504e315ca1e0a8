"""Issue 11, findings 1, 2, 3 and 6: each device does only its job, keys belong to one request of one caller."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.core.clock import ManualClock

Env = tuple[TestClient, dict[str, str], ManualClock]


def device(client: TestClient, admin: dict[str, str], role: str, counter: int | None = None) -> dict[str, str]:
    made = client.post("/api/devices", json={"name": f"{role} {counter}", "role": role, "counter": counter},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def keyed(auth: dict[str, str], key: str) -> dict[str, str]:
    return {**auth, "Idempotency-Key": key}


def test_an_idempotency_key_belongs_to_one_caller_one_route_and_one_body(env: Env) -> None:
    client, admin, _ = env
    kiosk = device(client, admin, "kiosk")
    counter3 = device(client, admin, "counter", 3)
    issued = client.post("/api/tickets", json={"group": "HT"}, headers=keyed(kiosk, "k2"))
    assert issued.status_code == 201
    # the kiosk's key on counter 3's call-next is a new request there, not a replay of the kiosk's ticket
    called = client.post("/api/counters/3/call-next", headers=keyed(counter3, "k2"))
    assert called.status_code == 200
    assert called.json()["state"] == "called"
    assert called.json()["id"] == issued.json()["id"]  # really called, not the issue answer replayed
    # the same key from the same kiosk with another body is refused clearly
    reused = client.post("/api/tickets", json={"group": "CT"}, headers=keyed(kiosk, "k2"))
    assert reused.status_code == 422
    assert reused.json()["error"] == "idempotency_key_reused"
    # a true retry is answered with the first answer and issues nothing
    again = client.post("/api/tickets", json={"group": "HT"}, headers=keyed(kiosk, "k2"))
    assert again.status_code == 201
    assert again.json()["id"] == issued.json()["id"]


def test_a_204_is_replayed_as_a_204(env: Env) -> None:
    client, admin, _ = env
    counter1 = device(client, admin, "counter", 1)
    first = client.post("/api/counters/1/call-next", headers=keyed(counter1, "empty-1"))
    assert first.status_code == 204
    assert client.post("/api/counters/1/call-next", headers=keyed(counter1, "empty-1")).status_code == 204
    # the same key on another route of the same device is a new request (and a clean refusal, not a 500)
    start = client.post("/api/counters/1/start", headers=keyed(counter1, "empty-1"))
    assert start.status_code == 409


def test_a_counter_device_acts_for_its_own_counter_only_and_the_clerk_is_never_a_body_field(env: Env) -> None:
    client, admin, _ = env
    client.post("/api/tickets", json={"group": "HT"}, headers=admin)
    counter1 = device(client, admin, "counter", 1)
    unbound = device(client, admin, "counter")
    other = client.post("/api/counters/2/call-next", headers=counter1)
    assert other.status_code == 403
    assert "quầy số 1" in other.json()["message"]
    nobody = client.post("/api/counters/1/call-next", headers=unbound)
    assert nobody.status_code == 403
    called = client.post("/api/counters/1/call-next", json={"clerk": "giám đốc"}, headers=counter1)
    assert called.status_code == 200
    client.post("/api/counters/1/start", headers=counter1)
    client.post("/api/counters/1/finish", headers=counter1)
    client.post("/api/counters/1/pause", json={"reason": "break", "clerk": "ai đó"}, headers=counter1)
    stats = client.get("/api/stats/today", headers=admin).json()
    assert "giám đốc" not in stats["by_clerk"]
    assert "ai đó" not in stats["by_clerk"]
    bad = client.post("/api/devices", json={"name": "Kiosk", "role": "kiosk", "counter": 2}, headers=admin)
    assert bad.status_code == 400


def test_reads_need_a_token_and_per_person_figures_need_a_director(env: Env) -> None:
    client, admin, _ = env
    issued: dict[str, Any] = client.post("/api/tickets", json={"group": "HT"}, headers=admin).json()
    display = device(client, admin, "display")
    assert client.get("/api/stats/today").status_code == 401
    assert client.get(f"/api/tickets/{issued['id']}").status_code == 401
    assert client.get(f"/api/tickets/{issued['id']}", headers=display).status_code == 200
    board = client.get("/api/stats/today", headers=display).json()
    assert board["issued"] == 1
    assert "by_clerk" not in board
    assert "by_clerk" in client.get("/api/stats/today", headers=admin).json()
    # the ticket page opens by the key printed in the ticket's QR only
    assert client.get(f"/t/{issued['id']}").status_code == 404
    assert client.get(f"/t/{issued['follow']}").status_code == 200
    assert client.get(f"/t/{issued['id'] + 1}-{issued['follow'].split('-')[1]}").status_code == 404


def test_a_kiosk_cancels_only_its_own_ticket_within_a_minute(env: Env) -> None:
    client, admin, clock = env
    kiosk = device(client, admin, "kiosk")
    other_kiosk = device(client, admin, "kiosk")
    counter1 = device(client, admin, "counter", 1)
    mine = client.post("/api/tickets", json={"group": "HT"}, headers=kiosk).json()
    refused = client.post(f"/api/tickets/{mine['id']}/cancel", headers=other_kiosk)
    assert refused.status_code == 403
    assert "1 phút" in refused.json()["message"]
    assert client.post(f"/api/tickets/{mine['id']}/cancel", headers=kiosk).json()["state"] == "done"
    late = client.post("/api/tickets", json={"group": "HT"}, headers=kiosk).json()
    clock.advance(61)
    assert client.post(f"/api/tickets/{late['id']}/cancel", headers=kiosk).status_code == 403
    assert client.post(f"/api/tickets/{late['id']}/cancel", headers=counter1).status_code == 200


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


def test_the_public_board_sees_no_priority_category_and_no_clerk(env: Env) -> None:
    client, admin, _ = env
    client.post("/api/tickets", json={"group": "HT", "priority": "disabled"}, headers=admin)
    public = client.get("/api/queue").json()
    assert public["waiting"]
    assert not _has_key(public, "priority")
    assert _has_key(client.get("/api/queue", headers=admin).json(), "priority")
    with client.websocket_connect("/api/events") as ws:
        snapshot = ws.receive_json()
        assert snapshot["type"] == "snapshot"
        assert not _has_key(snapshot, "priority")
    with client.websocket_connect("/api/events?since=0") as ws:
        replay = ws.receive_json()
        assert replay["kind"] == "ticket.issued"
        assert not _has_key(replay, "priority")
    token = admin["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect("/api/events?since=0", headers=admin) as ws:
        assert ws.receive_json()["payload"]["ticket"]["priority"] == "disabled"
    with client.websocket_connect(f"/api/events?since=0&token={token}") as ws:
        assert ws.receive_json()["payload"]["ticket"]["priority"] == "disabled"
