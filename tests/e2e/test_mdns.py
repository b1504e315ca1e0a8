"""Clients find the centre service on the LAN without an address typed in."""

from __future__ import annotations

from pathlib import Path

import requests

from app.client.discovery import discover
from app.service.launcher import start_server


def test_service_is_found_by_mdns_and_answers(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", mdns=True)
    try:
        port = server.url.rsplit(":", 1)[1]
        found = discover(timeout=30, accept=lambda s: s.url.endswith(f":{port}"))
        assert found, "the service's announcement was not seen"
        assert "_motcua._tcp.local." in found[0].name
        assert requests.get(f"{found[0].url}/api/health", timeout=10).json()["status"] == "ok"
    finally:
        server.stop()
