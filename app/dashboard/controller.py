"""The dashboard's link to the centre service: the hall live from the event stream, the day's figures fetched again
after changes and every half minute, any period's figures on demand, the director's settings.

Everything here runs on the GUI thread: the stream's callbacks come through `EventBridge`, HTTP calls run on a
`TaskRunner` and answer with signals. The hall (waiting per group, each counter's ticket and status) is the hall
model every app keeps (app/client/hall.py); the figures are the service's (GET /api/report), never recomputed.
A `centre.changed` event (a director changed a setting here or elsewhere) refetches the queue, the figures and the
settings.

A 401 from any fetch means the director's session ended (expired, or signed out elsewhere): `session_expired` is
emitted once and fetching stops (every timer would only collect more 401s) until `resume()`, called once the
window has signed the director in again, fetches everything anew and reconnects the stream.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.client.api import QueueApi
from app.client.hall import HallModel
from app.client.queue_client import ServiceError
from app.dashboard.figures import BadFigures, Figures, decode
from app.qtbridge.events import EventBridge, Stream, StreamFactory, default_stream_factory
from app.qtbridge.tasks import TaskRunner

log = logging.getLogger(__name__)

FIGURES_MS = 30_000  # the day's figures again even without events (waits grow while nobody is called)
FIGURES_DEBOUNCE_MS = 1_500  # a burst of events costs one fetch
QUEUE_DEBOUNCE_MS = 40
RESYNC_MS = 60_000


def message_of(exc: BaseException) -> str:
    return str(getattr(exc, "message", None) or exc)


def unauthorised(exc: BaseException) -> bool:
    """The service no longer knows the token (a session expired or signed out, a device token revoked)."""
    return isinstance(exc, ServiceError) and exc.status == 401


def bearer_of(client: QueueApi) -> str | None:
    """The token a signed-in client holds now (SessionClient.token); None for others."""
    token = getattr(client, "token", None)
    return token if isinstance(token, str) and token else None


class DashboardController(QObject):
    hall_changed = Signal()
    connection_changed = Signal(bool)
    centre_changed = Signal(str)
    figures_changed = Signal(object)  # Figures of today
    figures_failed = Signal(str)
    history_ready = Signal(object)  # Figures of the period asked
    history_failed = Signal(str)
    settings_ready = Signal(object)  # GET /api/settings
    settings_saved = Signal(object)  # PUT /api/settings answer: {"changed", "settings"}
    settings_failed = Signal(str, object)  # message, [{field, message}]
    audit_ready = Signal(object)
    session_expired = Signal()  # a 401: the window asks the director to sign in again
    session_resumed = Signal()

    def __init__(self, client: QueueApi, *, stream_factory: StreamFactory | None = None,
                 figures_ms: int = FIGURES_MS, figures_debounce_ms: int = FIGURES_DEBOUNCE_MS,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.client = client
        self.hall = HallModel()
        self.online: bool | None = None
        self.centre_name = ""
        self.figures: Figures | None = None
        self.history: Figures | None = None
        self.settings: dict[str, Any] | None = None
        self._fetched_at = 0.0  # time.monotonic() when `figures` arrived: the service's clock moves on from as_of
        self.runner = TaskRunner(self, threads=3)
        self.bridge = EventBridge(self)
        self.bridge.snapshot.connect(lambda queue: self._snapshot(queue, authoritative=True))
        self.bridge.received.connect(self._event)
        self.bridge.connection.connect(self._connection)
        # the director's own token at each connect: a stream reconnected after a new sign-in carries the new one
        self._make_stream = stream_factory or default_stream_factory(client, token=lambda: bearer_of(client))
        self.expired = False
        self.stream: Stream | None = None
        self._stopped = False
        self._loading: set[str] = set()
        self._again: set[str] = set()
        self._queue_timer = QTimer(self, singleShot=True, interval=QUEUE_DEBOUNCE_MS)
        self._queue_timer.timeout.connect(self.refresh_queue)
        self._figures_debounce = QTimer(self, singleShot=True, interval=figures_debounce_ms)
        self._figures_debounce.timeout.connect(self.refresh_figures)
        self._figures_timer = QTimer(self, interval=figures_ms)
        self._figures_timer.timeout.connect(self.refresh_figures)
        self._resync_timer = QTimer(self, interval=RESYNC_MS)
        self._resync_timer.timeout.connect(self._queue_timer.start)

    # --- life ----------------------------------------------------------------------------------------

    def start(self) -> None:
        self._stopped = False
        self.stream = self._make_stream(self.bridge)
        self.stream.start()
        self.load_centre()
        self._figures_timer.start()
        self._resync_timer.start()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.bridge.close()
        for timer in (self._queue_timer, self._figures_debounce, self._figures_timer, self._resync_timer):
            timer.stop()
        if self.stream is not None:
            self.stream.stop()
        self.runner.wait()

    def resume(self) -> None:
        """Signed in again after `session_expired`: fetch every view anew and resubscribe the stream."""
        if self._stopped or not self.expired:
            return
        self.expired = False
        if self.stream is not None:
            self.stream.reconnect()
        self.load_centre()
        self.refresh_queue()
        self.refresh_figures()
        if self.settings is not None:
            self.load_settings()
            self.load_audit()
        if self.history is not None:
            period = self.history.report.period
            self.load_history(period.first, period.last)
        self.session_resumed.emit()

    def expire(self) -> None:
        """The session is over (a 401): stop fetching and ask the window to sign the director in again."""
        if not self.expired:
            self.expired = True
            self._loading.clear()  # what ran is fetched again by resume()
            self._again.clear()
            self.session_expired.emit()

    def busy(self) -> bool:
        return bool(self._loading) or self.runner.busy()

    # --- time ----------------------------------------------------------------------------------------

    def day(self) -> date | None:
        """The service's local day (the hall model's, or the figures')."""
        if self.hall.day:
            return date.fromisoformat(self.hall.day)
        return self.figures.report.period.last if self.figures else None

    def now(self) -> datetime | None:
        """The service's time as last told (the figures' as_of), moved on by the time since they came."""
        if self.figures is None:
            return None
        return self.figures.report.as_of + timedelta(seconds=time.monotonic() - self._fetched_at)

    # --- the stream ----------------------------------------------------------------------------------

    def _connection(self, connected: bool) -> None:
        if connected != self.online:
            self.online = connected
            self.connection_changed.emit(connected)

    def _snapshot(self, queue: dict[str, Any], *, authoritative: bool = False) -> None:
        first = not self.hall.loaded
        if self.hall.apply_snapshot(queue, authoritative=authoritative):
            self.hall_changed.emit()
            if first or self.figures is None or self.figures.report.period.last.isoformat() != self.hall.day:
                self.refresh_figures()

    def _event(self, event: dict[str, Any]) -> None:
        applied = self.hall.apply_event(event)
        if applied.fresh:
            self.hall_changed.emit()
        if applied.resync:
            self._queue_timer.start()
        if not self._stopped:
            self._figures_debounce.start()
        if event.get("kind") == "centre.changed" and self.settings is not None:
            self.load_settings()
            self.load_audit()

    # --- fetching ------------------------------------------------------------------------------------

    def _run(self, name: str, job: Any, done: Any, failed: Any) -> None:
        """One fetch of each kind at a time; asked again while one runs: once more after it."""
        if self._stopped or self.expired:
            return
        if name in self._loading:
            self._again.add(name)
            return
        self._loading.add(name)

        def finish() -> bool:
            self._loading.discard(name)
            return not self._stopped

        def on_done(result: Any) -> None:
            if finish():
                done(result)
                self._repeat(name)

        def on_error(exc: Exception) -> None:
            if finish() and unauthorised(exc):
                self.expire()
            elif not self._stopped:
                failed(exc)
                self._repeat(name)

        self.runner.run(job, on_done, on_error)

    def _repeat(self, name: str) -> None:
        if name in self._again:
            self._again.discard(name)
            {"queue": self.refresh_queue, "figures": self.refresh_figures}.get(name, lambda: None)()

    def refresh_queue(self) -> None:
        self._run("queue", self.client.queue, self._snapshot, lambda exc: log.info("queue: %s", message_of(exc)))

    def load_centre(self) -> None:
        def done(health: dict[str, Any]) -> None:
            name = str(health.get("centre") or "")
            if name and name != self.centre_name:
                self.centre_name = name
                self.centre_changed.emit(name)
            if self.figures is None and health.get("day"):
                self._figures_for(date.fromisoformat(str(health["day"])))

        self._run("health", self.client.health, done, lambda exc: log.info("health: %s", message_of(exc)))

    def refresh_figures(self) -> None:
        day = self.day()
        if day is not None:
            self._figures_for(day)

    def _figures_for(self, day: date) -> None:
        client = self.client

        def done(data: dict[str, Any]) -> None:
            try:
                figures = decode(data)
            except BadFigures as exc:
                self.figures_failed.emit(str(exc))
                return
            self.figures = figures
            self._fetched_at = time.monotonic()
            self.figures_changed.emit(figures)

        self._run("figures", lambda: client.report(day, day), done,
                  lambda exc: self.figures_failed.emit(message_of(exc)))  # fmt: skip

    def load_history(self, first: date, last: date) -> None:
        client = self.client

        def done(data: dict[str, Any]) -> None:
            try:
                self.history = decode(data)
            except BadFigures as exc:
                self.history_failed.emit(str(exc))
                return
            self.history_ready.emit(self.history)

        self._run("history", lambda: client.report(first, last), done,
                  lambda exc: self.history_failed.emit(message_of(exc)))  # fmt: skip

    def load_settings(self) -> None:
        def done(data: dict[str, Any]) -> None:
            self.settings = data
            self.settings_ready.emit(data)

        self._run("settings", self.client.settings, done,
                  lambda exc: self.settings_failed.emit(message_of(exc), []))  # fmt: skip

    def save_settings(self, change: dict[str, Any]) -> None:
        client = self.client

        def done(answer: dict[str, Any]) -> None:
            self.settings = answer.get("settings") or self.settings
            self.settings_saved.emit(answer)
            self.load_audit()

        def failed(exc: Exception) -> None:
            details = getattr(exc, "details", None) or {}
            errors = details.get("errors") if isinstance(details, dict) else None
            self.settings_failed.emit(message_of(exc), list(errors or []))

        self._run("save", lambda: client.change_settings(change), done, failed)

    def load_audit(self) -> None:
        self._run("audit", self.client.settings_audit, self.audit_ready.emit,
                  lambda exc: log.info("audit: %s", message_of(exc)))  # fmt: skip
