"""The service's event stream as Qt signals, always emitted on the GUI thread.

`EventStream` calls back on its own thread; widgets may only be touched on the GUI thread. `EventBridge`
gives the stream plain callables (`on_snapshot`, `on_event`, `on_connection`) that post to the bridge's
thread through a queued connection, where the public signals are emitted. Anything connected to the
public signals, a lambda included, therefore runs on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.client.api import QueueApi, Stream, StreamCallbacks, TokenSource

StreamFactory = Callable[["EventBridge"], Stream]


def default_stream_factory(client: QueueApi, *, token: TokenSource | None = None,
                           reconnect_delay: tuple[float, float] = (0.2, 5.0)) -> StreamFactory:  # fmt: skip
    """The client's own event stream (`QueueApi.event_stream`), delivering to the bridge; `token` is asked at each
    connect (without one, the public board's view)."""

    def make(bridge: EventBridge) -> Stream:
        return client.event_stream(token=token, reconnect_delay=reconnect_delay, **bridge.callbacks())

    return make


class EventBridge(QObject):
    snapshot = Signal(object)  # the day's queue, as GET /api/queue returns it
    received = Signal(object)  # an event: {"type": "event", "seq", "kind", "payload", "at"}
    connection = Signal(bool)  # on changes only
    unpaired = Signal(str)  # the service refused this PC as unpaired: the Vietnamese message; the stream has stopped

    _posted = Signal(str, object)  # emitted on any thread, delivered on the bridge's

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.closed = False
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # --- the stream's callbacks: any thread -------------------------------------------------------

    def on_snapshot(self, queue: dict[str, Any]) -> None:
        self._post("snapshot", queue)

    def on_event(self, event: dict[str, Any]) -> None:
        self._post("event", event)

    def on_connection(self, connected: bool) -> None:
        self._post("connection", connected)

    def on_unpaired(self, message: str) -> None:
        self._post("unpaired", message)

    def callbacks(self) -> StreamCallbacks:
        """Keyword arguments for `EventStream(...)` / `FakeEventStream(...)`."""
        return {
            "on_snapshot": self.on_snapshot,
            "on_event": self.on_event,
            "on_connection": self.on_connection,
            "on_unpaired": self.on_unpaired,
        }

    def close(self) -> None:
        """Nothing more is emitted (posts still in the event queue are dropped)."""
        self.closed = True

    def _post(self, kind: str, payload: object) -> None:
        if not self.closed:
            self._posted.emit(kind, payload)

    # --- the bridge's thread ------------------------------------------------------------------------

    @Slot(str, object)
    def _deliver(self, kind: str, payload: object) -> None:
        if self.closed:
            return
        if kind == "snapshot":
            self.snapshot.emit(payload)
        elif kind == "event":
            self.received.emit(payload)
        elif kind == "unpaired":
            self.unpaired.emit(str(payload))
        else:
            self.connection.emit(bool(payload))


__all__ = ["EventBridge", "Stream", "StreamCallbacks", "StreamFactory", "default_stream_factory"]
