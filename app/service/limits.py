"""Limits that keep one client on the LAN from starving the others.

`LimitsMiddleware` is a pure ASGI middleware, outside FastAPI's routing and body parsing:

- request bodies are capped before they are read: a declared `Content-Length` above the route's limit is
  refused with 413 at once, and a streamed (chunked) body is counted as it arrives and refused as soon as it
  passes the limit. The default is 64 KB; a route raises its own limit with FastAPI's `max_body_size=`
  (the dossier mirror's file upload allows 50 MB);
- a write that carries a body but no `Authorization` header, to a route that needs a bearer token, gets its
  401 before one byte of the body is read;
- WebSocket connections are capped per client address and in total; one over the cap is accepted and closed
  at once with 1013 (Try Again Later) and a reason, so the rest of the service stays answerable.

`RateLimiter` is a token bucket per principal (device or session) for issuing tickets: 429 `rate_limited` with
`Retry-After` when a kiosk issues faster than people can walk up to it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import DomainError
from app.service.errors import BodyTooLarge, dumps, error_body, http_error_response

DEFAULT_BODY_LIMIT = 64 * 1024
WS_PER_CLIENT = 20
WS_TOTAL = 1_000
ISSUE_RATE_PER_MINUTE = 60
ISSUE_BURST = 20
TRY_AGAIN_LATER = 1013
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        body_limit: int = DEFAULT_BODY_LIMIT,
        ws_per_client: int = WS_PER_CLIENT,
        ws_total: int = WS_TOTAL,
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.ws_per_client = ws_per_client
        self.ws_total = ws_total
        self._sockets: dict[str, int] = {}
        self._sockets_total = 0
        self._needs_token: dict[int, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # --- HTTP: token before body, body size before reading --------------------------------------

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        declared = _content_length(headers)
        has_body = (declared or 0) > 0 or "transfer-encoding" in headers
        route: BaseRoute | None = None
        if has_body and scope["method"] in _WRITE_METHODS and "authorization" not in headers:
            route = _route_for(scope)
            if route is not None and self._route_needs_token(route):
                await http_error_response(401, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
                return
        limit = self.body_limit
        if declared is not None and declared > limit:
            limit = _route_limit(route or _route_for(scope), limit)
            if declared > limit:
                await _too_large(limit)(scope, receive, send)
                return
        elif declared is None and "transfer-encoding" in headers:
            limit = _route_limit(route or _route_for(scope), limit)

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)  # FastAPI re-raises HTTP errors met while reading a body
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit)(scope, receive, send)

    def _route_needs_token(self, route: BaseRoute) -> bool:
        """A route whose dependencies include the bearer scheme (role or session checks) needs a token."""
        known = self._needs_token.get(id(route))
        if known is None:
            known = isinstance(route, APIRoute) and _uses_security(route.dependant)
            self._needs_token[id(route)] = known
        return known

    # --- WebSocket: sockets per client address and in total ---------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        address = str(client[0]) if client else "?"
        mine = self._sockets.get(address, 0)
        if mine >= self.ws_per_client or self._sockets_total >= self.ws_total:
            per_client = mine >= self.ws_per_client
            await _refuse_socket(receive, send, per_client, self.ws_per_client if per_client else self.ws_total)
            return
        self._sockets[address] = mine + 1
        self._sockets_total += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._sockets_total -= 1
            left = self._sockets[address] - 1
            if left:
                self._sockets[address] = left
            else:
                del self._sockets[address]


def install_limits(app: FastAPI, **options: Any) -> RateLimiter:
    """Add the middleware to `app` and give it the issuing rate limiter (app.state.issue_limiter)."""
    app.add_middleware(LimitsMiddleware, **options)
    limiter = RateLimiter(ISSUE_RATE_PER_MINUTE, ISSUE_BURST)
    app.state.issue_limiter = limiter

    async def rate_limited(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RateLimited)
        headers = {"Retry-After": str(exc.retry_after_s)}
        return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=429, headers=headers)

    app.add_exception_handler(RateLimited, rate_limited)
    return limiter


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.isascii() and value.isdigit() else None


def _route_for(scope: Scope) -> BaseRoute | None:
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _child = route.matches(scope)
        if match == Match.FULL:
            return route  # type: ignore[no-any-return]
    return None


def _route_limit(route: BaseRoute | None, default: int) -> int:
    own = getattr(route, "max_body_size", None)
    return own if isinstance(own, int) else default


def _uses_security(dependant: Any) -> bool:
    return any(isinstance(dep.call, SecurityBase) or _uses_security(dep) for dep in dependant.dependencies)


def _too_large(limit: int) -> Any:
    return http_error_response(413, {"Connection": "close"}, limit_bytes=limit)


async def _refuse_socket(receive: Receive, send: Send, per_client: bool, limit: int) -> None:
    """Accept, say why in the documented shape, close with 1013: a refusal before accepting is a bare 403."""
    if (await receive())["type"] != "websocket.connect":
        return
    if per_client:
        message = f"Máy này đã mở {limit} kết nối sự kiện tới máy chủ Trung tâm; hãy đóng bớt rồi thử lại sau."
        reason = f"too many event sockets from this address (max {limit}); retry later"
    else:
        message = "Máy chủ Trung tâm đang có quá nhiều kết nối sự kiện; thử lại sau ít phút."
        reason = f"too many event sockets on the service (max {limit}); retry later"
    await send({"type": "websocket.accept"})
    body = error_body("too_many_connections", message, limit=limit, per_client=per_client)
    await send({"type": "websocket.send", "text": dumps(body)})
    await send({"type": "websocket.close", "code": TRY_AGAIN_LATER, "reason": reason})


# --- issuing rate ------------------------------------------------------------------------------------


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"Thiết bị này lấy số quá nhanh. Đợi {retry_after_s} giây rồi thử lại; "
            "nếu máy lấy số bị kẹt phím, báo cán bộ CNTT.",
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class RateLimiter:
    """A token bucket per key: `burst` at once, then `per_minute` a minute. Thread-safe (sync handlers)."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token of `key`'s bucket, or raise RateLimited with the seconds until the next one."""
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited(max(1, math.ceil((1.0 - tokens) / self.rate)))
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:  # full buckets carry no state: forget them
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] + (now - v[1]) * self.rate < self.burst}


def limit_issuing(request: Request, subject: str, role: str) -> None:
    """The hook in POST /api/tickets: one bucket per device or session; the admin token (bench, demo) is exempt."""
    if role != "admin":
        limiter: RateLimiter = request.app.state.issue_limiter
        limiter.take(subject)
