"""The service's version on every answer, and 426 for writes from apps older than it still serves.

Every HTTP answer carries `X-Motcua-Version` and `X-Motcua-Min-Client-Version` (`GET /api/health` says the same
as `version` and `min_client_version`). A write (POST, PUT, PATCH, DELETE) whose `User-Agent` names one of our
apps (`motcua-kiosk/0.0.9`) older than `MIN_CLIENT_VERSION` is refused before it runs with 426 Upgrade Required:

    {"error": "client_outdated", "message": "Phần mềm trên máy này (phiên bản 0.0.9) cũ hơn phiên bản tối thiểu
     dịch vụ trung tâm yêu cầu (0.2.0). Vui lòng cập nhật.", "details": {"client": "kiosk", "version": "0.0.9",
     "min_client_version": "0.2.0"}}

so the app shows that sentence instead of failing on a changed answer. Reads are still answered (a hall board keeps
showing the queue while its PC waits for the update); other callers (curl, a browser, a third-party board) are not
checked.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.service.errors import dumps, error_body
from app.version import MIN_CLIENT_VERSION, __version__, agent_version, is_older, outdated_message

UPGRADE_REQUIRED = 426
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ClientVersionMiddleware:
    def __init__(self, app: ASGIApp, minimum: str = MIN_CLIENT_VERSION, version: str = __version__) -> None:
        self.app = app
        self.minimum = minimum
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in _WRITES:
            agent = agent_version(Headers(scope=scope).get("user-agent"))
            if agent is not None and is_older(agent[1], self.minimum):
                await self._refuse(send, *agent)
                return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Motcua-Version"] = self.version
                headers["X-Motcua-Min-Client-Version"] = self.minimum
            await send(message)

        await self.app(scope, receive, stamped)

    async def _refuse(self, send: Send, client: str, version: str) -> None:
        body = dumps(error_body("client_outdated", outdated_message(version, self.minimum), client=client,
                                version=version, min_client_version=self.minimum)).encode()  # fmt: skip
        await send({"type": "http.response.start", "status": UPGRADE_REQUIRED, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"x-motcua-version", self.version.encode()), (b"x-motcua-min-client-version", self.minimum.encode()),
        ]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def install_client_version(app: FastAPI, minimum: str = MIN_CLIENT_VERSION) -> None:
    app.add_middleware(ClientVersionMiddleware, minimum=minimum)


def version_fields(minimum: str = MIN_CLIENT_VERSION) -> dict[str, str]:
    """What `GET /api/health` says about versions."""
    return {"version": __version__, "min_client_version": minimum}
