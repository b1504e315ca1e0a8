"""An in-process centre service for screens: the real `QueueStore` on a temporary SQLite file.

`FakeQueueClient` answers like `QueueClient` (same methods, same shapes after JSON, same error codes and
Vietnamese messages) without a server, so kiosk, counter and display screens can be rendered, screenshot
and tested offscreen. `set_unavailable(True)` makes every call fail as if the service were down.
`FakeEventStream` is `EventStream` fed from the store's event table, delivered when the test calls
`pump()` (on the caller's thread) or, with `auto=True`, right after each commit on the store's writer thread.
"""

from __future__ import annotations

import json
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from app.client.queue_client import UNAVAILABLE_MESSAGE, QueueApi, QueueClient, ServiceError, ServiceUnavailable
from app.core.actions import TicketAction
from app.core.catalog_table import catalog_to_data
from app.core.centre import DEFAULT_NOTICE, Centre, default_centre
from app.core.clock import Clock, ManualClock
from app.core.errors import Conflict, DomainError, IssueClosed, NotFound
from app.core.ticket import Channel
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.code_blocks import reserve_block
from app.store.queue_store import QueueStore

# What the service answers when the bearer token is missing or lacks the role (app/service/errors.py).
UNAUTHORIZED_MESSAGE = "Thiếu hoặc sai mã xác thực thiết bị."
FORBIDDEN_MESSAGE = "Thiết bị này không có quyền thực hiện thao tác này."
_ISSUERS = frozenset({"admin", "kiosk", "counter"})
_CLERKS = frozenset({"admin", "counter"})
_FIELD_NAMES = {"group": "nhóm dịch vụ", "priority": "đối tượng ưu tiên", "channel": "kênh", "reason": "lý do",
                "clerk": "cán bộ"}  # fmt: skip


def _default_centre() -> Centre:
    return default_centre(load_catalog_file(default_catalog_path()))


def _json(value: Any) -> Any:
    # Through JSON, as over the wire: callers get fresh lists and dicts with string keys.
    return json.loads(json.dumps(value, ensure_ascii=False))


