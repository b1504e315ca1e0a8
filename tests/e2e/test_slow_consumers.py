"""A client that stops reading the events stream is let go with 1013 and loses nothing by reconnecting with since.

The service runs in this process on a real socket (uvicorn with the protocols `serve` uses), so the test can
shrink the per-client queue and the socket buffers: a few hundred events are then enough to back the stream up.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.core.clock import ManualClock
from app.service import broadcast, event_stream
from app.service.api import create_app
from app.service.protocols import JsonErrorHttpProtocol, SlowClientWebSocketProtocol
from app.service.server import open_store
from app.store.queue_store import QueueStore

GROUPS = itertools.cycle(["HT", "CT", "NCN", "DD", "KD", "BTXH", "NCC", "GN", "CUTRU"])


class Live:
    def __init__(self, store: QueueStore, app: Any, port: int, released: threading.Event) -> None:
        self.store = store
        self.app = app
        self.port = port
        self.released = released  # set when the service lets go of a subscription

    def url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/api/events{query}"

    def issue(self) -> None:
        self.store.submit(self.store.issue_job(next(GROUPS))).result(30)

    def stalled_client(self) -> ClientConnection:
        """A client whose socket takes in little and whose library stops reading after one queued message."""
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", self.port))
        return connect(self.url(), sock=raw, compression=None, max_queue=1, ping_interval=None, open_timeout=30)


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    released = threading.Event()
    close = broadcast.Subscription.close

    def close_and_tell(self: broadcast.Subscription) -> None:
        close(self)
        released.set()

    monkeypatch.setattr(broadcast.Subscription, "close", close_and_tell)
    store, devices = open_store(tmp_path / "data", ManualClock())
    app = create_app(store, devices)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)  # accepted sockets inherit it
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # connections wait in the backlog until uvicorn serves: no need to wait for it
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", http=JsonErrorHttpProtocol, ws=SlowClientWebSocketProtocol
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="uvicorn", daemon=True)
    thread.start()
    try:
        yield Live(store, app, listener.getsockname()[1], released)
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()
        store.close()


def read_until_closed(ws: ClientConnection) -> tuple[list[int], ConnectionClosed]:
    seqs: list[int] = []
    while True:
        try:
            seqs.append(json.loads(ws.recv(timeout=30))["seq"])
        except ConnectionClosed as closed:
            return seqs, closed


def assert_rest_arrives_with_since(live: Live, last: int, newest: int) -> None:
    with connect(live.url(f"?since={last}"), open_timeout=30, compression=None) as ws:
        rest = [json.loads(ws.recv(timeout=30))["seq"] for _ in range(newest - last)]
    assert rest == list(range(last + 1, newest + 1))


def test_a_client_that_stops_reading_while_events_pour_in_gets_1013(live: Live, monkeypatch) -> None:
    monkeypatch.setattr(broadcast, "QUEUE_LIMIT", 100)
    with live.stalled_client() as ws:
        start = json.loads(ws.recv(timeout=30))["seq"]
        produced = 0
        # The client reads nothing from here on. Issue until the service gives up on it (bounded).
        while not live.released.is_set() and produced < 3_000:
            live.issue()
            produced += 1
        assert live.released.is_set(), "the service kept a client that read nothing for 3,000 events"
        assert live.app.state.broadcaster.subscribers == 0
        seqs, closed = read_until_closed(ws)
    assert closed.rcvd is not None, "no close frame: the client would see 1006"
    assert closed.rcvd.code == 1013
    assert closed.rcvd.reason == "client too slow; reconnect with since"
    assert seqs == list(range(start + 1, start + 1 + len(seqs))), "the backlog arrives whole and in order"
    assert len(seqs) < produced
    assert_rest_arrives_with_since(live, seqs[-1] if seqs else start, start + produced)


def test_a_client_whose_socket_stays_shut_is_let_go_after_the_stall_time(live: Live, monkeypatch) -> None:
    """Few events, but the client's TCP window stays shut: a send blocked SEND_STALL_S means too slow too."""
    monkeypatch.setattr(event_stream, "SEND_STALL_S", 0.5)
    with live.stalled_client() as ws:
        start = json.loads(ws.recv(timeout=30))["seq"]
        for _ in range(600):  # far more than the shrunken buffers hold, far fewer than QUEUE_LIMIT
            live.issue()
        assert live.released.wait(30), "the service kept a client whose send was blocked"
        seqs, closed = read_until_closed(ws)
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1013
    assert seqs == list(range(start + 1, start + 1 + len(seqs)))
    assert len(seqs) < 600
    assert_rest_arrives_with_since(live, seqs[-1] if seqs else start, start + 600)
