"""The centre service's HTTP and WebSocket API."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.access import (
    KIOSK,
    KIOSK_CANCEL_S,
    NO_ROLE,
    SESSION_ROLES,
    Permission,
    check_counter,
    check_kiosk_cancel,
    check_personal,
    may,
    sees_clerk_figures,
)
from app.core.actions import TicketAction
from app.core.clock import to_iso
from app.core.errors import NotFound
from app.service.broadcast import Broadcaster
from app.service.client_version import install_client_version, version_fields
from app.service.director_routes import install_director_routes
from app.service.display_page import install_display
from app.service.dossier_pages import install_dossier_pages
from app.service.dossier_routes import install_dossier_mirror
from app.service.errors import error_body, install_error_handlers
from app.service.event_stream import refuse_unpaired, stream_events
from app.service.limits import install_limits, limit_issuing
from app.service.models import (
    ClerkRequest,
    CounterId,
    DeviceRequest,
    ErrorOut,
    IssuedTicketOut,
    IssueRequest,
    PauseRequest,
    SessionOut,
    SignInRequest,
    TicketId,
    TicketOut,
    TransferRequest,
    UserOut,
    UserRequest,
)
from app.service.pages import install_ticket_pages
from app.service.pairing_routes import install_pairing
from app.service.procedure_pages import install_procedure_pages
from app.service.rating_routes import install_ratings
from app.store.code_blocks import reserve_block
from app.store.command_frame import IdempotencyKey
from app.store.devices import Device, DeviceRegistry
from app.store.queue_store import QueueStore
from app.store.users import LockedOut, Session, SignInRefused, UserStore
from app.store.writer import Tx
from app.version import __version__

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False)
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 422)}
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]


@dataclass(frozen=True)
class Principal:
    """Who sent a request: a device token's role, or a person's session (with the role it acts as)."""

    role: str
    session: Session | None = None
    device: Device | None = None

    @property
    def clerk(self) -> str | None:
        """The name recorded on the queue's intervals: the signed-in username, never a body field."""
        return self.session.username if self.session else None

    @property
    def counter(self) -> int | None:
        """The counter this principal may act for (a clerk's session, or a counter device's binding)."""
        if self.session is not None:
            return self.session.counter
        return self.device.counter if self.device is not None else None

    @property
    def subject(self) -> str:
        """Who, for scoping idempotency keys and a kiosk's own tickets: one device or one person's session."""
        if self.session is not None:
            return f"session:{self.session.username}:{to_iso(self.session.expires_at)}"
        return f"device:{self.device.id}" if self.device is not None else f"role:{self.role}"


