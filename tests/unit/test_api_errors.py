"""Every refusal of the centre API is the documented JSON shape with a Vietnamese message, never a 500."""

from __future__ import annotations

import errno
import logging
import re
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.server import open_store
from app.store.queue_store import QueueStore

VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
HUGE = str(2**63)
PATH_VALUES = (HUGE, str(2**64), "-1", "0", "abc", "1")
BAD_BODIES: tuple[bytes, ...] = (
    b'{"group": ',  # cut short
    b'{"group": "\xff\xfe"}',  # not UTF-8
    b"[" * 5_000 + b"]" * 5_000,  # nested deeper than the parser goes (and under the 64 KB cap)
    b"[1, 2]",  # JSON, but not an object
    b'{"group": 5, "counter": ' + HUGE.encode() + b', "text": 7, "username": [], "secret": {}}',  # wrong types
)
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], QueueStore, FastAPI]]:
    store, devices = open_store(tmp_path / "data", ManualClock())
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    app = create_app(store, devices)
    # raise_server_exceptions=False: a 500 must show up as an answer the test can assert on
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {token}"}, store, app
    store.close()


def assert_documented_error(response: Any, where: str, status: int | None = None) -> dict[str, Any]:
    if status is None:
        assert 400 <= response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    else:
        assert response.status_code == status, f"{where}: {response.status_code} {response.text[:300]}"
    assert response.headers.get("content-type", "").startswith("application/json"), f"{where}: {response.text[:300]}"
    body = response.json()
    assert set(body) == {"error", "message", "details"}, f"{where}: {body}"
    assert isinstance(body["error"], str), where
    assert body["error"], where
    assert isinstance(body["details"], dict), where
    assert VIETNAMESE.search(body["message"]), f"{where}: message not in Vietnamese: {body['message']!r}"
    assert "Traceback" not in response.text, where
    assert "There was an error" not in response.text, where
    return body


def check(response: Any, where: str) -> None:
    if response.status_code < 400:
        assert response.status_code < 300 or response.status_code == 304, where
        return
    if response.headers.get("content-type", "").startswith("text/html") and not where.split()[1].startswith("/api"):
        # the citizen's ticket page answers a browser with a page, in Vietnamese, not with JSON
        assert response.status_code == 404, where
        assert VIETNAMESE.search(response.text), where
        return
    assert_documented_error(response, where)


def fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_route_answers_bad_input_in_the_documented_shape(service) -> None:
    """Close the class: huge/negative/non-numeric ids, broken bodies and wrong methods on every route."""
    client, auth, _, app = service
    routes = [r for r in app.routes if isinstance(r, APIRoute | Route) and not isinstance(r, APIWebSocketRoute)]
    assert len(routes) > 25
    tried = 0
    for route in routes:
        methods = sorted(route.methods or {"GET"})
        for method in methods:
            if method == "HEAD":
                continue
            for value in PATH_VALUES:
                for headers in (auth, {}):
                    where = f"{method} {fill(route.path, value)} auth={bool(headers)}"
                    check(client.request(method, fill(route.path, value), headers=headers), where)
                    tried += 1
            if method in ("POST", "PUT", "PATCH"):
                for body in BAD_BODIES:
                    for headers in (auth, {}):
                        where = f"{method} {fill(route.path, '1')} body={body[:20]!r} auth={bool(headers)}"
                        sent = {**headers, "Content-Type": "application/json"}
                        check(client.request(method, fill(route.path, "1"), content=body, headers=sent), where)
                        tried += 1
        for wrong in (m for m in ALL_METHODS if m not in methods):
            where = f"{wrong} {fill(route.path, '1')} (wrong method)"
            response = client.request(wrong, fill(route.path, "1"), headers=auth)
            if response.status_code == 405:
                assert_documented_error(response, where)
            else:  # another route owns this method on the same path
                check(response, where)
            tried += 1
    for path in ("/api/nothing-here", "/nothing", "/api/tickets/1/nothing", "/" + "x" * 3000):
        assert_documented_error(client.get(path), f"GET {path}")
    assert tried > 500


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/tickets/{HUGE}"),
        ("POST", f"/api/tickets/{HUGE}/cancel"),
        ("POST", f"/api/counters/{HUGE}/call-next"),
        ("POST", f"/api/counters/{2**64}/finish"),
        ("POST", "/api/counters/-3/pause"),
        ("GET", "/api/tickets/0"),
    ],
)
def test_ids_out_of_range_are_422_not_an_overflow(service, method: str, path: str) -> None:
    client, auth, _, _ = service
    response = client.request(method, path, headers=auth)
    assert response.status_code == 422, response.text
    assert assert_documented_error(response, path)["error"] == "invalid_request"


@pytest.mark.parametrize(
    "body",
    [b'{"group": ', b'{"group": "\xff\xfe"}', b"[" * 5_000 + b"]" * 5_000, b"\x00\x01"],
    ids=["cut-short", "not-utf8", "deep-nesting", "binary"],
)
def test_unreadable_json_is_bad_json_in_vietnamese(service, body: bytes) -> None:
    client, auth, _, _ = service
    response = client.post("/api/tickets", content=body, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 422
    answer = assert_documented_error(response, "POST /api/tickets")
    assert answer["error"] == "bad_json"
    assert "JSON hợp lệ" in answer["message"]


def _failing_future(exc: BaseException) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_exception(exc)
    return future


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.OperationalError("database or disk is full"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
    ids=["sqlite-full", "enospc"],
)
def test_a_full_disk_is_507_disk_full_and_logged_loudly(service, monkeypatch, caplog, exc: BaseException) -> None:
    client, auth, store, _ = service
    monkeypatch.setattr(store, "submit", lambda *_a, **_k: _failing_future(exc))
    with caplog.at_level(logging.CRITICAL, logger="app.service.errors"):
        response = client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    answer = assert_documented_error(response, "POST /api/tickets", 507)
    assert answer["error"] == "disk_full"
    assert "Ổ đĩa của máy chủ Trung tâm đã đầy" in answer["message"]
    assert "CNTT" in answer["message"]
    assert [r.levelno for r in caplog.records if "DISK FULL" in r.getMessage()] == [logging.CRITICAL]


def test_a_full_disk_on_a_read_path_is_507_too(service, monkeypatch) -> None:
    client, _, store, _ = service

    def no_room() -> list[dict[str, Any]]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "groups", no_room)
    response = client.get("/api/groups")
    assert assert_documented_error(response, "GET /api/groups", 507)["error"] == "disk_full"


def test_other_database_errors_stay_a_plain_500(service, monkeypatch) -> None:
    client, auth, store, _ = service
    monkeypatch.setattr(store, "submit", lambda *_a, **_k: _failing_future(sqlite3.OperationalError("locked")))
    response = client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    assert response.status_code == 500
    assert response.json()["error"] == "internal"


@pytest.mark.parametrize("since", ["abc", "-1", "1.5"])
def test_a_bad_since_is_a_json_error_then_close_1008(service, since: str) -> None:
    client, _, _, _ = service
    with client.websocket_connect(f"/api/events?since={since}") as ws:
        error = ws.receive_json()
        assert set(error) == {"error", "message", "details"}
        assert error["error"] == "invalid_request"
        assert "since" in error["message"]
        assert VIETNAMESE.search(error["message"])
        assert error["details"]["fields"] == ["query.since"]
        closing = ws.receive()
    assert closing["type"] == "websocket.close"
    assert closing["code"] == 1008
