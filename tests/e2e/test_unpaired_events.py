"""An unpaired PC on the event stream, over a real service on loopback: its open socket is closed with 4401
`device_unpaired` as soon as the dashboard unpairs it, a new socket with the same token is refused the same way,
and the client's EventStream stops retrying and says why. Last-seen times survive a restart of the service."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.client.events import UNPAIRED_CLOSE, UNPAIRED_MESSAGE, EventStream
from app.service.launcher import ServerProcess, start_server

CLOSE_WITHIN_S = 2.0  # "within a second or so" of the DELETE's answer


def admin(server: ServerProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.admin_token}"}


def new_device(server: ServerProcess, name: str, role: str = "display") -> dict[str, Any]:
    made = requests.post(f"{server.url}/api/devices", json={"name": name, "role": role}, headers=admin(server),
                         timeout=30)  # fmt: skip
    assert made.status_code == 201, made.text
    device: dict[str, Any] = made.json()
    return device


def unpair(server: ServerProcess, device_id: int) -> None:
    gone = requests.delete(f"{server.url}/api/devices/{device_id}", headers=admin(server), timeout=30)
    assert gone.status_code == 200, gone.text


def open_events(server: ServerProcess, token: str | None = None, query: str = "") -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    url = server.url.replace("http://", "ws://") + "/api/events" + query
    return connect(url, open_timeout=30, additional_headers=headers, proxy=None)


def first_message(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=30))
    assert message["type"] == "snapshot"
    return message


def closed_with(ws: ClientConnection, timeout: float) -> tuple[int, str]:
    """The close the service sent, waited for at most `timeout` s (TimeoutError otherwise)."""
    try:
        while True:
            ws.recv(timeout=timeout)  # a stray event before the close is read past
    except ConnectionClosed as exc:
        closed = exc
    assert closed.rcvd is not None, "closed without a close frame"
    return closed.rcvd.code, closed.rcvd.reason


def test_an_open_socket_is_closed_with_4401_when_its_device_is_unpaired(server: ServerProcess) -> None:
    tv, other = new_device(server, "Màn hình sảnh"), new_device(server, "Màn hình tầng 2")
    with open_events(server, tv["token"]) as gone, open_events(server, other["token"]) as kept, \
            open_events(server) as public:  # fmt: skip
        for ws in (gone, kept, public):
            first_message(ws)
        unpair(server, tv["id"])
        answered = time.monotonic()
        assert closed_with(gone, CLOSE_WITHIN_S) == (UNPAIRED_CLOSE, "device_unpaired")
        assert time.monotonic() - answered < CLOSE_WITHIN_S
        # only that device's socket: another device and the public board still get the next event
        issued = requests.post(f"{server.url}/api/tickets", json={"group": "HT"}, headers=admin(server), timeout=30)
        assert issued.status_code == 201, issued.text
        for ws in (kept, public):
            event = json.loads(ws.recv(timeout=30))
            assert event["type"] == "event"
            assert event["kind"] == "ticket.issued"


def test_a_revoked_token_opening_a_socket_is_refused_the_same_way(server: ServerProcess) -> None:
    tv = new_device(server, "Màn hình sảnh")
    unpair(server, tv["id"])
    with open_events(server, tv["token"]) as ws:  # header, as the apps send it
        assert closed_with(ws, 30) == (UNPAIRED_CLOSE, "device_unpaired")
    with open_events(server, query=f"?token={tv['token']}") as ws:  # query, as a browser must
        assert closed_with(ws, 30) == (UNPAIRED_CLOSE, "device_unpaired")
    with open_events(server, "not-a-token") as ws:  # an unknown token still gets the public board
        assert first_message(ws)["queue"]
        ws.close()


def test_the_client_stream_stops_reconnecting_and_says_the_pc_was_unpaired(server: ServerProcess) -> None:
    kiosk = new_device(server, "Kiosk sảnh", role="kiosk")
    connections: list[bool] = []
    messages: list[str] = []
    up = threading.Event()

    def on_connection(connected: bool) -> None:
        connections.append(connected)
        if connected:
            up.set()

    stream = EventStream(server.url, on_snapshot=lambda _q: None, on_event=lambda _e: None,
                         on_connection=on_connection, on_unpaired=messages.append, token=lambda: kiosk["token"],
                         reconnect_delay=(0.01, 0.05), open_timeout=5)  # fmt: skip
    stream.start()
    try:
        assert up.wait(30)
        unpair(server, kiosk["id"])
        assert stream.wait_unpaired(10)
        assert messages == [UNPAIRED_MESSAGE]
        assert "gỡ ghép khỏi Trung tâm" in messages[0]
        assert stream.join(5), "the stream kept running after it was told the PC was unpaired"
        # stopped for good: one connection, one loss, and no retry at the 10-50 ms backoff
        assert connections == [True, False]
        assert stream.unpaired
    finally:
        stream.stop()


def test_last_seen_survives_a_restart_of_the_service(tmp_path: Any) -> None:
    data = tmp_path / "data"
    server = start_server(data)
    try:
        tv = new_device(server, "Màn hình sảnh")
        device = {"Authorization": f"Bearer {tv['token']}"}
        for _ in range(3):  # the first is written at once, the later ones only when the service stops
            seen = requests.get(f"{server.url}/api/stats/today", headers=device, timeout=30)
            assert seen.status_code == 200, seen.text
        before = listed(server, tv["id"])["last_seen"]
        assert before is not None
    finally:
        assert server.stop() == 0
    again = start_server(data)
    try:
        assert listed(again, tv["id"])["last_seen"] == before
    finally:
        again.stop()


def listed(server: ServerProcess, device_id: int) -> dict[str, Any]:
    answer = requests.get(f"{server.url}/api/devices", headers=admin(server), timeout=30)
    assert answer.status_code == 200, answer.text
    (row,) = [d for d in answer.json() if d["id"] == device_id]
    return dict(row)
