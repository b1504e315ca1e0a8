"""The counter's link to the centre service: sign-in, live state, and every action, all off the GUI thread.

Actions go one at a time through `TaskRunner`; each carries an idempotency key that the client reuses on
its own retries. When the service cannot be reached the action is kept with its key and sent again, with
that same key, as soon as the connection is back, so an action that did reach the service before the
line dropped is answered, not done twice. Live state comes from the event stream (`EventBridge`): a
snapshot, then events by `seq`, replayed after a reconnect.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.client.api import QueueApi
from app.client.queue_client import ServiceError, ServiceUnavailable
from app.core.clock import Clock, SystemClock
from app.qtbridge.events import EventBridge, Stream, StreamFactory
from app.qtbridge.tasks import TaskRunner
from counter.session import SessionApi
from counter.state import ACTION_LABELS, QueueModel, available, result_message

log = logging.getLogger(__name__)

PROBE_MS = 3000  # while requests fail, ask /api/health this often
RESYNC_MS = 120_000  # a full snapshot now and then, on top of the events
# An action lost in an outage is sent again by itself only this soon after it was asked for; later the clerk
# decides (pressing it again still reuses its key, so what did reach the service is not done twice).
PENDING_MAX_S = 120
SESSION_GONE = "Phiên đăng nhập đã hết hạn hoặc đã bị đăng xuất. Vui lòng đăng nhập lại."
DIRECTOR_REFUSED = (
    "Tài khoản lãnh đạo dùng để xem báo cáo, không thao tác tại quầy. Hãy đăng nhập bằng tài khoản cán bộ quầy."
)
OFFLINE_SESSION_BACK = ("Đã kết nối lại máy chủ Trung tâm. Bạn đang đăng nhập ngoại tuyến: để gọi số, đăng xuất "
                        "(Ctrl+Q) rồi đăng nhập lại. Tiếp nhận hồ sơ vẫn làm được như bình thường.")  # fmt: skip
UNEXPECTED = "Có lỗi ngoài dự kiến. Thử lại; nếu vẫn lỗi, báo cán bộ CNTT."


@dataclass
class Pending:
    action: str
    args: dict[str, Any]
    key: str
    asked_at: datetime
    before: dict[str, Any] | None = field(default=None, compare=False)
    resend: bool = True  # sent again by itself when the connection is back


class CounterController(QObject):
    connection_changed = Signal(bool)
    unpaired = Signal(str)  # the service refused this PC as unpaired: the message; the stream has stopped
    model_changed = Signal()
    busy_changed = Signal(bool)
    notice = Signal(str, str)  # kind (ok | info | warning | error), Vietnamese text; "" clears
    signed_in = Signal(object)  # the session: {user, counter, expires_at}
    sign_in_failed = Signal(str)
    signed_out = Signal(str)  # why, or "" when the clerk chose to
    action_finished = Signal(str, bool)  # action, accepted
    meta_loaded = Signal()
    centre_changed = Signal(object)  # a director changed settings: the `centre.changed` event's keys (list of str)

    def __init__(
        self,
        client: QueueApi,
        sessions: SessionApi,
        stream_factory: StreamFactory,
        *,
        clock: Clock | None = None,
        probe_ms: int = PROBE_MS,
        resync_ms: int = RESYNC_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.sessions = sessions
        self.clock: Clock = clock or SystemClock()
        self.runner = TaskRunner(self)
        self.model = QueueModel()
        self.priorities: dict[str, str] = {}
        self.centre_name = ""
        self.session: dict[str, Any] | None = None
        self.counter_id: int | None = None
        self.busy = False
        self.signing_in = False
        self.pending: Pending | None = None
        self.online: bool | None = None
        self._stream_up = False
        self._http_ok = True
        self._meta_loading = False
        self._resyncing = False
        self._stream_factory = stream_factory
        self.bridge: EventBridge | None = None
        self.stream: Stream | None = None
        self.probe = QTimer(self, interval=probe_ms)
        self.probe.timeout.connect(self._probe)
        self.resync_timer = QTimer(self, interval=resync_ms)
        self.resync_timer.timeout.connect(self.resync)

    # --- life -------------------------------------------------------------------------------------

    def start(self) -> None:
        self.bridge = EventBridge(self)
        self.bridge.snapshot.connect(self._on_snapshot)
        self.bridge.received.connect(self._on_event)
        self.bridge.connection.connect(self._on_stream)
        self.bridge.unpaired.connect(self.unpaired)
        self.stream = self._stream_factory(self.bridge)
        self.stream.start()
        self.resync_timer.start()
        self.load_meta()

    def stop(self) -> None:
        if self.session is not None and self.online:
            self.sign_out()  # revoke the token on the way out; offline it simply ends at midnight
        self.probe.stop()
        self.resync_timer.stop()
        if self.bridge is not None:
            self.bridge.close()
        if self.stream is not None:
            self.stream.stop()
        self.runner.wait()

    @property
    def username(self) -> str | None:
        return str(self.session["user"]["username"]) if self.session else None

    @property
    def display_name(self) -> str:
        return str(self.session["user"]["display_name"]) if self.session else ""

    def counter(self) -> Any:
        return self.model.counters.get(self.counter_id) if self.counter_id is not None else None

    @property
    def offline_session(self) -> bool:
        """Signed in on this PC while the service was unreachable: dossiers only, no queue actions."""
        return bool(self.session and self.session.get("offline"))

    def actions(self) -> dict[str, bool]:
        online = bool(self.online) and not self.offline_session
        return available(self.model, self.counter_id, online=online, busy=self.busy)

    # --- connection ---------------------------------------------------------------------------------

    def _on_stream(self, up: bool) -> None:
        self._stream_up = up
        self._update_online()

    def _set_http(self, ok: bool) -> None:
        self._http_ok = ok
        if ok:
            self.probe.stop()
        elif not self.probe.isActive():
            self.probe.start()
        self._update_online()

    def _update_online(self) -> None:
        online = self._stream_up and self._http_ok
        if online == self.online:
            return
        self.online = online
        self.connection_changed.emit(online)
        self.model_changed.emit()  # buttons follow
        if online:
            if not self.priorities:
                self.load_meta()
            self._retry_pending()
            if self.offline_session:
                self.notice.emit("warning", OFFLINE_SESSION_BACK)

    def _probe(self) -> None:
        self.runner.run(self.client.health, lambda _r: self._set_http(True), lambda _e: None)

    def load_meta(self) -> None:
        """The centre's name and the priority names (once; again after a failure)."""
        if self._meta_loading:
            return
        self._meta_loading = True

        def fetch() -> tuple[str, dict[str, str]]:
            health = self.client.health()
            return str(health.get("centre", "")), {p["code"]: p["name"] for p in self.client.priorities()}

        def done(result: tuple[str, dict[str, str]]) -> None:
            self._meta_loading = False
            self.centre_name, self.priorities = result
            self.meta_loaded.emit()

        def failed(exc: Exception) -> None:
            self._meta_loading = False
            if isinstance(exc, ServiceUnavailable):
                self._set_http(False)

        self.runner.run(fetch, done, failed)

    def resync(self) -> None:
        """A fresh snapshot over HTTP; the model keeps whichever of it and the stream is newer."""
        if self._resyncing:
            return
        self._resyncing = True

        def done(snapshot: dict[str, Any]) -> None:
            self._resyncing = False
            if self.model.load(snapshot):
                self.model_changed.emit()

        def failed(exc: Exception) -> None:
            self._resyncing = False
            if isinstance(exc, ServiceUnavailable):
                self._set_http(False)

        self.runner.run(self.client.queue, done, failed)

    def _on_snapshot(self, snapshot: dict[str, Any]) -> None:
        if self.model.load(snapshot, authoritative=True):  # the stream's own: after a service reset too
            self.model_changed.emit()

    def _on_event(self, event: dict[str, Any]) -> None:
        applied = self.model.apply_event(event)
        if applied.fresh:
            self.model_changed.emit()
        if applied.resync:  # a gap in seq, a new day
            self.resync()
        if event.get("kind") == "centre.changed" and applied.fresh:
            self.centre_changed.emit(list((event.get("payload") or {}).get("changed") or []))

    # --- signing in and out -----------------------------------------------------------------------

    def sign_in(self, username: str, secret: str, counter_id: int | None) -> bool:
        if self.signing_in or self.session is not None:
            return False
        self.signing_in = True
        sessions = self.sessions
        self.runner.run(lambda: sessions.sign_in(username.strip(), secret, counter_id),
                        self._signed_in, self._sign_in_error)  # fmt: skip
        return True

    def _signed_in(self, session: dict[str, Any]) -> None:
        self.signing_in = False
        token = session.get("token")
        if session["user"]["role"] == "director":
            if token:
                self.runner.run(lambda: self.sessions.revoke(str(token)), None, lambda _e: None)
            self.sign_in_failed.emit(DIRECTOR_REFUSED)
            return
        self.sessions.set_token(str(token) if token else None)
        self.session = {k: v for k, v in session.items() if k != "token"}
        if token and self.stream is not None:
            self.stream.reconnect()  # the events with the clerk's token carry the priority categories
        self.counter_id = session.get("counter")
        self.pending = None
        self.notice.emit("", "")
        self.signed_in.emit(self.session)
        self.model_changed.emit()

    def _sign_in_error(self, exc: Exception) -> None:
        self.signing_in = False
        if isinstance(exc, ServiceUnavailable):
            self._set_http(False)
        message = exc.message if isinstance(exc, ServiceError) else UNEXPECTED
        if not isinstance(exc, ServiceError):
            log.error("sign-in failed: %s", type(exc).__name__)
        self.sign_in_failed.emit(message)

    def sign_out(self, reason: str = "") -> None:
        if self.session is None:
            return
        token = getattr(self.sessions, "token", None)
        self.sessions.set_token(None)
        if token and not reason:  # a session the service dropped needs no revoking
            self.runner.run(lambda: self.sessions.revoke(str(token)), None, lambda _e: None)
        self.session, self.counter_id, self.pending = None, None, None
        self.notice.emit("", "")
        self.signed_out.emit(reason)
        self.model_changed.emit()

    # --- actions ------------------------------------------------------------------------------------

    def act(self, action: str, **args: Any) -> bool:
        """Send an action for this counter; False when it cannot go now (offline, busy, not signed in)."""
        if self.session is None or self.counter_id is None or self.busy or not self.online:
            return False
        same = self.pending is not None and (self.pending.action, self.pending.args) == (action, args)
        key = self.pending.key if same and self.pending else str(uuid.uuid4())
        before = self.model.current(self.counter_id)
        self._send(Pending(action, args, key, self.clock.now(), before))
        return True

    def _send(self, pending: Pending) -> None:
        counter = self.counter_id
        if counter is None:  # signed out meanwhile: no counter to act for
            return
        self.busy = True
        self.busy_changed.emit(True)
        self.model_changed.emit()
        call = self._call(pending, counter)
        self.runner.run(call, lambda result: self._accepted(pending, result), lambda exc: self._refused(pending, exc))

    def _call(self, p: Pending, counter: int) -> Callable[[], Any]:
        client, clerk, key = self.client, self.username, p.key
        if p.action == "call_next":
            return lambda: client.call_next(counter, clerk, idempotency_key=key)
        if p.action == "transfer":
            return lambda: client.transfer(counter, p.args["group"], idempotency_key=key)
        if p.action == "pause":
            return lambda: client.pause(counter, p.args["reason"], clerk)
        if p.action == "resume":
            return lambda: client.resume(counter, clerk)
        method = {"recall": client.recall, "start": client.start, "finish": client.finish,
                  "no_show": client.no_show}[p.action]  # fmt: skip
        return lambda: method(counter, idempotency_key=key)

    def _accepted(self, p: Pending, result: Any) -> None:
        self.busy = False
        self.pending = None
        self._set_http(True)
        now = self.clock.now()
        if self.counter_id is not None:
            if p.action in ("pause", "resume") and isinstance(result, dict):
                self.model.set_status(self.counter_id, str(result.get("status")), result.get("reason"))
            elif isinstance(result, dict) and "state" in result:
                if p.action == "call_next" and p.before is not None and p.before.get("state") == "serving":
                    self.model.apply_ticket({**p.before, "state": "done", "outcome": "served"}, now)
                self.model.apply_ticket(result, now)
                if p.action == "call_next":
                    self.model.set_status(self.counter_id, "open", None)
            elif p.action == "call_next":
                self.model.set_status(self.counter_id, "open", None)
        message = result_message(p.action, result if isinstance(result, dict) else None, p.before, self.model)
        kind = "info" if p.action == "call_next" and result is None else "ok"
        if p.action == "recall" and isinstance(result, dict) and result.get("state") == "done":
            kind = "warning"
        self.busy_changed.emit(False)
        self.model_changed.emit()
        self.notice.emit(kind, message)
        self.action_finished.emit(p.action, True)

    def _refused(self, p: Pending, exc: Exception) -> None:
        self.busy = False
        label = ACTION_LABELS.get(p.action, p.action)
        if isinstance(exc, ServiceUnavailable):
            self.pending = p
            self._set_http(False)
            self.notice.emit("warning", f"Mất kết nối khi đang “{label}”. Thao tác sẽ tự gửi lại khi có kết nối, "
                             "không cần bấm lại.")  # fmt: skip
        elif isinstance(exc, ServiceError) and exc.status == 401:
            self.pending = None
            self.sign_out(SESSION_GONE)
        elif isinstance(exc, ServiceError):
            self.pending = None
            self.notice.emit("error", exc.message)
            self.resync()  # the panel may have been behind the service
        else:
            self.pending = None
            log.error("action %s failed: %s", p.action, type(exc).__name__)
            self.notice.emit("error", UNEXPECTED)
        self.busy_changed.emit(False)
        self.model_changed.emit()
        self.action_finished.emit(p.action, False)

    def _retry_pending(self) -> None:
        p = self.pending
        if p is None or not p.resend or self.session is None or self.busy:
            return
        label = ACTION_LABELS.get(p.action, p.action)
        if (self.clock.now() - p.asked_at).total_seconds() > PENDING_MAX_S:
            p.resend = False
            self.notice.emit("warning", f"Đã kết nối lại. Thao tác “{label}” lúc mất kết nối có thể chưa được "
                             "thực hiện: xem lại màn hình rồi bấm lại nếu cần.")  # fmt: skip
            return
        self.notice.emit("info", f"Đã kết nối lại. Đang gửi lại thao tác “{label}”…")
        self._send(p)
