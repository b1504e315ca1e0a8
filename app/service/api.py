"""The centre service's HTTP and WebSocket API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import (
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.clock import to_iso
from app.core.errors import DomainError, NotFound
from app.service.broadcast import Broadcaster
from app.service.display_page import install_display
from app.service.dossier_routes import install_dossier_mirror
from app.service.errors import error_body, install_error_handlers
from app.service.models import (
    ClerkRequest,
    DeviceRequest,
    ErrorOut,
    IssuedTicketOut,
    IssueRequest,
    PauseRequest,
    SessionOut,
    SignInRequest,
    TicketOut,
    TransferRequest,
    UserOut,
    UserRequest,
)
from app.service.pages import ticket_page
from app.store.code_blocks import reserve_block
from app.store.devices import DeviceRegistry
from app.store.queue_store import QueueStore
from app.store.users import LockedOut, Session, SignInRefused, UserStore
from app.store.writer import Tx

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False)
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 422)}
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
# A signed-in person acts as the device role of their job: a clerk as a counter, an admin as admin.
SESSION_ROLES = {"clerk": "counter", "director": "director", "admin": "admin"}


@dataclass(frozen=True)
class Principal:
    """Who sent a request: a device token's role, or a person's session (with the role it acts as)."""

    role: str
    session: Session | None = None

    @property
    def clerk(self) -> str | None:
        """The name recorded on the queue's intervals: the signed-in username, when there is one."""
        return self.session.username if self.session else None


class AccessDenied(DomainError):
    code = "forbidden"


def create_app(store: QueueStore, devices: DeviceRegistry, users: UserStore | None = None) -> FastAPI:
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
    accounts = users if users is not None else UserStore(store.writer, store.clock)

    @app.exception_handler(SignInRefused)
    async def sign_in_refused(_: Request, exc: SignInRefused) -> JSONResponse:
        if isinstance(exc, LockedOut):
            headers = {"Retry-After": str(exc.details.get("retry_after_s", 60))}
            return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=429, headers=headers)
        return JSONResponse(error_body(exc.code, exc.message), status_code=401)

    @app.exception_handler(AccessDenied)
    async def access_denied(_: Request, exc: AccessDenied) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=403)

    def principal_of(token: str) -> Principal | None:
        role = devices.role_of(token)
        if role is not None:
            return Principal(role)
        session = accounts.session(token)
        if session is not None:
            return Principal(SESSION_ROLES.get(session.role, "none"), session)
        return None

    def role_required(*roles: str) -> Callable[..., Awaitable[Principal]]:
        allowed = {"admin", *roles}

        async def check(
            request: Request,
            cred: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
        ) -> Principal:
            if cred is None:
                raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
            principal = principal_of(cred.credentials)
            if principal is None:
                raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
            if principal.role not in allowed:
                raise HTTPException(403)
            bound = principal.session.counter if principal.session and principal.role == "counter" else None
            target = request.path_params.get("counter_id")
            if bound is not None and target is not None and str(target).isdigit() and int(target) != bound:
                raise AccessDenied(
                    f"Bạn đang đăng nhập làm việc tại quầy số {bound}, không thao tác được cho quầy số {int(target)}. "
                    "Hãy đăng xuất rồi đăng nhập lại đúng quầy.",
                    counter=bound,
                )
            return principal

        return check

    def session_required(cred: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> tuple[str, Session]:  # noqa: B008
        session = accounts.session(cred.credentials) if cred is not None else None
        if cred is None or session is None:
            raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
        return cred.credentials, session

    async def run(job: Callable[[Tx], Any], key: str | None = None) -> Any:
        # Commands wait for the writer's commit without holding a thread of the pool.
        return await asyncio.wrap_future(store.submit(job, key))

    issuer = Depends(role_required("kiosk", "counter"))
    clerk = Depends(role_required("counter"))
    admin = Depends(role_required())
    signed_in = Depends(session_required)
    # GET /display for smart-TV browsers, and its notice line (a director may change it too)
    install_display(app, Depends(role_required("director")), store)
    install_dossier_mirror(app, store, clerk, Depends(role_required("counter", "director")))  # /api/dossiers…

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "service": "motcua-centre", "centre": store.centre.name,
                "unit_code": store.centre.unit_code, "day": store.today().isoformat()}  # fmt: skip

    @app.post("/api/dossier-codes", status_code=201, dependencies=[clerk])
    async def dossier_codes() -> dict[str, Any]:
        """A block of today's dossier numbers for a counter (its own fallback range covers outages)."""
        block = await run_in_threadpool(reserve_block, store.writer, store.today())
        return {"unit_code": store.centre.unit_code, "day": block.day.isoformat(), "first": block.first,
                "last": block.last}  # fmt: skip

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
    )
    async def call_next(
        counter_id: int, who: Principal = clerk, body: ClerkRequest | None = None, key: IdemKey = None
    ) -> Any:
        name = who.clerk or (body.clerk if body else None)
        called = await run(store.call_next_job(counter_id, clerk=name), key)
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

    @app.post("/api/counters/{counter_id}/pause")
    async def pause(counter_id: int, who: Principal = clerk, body: PauseRequest | None = None) -> Any:
        body = body or PauseRequest()
        return await run(store.pause_job(counter_id, body.reason, clerk=who.clerk or body.clerk))

    @app.post("/api/counters/{counter_id}/resume")
    async def resume(counter_id: int, who: Principal = clerk, body: ClerkRequest | None = None) -> Any:
        return await run(store.resume_job(counter_id, clerk=who.clerk or (body.clerk if body else None)))

    @app.post("/api/devices", status_code=201, dependencies=[admin])
    def create_device(body: DeviceRequest) -> dict[str, Any]:
        return devices.create(body.name, body.role, store.clock.now())

    # --- staff accounts and sign-in sessions (sync handlers: scrypt runs on the thread pool) ---------

    @app.post("/api/users", response_model=UserOut, status_code=201, dependencies=[admin])
    def create_user(body: UserRequest) -> dict[str, Any]:
        return accounts.create(body.username, body.display_name, body.role, body.secret)

    @app.get("/api/users", response_model=list[UserOut], dependencies=[admin])
    def list_users() -> list[dict[str, Any]]:
        return accounts.list_users()

    @app.post("/api/sessions", response_model=SessionOut, status_code=201, responses={429: {"model": ErrorOut}})
    def sign_in(body: SignInRequest) -> dict[str, Any]:
        if body.counter is not None and store.centre.counter(body.counter) is None:
            raise NotFound(f"Không có quầy số {body.counter}.", code="unknown_counter")
        token, session = accounts.sign_in(body.username, body.secret, body.counter)
        return {"token": token, **_session_view(session)}

    @app.get("/api/sessions/current", response_model=SessionOut)
    def current_session(current: tuple[str, Session] = signed_in) -> dict[str, Any]:
        return _session_view(current[1])

    @app.delete("/api/sessions/current", status_code=204)
    def sign_out(current: tuple[str, Session] = signed_in) -> Response:
        accounts.revoke(current[0])
        return Response(status_code=204)

    @app.websocket("/api/events")
    async def events(ws: WebSocket, since: Annotated[int | None, Query(ge=0)] = None) -> None:
        await stream_events(ws, store, app.state.broadcaster, since)

    return app


def _session_view(session: Session) -> dict[str, Any]:
    return {"user": session.user_view(), "counter": session.counter, "expires_at": to_iso(session.expires_at)}


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
