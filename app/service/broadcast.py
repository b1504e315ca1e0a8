"""Fan committed events out to WebSocket clients on the event loop.

Each client has a bounded queue. A client that falls `QUEUE_LIMIT` events behind (it stopped reading, or reads
slower than the centre changes) is marked `overflowed` and its handler is woken through `lagging`, even while
it waits on a send that the client's full TCP window blocks; the handler then closes it with 1013.
Every client's queue holds the same `Outgoing` for an event, so its text is encoded once per view, not per client.
A device unpaired from the dashboard has its subscriptions' `unpaired` set, which wakes their handlers the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from app.store.writer import Event

QUEUE_LIMIT = 5_000


@dataclass(eq=False)
class Outgoing:
    """A committed event on its way to the clients, with its text per view (full, public) once encoded."""

    event: Event
    texts: dict[bool, str] = field(default_factory=dict)

    @property
    def seq(self) -> int:
        return self.event.seq


class Subscription:
    def __init__(self, unsubscribe: Callable[[Subscription], None], device_id: int | None = None) -> None:
        self.queue: asyncio.Queue[Outgoing] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False
        self.lagging = asyncio.Event()  # set with `overflowed`: wakes a handler blocked on a send
        self.device_id = device_id  # the device whose token opened it (None: public board, a person's session)
        self.unpaired = asyncio.Event()  # that device was unpaired: the handler closes the socket
        self._unsubscribe = unsubscribe

    def mark_overflowed(self) -> None:
        self.overflowed = True
        self.lagging.set()

    def close(self) -> None:
        self._unsubscribe(self)


class Broadcaster:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._subs: set[Subscription] = set()
        self._unpaired: set[int] = set()  # device ids unpaired while running: a socket racing its revoke is caught

    def subscribe(self, device_id: int | None = None) -> Subscription:
        sub = Subscription(self._subs.discard, device_id)
        if device_id is not None and device_id in self._unpaired:
            sub.unpaired.set()
        self._subs.add(sub)
        return sub

    def unpair_threadsafe(self, device_id: int) -> None:
        """Called after an unpairing's commit, on whatever thread ran it."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._unpair, device_id)

    def _unpair(self, device_id: int) -> None:
        self._unpaired.add(device_id)
        for sub in list(self._subs):
            if sub.device_id == device_id:
                sub.unpaired.set()

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish_threadsafe(self, events: list[Event]) -> None:
        """Called by the store's writer thread after a commit."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._publish, events)

    def _publish(self, events: list[Event]) -> None:
        outgoing = [Outgoing(event) for event in events]
        for sub in list(self._subs):
            if sub.overflowed:
                continue  # being closed; its queue is not read any more
            for item in outgoing:
                try:
                    sub.queue.put_nowait(item)
                except asyncio.QueueFull:
                    # A client this far behind is told to reconnect and catch up by seq.
                    sub.mark_overflowed()
                    break
