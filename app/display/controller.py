"""The hall display's link to the centre service: the event stream, re-fetches, the notice, the voice.

Everything here runs on the GUI thread: the stream's callbacks arrive through `EventBridge`, HTTP reads
run on a `TaskRunner` and come back as signals. The hall model (app/client/hall.py) keeps the board from
the stream: a call is shown from its event at once (`called`), then queued for the voice. /api/queue is
re-fetched only when the model asks for it (a gap in seq, a new day; debounced, so a burst costs one
request) and every `resync_ms`, for what no event tells: a group opening or closing at its hours.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.client.api import QueueApi
from app.client.hall import HallModel
from app.client.hall_views import Call
from app.display.announcer import Announcer
from app.qtbridge.events import EventBridge, Stream, StreamFactory, default_stream_factory
from app.qtbridge.tasks import TaskRunner

log = logging.getLogger(__name__)

REFRESH_DEBOUNCE_MS = 40  # the model asks for a resync → one re-fetch for a burst of events
RESYNC_MS = 60_000  # group opening hours and daily caps change with the clock, not with events
NOTICE_MS = 30_000
__all__ = ["DisplayController", "StreamFactory", "default_stream_factory", "fetch_notice"]


def fetch_notice(client: QueueApi) -> str:
    """GET /api/display/notice ("" = no ticker)."""
    return str(client.display_notice())


class DisplayController(QObject):
    changed = Signal()  # board or waiting counts changed
    called = Signal(object)  # Call: show it now
    connection_changed = Signal(bool)
    notice_changed = Signal(str)
    centre_changed = Signal(str)

    def __init__(
        self,
        client: QueueApi,
        *,
        stream_factory: StreamFactory | None = None,
        announcer: Announcer | None = None,
        refresh_debounce_ms: int = REFRESH_DEBOUNCE_MS,
        resync_ms: int = RESYNC_MS,
        notice_ms: int = NOTICE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.announcer = announcer
        self.state = HallModel()
        self.online: bool | None = None
        self.centre_name = ""
        self.notice = ""
        self.runner = TaskRunner(self)
        self.bridge = EventBridge(self)
        self.bridge.snapshot.connect(self._stream_snapshot)
        self.bridge.received.connect(self._event)
        self.bridge.connection.connect(self._connection)
        self._make_stream = stream_factory or default_stream_factory(client)
        self.stream: Stream | None = None
        self._refreshing = False
        self._refresh_again = False
        self._stopped = False
        self._debounce = QTimer(self, singleShot=True, interval=refresh_debounce_ms)
        self._debounce.timeout.connect(self.refresh)
        self._notice_timer = QTimer(self, interval=notice_ms)
        self._notice_timer.timeout.connect(self.load_notice)
        self._resync_timer = QTimer(self, interval=resync_ms)
        self._resync_timer.timeout.connect(self.schedule_refresh)

    def start(self) -> None:
        self._stopped = False
        self.stream = self._make_stream(self.bridge)
        self.stream.start()
        self.load_notice()  # and the centre's name
        self._notice_timer.start()
        self._resync_timer.start()

    def stop(self) -> None:
        """Stop the stream and wait for HTTP reads in flight; no signal follows."""
        if self._stopped:
            return
        self._stopped = True
        self.bridge.close()
        self._notice_timer.stop()
        self._resync_timer.stop()
        self._debounce.stop()
        if self.stream is not None:
            self.stream.stop()
        self.runner.wait()
        if self.announcer is not None:
            self.announcer.clear()

    # --- the stream (GUI thread, through the bridge) ---------------------------------------------------

    def _connection(self, connected: bool) -> None:
        if connected != self.online:
            self.online = connected
            self.connection_changed.emit(connected)
        if connected:
            self.load_notice()  # the service may have been restarted with another notice

    def _stream_snapshot(self, queue: dict[str, Any]) -> None:
        self._snapshot(queue, authoritative=True)

    def _snapshot(self, queue: dict[str, Any], *, authoritative: bool = False) -> None:
        had_call = self.state.last_call
        if self.state.apply_snapshot(queue, authoritative=authoritative):
            if had_call is not None and self.state.last_call is None:
                self.called.emit(None)  # a new day, or a service reset
            self.changed.emit()

    def _event(self, event: dict[str, Any]) -> None:
        had_call = self.state.last_call
        applied = self.state.apply_event(event)
        call = applied.call
        if call is not None:
            self.called.emit(call)  # the screen first: it must not wait for the voice
            if self.announcer is not None:
                self.announcer.announce(call.number, call.counter_name, recall=call.recall)
        elif self.state.last_call is not had_call:
            self.called.emit(self.state.last_call)  # a new day (None), or a call seen late: shown, not said
        if applied.fresh:
            self.changed.emit()
        if applied.resync:
            self.schedule_refresh()

    # --- HTTP reads (worker threads) -------------------------------------------------------------------

    def schedule_refresh(self) -> None:
        """One re-fetch for a burst of events; one more if events arrive while it is on its way."""
        if self._stopped:
            return
        if self._refreshing:
            self._refresh_again = True
        elif not self._debounce.isActive():
            self._debounce.start()

    def refresh(self) -> None:
        if self._stopped or self._refreshing:
            return
        self._refreshing = True
        self.runner.run(self.client.queue, self._fetched, self._fetch_failed)

    def _fetched(self, queue: dict[str, Any]) -> None:
        self._refreshing = False
        if self._stopped:
            return
        self._snapshot(queue)
        if self._refresh_again:
            self._refresh_again = False
            self.schedule_refresh()

    def _fetch_failed(self, exc: Exception) -> None:
        self._refreshing = False
        self._refresh_again = False
        log.info("display: cannot re-fetch the queue: %s", getattr(exc, "message", exc))

    def load_centre(self) -> None:
        def done(health: dict[str, Any]) -> None:
            name = str(health.get("centre") or "")
            if name and name != self.centre_name and not self._stopped:
                self.centre_name = name
                self.centre_changed.emit(name)

        self.runner.run(self.client.health, done, lambda _exc: None)

    def load_notice(self) -> None:
        if self._stopped:
            return
        client = self.client

        def done(text: str) -> None:
            if text != self.notice and not self._stopped:
                self.notice = text
                self.notice_changed.emit(text)

        self.runner.run(lambda: fetch_notice(client), done, lambda _exc: None)
        if not self.centre_name:
            self.load_centre()

    @property
    def call(self) -> Call | None:
        return self.state.last_call
