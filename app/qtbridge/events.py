"""The service's event stream as Qt signals, always emitted on the GUI thread.

`EventStream` calls back on its own thread; widgets may only be touched on the GUI thread. `EventBridge`
gives the stream plain callables (`on_snapshot`, `on_event`, `on_connection`) that post to the bridge's
thread through a queued connection, where the public signals are emitted. Anything connected to the
public signals, a lambda included, therefore runs on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypedDict

from PySide6.QtCore import QObject, Qt, Signal, Slot


class Stream(Protocol):
    """What `EventStream` and `FakeEventStream` both offer."""

    @property
    def connected(self) -> bool: ...

    @property
    def last_seq(self) -> int | None: ...

    def start(self) -> None: ...

    def stop(self, timeout: float = 1.0) -> None: ...

    def reconnect(self) -> None: ...


class StreamCallbacks(TypedDict):
    on_snapshot: Callable[[dict[str, Any]], None]
    on_event: Callable[[dict[str, Any]], None]
    on_connection: Callable[[bool], None]


StreamFactory = Callable[["EventBridge"], Stream]


def default_stream_factory(client: Any, *, token: Callable[[], str | None] | None = None) -> StreamFactory:
    """`EventStream` for a `QueueClient` (the centre's CA under https; `token` asked at each connect, else the
    public view), `FakeEventStream` (delivering as commits happen) for the in-process fake."""

    def make(bridge: EventBridge) -> Stream:
        if hasattr(client, "store"):  # FakeQueueClient
            from app.client.fake import FakeEventStream

            return FakeEventStream(client, auto=True, **bridge.callbacks())
        from app.client.events import EventStream

        ca_file = getattr(client, "ca_file", None)
        return EventStream(client.base_url, reconnect_delay=(0.2, 5.0), ca_file=ca_file, token=token,
                           **bridge.callbacks())  # fmt: skip

    return make


class EventBridge(QObject):
    snapshot = Signal(object)  # the day's queue, as GET /api/queue returns it
    received = Signal(object)  # an event: {"type": "event", "seq", "kind", "payload", "at"}
    connection = Signal(bool)  # on changes only

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

    def callbacks(self) -> StreamCallbacks:
        """Keyword arguments for `EventStream(...)` / `FakeEventStream(...)`."""
        return {"on_snapshot": self.on_snapshot, "on_event": self.on_event, "on_connection": self.on_connection}

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
        else:
            self.connection.emit(bool(payload))
