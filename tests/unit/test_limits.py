"""Limits: body size before reading, token before body, sockets per client and in total, issuing rate."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.clock import ManualClock
from app.core.dossier import ComponentFile
from app.core.dossier_codec import dossier_to_dict
from app.service.api import create_app
from app.service.limits import DEFAULT_BODY_LIMIT, LimitsMiddleware, RateLimited, RateLimiter
from app.service.server import open_store
from tests.unit.test_api import assert_vietnamese_error
from tests.unit.test_dossier_mirror import make_dossier, pdf_bytes

MB = 1024 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], FastAPI]]:
    store, devices = open_store(tmp_path / "data", ManualClock())
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    app = create_app(store, devices)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}, app
    store.close()


class Body:
    """An ASGI `receive` that hands out a body in chunks and counts what was taken."""

    def __init__(self, size: int, chunk: int = 16 * 1024) -> None:
        self.left = size
        self.chunk = chunk
        self.taken = 0

    async def __call__(self) -> dict[str, Any]:
        part = min(self.chunk, self.left)
        self.left -= part
        self.taken += part
        return {"type": "http.request", "body": b"x" * part, "more_body": self.left > 0}


def call_asgi(app: Any, method: str, path: str, headers: dict[str, str], receive: Body) -> tuple[int, dict[str, Any]]:
    """One HTTP request straight into an ASGI app (no test client buffering the body first)."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("192.0.2.7", 50000), "server": ("127.0.0.1", 8710), "state": {},
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


def test_a_declared_body_over_64_kb_is_refused_before_reading(service) -> None:
    client, auth, app = service
    body = Body(100 * 1024)
    headers = {**auth, "content-type": "application/json", "content-length": str(100 * 1024)}
    status, answer = call_asgi(app, "POST", "/api/tickets", headers, body)
    assert (status, answer["error"]) == (413, "too_large")
    assert answer["details"] == {"limit_bytes": DEFAULT_BODY_LIMIT}
    assert body.taken == 0
    # and through a real client, the documented shape in Vietnamese
    big = client.post("/api/tickets", content=b"{" + b" " * (100 * 1024) + b"}", headers=auth)
    assert assert_vietnamese_error(big, 413, "too_large")["details"]["limit_bytes"] == DEFAULT_BODY_LIMIT


def test_a_streamed_body_is_cut_off_as_soon_as_it_passes_the_limit(service) -> None:
    _, auth, app = service
    body = Body(10 * MB)
    headers = {**auth, "content-type": "application/json", "transfer-encoding": "chunked"}
    status, answer = call_asgi(app, "POST", "/api/tickets", headers, body)
    assert (status, answer["error"]) == (413, "too_large")
    assert DEFAULT_BODY_LIMIT < body.taken <= DEFAULT_BODY_LIMIT + body.chunk


@pytest.mark.parametrize(
    "path", ["/api/tickets", "/api/devices", "/api/dossiers/X/files/" + "a" * 64, "/api/counters/1/call-next"]
)
def test_an_unauthenticated_big_write_gets_401_without_its_body_being_read(service, path: str) -> None:
    _, _, app = service
    body = Body(50 * MB)
    method = "PUT" if "/files/" in path else "POST"
    headers = {"content-type": "application/json", "content-length": str(50 * MB)}
    status, answer = call_asgi(app, method, path, headers, body)
    assert (status, answer["error"]) == (401, "http_401")
    assert body.taken == 0


def test_sign_in_needs_no_token_so_its_body_is_read(service) -> None:
    _, _, app = service
    payload = json.dumps({"username": "nobody", "secret": "938271"}).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": payload, "more_body": False}

    headers = {"content-type": "application/json", "content-length": str(len(payload))}
    status, answer = call_asgi(app, "POST", "/api/sessions", headers, receive)  # type: ignore[arg-type]
    assert status == 401
    assert answer["error"] != "http_401"


def test_the_dossier_file_upload_keeps_its_50_mb_limit(service, tmp_path: Path) -> None:
    client, auth, app = service
    big = pdf_bytes("scan") + b"0" * (3 * MB)
    sha = hashlib.sha256(big).hexdigest()
    dossier = make_dossier()
    first = replace(dossier.components[0], files=(ComponentFile(str(tmp_path / "big.pdf"), sha, 1),))
    dossier = replace(dossier, components=(first, *dossier.components[1:]))
    assert client.put(f"/api/dossiers/{dossier.code}", json=dossier_to_dict(dossier), headers=auth).status_code == 200
    stored = client.put(
        f"/api/dossiers/{dossier.code}/files/{sha}", content=big, headers={**auth, "Content-Type": "application/pdf"}
    )
    assert stored.status_code == 200, stored.text
    # over 50 MB: refused from the declared length, before reading
    body = Body(51 * MB)
    headers = {**auth, "content-type": "application/pdf", "content-length": str(51 * MB)}
    status, answer = call_asgi(app, "PUT", f"/api/dossiers/{dossier.code}/files/{sha}", headers, body)
    assert (status, answer["error"], answer["details"]["limit_bytes"]) == (413, "too_large", 50 * MB)
    assert body.taken == 0


