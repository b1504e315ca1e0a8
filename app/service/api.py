"""The centre service's HTTP and WebSocket API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import (
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    Response,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.service.broadcast import Broadcaster
from app.service.display_page import install_display
from app.service.errors import install_error_handlers
from app.service.models import (
    ClerkRequest,
    DeviceRequest,
    ErrorOut,
    IssuedTicketOut,
    IssueRequest,
    PauseRequest,
    TicketOut,
    TransferRequest,
)
from app.service.pages import ticket_page
from app.store.devices import DeviceRegistry
from app.store.queue_store import QueueStore
from app.store.writer import Tx

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False)
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 422)}
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]


def create_app(store: QueueStore, devices: DeviceRegistry) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        broadcaster = Broadcaster(asyncio.get_running_loop())
        app.state.broadcaster = broadcaster
        unsubscribe = store.writer.subscribe(broadcaster.publish_threadsafe)
        try:
            yield
        finally:
            unsubscribe()

    app = FastAPI(
        title="Một Cửa — dịch vụ trung tâm",
        version="0.1.0",
        description="Hàng đợi của Trung tâm Phục vụ hành chính công cấp xã.",
        lifespan=lifespan,
        responses=_ERRORS,
    )
    install_error_handlers(app)

    def role_required(*roles: str) -> Callable[..., Awaitable[str]]:
        allowed = {"admin", *roles}

        async def check(cred: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> str:  # noqa: B008
            if cred is None:
                raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
            role = devices.role_of(cred.credentials)
            if role is None:
                raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
            if role not in allowed:
                raise HTTPException(403)
            return role

        return check

    async def run(job: Callable[[Tx], Any], key: str | None = None) -> Any:
        # Commands wait for the writer's commit without holding a thread of the pool.
        return await asyncio.wrap_future(store.submit(job, key))

    issuer = Depends(role_required("kiosk", "counter"))
    clerk = Depends(role_required("counter"))
    admin = Depends(role_required())
    install_display(app, admin)  # GET /display for smart-TV browsers, and its notice line

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "service": "motcua-centre", "centre": store.centre.name,
                "day": store.today().isoformat()}  # fmt: skip

    @app.get("/api/groups")
    def groups() -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = store.snapshot()["groups"]
        return result

    @app.get("/api/counters")
    def counters() -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = store.snapshot()["counters"]
        return result

    @app.get("/api/priorities")
    def priorities() -> list[dict[str, str]]:
        return [{"code": p.code, "name": p.name} for p in store.centre.priority_categories]

    @app.get("/api/queue")
    def queue() -> dict[str, Any]:
        return store.snapshot()

    @app.get("/api/stats/today")
    def stats_today() -> dict[str, Any]:
        return store.stats()

    @app.get("/api/tickets/{ticket_id}", response_model=TicketOut)
    def get_ticket(ticket_id: int) -> dict[str, Any]:
        return store.ticket(ticket_id)

    @app.get("/t/{ticket_id}", response_class=HTMLResponse, include_in_schema=False)
    def follow_ticket(ticket_id: int) -> str:
        names = {c.id: c.name for c in store.centre.counters}
        return ticket_page(store.ticket_progress(ticket_id), store.centre.name, names)

    @app.post("/api/tickets", response_model=IssuedTicketOut, status_code=201, dependencies=[issuer])
    async def issue(body: IssueRequest, key: IdemKey = None) -> Any:
        return await run(store.issue_job(body.group, priority=body.priority, channel=body.channel), key)

    @app.post("/api/tickets/{ticket_id}/cancel", response_model=TicketOut, dependencies=[issuer])
    async def cancel(ticket_id: int) -> Any:
        return await run(store.cancel_job(ticket_id))

    @app.post(
        "/api/counters/{counter_id}/call-next",
        response_model=TicketOut,
        responses={204: {"description": "Không còn ai chờ"}},
        dependencies=[clerk],
    )
    async def call_next(counter_id: int, body: ClerkRequest | None = None, key: IdemKey = None) -> Any:
        called = await run(store.call_next_job(counter_id, clerk=body.clerk if body else None), key)
        return Response(status_code=204) if called is None else called

    def action(name: str) -> Callable[..., Any]:
        async def act(counter_id: int, key: IdemKey = None) -> Any:
            return await run(store.act_job(counter_id, name), key)

        return act

    for path, name in (
        ("recall", "recall"),
        ("start", "start"),
        ("finish", "finish"),
        ("no-show", "no_show"),
    ):
        app.post(
            f"/api/counters/{{counter_id}}/{path}",
            response_model=TicketOut,
            dependencies=[clerk],
            name=name,
        )(action(name))

    @app.post("/api/counters/{counter_id}/transfer", response_model=TicketOut, dependencies=[clerk])
    async def transfer(counter_id: int, body: TransferRequest, key: IdemKey = None) -> Any:
        return await run(store.act_job(counter_id, "transfer", group=body.group), key)

    @app.post("/api/counters/{counter_id}/pause", dependencies=[clerk])
    async def pause(counter_id: int, body: PauseRequest | None = None) -> Any:
        body = body or PauseRequest()
        return await run(store.pause_job(counter_id, body.reason, clerk=body.clerk))

    @app.post("/api/counters/{counter_id}/resume", dependencies=[clerk])
    async def resume(counter_id: int, body: ClerkRequest | None = None) -> Any:
        return await run(store.resume_job(counter_id, clerk=body.clerk if body else None))

    @app.post("/api/devices", status_code=201, dependencies=[admin])
    def create_device(body: DeviceRequest) -> dict[str, Any]:
        return devices.create(body.name, body.role, store.clock.now())

    @app.websocket("/api/events")
    async def events(ws: WebSocket, since: Annotated[int | None, Query(ge=0)] = None) -> None:
        await stream_events(ws, store, app.state.broadcaster, since)

    return app


async def stream_events(ws: WebSocket, store: QueueStore, broadcaster: Broadcaster, since: int | None) -> None:
    """Replay what a client missed (or a fresh snapshot), then push live events in seq order."""
    await ws.accept()
    sub = broadcaster.subscribe()  # subscribe before reading so nothing falls between the two
    # Watch the socket too: an idle client that leaves must end this handler at once, or shutdown
    # waits for it until the next event happens to arrive.
    gone = asyncio.create_task(_until_disconnect(ws))
    try:
        oldest, newest = await run_in_threadpool(store.seq_range)
        # A snapshot when the client has no position, is too far behind, or is ahead of this
        # database (a restored or replaced data folder): replaying could not make it right.
        if since is None or (oldest and since < oldest - 1) or since > newest:
            snapshot = await run_in_threadpool(store.snapshot)
            last = int(snapshot["seq"])
            await ws.send_json({"type": "snapshot", "seq": last, "queue": snapshot})
        else:
            last = since
            while missed := await run_in_threadpool(store.events_since, last):
                for event in missed:
                    await ws.send_json({"type": "event", **event.to_dict()})
                    last = event.seq
        while True:
            if sub.overflowed:
                await ws.close(code=1013, reason="client too slow; reconnect with since")
                return
            next_event = asyncio.ensure_future(sub.queue.get())
            await asyncio.wait({next_event, gone}, return_when=asyncio.FIRST_COMPLETED)
            if not next_event.done():
                next_event.cancel()
                return
            event = next_event.result()
            if event.seq <= last:
                continue
            await ws.send_json({"type": "event", **event.to_dict()})
            last = event.seq
    except WebSocketDisconnect:
        pass
    finally:
        gone.cancel()
        sub.close()


async def _until_disconnect(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
