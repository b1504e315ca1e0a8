"""The plain-HTTP port for smart TVs and phones: the hall board and ticket pages, read-only, no personal data.

Under TLS (server.py) the API speaks HTTPS/WSS on its main port, with the centre's own CA that paired clients
pin. A smart TV's browser and a citizen's phone cannot trust that CA, so a second port answers them over plain
HTTP with `BoardOnly`, a wrapper around the same application that lets through only what the board page
(`/display`, its fonts, the queue, the notice line, health, the events socket), a ticket's follow page
(`/t/KEY`), the procedure pages a poster's QR opens (`/p`, `/p/CODE`) and a dossier's status page Mẫu 01's QR
opens (`/h/CODE-KEY`) read, with GET or HEAD.
Credentials are stripped first (`Authorization`, cookies, `?token=`), so the queue and the events are always
the public view, without priority categories or clerks, whatever the caller sends. Everything else is refused
in the API's error shape: 404 for another address, 405 for any other method — no write ever reaches the
application through this port.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from app.service.errors import dumps, error_body

# Exact paths and prefixes the board page, the follow page, the procedure pages that posters' QR codes open and
# a dossier's status page that Mẫu 01's QR opens read (resources/web/display.html, pages.py, procedure_pages.py,
# dossier_pages.py: only with the dossier's random key, status and dates, no personal data).
BOARD_PATHS = frozenset({"/display", "/api/queue", "/api/health", "/api/display/notice", "/p"})
BOARD_PREFIXES = ("/t/", "/display/font/", "/p/", "/h/")
EVENTS_PATH = "/api/events"
READ_METHODS = frozenset({"GET", "HEAD"})
_CREDENTIAL_HEADERS = frozenset({b"authorization", b"cookie", b"proxy-authorization"})

NOT_HERE_MESSAGE = (
    "Cổng này chỉ phục vụ bảng gọi số và trang theo dõi lượt (chỉ đọc, không có dữ liệu cá nhân). "
    "Các ứng dụng của Trung tâm dùng địa chỉ https của máy chủ Trung tâm."
)
READ_ONLY_MESSAGE = (
    "Cổng bảng gọi số chỉ cho phép đọc (GET). Mọi thao tác ghi phải gửi qua địa chỉ https của máy chủ Trung tâm."
)


def board_path(path: str) -> bool:
    return path in BOARD_PATHS or path.startswith(BOARD_PREFIXES)


def without_credentials(scope: Scope) -> Scope:
    """The same request without anything that could identify a device or a person."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in _CREDENTIAL_HEADERS]
    raw_query = scope.get("query_string", b"")
    if raw_query:
        pairs = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True)
        raw_query = urlencode([(k, v) for k, v in pairs if k != "token"]).encode("latin-1")
    return {**scope, "headers": headers, "query_string": raw_query}


class BoardOnly:
    """ASGI wrapper: only the public, read-only board and ticket pages of `app` (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path, method = scope["path"], scope["method"]
            if not board_path(path):
                await _refuse_http(send, 404, "http_404", NOT_HERE_MESSAGE)
            elif method not in READ_METHODS:
                await _refuse_http(send, 405, "http_405", READ_ONLY_MESSAGE, allow="GET, HEAD")
            else:
                await self.app(without_credentials(scope), receive, send)
        elif kind == "websocket":
            if scope["path"] == EVENTS_PATH:
                await self.app(without_credentials(scope), receive, send)
            else:
                await _refuse_websocket(scope, receive, send)
        elif kind == "lifespan":  # the API's server runs the application's start-up and shutdown, once
            await _lifespan_without_app(receive, send)


async def _lifespan_without_app(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _body(code: str, message: str) -> bytes:
    return dumps(error_body(code, message, port="board")).encode("utf-8")


def _headers(body: bytes, allow: str | None = None) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii"))]
    if allow:
        headers.append((b"allow", allow.encode("ascii")))
    return headers


async def _refuse_http(send: Send, status: int, code: str, message: str, allow: str | None = None) -> None:
    body = _body(code, message)
    await send({"type": "http.response.start", "status": status, "headers": _headers(body, allow)})
    await send({"type": "http.response.body", "body": body})


async def _refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """A 404 in the API's shape for the handshake when the server can send one, else a close (403)."""
    await receive()  # websocket.connect
    if "websocket.http.response" in scope.get("extensions", {}):
        body = _body("http_404", NOT_HERE_MESSAGE)
        await send({"type": "websocket.http.response.start", "status": 404, "headers": _headers(body)})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})