def test_issuing_is_rate_limited_per_device_with_retry_after(service) -> None:
    client, auth, app = service
    clock = FakeClock()
    app.state.issue_limiter.clock = clock
    kiosks = []
    for name in ("Kiosk sảnh", "Kiosk cửa sau"):
        made = client.post("/api/devices", json={"name": name, "role": "kiosk"}, headers=auth)
        kiosks.append({"Authorization": f"Bearer {made.json()['token']}"})
    for _ in range(20):  # the burst
        assert client.post("/api/tickets", json={"group": "HT"}, headers=kiosks[0]).status_code == 201
    refused = client.post("/api/tickets", json={"group": "HT"}, headers=kiosks[0])
    body = assert_vietnamese_error(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"] == "1" == str(body["details"]["retry_after_s"])
    # another kiosk has its own bucket; the admin token (bench, demo) is not limited
    assert client.post("/api/tickets", json={"group": "HT"}, headers=kiosks[1]).status_code == 201
    for _ in range(25):
        assert client.post("/api/tickets", json={"group": "CT"}, headers=auth).status_code == 201
    clock.now += 1.0  # 60 a minute: one more a second
    assert client.post("/api/tickets", json={"group": "HT"}, headers=kiosks[0]).status_code == 201
    assert client.post("/api/tickets", json={"group": "HT"}, headers=kiosks[0]).status_code == 429


def test_token_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("kiosk-1")
    with pytest.raises(RateLimited) as refused:
        limiter.take("kiosk-1")
    assert refused.value.retry_after_s == 1
    clock.now += 0.5
    with pytest.raises(RateLimited):
        limiter.take("kiosk-1")
    clock.now += 0.5
    limiter.take("kiosk-1")
    clock.now += 3600  # an hour idle refills to the burst, not beyond
    for _ in range(3):
        limiter.take("kiosk-1")
    with pytest.raises(RateLimited):
        limiter.take("kiosk-1")
    limiter.take("kiosk-2")


# --- sockets ------------------------------------------------------------------------------------------------


class Socket:
    """One WebSocket into the middleware: `opened` when the app accepted it, `closed` with the code it got."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inbox.put_nowait({"type": "websocket.connect"})
        self.sent: list[dict[str, Any]] = []
        self.closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.opened = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        return await self.inbox.get()

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if message["type"] == "websocket.accept":
            self.opened.set()
        if message["type"] == "websocket.close" and not self.closed.done():
            self.closed.set_result(message["code"])

    def scope(self) -> dict[str, Any]:
        return {"type": "websocket", "path": "/api/events", "headers": [], "client": (self.address, 40000)}


async def _held_socket_app(scope: Any, receive: Any, send: Any) -> None:
    """Stands in for the events stream: accept, then hold the socket until the client leaves."""
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while (await receive())["type"] != "websocket.disconnect":
        pass


def test_sockets_are_capped_per_client_address_and_in_total() -> None:
    async def scenario() -> None:
        limits = LimitsMiddleware(_held_socket_app, ws_per_client=2, ws_total=3)
        held: list[tuple[Socket, asyncio.Task[None]]] = []

        async def open_socket(address: str) -> tuple[Socket, asyncio.Task[None]]:
            sock = Socket(address)
            task = asyncio.ensure_future(limits(sock.scope(), sock.receive, sock.send))
            await asyncio.wait({task, asyncio.ensure_future(sock.opened.wait())}, return_when="FIRST_COMPLETED")
            return sock, task

        for address in ("10.0.0.5", "10.0.0.5"):
            held.append(await open_socket(address))
        assert all(not s.closed.done() for s, _ in held)
        third, task = await open_socket("10.0.0.5")  # over the per-client cap
        await task
        assert third.closed.result() == 1013
        error = json.loads(next(m["text"] for m in third.sent if m["type"] == "websocket.send"))
        assert error["error"] == "too_many_connections"
        assert error["details"]["per_client"] is True
        assert "10.0.0.5" not in next(m["reason"] for m in third.sent if m["type"] == "websocket.close")
        held.append(await open_socket("10.0.0.6"))  # another machine still gets in: 3 in total now
        fourth, task = await open_socket("10.0.0.7")  # over the total cap
        await task
        assert fourth.closed.result() == 1013
        assert json.loads(fourth.sent[1]["text"])["details"]["per_client"] is False
        # a socket that leaves frees its place
        first, first_task = held[0]
        first.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await first_task
        again, _ = await open_socket("10.0.0.5")
        assert again.opened.is_set()
        assert not again.closed.done()
        for sock, task in [*held[1:], (again, _)]:
            sock.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
            await task

    asyncio.run(scenario())