class FakeQueueClient:
    """`QueueApi` in-process. `role` plays the device token: None = no token (commands answer 401),
    "display" = read only, "kiosk" = issue and cancel, "counter"/"admin" = everything."""

    def __init__(self, *, clock: Clock | None = None, data_dir: Path | None = None, role: str | None = "admin",
                 centre: Callable[[], Centre] = _default_centre,
                 base_url: str = "http://127.0.0.1:8710") -> None:  # fmt: skip
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="motcua-fake-")
            data_dir = Path(self._tmp.name)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.clock: Clock = clock or ManualClock()
        self.store = QueueStore(data_dir / "queue.db", self.clock, centre)
        self.role = role
        self.base_url = base_url  # what screens put in follow-your-turn links; nothing listens there
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
                                   "unit_code": self.store.centre.unit_code,
                                   "day": self.store.today().isoformat(),
                                   "tls": False, "board_port": None})  # fmt: skip

    def dossier_codes(self) -> dict[str, Any]:
        def reserve() -> dict[str, Any]:
            block = reserve_block(self.store.writer, self.store.today())
            return {"unit_code": self.store.centre.unit_code, "day": block.day.isoformat(), "first": block.first,
                    "last": block.last}  # fmt: skip

        return self._dict(reserve)

    def groups(self) -> list[dict[str, Any]]:
        return self._list(self.store.groups)

    def counters(self) -> list[dict[str, Any]]:
        return self._list(self.store.counters)

    def priorities(self) -> list[dict[str, Any]]:
        return self._list(lambda: [{"code": p.code, "name": p.name} for p in self.store.centre.priority_categories])

    def catalog(self) -> dict[str, Any]:
        return self._dict(lambda: catalog_to_data(load_catalog_file(default_catalog_path())))

    def queue(self) -> dict[str, Any]:
        return self._dict(self.store.snapshot)

    def stats_today(self) -> dict[str, Any]:
        return self._dict(self.store.stats)

    def display_notice(self) -> str:
        self._reachable()
        return DEFAULT_NOTICE  # the service's own default; the fake keeps no notice

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return self._dict(lambda: self.store.ticket(ticket_id))

    # --- commands: checked in the service's order (token, then body, then the queue's rules) ------

    def issue(self, group: str, priority: str | None = None, *, channel: str | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:  # fmt: skip
        self._allowed(_ISSUERS)
        _check(group=(group, _length(1, 32)), priority=(priority, _length(0, 32)), channel=(channel, _CHANNELS))
        kw = {"priority": priority, "channel": Channel(channel or Channel.KIOSK)}

        def issue() -> dict[str, Any]:
            issued: dict[str, Any] = self.store.issue(group, idempotency_key=_key(idempotency_key), **kw)
            return {
                **issued,
                "follow": str(issued["id"]),  # the real service adds an unguessable key
                "no_show_after_calls": self.store.centre.policy.call_count_max,
            }

        return self._dict(issue)

    def call_next(self, counter_id: int, clerk: str | None = None, *,
                  idempotency_key: str | None = None) -> dict[str, Any] | None:  # fmt: skip
        self._allowed(_CLERKS)
        _check(clerk=(clerk, _length(0, 64)))
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
        self._allowed(_CLERKS)
        _check(group=(group, _length(1, 32)))
        return self._act(counter_id, TicketAction.TRANSFER, idempotency_key, group=group)

    def pause(self, counter_id: int, reason: str, clerk: str | None = None) -> dict[str, Any]:
        self._allowed(_CLERKS)
        _check(reason=(reason, _length(0, 32)), clerk=(clerk, _length(0, 64)))
        return self._dict(lambda: self.store.pause(counter_id, reason, clerk=clerk))

    def resume(self, counter_id: int, clerk: str | None = None) -> dict[str, Any]:
        self._allowed(_CLERKS)
        _check(clerk=(clerk, _length(0, 64)))
        return self._dict(lambda: self.store.resume(counter_id, clerk=clerk))

    def cancel(self, ticket_id: int) -> dict[str, Any]:
        self._allowed(_ISSUERS)
        return self._dict(lambda: self.store.cancel(ticket_id))

    # --- plumbing ------------------------------------------------------------------------------

    def _act(self, counter_id: int, action: TicketAction, key: str | None, **kw: Any) -> dict[str, Any]:
        self._allowed(_CLERKS)
        return self._dict(lambda: self.store.act(counter_id, action, idempotency_key=_key(key), **kw))

    def _reachable(self) -> None:
        if self.unavailable:
            raise ServiceUnavailable(UNAVAILABLE_MESSAGE, code="unavailable", details={"cause": "simulated"})

    def _allowed(self, roles: frozenset[str]) -> None:
        self._reachable()
        if self.role not in {"admin", "kiosk", "counter", "display"}:
            raise ServiceError(UNAUTHORIZED_MESSAGE, status=401, code="http_401")
        if self.role not in roles:
            raise ServiceError(FORBIDDEN_MESSAGE, status=403, code="http_403")

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
            status = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict | IssueClosed) else 400
            raise ServiceError(exc.message, status=status, code=exc.code, details=_json(exc.details)) from exc


def _key(key: str | None) -> str:
    return key or str(uuid.uuid4())  # the real client always sends one, so the store keeps one too


def _length(low: int, high: int) -> Callable[[str], bool]:
    return lambda value: low <= len(value) <= high


_CHANNELS: Callable[[str], bool] = lambda value: value in {c.value for c in Channel}  # noqa: E731


def _check(**fields: tuple[str | None, Callable[[str], bool]]) -> None:
    """The request bodies' limits (app/service/models.py), refused with the service's 422 and message."""
    bad = [name for name, (value, valid) in fields.items() if value is not None and not valid(value)]
    if bad:
        problems = "; ".join(f"trường “{_FIELD_NAMES.get(f, f)}” không hợp lệ" for f in bad)
        raise ServiceError(f"Dữ liệu gửi lên không hợp lệ: {problems}.", status=422, code="invalid_request",
                           details={"fields": [f"body.{f}" for f in bad]})  # fmt: skip


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
        reconnect_delay: tuple[float, float] = (0.2, 5.0),
        auto: bool = False,
    ) -> None:
        self.client = client
        self.base_url = client.base_url
        self._on_snapshot = on_snapshot
        self._on_event = on_event
        self._on_connection = on_connection
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
    fake = FakeQueueClient(clock=clock or ManualClock())
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
    return fake, real  # mypy checks that both implement QueueApi


__all__ = ["FakeEventStream", "FakeQueueClient", "demo_fake"]
