"""An in-process centre service for screens: the real `QueueStore` on a temporary SQLite file.

`FakeQueueClient` is a `QueueApi` (app/client/api.py) like `QueueClient`: same methods, same shapes after JSON,
same refusals. It plays the service's rules from where the service keeps them, not from copies: who may call what
(app/core/access.py), the HTTP status of each refusal and of a missing token (app/core/errors.py), the limits of
a request's fields and the wording of their refusal (app/core/request_rules.py); the queue's own rules are the
store's. tests/unit/test_client_fake.py checks fake and service agree, call by call and role by role.
`set_unavailable(True)` makes every call fail as if the service were down. `FakeEventStream` is `EventStream` fed
from the store's event table, delivered when the test calls `pump()` (on the caller's thread) or, with
`auto=True`, right after each commit on the store's writer thread.
"""

from __future__ import annotations

import json
import tempfile
import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

from app.client.api import OnConnection, OnEvent, OnSnapshot, OnUnpaired, QueueApi, TokenSource
from app.client.catalog_source import starting_catalog
from app.client.events import UNPAIRED_MESSAGE
from app.client.fake_devices import FakeDevices
from app.client.queue_client import UNAVAILABLE_MESSAGE, QueueClient, ServiceError, ServiceUnavailable
from app.core.access import (
    ADMIN,
    KIOSK,
    Permission,
    check_counter,
    check_kiosk_cancel,
    check_personal,
    may,
    sees_clerk_figures,
)
from app.core.actions import TicketAction
from app.core.catalog_table import catalog_to_data
from app.core.centre import DEFAULT_NOTICE, Centre, default_centre
from app.core.centre_settings import change_view
from app.core.clock import Clock, ManualClock
from app.core.errors import DomainError, status_error, status_of
from app.core.rating import prompt_counter
from app.core.report import ReportPeriod
from app.core.request_rules import (
    CLERK,
    GROUP,
    INVALID_REQUEST,
    MAX_ID,
    PRIORITY,
    REASON,
    invalid_field,
    invalid_request_message,
)
from app.core.ticket import Channel
from app.paths import default_catalog_path
from app.store.code_blocks import reserve_block
from app.store.director_figures import report_figures
from app.store.dossier_mirror import FILES_FOLDER, DossierMirror
from app.store.queue_store import QueueStore
from app.store.ratings import RatingStore
from app.store.settings_store import SettingsStore
from app.version import MIN_CLIENT_VERSION, __version__

# What the service answers when the bearer token is missing or lacks the role.
UNAUTHORIZED_MESSAGE = status_error(401)[1]
FORBIDDEN_MESSAGE = status_error(403)[1]
_SUBJECT = "fake"  # the one caller an in-process fake has (a kiosk cancels only what this caller issued)


def _default_centre() -> Centre:
    return default_centre(starting_catalog())


SAMPLE_COMMUNE = "Đông Hưng"  # the screens' sample hall names its commune, as a real centre must


def _sample_centre() -> Centre:
    return default_centre(starting_catalog(), commune=SAMPLE_COMMUNE)


def _json(value: Any) -> Any:
    # Through JSON, as over the wire: callers get fresh lists and dicts with string keys.
    return json.loads(json.dumps(value, ensure_ascii=False))


