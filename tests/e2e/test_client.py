"""QueueClient and EventStream against a real `serve` subprocess: killed, restarted, answers lost."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.sync.server import ServerConnection, serve

from app.client import discovery
from app.client.events import EventStream
from app.client.fake import FakeQueueClient
from app.client.queue_client import (
    BAD_ANSWER_MESSAGE,
    REFUSED_MESSAGE,
    SERVER_FAULT_MESSAGE,
    TIMEOUT_MESSAGE,
    UNAVAILABLE_MESSAGE,
    QueueApi,
    QueueClient,
    ServiceError,
    ServiceUnavailable,
)
from app.service.launcher import ServerProcess, start_server
from tests.support.fault_relay import FaultRelay

WAIT = 30  # seconds a wait may take before the test fails; nothing sleeps to synchronise


@pytest.fixture
def client(server: ServerProcess) -> Iterator[QueueClient]:
    with QueueClient(server.url, server.admin_token) as c:
        yield c


def port_of(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


class Recorder:
    """Collects what an EventStream delivers; `hold` keeps the stream's thread inside on_connection(False)."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.snapshots: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.states: list[bool] = []
        self.changed = threading.Condition()
        self.hold = hold

    def _add(self, into: list[Any], item: Any) -> None:
        with self.changed:
            into.append(item)
            self.changed.notify_all()

    def connection(self, up: bool) -> None:
        self._add(self.states, up)
        if not up and self.hold is not None:
            self.hold.wait(WAIT)  # the stream cannot reconnect until the test lets it

    def stream(self, url: str) -> EventStream:
        return EventStream(url, on_snapshot=lambda q: self._add(self.snapshots, q),
                           on_event=lambda e: self._add(self.events, e), on_connection=self.connection,
                           reconnect_delay=(0.05, 0.5))  # fmt: skip

    def wait(self, condition: Callable[[], bool]) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, timeout=WAIT), (self.states, [e["seq"] for e in self.events])

    def issued_ids(self) -> list[int]:
        return [e["payload"]["ticket"]["id"] for e in self.events if e["kind"] == "ticket.issued"]


# --- commands and reads ------------------------------------------------------------------------


def test_a_citizen_goes_through_a_counter(client: QueueClient) -> None:
    assert client.health()["status"] == "ok"
    assert {g["code"] for g in client.groups()} >= {"HT", "CT", "DD"}
    assert [c["id"] for c in client.counters()] == [1, 2, 3, 4]
    assert "elderly" in {p["code"] for p in client.priorities()}
    assert client.call_next(1) is None  # 204: nobody waits
    first, second = client.issue("HT"), client.issue("HT", "elderly")
    assert (first["number"], second["number"]) == ("A001", "A002")
    assert (first["people_ahead"], second["people_ahead"]) == (0, 0)  # priority goes ahead
    called = client.call_next(1, "Chị Lan")
    assert called is not None
    assert (called["id"], called["state"]) == (second["id"], "called")
    assert client.recall(1)["call_count"] == 2
    assert client.start(1)["state"] == "serving"
    assert client.finish(1)["outcome"] == "served"
    assert client.call_next(2) is not None
    assert client.transfer(2, "CT")["group"] == "CT"
    assert client.cancel(first["id"])["outcome"] == "left"
    assert client.ticket(first["id"])["state"] == "done"
    assert client.pause(3, "meeting")["status"] == "paused"
    assert client.resume(3)["status"] == "open"
    queue = client.queue()
    assert queue["seq"] > 0
    assert client.stats_today()["issued"] == 2


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_wrong_token_is_refused_in_vietnamese(server: ServerProcess, token: str | None) -> None:
    with QueueClient(server.url, token) as anonymous:
        assert anonymous.queue()["seq"] == 0  # reads are open
        with pytest.raises(ServiceError) as caught:
            anonymous.issue("HT")
    assert not isinstance(caught.value, ServiceUnavailable)
    assert (caught.value.status, caught.value.code) == (401, "http_401")
    assert caught.value.message == "Thiếu hoặc sai mã xác thực thiết bị."


def test_a_display_token_cannot_call(server: ServerProcess) -> None:
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    made = requests.post(f"{server.url}/api/devices", json={"name": "TV sảnh", "role": "display"}, headers=auth,
                         timeout=WAIT)  # fmt: skip
    with QueueClient(server.url, made.json()["token"]) as display, pytest.raises(ServiceError) as caught:
        display.call_next(1)
    assert (caught.value.status, caught.value.code) == (403, "http_403")
    assert caught.value.message == "Thiết bị này không có quyền thực hiện thao tác này."


