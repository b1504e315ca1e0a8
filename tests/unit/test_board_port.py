"""The plain-HTTP board port: the board and ticket pages read-only, always the public view, no writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.board_port import BoardOnly, board_path, without_credentials
from app.service.server import open_store

Env = tuple[TestClient, TestClient, dict[str, str]]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """(the API as on its HTTPS port, the same application behind BoardOnly, the admin's header)."""
    store, devices = open_store(tmp_path / "data", ManualClock())
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    app = create_app(store, devices)
    with TestClient(app) as api, TestClient(BoardOnly(app)) as board:
        yield api, board, {"Authorization": f"Bearer {token}"}
    store.close()


def has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(has_key(v, key) for v in value)
    return False


def assert_board_refusal(response: Any, status: int) -> None:
    assert response.status_code == status
    body = response.json()
    assert body["error"] == f"http_{status}"
    assert "bảng gọi số" in body["message"]
    assert body["details"] == {"port": "board"}


def test_the_board_and_its_data_are_served(env: Env) -> None:
    _api, board, _admin = env
    page = board.get("/display")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert board.get("/display/font/Regular.ttf").status_code == 200
    assert board.get("/api/health").json()["status"] == "ok"
    assert "text" in board.get("/api/display/notice").json()
    assert "seq" in board.get("/api/queue").json()


def test_the_follow_page_of_a_ticket_opens_on_the_board_port(env: Env) -> None:
    api, board, admin = env
    issued = api.post("/api/tickets", json={"group": "HT"}, headers=admin).json()
    page = board.get(f"/t/{issued['follow']}")
    assert page.status_code == 200
    assert issued["number"] in page.text
    assert board.get(f"/t/{issued['id']}-0000").status_code == 404  # still only by the key on the ticket


def test_a_token_changes_nothing_on_the_board_port(env: Env) -> None:
    api, board, admin = env
    api.post("/api/tickets", json={"group": "HT", "priority": "disabled"}, headers=admin)
    assert has_key(api.get("/api/queue", headers=admin).json(), "priority")
    public = board.get("/api/queue", headers=admin).json()
    assert public["waiting"]
    assert not has_key(public, "priority")
    token = admin["Authorization"].removeprefix("Bearer ")
    with board.websocket_connect(f"/api/events?token={token}", headers=admin) as ws:
        snapshot = ws.receive_json()
        assert snapshot["type"] == "snapshot"
        assert snapshot["queue"]["waiting"]
        assert not has_key(snapshot, "priority")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/api/tickets", 404),
        ("POST", "/api/sessions", 404),
        ("POST", "/api/counters/1/call-next", 404),
        ("POST", "/api/devices", 404),
        ("GET", "/api/stats/today", 404),
        ("GET", "/api/users", 404),
        ("GET", "/openapi.json", 404),
        ("GET", "/docs", 404),
        ("PUT", "/api/display/notice", 405),
        ("POST", "/api/queue", 405),
        ("DELETE", "/display", 405),
    ],
)
def test_everything_else_is_refused_in_the_api_error_shape(env: Env, method: str, path: str, status: int) -> None:
    api, board, admin = env
    before = api.get("/api/queue", headers=admin).json()["seq"]
    response = board.request(method, path, json={"group": "HT", "text": "x"}, headers=admin)
    assert_board_refusal(response, status)
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD"
    assert api.get("/api/queue", headers=admin).json()["seq"] == before
    assert api.get("/api/display/notice").json()["text"] != "x"


def test_no_other_socket_opens_on_the_board_port(env: Env) -> None:
    _api, board, _admin = env
    with pytest.raises(WebSocketDisconnect), board.websocket_connect("/api/other"):
        pass


def test_credentials_are_stripped_before_the_application_sees_the_request() -> None:
    scope = {
        "type": "http",
        "headers": [(b"authorization", b"Bearer x"), (b"cookie", b"a=b"), (b"accept", b"*/*")],
        "query_string": b"since=5&token=secret&x=",
    }
    clean = without_credentials(scope)
    assert clean["headers"] == [(b"accept", b"*/*")]
    assert clean["query_string"] == b"since=5&x="


def test_the_pages_phones_open_from_posters_pass_and_nothing_beside_them() -> None:
    for path in ("/display", "/display/font/Bold.ttf", "/t/12-abc", "/p", "/p/1.001193", "/h/X-1-k", "/api/queue"):
        assert board_path(path), path
    for path in ("/api/catalog", "/api/tickets", "/pages", "/displayx", "/api/queue/x", "/docs", "/"):
        assert not board_path(path), path