class FakeQueueClient(FakeDevices):  # FakeDevices: pairing codes, the device list, unpairing
    """`QueueApi` in-process. `role` plays the bearer token: None = no token (what needs one answers 401), else the
    role a device token or a session acts as ("admin", "kiosk", "counter", "display", "director"); a "counter"
    acts for `counter` only, as a counter device bound to it or a clerk signed in there does. `person=False`
    plays a device token where the service tells the two apart (a director's PC changes nothing it owns)."""

    def __init__(self, *, clock: Clock | None = None, data_dir: Path | None = None, role: str | None = "admin",
                 counter: int | None = None, centre: Callable[[], Centre] = _default_centre,
                 base_url: str = "http://127.0.0.1:8710", person: bool = True) -> None:  # fmt: skip
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="motcua-fake-")
            data_dir = Path(self._tmp.name)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.clock: Clock = clock or ManualClock()
        self.store = QueueStore(data_dir / "queue.db", self.clock, centre)
        self.mirror = DossierMirror(self.store.writer, self.store.reader, data_dir / FILES_FOLDER, self.clock)
        self._settings = SettingsStore(self.store)
        self.role = role
        self.person = person  # a signed-in person's session; False: a device token (a director's PC reads only)
        self.counter = counter
        self.base_url = base_url  # what screens put in follow-your-turn links; nothing listens there
        self._kiosk_issued: dict[int, tuple[str, datetime]] = {}  # tickets this caller issued as a kiosk
        self._unavailable = False
        self._closed = False

    def set_unavailable(self, unavailable: bool = True) -> None:
        """Simulate the service being down: every call raises ServiceUnavailable until set back."""
        self._unavailable = unavailable

    @property
    def unavailable(self) -> bool:
        return self._unavailable or self._closed

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.store.close()
            if self._tmp is not None:
                self._tmp.cleanup()

    def __enter__(self) -> FakeQueueClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()

    # --- reads ---------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._dict(lambda: {"status": "ok", "service": "motcua-centre", "centre": self.store.centre.name,
                                   "commune": self.store.centre.commune, "unit_code": self.store.centre.unit_code,
                                   "day": self.store.today().isoformat(), "version": __version__,
                                   "min_client_version": MIN_CLIENT_VERSION,
                                   "tls": False, "board_port": None})  # fmt: skip

    def groups(self) -> list[dict[str, Any]]:
        return self._list(self.store.groups)

    def counters(self) -> list[dict[str, Any]]:
        return self._list(self.store.counters)

    def priorities(self) -> list[dict[str, Any]]:
        return self._list(lambda: [{"code": p.code, "name": p.name} for p in self.store.centre.priority_categories])

    def catalog(self) -> dict[str, Any]:
        return self._dict(lambda: catalog_to_data(starting_catalog()))

    def queue(self) -> dict[str, Any]:
        return self._dict(lambda: self.store.snapshot(public=self.role is None))  # no token: the board's view

    def stats_today(self) -> dict[str, Any]:
        role = self._allowed(Permission.READ)

        def stats() -> dict[str, Any]:
            figures: dict[str, Any] = self.store.stats()
            if not sees_clerk_figures(role):
                figures.pop("by_clerk", None)
            return figures

        return self._dict(stats)

    def display_notice(self) -> str:
        self._reachable()
        saved = self.store.setting("display_notice")  # set through change_settings; the service's default else
        return DEFAULT_NOTICE if saved is None else saved

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        self._allowed(Permission.READ)
        _check_id("ticket_id", ticket_id)
        return self._dict(lambda: self.store.ticket(ticket_id))

    # --- commands: checked in the service's order (token, then body, then the queue's rules) ------

    def issue(self, group: str, priority: str | None = None, *, channel: str | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:  # fmt: skip
        role = self._allowed(Permission.ISSUE)
        _check(group=(group, GROUP.fits), priority=(priority, PRIORITY.fits), channel=(channel, _is_channel))
        kw = {"priority": priority, "channel": Channel(channel or Channel.KIOSK)}

        def issue() -> dict[str, Any]:
            issued: dict[str, Any] = self.store.issue(group, idempotency_key=_key(idempotency_key), **kw)
            if role == KIOSK:
                self._kiosk_issued[int(issued["id"])] = (_SUBJECT, self.clock.now())
            return {
                **issued,
                "follow": str(issued["id"]),  # the real service adds an unguessable key
                "no_show_after_calls": self.store.centre.policy.call_count_max,
            }

        return self._dict(issue)

    def call_next(self, counter_id: int, clerk: str | None = None, *,
                  idempotency_key: str | None = None) -> dict[str, Any] | None:  # fmt: skip
        self._serving(counter_id)
        _check(clerk=(clerk, CLERK.fits))
        called: dict[str, Any] | None = self._run(
            lambda: self.store.call_next(counter_id, clerk=clerk, idempotency_key=_key(idempotency_key))
        )
        return called

    def recall(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, TicketAction.RECALL, idempotency_key)

    def start(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, TicketAction.START, idempotency_key)

    def finish(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, TicketAction.FINISH, idempotency_key)

    def no_show(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, TicketAction.NO_SHOW, idempotency_key)

    def transfer(self, counter_id: int, group: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        self._serving(counter_id)
        _check(group=(group, GROUP.fits))
        return self._act(counter_id, TicketAction.TRANSFER, idempotency_key, group=group)

    def pause(self, counter_id: int, reason: str, clerk: str | None = None) -> dict[str, Any]:
        self._serving(counter_id)
        _check(reason=(reason, REASON.fits), clerk=(clerk, CLERK.fits))
        return self._dict(lambda: self.store.pause(counter_id, reason, clerk=clerk))

    def resume(self, counter_id: int, clerk: str | None = None) -> dict[str, Any]:
        self._serving(counter_id)
        _check(clerk=(clerk, CLERK.fits))
        return self._dict(lambda: self.store.resume(counter_id, clerk=clerk))

    def cancel(self, ticket_id: int) -> dict[str, Any]:
        role = self._allowed(Permission.ISSUE)
        _check_id("ticket_id", ticket_id)
        self._obey(lambda: check_kiosk_cancel(role, self._kiosk_issued.get(ticket_id), _SUBJECT, self.clock.now()))
        return self._dict(lambda: self.store.cancel(ticket_id))

    # --- dossiers ------------------------------------------------------------------------------

    def dossier_codes(self) -> dict[str, Any]:
        self._allowed(Permission.SERVE)

        def reserve() -> dict[str, Any]:
            block = reserve_block(self.store.writer, self.store.today())
            return {"unit_code": self.store.centre.unit_code, "day": block.day.isoformat(), "first": block.first,
                    "last": block.last}  # fmt: skip

        return self._dict(reserve)

    def centre_dossier(self, code: str) -> dict[str, Any]:
        self._allowed(Permission.LOOK_UP)
        return self._dict(lambda: self.mirror.record(code.strip().upper()))

    # --- the director ---------------------------------------------------------------------------

    def report(self, date_from: date, date_to: date) -> dict[str, Any]:
        self._allowed(Permission.REPORT)
        return self._dict(lambda: report_figures(self.store, date_from, date_to, catalog_path=default_catalog_path))

    def settings(self) -> dict[str, Any]:
        self._allowed(Permission.REPORT)
        return self._dict(lambda: self._settings.view())

    def change_settings(self, change: dict[str, Any]) -> dict[str, Any]:
        role = self._allowed(Permission.SETTINGS, change=True)

        def apply() -> dict[str, Any]:
            changes = self._settings.change(_json(change), f"{_SUBJECT} ({role})")
            return {"changed": [change_view(c) for c in changes], "settings": self._settings.view()}

        return self._dict(apply)

    def settings_audit(self, limit: int = 200) -> list[dict[str, Any]]:
        self._allowed(Permission.REPORT)
        return self._list(lambda: self._settings.audit(limit))

    def calendar(self) -> list[dict[str, Any]]:
        self._allowed(Permission.READ)
        return self._list(lambda: self._settings.calendar())

    # --- citizens' ratings (app/store/ratings.py, under app/core/rating.py's rules) ------------------

    @cached_property
    def _ratings(self) -> RatingStore:
        return RatingStore(self.store)

    def rating_prompt(self, counter_id: int | None = None) -> dict[str, Any]:
        role = self._allowed(Permission.RATE)
        if counter_id is not None:
            _check_id("counter", counter_id)
        counter: int = self._run(lambda: prompt_counter(self.counter, counter_id, any_counter=role == ADMIN))
        return self._dict(lambda: self._ratings.prompt(counter))

    def rate(self, ticket_id: int, level: int, reason: str | None = None, *,
             idempotency_key: str | None = None) -> dict[str, Any]:  # fmt: skip
        role = self._allowed(Permission.RATE)
        bad = [name for name, fits in (("ticket_id", 1 <= ticket_id <= MAX_ID), ("level", 1 <= level <= 5),
                                        ("reason", reason is None or len(reason) <= 100)) if not fits]  # fmt: skip
        if bad:  # the limits of the service's request body (app/service/rating_routes.py)
            raise ServiceError(invalid_request_message(invalid_field(f) for f in bad), status=422,
                               code=INVALID_REQUEST, details={"fields": [f"body.{f}" for f in bad]})  # fmt: skip

        def rate() -> dict[str, Any]:
            job = self._ratings.rate_job(ticket_id, level, reason, counter=self.counter, any_counter=role == ADMIN)
            kept: dict[str, Any] = self.store.command(job, _key(idempotency_key))
            return kept

        return self._dict(rate)

    def ratings(self, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
        self._allowed(Permission.REPORT)
        first = date_from or self.store.today()
        return self._dict(lambda: self._ratings.list_ratings(ReportPeriod(first, date_to or first)))

    # --- events --------------------------------------------------------------------------------

    def event_stream(self, *, on_snapshot: OnSnapshot, on_event: OnEvent, on_connection: OnConnection,
                     token: TokenSource | None = None, reconnect_delay: tuple[float, float] = (0.2, 5.0),
                     on_unpaired: OnUnpaired | None = None) -> FakeEventStream:  # fmt: skip
        """Delivers right after each commit, on the store's writer thread, like the real stream's own thread."""
        return FakeEventStream(self, on_snapshot=on_snapshot, on_event=on_event, on_connection=on_connection,
                               on_unpaired=on_unpaired, reconnect_delay=reconnect_delay, auto=True)  # fmt: skip

    # --- plumbing ------------------------------------------------------------------------------

    def _act(self, counter_id: int, action: TicketAction, key: str | None, **kw: Any) -> dict[str, Any]:
        self._serving(counter_id)
        return self._dict(lambda: self.store.act(counter_id, action, idempotency_key=_key(key), **kw))

    def _reachable(self) -> None:
        if self.unavailable:
            raise ServiceUnavailable(UNAVAILABLE_MESSAGE, code="unavailable", details={"cause": "simulated"})

    def _allowed(self, permission: Permission, *, change: bool = False) -> str:
        """The caller's role, once it may do what `permission` covers (app/core/access.py); else 401 or 403.
        `change`: a write (the service's non-GET routes), which a director's device token may not make."""
        self._reachable()
        if self.role is None:
            raise _bare(401)
        if not may(self.role, permission):
            raise _bare(403)
        role = self.role
        self._obey(lambda: check_personal(role, permission, person=self.person, change=change))
        return role

    def _serving(self, counter_id: int) -> None:
        """May act for `counter_id`: the right role, bound to that counter, and the id in range (the path's check)."""
        role = self._allowed(Permission.SERVE)
        self._obey(lambda: check_counter(role, self.counter, counter_id))
        _check_id("counter_id", counter_id)

    def _obey(self, rule: Callable[[], None]) -> None:
        try:
            rule()
        except DomainError as exc:
            raise _refusal(exc) from exc

    def _dict(self, job: Callable[[], Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._run(job)
        return result

    def _list(self, job: Callable[[], Any]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._run(job)
        return result

    def _run(self, job: Callable[[], Any]) -> Any:
        self._reachable()
        try:
            return _json(job())
        except DomainError as exc:
            raise _refusal(exc) from exc


def _refusal(exc: DomainError) -> ServiceError:
    """A refusal of the domain as the client meets it over HTTP: the status the service answers it with."""
    return ServiceError(exc.message, status=status_of(exc), code=exc.code, details=_json(exc.details))


def _bare(status: int) -> ServiceError:
    code, message = status_error(status)
    return ServiceError(message, status=status, code=code)


def _key(key: str | None) -> str:
    return key or str(uuid.uuid4())  # the real client always sends one, so the store keeps one too


def _is_channel(value: str) -> bool:
    return value in {c.value for c in Channel}


def _check(**fields: tuple[str | None, Callable[[str], bool]]) -> None:
    """The request body's limits (app/core/request_rules.py), refused with the service's 422 and message."""
    bad = [name for name, (value, valid) in fields.items() if value is not None and not valid(value)]
    if bad:
        raise ServiceError(invalid_request_message(invalid_field(f) for f in bad), status=422,
                           code=INVALID_REQUEST, details={"fields": [f"body.{f}" for f in bad]})  # fmt: skip


def _check_id(name: str, value: int) -> None:
    """Ids in a path fit the store's integers (app/core/request_rules.py, MAX_ID)."""
    if not 1 <= value <= MAX_ID:
        raise ServiceError(invalid_request_message([invalid_field(name)]), status=422, code=INVALID_REQUEST,
                           details={"fields": [f"path.{name}"]})  # fmt: skip


class FakeEventStream:
    """`EventStream` over a `FakeQueueClient`: snapshot first, then events in seq order exactly once.

    `start()` delivers the connection and the snapshot at once, on the caller's thread. Events follow in
    `pump()` (on the caller's thread; it returns how many went out) or, with `auto=True`, on the store's
    writer thread after each commit, like the real stream's own thread (there a callback must not call
    the fake's commands itself: they would wait for the very thread running it). While the fake is
    unavailable, pump reports on_connection(False); once it is back, the missed events are replayed, as
    the real stream does with `since`."""

    def __init__(
        self,
        client: FakeQueueClient,
        *,
        on_snapshot: Callable[[dict[str, Any]], None],
        on_event: Callable[[dict[str, Any]], None],
        on_connection: Callable[[bool], None],
        on_unpaired: Callable[[str], None] | None = None,
        reconnect_delay: tuple[float, float] = (0.2, 5.0),
        auto: bool = False,
    ) -> None:
        self.client = client
        self.base_url = client.base_url
        self._on_snapshot = on_snapshot
        self._on_event = on_event
        self._on_connection = on_connection
        self._on_unpaired = on_unpaired
        self.reconnect_delay = reconnect_delay  # accepted for the same signature; nothing to wait for here
        self._auto = auto
        self._last_seq: int | None = None
        self._connected: bool | None = None
        self._running = False
        self._lock = threading.RLock()
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def last_seq(self) -> int | None:
        return self._last_seq

    @property
    def connected(self) -> bool:
        return bool(self._connected)

    def reconnect(self) -> None:
        """Nothing to do in-process: the fake shows every field to everyone."""

    def start(self) -> None:
        """Connect: on_connection and the snapshot are delivered now, on the caller's thread."""
        self._running = True
        if self._auto:
            self._unsubscribe = self.client.store.writer.subscribe(self._committed)
        self.pump()

    def stop(self, timeout: float = 1.0) -> None:
        self._running = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def unpair(self) -> None:
        """Play the service closing this PC's socket as unpaired (4401): disconnected, told why, stopped."""
        with self._lock:
            self._set_connected(False)
            if self._on_unpaired is not None:
                self._on_unpaired(UNPAIRED_MESSAGE)
            self.stop()

    def _committed(self, _events: object) -> None:
        self.pump()

    def pump(self) -> int:
        """Deliver what happened since the last call; returns the number of events delivered."""
        with self._lock:
            if not self._running:
                return 0
            if self.client.unavailable:
                self._set_connected(False)
                return 0
            self._set_connected(True)
            store = self.client.store
            if self._last_seq is None:
                snapshot = _json(store.snapshot())
                self._last_seq = int(snapshot["seq"])
                self._on_snapshot(snapshot)
            delivered = 0
            for event in store.events_since(self._last_seq):
                self._last_seq = event.seq
                self._on_event(_json({"type": "event", **event.to_dict()}))
                delivered += 1
            return delivered

    def _set_connected(self, connected: bool) -> None:
        if self._connected is not connected:
            self._connected = connected
            self._on_connection(connected)


def demo_fake(clock: Clock | None = None) -> FakeQueueClient:
    """A lively hall for screenshots: a morning's history, people waiting in several groups (two with
    priority), counter 1 calling, counter 2 serving, counter 3 on a break, counter 4 closed."""
    fake = FakeQueueClient(clock=clock or ManualClock(), centre=_sample_centre)
    advance: Callable[[float], None] = getattr(fake.clock, "advance", lambda _s: None)
    for group in ("HT", "CT", "HT", "DD", "CT", "KD"):
        fake.issue(group)
        advance(45)
    for _round in range(2):  # six citizens served or being served: wait estimates have a history
        for counter in (1, 2, 3):
            fake.call_next(counter, clerk=f"Cán bộ quầy {counter}")
            fake.start(counter)
            advance(70)
        advance(200)
    waiting = [("HT", None), ("CT", "elderly"), ("DD", None), ("HT", None), ("KD", None), ("CT", None),
               ("BTXH", None), ("HT", "disabled"), ("DD", None), ("CT", None), ("HT", None), ("NCC", None)]  # fmt: skip
    for group, priority in waiting:
        fake.issue(group, priority)
        advance(30)
    fake.finish(1)
    fake.call_next(1)
    fake.finish(3)
    fake.pause(3, "break")
    return fake


def _conforms(fake: FakeQueueClient, real: QueueClient) -> tuple[QueueApi, QueueApi]:
    return fake, real  # mypy checks that both are a QueueApi


__all__ = ["FakeEventStream", "FakeQueueClient", "demo_fake"]