REFUSALS: list[Callable[[QueueApi], object]] = [
    lambda api: api.issue("ZZZ"),
    lambda api: api.issue("HT", "vip"),
    lambda api: api.issue(""),
    lambda api: api.issue("HT", channel="fax"),
    lambda api: api.recall(1),
    lambda api: api.start(2),
    lambda api: api.call_next(99),
    lambda api: api.ticket(12345),
    lambda api: api.cancel(12345),
    lambda api: api.pause(1, "nap"),
    lambda api: api.transfer(1, "ZZZ"),
]


@pytest.mark.parametrize("refusal", REFUSALS)
def test_refusals_match_the_fake(client: QueueClient, refusal: Callable[[QueueApi], object]) -> None:
    """The fake must refuse exactly as the service does: status, code and message."""
    with pytest.raises(ServiceError) as real:
        refusal(client)
    with FakeQueueClient() as fake, pytest.raises(ServiceError) as faked:
        refusal(fake)
    assert 400 <= (real.value.status or 0) < 500
    assert not isinstance(real.value, ServiceUnavailable)
    assert (faked.value.status, faked.value.code, faked.value.message) == (
        real.value.status,
        real.value.code,
        real.value.message,
    )


def test_answers_have_the_fakes_shapes(client: QueueClient) -> None:
    with FakeQueueClient() as fake:
        for api in (client, fake):
            api.issue("HT")
        pairs = [(client.issue("CT", "elderly"), fake.issue("CT", "elderly"))]
        pairs.append((client.call_next(1) or {}, fake.call_next(1) or {}))
        pairs += [(client.queue(), fake.queue()), (client.counters()[0], fake.counters()[0])]
        pairs += [(client.stats_today(), fake.stats_today()), (client.health(), fake.health())]
        for real, faked in pairs:
            assert set(real) == set(faked)
        assert client.pause(2, "break") == fake.pause(2, "break")
        assert client.resume(2) == fake.resume(2)


def test_unknown_group_is_a_404_naming_the_group(client: QueueClient) -> None:
    with pytest.raises(ServiceError) as caught:
        client.issue("ZZZ")
    assert (caught.value.status, caught.value.code) == (404, "unknown_group")
    assert "“ZZZ”" in caught.value.message


# --- retries and idempotency -------------------------------------------------------------------


def test_the_same_key_twice_is_one_ticket(client: QueueClient) -> None:
    a = client.issue("DD", idempotency_key="kiosk-1-0001")
    b = client.issue("DD", idempotency_key="kiosk-1-0001")
    assert a == b
    client.issue("DD")
    called = [client.call_next(4, idempotency_key="c4-1"), client.call_next(4, idempotency_key="c4-1")]
    assert called[0] == called[1]
    assert client.stats_today()["issued"] == 2
    assert [t["number"] for t in client.queue()["waiting"]] == ["D002"]


@pytest.mark.parametrize("command", ["issue", "call_next", "cancel"])
def test_a_lost_answer_is_retried_safely(server: ServerProcess, command: str) -> None:
    with QueueClient(server.url, server.admin_token) as direct:
        first = direct.issue("HT")
        direct.issue("HT")
        proxy = FaultRelay(server.url, lose_answers=1).start()  # the first answer is lost: the client retries
        try:
            result: dict[str, Any] | None
            with QueueClient(proxy.url, server.admin_token) as relayed:
                if command == "issue":
                    result = relayed.issue("HT")
                elif command == "call_next":
                    result = relayed.call_next(1)
                else:  # the service keeps no key for cancel: the client recognises its own earlier success
                    result = relayed.cancel(first["id"])
        finally:
            proxy.stop()
        assert proxy.lost.is_set(), "the first answer was not lost: the test proved nothing"
        assert result is not None
        queue = direct.queue()
        stats = direct.stats_today()
    if command == "issue":
        assert result["number"] == "A003"
        assert stats["issued"] == 3  # exactly one ticket for the two sends
    elif command == "call_next":
        assert result["number"] == "A001"
        assert [t["number"] for t in queue["waiting"]] == ["A002"]  # nobody else was called
        assert [c["current"]["number"] for c in queue["counters"] if c["current"]] == ["A001"]
    else:
        assert (result["id"], result["outcome"]) == (first["id"], "left")
        assert [t["number"] for t in queue["waiting"]] == ["A002"]


