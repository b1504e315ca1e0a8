"""A WebSocket client that disconnects and reconnects with `since` misses nothing."""

from __future__ import annotations

import json

import requests
from websockets.sync.client import connect

from app.service.launcher import ServerProcess


def ws_url(server: ServerProcess, query: str = "") -> str:
    return server.url.replace("http://", "ws://") + "/api/events" + query


def issue(server: ServerProcess, n: int, group: str = "HT") -> list[dict]:
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    with requests.Session() as s:
        return [
            s.post(f"{server.url}/api/tickets", json={"group": group}, headers=auth, timeout=30).json()
            for _ in range(n)
        ]


def test_reconnect_with_since_misses_nothing(server: ServerProcess) -> None:
    seen: list[dict] = []
    with connect(ws_url(server), open_timeout=30) as ws:
        snapshot = json.loads(ws.recv(timeout=30))
        assert snapshot["type"] == "snapshot"
        last = snapshot["seq"]
        first = issue(server, 5)
        for _ in first:
            event = json.loads(ws.recv(timeout=30))
            seen.append(event)
            last = event["seq"]
    # Offline: things keep happening.
    while_away = issue(server, 7, "CT")
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    called = requests.post(f"{server.url}/api/counters/1/call-next", headers=auth, timeout=30).json()
    with connect(ws_url(server, f"?since={last}"), open_timeout=30) as ws:
        for _ in range(len(while_away) + 2):  # the issues, the counter opening, the call
            seen.append(json.loads(ws.recv(timeout=30)))
        live = issue(server, 1)
        seen.append(json.loads(ws.recv(timeout=30)))
    seqs = [e["seq"] for e in seen]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "no gap, no duplicate, in order"
    issued = [e["payload"]["ticket"]["id"] for e in seen if e["kind"] == "ticket.issued"]
    assert issued == [t["id"] for t in first + while_away + live]
    calls = [e for e in seen if e["kind"] == "ticket.called"]
    assert [c["payload"]["ticket"]["id"] for c in calls] == [called["id"]]
    assert [e["payload"]["counter"] for e in seen if e["kind"] == "counter.opened"] == [1]


def test_two_clients_see_the_same_sequence(server: ServerProcess) -> None:
    with (
        connect(ws_url(server, "?since=0"), open_timeout=30) as a,
        connect(ws_url(server, "?since=0"), open_timeout=30) as b,
    ):
        issue(server, 10, "DD")
        got_a = [json.loads(a.recv(timeout=30))["seq"] for _ in range(10)]
        got_b = [json.loads(b.recv(timeout=30))["seq"] for _ in range(10)]
    assert got_a == got_b == list(range(1, 11))
