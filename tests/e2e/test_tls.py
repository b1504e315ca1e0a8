"""`python -m app serve` with TLS: HTTPS/WSS with the centre's CA pinned, the plain board port read-only."""

from __future__ import annotations

import json
import os
import ssl
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.sync.client import connect

from app.client.board import board_url_of
from app.client.events import EventStream
from app.client.queue_client import QueueClient, ServiceError, ServiceUnavailable
from app.service.launcher import ServerProcess, start_server
from app.service.tls import ensure_certificates, fingerprint, tls_files

ROOT = Path(__file__).resolve().parents[2]


def has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(has_key(v, key) for v in value)
    return False


def test_the_api_speaks_https_with_the_centre_ca_pinned(tls_server: ServerProcess) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:")
    assert tls_server.board_url.startswith("http://127.0.0.1:")
    assert tls_server.ca_file is not None
    with QueueClient(tls_server.url, tls_server.admin_token, ca_file=tls_server.ca_file) as client:
        health = client.health()
        assert health["tls"] is True
        assert board_url_of(client) == tls_server.board_url
        ticket = client.issue("HT", "elderly")
        assert ticket["priority"] == "elderly"
        assert has_key(client.queue(), "priority")
    # A clerk signs in over HTTPS: the PIN never crosses the network in clear.
    auth = {"Authorization": f"Bearer {tls_server.admin_token}"}
    clerk = {"username": "lan", "display_name": "Lan", "role": "clerk", "secret": "246813"}
    made = requests.post(f"{tls_server.url}/api/users", json=clerk, headers=auth, verify=str(tls_server.ca_file),
                         timeout=30)  # fmt: skip
    assert made.status_code == 201, made.text
    session = requests.post(f"{tls_server.url}/api/sessions", verify=str(tls_server.ca_file), timeout=30,
                            json={"username": "lan", "secret": "246813", "counter": 1})  # fmt: skip
    assert session.status_code == 201
    assert session.json()["token"]


def test_a_client_without_the_centre_ca_cannot_connect(tls_server: ServerProcess, tmp_path: Path) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{tls_server.url}/api/health", timeout=30)  # the system's CAs do not know the centre's
    with pytest.raises(ServiceError) as missing:
        QueueClient(tls_server.url)
    assert missing.value.code == "ca_file_required"
    other_ca = ensure_certificates(tmp_path / "other", "Trung tâm khác", "127.0.0.1", addresses=[]).ca_cert
    with (
        QueueClient(tls_server.url, ca_file=other_ca, attempts=3, backoff=0) as client,
        pytest.raises(ServiceUnavailable) as untrusted,
    ):
        client.health()
    assert untrusted.value.code == "tls_untrusted"
    assert untrusted.value.attempts == 1  # not retried: another try meets the same certificate
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(tls_server.url.replace("https://", "wss://") + "/api/events", open_timeout=30,
                ssl=ssl.create_default_context(cafile=str(other_ca)))  # fmt: skip


def test_events_stream_over_wss_with_the_pinned_ca(tls_server: ServerProcess) -> None:
    snapshots: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    got_snapshot, got_event = threading.Event(), threading.Event()

    def on_snapshot(queue: dict[str, Any]) -> None:
        snapshots.append(queue)
        got_snapshot.set()

    def on_event(event: dict[str, Any]) -> None:
        events.append(event)
        got_event.set()

    token = tls_server.admin_token
    stream = EventStream(tls_server.url, on_snapshot=on_snapshot, on_event=on_event, on_connection=lambda _c: None,
                         token=lambda: token, ca_file=tls_server.ca_file)  # fmt: skip
    stream.start()
    try:
        assert got_snapshot.wait(30)
        with QueueClient(tls_server.url, token, ca_file=tls_server.ca_file) as client:
            client.issue("HT", "disabled")
        assert got_event.wait(30)
        assert events[0]["kind"] == "ticket.issued"
        assert events[0]["payload"]["ticket"]["priority"] == "disabled"  # a token on wss: the full view
    finally:
        stream.stop(5)


def test_the_board_port_is_plain_http_read_only_and_public(tls_server: ServerProcess) -> None:
    board = tls_server.board_url
    auth = {"Authorization": f"Bearer {tls_server.admin_token}"}
    with QueueClient(tls_server.url, tls_server.admin_token, ca_file=tls_server.ca_file) as client:
        issued = client.issue("HT", "disabled")
        seq = client.queue()["seq"]
    page = requests.get(f"{board}/display", timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert requests.get(f"{board}/t/{issued['follow']}", timeout=30).status_code == 200
    public = requests.get(f"{board}/api/queue", headers=auth, timeout=30).json()
    assert public["waiting"]
    assert not has_key(public, "priority")  # the admin's token is ignored here
    for path in ("/api/tickets", "/api/sessions", "/api/counters/1/call-next", "/api/devices"):
        refused = requests.post(f"{board}{path}", json={"group": "HT", "username": "x", "secret": "246813"},
                                headers=auth, timeout=30)  # fmt: skip
        assert refused.status_code == 404, path
        assert refused.json()["error"] == "http_404"
        assert "bảng gọi số" in refused.json()["message"]
    notice = requests.put(f"{board}/api/display/notice", json={"text": "x"}, headers=auth, timeout=30)
    assert notice.status_code == 405
    assert notice.json()["error"] == "http_405"
    with QueueClient(tls_server.url, tls_server.admin_token, ca_file=tls_server.ca_file) as client:
        assert client.queue()["seq"] == seq  # nothing reached the queue through the board port
        assert client.display_notice() != "x"
    ws_url = board.replace("http://", "ws://") + f"/api/events?token={tls_server.admin_token}"
    with connect(ws_url, open_timeout=30, additional_headers=auth) as ws:
        snapshot = json.loads(ws.recv(timeout=30))
    assert snapshot["type"] == "snapshot"
    assert snapshot["queue"]["waiting"]
    assert not has_key(snapshot, "priority")


def test_keys_are_private_and_a_restart_keeps_the_ca(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_server(data, tls="on")
    try:
        assert first.url.startswith("https://")
    finally:
        first.stop()
    files = tls_files(data)
    assert stat.S_IMODE(files.folder.stat().st_mode) == 0o700
    for path in (files.ca_cert, files.ca_key, files.cert, files.key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    ca = fingerprint(files.ca_cert)
    # Again, bound to every interface: TLS by default there (auto), the same CA, so paired clients keep working.
    second = start_server(data, host="0.0.0.0", plain_port=0)
    try:
        assert second.url.startswith("https://0.0.0.0:")
        assert second.board_url.startswith("http://0.0.0.0:")
        assert fingerprint(files.ca_cert) == ca
        health = requests.get(f"{second.local_url}/api/health", verify=second.verify, timeout=30).json()
        assert health["tls"] is True
        assert str(health["board_port"]) == second.board_url.rsplit(":", 1)[1]
    finally:
        second.stop()


def test_loopback_stays_plain_http_as_before(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.board_url == server.url
        assert server.ca_file is None
        health = requests.get(f"{server.url}/api/health", timeout=30).json()
        assert health["tls"] is False
        assert str(health["board_port"]) == server.url.rsplit(":", 1)[1]
        assert not (tmp_path / "data" / "tls").exists()
    finally:
        server.stop()


def test_an_app_given_an_https_address_without_the_ca_says_what_to_pass() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--smoke-test", "--service", "https://127.0.0.1:9"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--ca-file" in done.stderr
    assert "tls/ca.pem" in done.stderr
