"""Against a real `serve`: one client cannot hold every socket, and what uvicorn refuses is still our JSON."""

from __future__ import annotations

import contextlib
import json
import socket
from urllib.parse import urlsplit

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.service.launcher import ServerProcess
from app.service.limits import WS_PER_CLIENT

VIETNAMESE_LETTERS = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"


def ws_url(server: ServerProcess, query: str = "") -> str:
    return server.url.replace("http://", "ws://") + "/api/events" + query


def raw_request(server: ServerProcess, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send bytes as they are (no client library would send an unknown method) and read the whole answer."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return status_line, headers, body


def test_one_client_gets_its_cap_of_sockets_and_health_still_answers(server: ServerProcess) -> None:
    with contextlib.ExitStack() as stack:
        held: list[ClientConnection] = []
        for _ in range(WS_PER_CLIENT):
            ws = stack.enter_context(connect(ws_url(server), open_timeout=30))
            assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"
            held.append(ws)
        extra = stack.enter_context(connect(ws_url(server), open_timeout=30))
        error = json.loads(extra.recv(timeout=30))
        assert error["error"] == "too_many_connections"
        assert any(ch in error["message"] for ch in VIETNAMESE_LETTERS)
        assert error["details"] == {"limit": WS_PER_CLIENT, "per_client": True}
        with pytest.raises(ConnectionClosed) as closed:
            extra.recv(timeout=30)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        assert "too many event sockets" in closed.value.rcvd.reason
        health = requests.get(f"{server.url}/api/health", timeout=10)
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        # the held sockets still work: they all get the next event
        auth = {"Authorization": f"Bearer {server.admin_token}"}
        assert requests.post(f"{server.url}/api/tickets", json={"group": "HT"}, headers=auth, timeout=30).ok
        assert {json.loads(ws.recv(timeout=30))["kind"] for ws in held} == {"ticket.issued"}


def test_an_unknown_method_is_a_json_405_from_the_server_itself(server: ServerProcess) -> None:
    status, headers, body = raw_request(server, b"FOO /api/health HTTP/1.1\r\nHost: centre\r\n\r\n")
    assert status == "HTTP/1.1 405 Method Not Allowed"
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["error"] == "http_405"
    assert set(answer) == {"error", "message", "details"}
    assert any(ch in answer["message"] for ch in VIETNAMESE_LETTERS)
    status, headers, body = raw_request(server, b"GET /api/health HTTP/1.1\r\nHost centre\r\n\r\n")  # no colon
    assert status.startswith("HTTP/1.1 400")
    assert json.loads(body)["error"] == "http_400"


def test_a_bad_since_gets_a_json_reason_then_1008_not_a_bare_403(server: ServerProcess) -> None:
    with connect(ws_url(server, "?since=abc"), open_timeout=30) as ws:
        error = json.loads(ws.recv(timeout=30))
        assert error["error"] == "invalid_request"
        assert "since" in error["message"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


def test_an_unauthenticated_50_mb_post_is_refused_before_it_is_sent(server: ServerProcess) -> None:
    """The 401 arrives while the client has sent only its headers: the service never waits for the body."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        conn.sendall(
            b"POST /api/tickets HTTP/1.1\r\nHost: centre\r\nContent-Type: application/json\r\n"
            b"Content-Length: 52428800\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401")
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"] == "http_401"
