"""Where phones and smart TVs open the hall board and a ticket's follow page: plain HTTP, on the board port.

Under TLS the centre service answers the API over HTTPS with its own CA, which a citizen's phone or a TV's
browser cannot trust; the same service serves the read-only board and ticket pages over plain HTTP on a second
port and says which in `GET /api/health` (`board_port`; on a service without TLS it is the API's own port).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from app.client.api import QueueApi


def board_url(service_url: str, health: Mapping[str, Any]) -> str:
    """http://HOST:BOARD_PORT, HOST as this client reaches the service at `service_url`."""
    parts = urlsplit(service_url.rstrip("/"))
    port = health.get("board_port")
    if not isinstance(port, int) or isinstance(port, bool) or port <= 0:
        return service_url.rstrip("/")  # a service from before TLS: its one port serves the pages
    host = parts.hostname or "127.0.0.1"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def board_url_of(client: QueueApi) -> str:
    """The board address of the service a `QueueClient` talks to (one GET /api/health; ServiceError when down)."""
    return board_url(str(client.base_url), client.health())
