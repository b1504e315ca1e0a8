"""uvicorn's protocols, adjusted where the API promises something uvicorn would not do by itself.

HTTP: a request line or header that the parser refuses never reaches the application, so uvicorn answers it
itself with a plain-text "Invalid HTTP request received.". An unknown method (`FOO /api/health`) is one of
those with httptools. Here the same refusals leave as `{"error", "message", "details"}` with a Vietnamese
message: 405 for a method the parser does not know, 400 for anything else it cannot read.

WebSocket: uvicorn makes every ASGI send, a close included, wait until the client has read enough of what
is already buffered. A client too slow for the event stream is exactly one that does not read, so the 1013
close frame the service sends it would wait behind the backlog for as long as the client stalls. Here a close
is queued behind the backlog at once: the client reads it right after the events it was sent, and the
handler (and its place under the socket caps) is released without waiting for the client.
"""

from __future__ import annotations

import sys
from http import HTTPStatus
from typing import Any

from app.service.errors import http_error_response

try:
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - uvicorn[standard] brings httptools; h11 accepts any method
    httptools = None  # type: ignore[assignment]
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


def unparsable_request_response(exc: BaseException | None) -> bytes:
    """The raw HTTP/1.1 answer to a request the parser refused (the connection is closed after it)."""
    invalid_method = httptools is not None and isinstance(exc, httptools.HttpParserInvalidMethodError)
    status = 405 if invalid_method else 400
    body = bytes(http_error_response(status).body)
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class JsonErrorHttpProtocol(_Base):
    def send_400_response(self, msg: str) -> None:
        # Called from inside the parser's `except HttpParserError` (and h11's `except RemoteProtocolError`).
        self.transport.write(unparsable_request_response(sys.exc_info()[1]))
        self.transport.close()


class SlowClientWebSocketProtocol(WebSocketsSansIOProtocol):
    async def send(self, message: Any) -> None:
        if message["type"] == "websocket.close" and self.handshake_complete:
            self.writable.set()  # the close frame goes behind the backlog now; nothing is sent after it
        await super().send(message)