class ScriptedService(ThreadingHTTPServer):
    """Answers each request with the next scripted (status, content type, body); `gate` holds answers back."""

    daemon_threads = False  # server_close() joins the handlers

    def __init__(self, script: list[tuple[int, str, str]], gate: threading.Event | None = None) -> None:
        self.script = script
        self.gate = gate
        self.keys: list[str | None] = []
        super().__init__(("127.0.0.1", 0), _Scripted)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.shutdown()
        self.server_close()
        self.thread.join(WAIT)


class _Scripted(BaseHTTPRequestHandler):
    server: ScriptedService

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def do_GET(self) -> None:
        self.server.keys.append(self.headers.get("Idempotency-Key"))
        if self.server.gate is not None:
            self.server.gate.wait(WAIT)
        status, kind, body = self.server.script.pop(0) if self.server.script else (500, "text/plain", "script over")
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with suppress(OSError):  # the client may have given up already
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


TICKET = json.dumps({"id": 1, "number": "A001"})
HTML = "<html><body>Bad Gateway</body></html>"


def test_gateway_errors_are_retried_with_one_key() -> None:
    stub = ScriptedService([(503, "text/html", HTML), (502, "text/html", HTML), (201, "application/json", TICKET)])
    try:
        with QueueClient(stub.url, "t", backoff=0.01) as client:
            assert client.issue("HT") == {"id": 1, "number": "A001"}
    finally:
        stub.close()
    assert len(stub.keys) == 3
    assert len(set(stub.keys)) == 1
    assert stub.keys[0]


@pytest.mark.parametrize(
    ("script", "unavailable", "code", "message", "sent"),
    [
        ([(504, "text/html", HTML)] * 3, True, "http_504", SERVER_FAULT_MESSAGE.format(status=504), 3),
        ([(500, "application/json", json.dumps({"error": "internal", "message": "Lỗi máy chủ."}))], True,
         "internal", "Lỗi máy chủ.", 1),
        ([(400, "text/html", HTML)], False, "http_400", REFUSED_MESSAGE.format(status=400), 1),
        ([(200, "text/html", HTML)], False, "bad_response", BAD_ANSWER_MESSAGE, 1),
    ],
)  # fmt: skip
def test_odd_answers_become_vietnamese_errors(script: list[tuple[int, str, str]], unavailable: bool, code: str,
                                              message: str, sent: int) -> None:  # fmt: skip
    stub = ScriptedService(script)
    try:
        with QueueClient(stub.url, backoff=0.01) as client, pytest.raises(ServiceError) as caught:
            client.queue()
    finally:
        stub.close()
    assert isinstance(caught.value, ServiceUnavailable) is unavailable
    assert (caught.value.code, caught.value.message) == (code, message)
    assert len(stub.keys) == sent


def test_a_service_that_does_not_answer_times_out_with_one_key() -> None:
    stub = ScriptedService([], gate=threading.Event())  # holds every answer until closed
    try:
        with (
            QueueClient(stub.url, "t", timeout=0.3, backoff=0.01) as client,
            pytest.raises(ServiceUnavailable) as caught,
        ):
            client.call_next(1)
    finally:
        stub.close()
    assert (caught.value.code, caught.value.message) == ("timeout", TIMEOUT_MESSAGE)
    assert isinstance(caught.value.__cause__, requests.Timeout)
    assert len(stub.keys) == 3
    assert len(set(stub.keys)) == 1


def test_killed_service_is_unavailable_then_back_on_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start_server(data)
    try:
        with QueueClient(server.url, server.admin_token, timeout=5) as client:
            assert client.issue("CT")["number"] == "B001"
            server.kill()
            for call in (client.health, lambda: client.issue("CT")):
                with pytest.raises(ServiceUnavailable) as caught:
                    call()
                assert caught.value.message == UNAVAILABLE_MESSAGE
                assert caught.value.status is None
                assert isinstance(caught.value.__cause__, requests.ConnectionError)
                assert "cause" in caught.value.details
            server = start_server(data, port=port_of(server))
            assert client.health()["status"] == "ok"
            assert client.issue("CT")["number"] == "B002"  # the failed tries issued nothing
    finally:
        server.stop()


