"""Fan committed events out to WebSocket clients on the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.store.writer import Event

_QUEUE_LIMIT = 5_000


class Subscription:
    def __init__(self, unsubscribe: Callable[[Subscription], None]) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(_QUEUE_LIMIT)
        self.overflowed = False
        self._unsubscribe = unsubscribe

    def close(self) -> None:
        self._unsubscribe(self)


class Broadcaster:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._subs: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        sub = Subscription(self._subs.discard)
        self._subs.add(sub)
        return sub

    def publish_threadsafe(self, events: list[Event]) -> None:
        """Called by the store's writer thread after a commit."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._publish, events)

    def _publish(self, events: list[Event]) -> None:
        for sub in list(self._subs):
            for event in events:
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    # A client this far behind is told to reconnect and catch up by seq.
                    sub.overflowed = True
                    break