def create_app(store: QueueStore, devices: DeviceRegistry, users: UserStore | None = None) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        broadcaster = Broadcaster(asyncio.get_running_loop())
        app.state.broadcaster = broadcaster
        unsubscribe = store.writer.subscribe(broadcaster.publish_threadsafe)
        forget_unpairing = devices.on_unpaired(broadcaster.unpair_threadsafe)  # closes that PC's open sockets
        try:
            yield
        finally:
            forget_unpairing()
            unsubscribe()
            await run_in_threadpool(devices.flush_last_seen)  # what the last minute's requests left in memory

    app = FastAPI(
        title="Một Cửa — dịch vụ trung tâm",
        version=__version__,
        description="Hàng đợi của Trung tâm Phục vụ hành chính công cấp xã.",
        lifespan=lifespan,
        responses=_ERRORS,
    )
    install_error_handlers(app)
    install_limits(app)  # body size, token before body, sockets per client, issuing rate
    install_client_version(app)  # X-Motcua-Version on every answer; 426 for writes from too old an app
    accounts = users if users is not None else UserStore(store.writer, store.clock)

    @app.exception_handler(SignInRefused)
    async def sign_in_refused(_: Request, exc: SignInRefused) -> JSONResponse:
        if isinstance(exc, LockedOut):
            headers = {"Retry-After": str(exc.details.get("retry_after_s", 60))}
            return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=429, headers=headers)
        return JSONResponse(error_body(exc.code, exc.message), status_code=401)

    def principal_of(token: str) -> Principal | None:
        device = devices.device_of(token)
        if device is not None:
            return Principal(device.role, device=device)
        session = accounts.session(token)
        if session is not None:
            return Principal(SESSION_ROLES.get(session.role, NO_ROLE), session)
        return None

    def role_required(permission: Permission) -> Callable[..., Awaitable[Principal]]:
        """Who may call a route: app/core/access.py (the fake client plays the same table)."""

        async def check(
            request: Request,
            cred: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
        ) -> Principal:
            if cred is None:
                raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
            principal = principal_of(cred.credentials)
            if principal is None:
                raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
            if not may(principal.role, permission):
                raise HTTPException(403)
            check_personal(principal.role, permission, person=principal.session is not None,
                           change=request.method not in ("GET", "HEAD"))  # fmt: skip
            target = request.path_params.get("counter_id")
            if target is not None:  # a counter device or a clerk acts for its own counter only
                check_counter(principal.role, principal.counter, target)
            request.state.principal = principal
            return principal

        return check

    def session_required(cred: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> tuple[str, Session]:  # noqa: B008
        session = accounts.session(cred.credentials) if cred is not None else None
        if cred is None or session is None:
            raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
        return cred.credentials, session

    async def run(job: Callable[[Tx], Any], key: str | None = None, request: Request | None = None) -> Any:
        # Commands wait for the writer's commit without holding a thread of the pool.
        scoped = await scoped_key(key, request) if key is not None and request is not None else None
        return await asyncio.wrap_future(store.submit(job, scoped))

    async def scoped_key(key: str, request: Request) -> IdempotencyKey:
        """A key belongs to one device or session, one method and path, and one body: reused for anything else
        it is refused (422 idempotency_key_reused), as the payment APIs that invented the header do."""
        who: Principal | None = getattr(request.state, "principal", None)
        scope = f"{who.subject if who else 'anonymous'} {request.method} {request.url.path}"
        return IdempotencyKey(key, scope, hashlib.sha256(await request.body()).hexdigest())

    follow_secret = follow_key_secret(store.path.parent)
    kiosk_tickets = KioskTickets()

    def follow_key(ticket_id: int) -> str:
        mac = hmac.new(follow_secret, str(ticket_id).encode(), hashlib.sha256).hexdigest()[:20]
        return f"{ticket_id}-{mac}"

    def ticket_of_follow_key(follow: str) -> int | None:
        number, _sep, _mac = follow.partition("-")
        if not number.isascii() or not number.isdigit() or len(number) > 18:
            return None
        return int(number) if hmac.compare_digest(follow_key(int(number)), follow) else None

    reader = Depends(role_required(Permission.READ))
    issuer = Depends(role_required(Permission.ISSUE))
    clerk = Depends(role_required(Permission.SERVE))
    admin = Depends(role_required(Permission.ADMINISTER))
    signed_in = Depends(session_required)
    # GET /display for smart-TV browsers, and its notice line (a director may change it too)
    install_display(app, Depends(role_required(Permission.NOTICE)), store)
    install_procedure_pages(app, store.path.parent, store.centre.name)  # /p, /p/{code}, /api/catalog
    mirror = install_dossier_mirror(app, store, clerk, Depends(role_required(Permission.LOOK_UP)))  # /api/dossiers…
    install_dossier_pages(app, mirror, store.centre.name)  # /h/{code}-{key}: a citizen's status page, no token
    # /api/report (the centre's figures for any period), /api/settings (a director's settings, audited)
    install_director_routes(
        app, store, Depends(role_required(Permission.REPORT)), Depends(role_required(Permission.SETTINGS)), reader
    )
    # /api/ratings…: what the rating screen asks, the ratings it sends, the director's list, the scale
    install_ratings(app, store, run, rate=Depends(role_required(Permission.RATE)),
                    report=Depends(role_required(Permission.REPORT)),
                    settings=Depends(role_required(Permission.SETTINGS)))  # fmt: skip

    # /api/pairing/… (a 6-digit code pairs a new PC), GET /api/devices, DELETE /api/devices/{id} (unpair)
    install_pairing(app, store, devices, Depends(role_required(Permission.DEVICES)))

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        # tls, board_port: set by `serve` once bound (server.py). board_port is where the hall board and ticket
        # pages answer over plain HTTP for TVs and phones (the main port itself when the service has no TLS).
        lan = getattr(app.state, "lan", None) or {"tls": False, "board_port": None}
        # centre: the full name every screen and paper shows; commune ("xã Đông Hưng"): the counter's form header.
        # version, min_client_version: apps older than the minimum say so (app/version.py). backup: the nightly
        # backup's last result when `serve --backup-dir` is on (app/service/nightly_backup.py).
        backup = getattr(app.state, "backup", None)
        return {"status": "ok", "service": "motcua-centre", "centre": store.centre.name,
                "commune": store.centre.commune, "unit_code": store.centre.unit_code,
                "day": store.today().isoformat(), **version_fields(), **lan,
                **({"backup": backup.status()} if backup is not None else {})}  # fmt: skip

    @app.post("/api/dossier-codes", status_code=201, dependencies=[clerk])
    async def dossier_codes() -> dict[str, Any]:
        """A block of today's dossier numbers for a counter (its own fallback range covers outages)."""
        block = await run_in_threadpool(reserve_block, store.writer, store.today())
        return {"unit_code": store.centre.unit_code, "day": block.day.isoformat(), "first": block.first,
                "last": block.last}  # fmt: skip

    @app.get("/api/groups")
    def groups() -> list[dict[str, Any]]:
        return store.groups()  # kept counts: the same cost with any number waiting

    @app.get("/api/counters")
    def counters() -> list[dict[str, Any]]:
        return store.counters()

    @app.get("/api/priorities")
    def priorities() -> list[dict[str, str]]:
        return [{"code": p.code, "name": p.name} for p in store.centre.priority_categories]

    @app.get("/api/queue")
    def queue(cred: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> dict[str, Any]:  # noqa: B008
        """The day's queue; without a valid token (a smart-TV board) only what a hall board shows."""
        known = cred is not None and principal_of(cred.credentials) is not None
        return store.snapshot(public=not known)

    @app.get("/api/stats/today")
    def stats_today(who: Principal = reader) -> dict[str, Any]:
        stats: dict[str, Any] = store.stats()
        if not sees_clerk_figures(who.role):  # figures per person are for the director, not for devices
            stats.pop("by_clerk", None)
        return stats

    @app.get("/api/tickets/{ticket_id}", response_model=TicketOut, dependencies=[reader])
    def get_ticket(ticket_id: TicketId) -> dict[str, Any]:
        return store.ticket(ticket_id)

    # /t/{key} and /t/{key}.json: the page a ticket's QR opens, only by that key, never by the sequential id
    install_ticket_pages(app, store, ticket_of_follow_key)

    @app.post("/api/tickets", response_model=IssuedTicketOut, status_code=201)
    async def issue(request: Request, body: IssueRequest, who: Principal = issuer, key: IdemKey = None) -> Any:
        limit_issuing(request, who.subject, who.role)  # 429 rate_limited past 20 at once / 60 a minute
        issued = await run(store.issue_job(body.group, priority=body.priority, channel=body.channel), key, request)
        if who.role == KIOSK:
            kiosk_tickets.record(int(issued["id"]), who.subject, store.clock.now())
        return {**issued, "follow": follow_key(int(issued["id"])),
                "no_show_after_calls": store.centre.policy.call_count_max}  # fmt: skip

    @app.post("/api/tickets/{ticket_id}/cancel", response_model=TicketOut)
    async def cancel(ticket_id: TicketId, who: Principal = issuer) -> Any:
        check_kiosk_cancel(who.role, kiosk_tickets.issued(ticket_id), who.subject, store.clock.now())
        return await run(store.cancel_job(ticket_id))

    @app.post(
        "/api/counters/{counter_id}/call-next",
        response_model=TicketOut,
        responses={204: {"description": "Không còn ai chờ"}},
    )
    async def call_next(
        request: Request, counter_id: CounterId, who: Principal = clerk, body: ClerkRequest | None = None,
        key: IdemKey = None,
    ) -> Any:  # fmt: skip
        # the clerk is whoever is signed in; a "clerk" in the body is ignored (it could be anyone's name)
        called = await run(store.call_next_job(counter_id, clerk=who.clerk), key, request)
        return Response(status_code=204) if called is None else called

    def action(chosen: TicketAction) -> Callable[..., Any]:
        async def act(request: Request, counter_id: CounterId, key: IdemKey = None) -> Any:
            return await run(store.act_job(counter_id, chosen), key, request)

        return act

    for chosen in (TicketAction.RECALL, TicketAction.START, TicketAction.FINISH, TicketAction.NO_SHOW):
        app.post(
            f"/api/counters/{{counter_id}}/{chosen.path}",
            response_model=TicketOut,
            dependencies=[clerk],
            name=chosen.value,
        )(action(chosen))

    @app.post(f"/api/counters/{{counter_id}}/{TicketAction.TRANSFER.path}", response_model=TicketOut,
              dependencies=[clerk])  # fmt: skip
    async def transfer(request: Request, counter_id: CounterId, body: TransferRequest, key: IdemKey = None) -> Any:
        return await run(store.act_job(counter_id, TicketAction.TRANSFER, group=body.group), key, request)

    @app.post("/api/counters/{counter_id}/pause")
    async def pause(counter_id: CounterId, who: Principal = clerk, body: PauseRequest | None = None) -> Any:
        body = body or PauseRequest()
        return await run(store.pause_job(counter_id, body.reason, clerk=who.clerk))

    @app.post("/api/counters/{counter_id}/resume")
    async def resume(counter_id: CounterId, who: Principal = clerk, body: ClerkRequest | None = None) -> Any:
        return await run(store.resume_job(counter_id, clerk=who.clerk))

    @app.post("/api/devices", status_code=201, dependencies=[admin])
    def create_device(body: DeviceRequest) -> dict[str, Any]:
        return devices.create(body.name, body.role, store.clock.now(), body.counter)

    # --- staff accounts and sign-in sessions (sync handlers: scrypt runs on the thread pool) ---------

    @app.post("/api/users", response_model=UserOut, status_code=201, dependencies=[admin])
    def create_user(body: UserRequest) -> dict[str, Any]:
        return accounts.create(body.username, body.display_name, body.role, body.secret)

    @app.get("/api/users", response_model=list[UserOut], dependencies=[admin])
    def list_users() -> list[dict[str, Any]]:
        return accounts.list_users()

    @app.post("/api/sessions", response_model=SessionOut, status_code=201, responses={429: {"model": ErrorOut}})
    def sign_in(body: SignInRequest, request: Request) -> dict[str, Any]:
        if body.counter is not None and store.centre.counter(body.counter) is None:
            raise NotFound(f"Không có quầy số {body.counter}.", code="unknown_counter")
        # The socket's peer, never a forwarded-for header: failures are limited per address too.
        address = request.client.host if request.client else None
        token, session = accounts.sign_in(body.username, body.secret, body.counter, address=address)
        return {"token": token, **_session_view(session)}

    @app.get("/api/sessions/current", response_model=SessionOut)
    def current_session(current: tuple[str, Session] = signed_in) -> dict[str, Any]:
        return _session_view(current[1])

    @app.delete("/api/sessions/current", status_code=204)
    def sign_out(current: tuple[str, Session] = signed_in) -> Response:
        accounts.revoke(current[0])
        return Response(status_code=204)

    @app.websocket("/api/events")
    async def events(
        ws: WebSocket, since: Annotated[int | None, Query(ge=0)] = None, token: Annotated[str | None, Query()] = None
    ) -> None:
        # a token in the Authorization header (apps) or ?token= (browsers cannot set headers on a WebSocket)
        header = ws.headers.get("authorization", "")
        given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else token
        if given and devices.was_unpaired(str(given)):
            await refuse_unpaired(ws)  # 4401: the app stops retrying and says the PC was unpaired
            return
        principal = principal_of(str(given)) if given else None
        device_id = principal.device.id if principal is not None and principal.device is not None else None
        await stream_events(ws, store, app.state.broadcaster, since, public=principal is None, device_id=device_id)

    return app


def follow_key_secret(folder: Path) -> bytes:
    """The key that makes ticket pages unguessable: made at first start, kept private in the data folder."""
    path = folder / "follow.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    return path.read_bytes()


class KioskTickets:
    """Tickets a kiosk issued in the last minute: the only ones it may cancel (the citizen changed their mind)."""

    def __init__(self) -> None:
        self._issued: dict[int, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def record(self, ticket_id: int, subject: str, at: datetime) -> None:
        with self._lock:
            self._issued = {k: v for k, v in self._issued.items() if (at - v[1]).total_seconds() < KIOSK_CANCEL_S}
            self._issued[ticket_id] = (subject, at)

    def issued(self, ticket_id: int) -> tuple[str, datetime] | None:
        """Which kiosk issued the ticket and when, if one did in the last minute (app.core.access.kiosk_may_cancel)."""
        with self._lock:
            return self._issued.get(ticket_id)


def _session_view(session: Session) -> dict[str, Any]:
    return {"user": session.user_view(), "counter": session.counter, "expires_at": to_iso(session.expires_at)}