# --- events ------------------------------------------------------------------------------------


def test_event_stream_survives_a_restart_without_gaps_or_repeats(tmp_path: Path) -> None:
    data = tmp_path / "data"
    servers = [start_server(data)]
    release = threading.Event()
    rec = Recorder(hold=release)
    stream = rec.stream(servers[0].url)
    client = QueueClient(servers[0].url, servers[0].admin_token)
    stream.start()
    try:
        rec.wait(lambda: rec.states == [True] and len(rec.snapshots) == 1)
        base = rec.snapshots[0]["seq"]
        before = [client.issue("HT") for _ in range(3)]
        rec.wait(lambda: len(rec.events) == 3)
        servers[0].kill()
        rec.wait(lambda: rec.states == [True, False])  # the stream now waits inside the callback
        servers.append(start_server(data, port=port_of(servers[0])))
        away = [client.issue("CT") for _ in range(2)]  # issued before the stream is back
        called = client.call_next(1)
        assert called is not None
        release.set()
        rec.wait(lambda: rec.states == [True, False, True])
        live = client.issue("DD")
        rec.wait(lambda: live["id"] in rec.issued_ids())
        seqs = [e["seq"] for e in rec.events]
        assert seqs == list(range(base + 1, base + 1 + len(seqs))), "in order, no gap, no repeat"
        assert rec.issued_ids() == [t["id"] for t in [*before, *away, live]]
        assert [e["payload"]["ticket"]["id"] for e in rec.events if e["kind"] == "ticket.called"] == [called["id"]]
        assert len(rec.snapshots) == 1
        assert stream.last_seq == seqs[-1]
    finally:
        release.set()
        stream.stop()
        client.close()
        servers[-1].stop()
    assert stream._thread is not None
    assert not stream._thread.is_alive()


def test_event_stream_catches_up_after_a_too_slow_close() -> None:
    """The service closes a lagging client with 1013; it reconnects with `since` and drops repeats."""
    paths: list[str] = []

    def event(seq: int) -> str:
        return json.dumps({"type": "event", "seq": seq, "kind": "ticket.issued", "payload": {}, "at": ""})

    def handler(ws: ServerConnection) -> None:
        paths.append(ws.request.path if ws.request else "")
        if len(paths) == 1:
            ws.send(json.dumps({"type": "snapshot", "seq": 5, "queue": {"seq": 5}}))
            ws.send(event(6))
            ws.close(1013, "client too slow; reconnect with since")
            return
        for seq in (5, 6, 7, 8):
            ws.send(event(seq))
        for _ in ws:  # until the client leaves
            pass

    rec = Recorder()
    with serve(handler, "127.0.0.1", 0) as service:
        runner = threading.Thread(target=service.serve_forever, daemon=True)
        runner.start()
        stream = rec.stream(f"http://127.0.0.1:{service.socket.getsockname()[1]}")
        stream.start()
        try:
            rec.wait(lambda: len(rec.events) == 3)
        finally:
            stream.stop()
            service.shutdown()
            runner.join(WAIT)
    assert paths == ["/api/events", "/api/events?since=6"]
    assert [e["seq"] for e in rec.events] == [6, 7, 8]
    assert rec.states == [True]  # a catch-up is not an outage


def test_event_stream_reports_a_service_that_is_not_there() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rec = Recorder()
    stream = rec.stream(f"http://127.0.0.1:{port}")
    stream.start()
    try:
        rec.wait(lambda: rec.states == [False])
    finally:
        stream.stop()
    assert rec.snapshots == []


# --- discovery ---------------------------------------------------------------------------------


def test_from_discovery_finds_the_announced_service(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", mdns=True)
    try:
        port = port_of(server)
        with QueueClient.from_discovery(WAIT, server.admin_token, accept=lambda s: s.url.endswith(f":{port}")) as c:
            assert c.issue("HT")["number"] == "A001"
    finally:
        server.stop()


def test_from_discovery_without_a_service_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discovery, "discover", lambda timeout, accept=None: [])
    with pytest.raises(ServiceUnavailable) as caught:
        QueueClient.from_discovery(0.1)
    assert caught.value.code == "not_found"
    assert "Không tìm thấy máy chủ Trung tâm" in caught.value.message
