"""The events WebSocket (/api/events): catch a client up from its `seq` (a replay of what it missed, or the day's
snapshot), then push the live events in seq order, and let go of a client too slow for the stream (1013).

A client without a token (a smart-TV board) gets the same without priority categories and clerks. A live event is
encoded once per view however many clients it goes to (broadcast.Outgoing); a snapshot is shaped by the store in
the view the client may see and not kept once sent.

A device that was unpaired is closed with 4401 `device_unpaired`: refused when it connects, and at once when it is
unpaired while connected (the registry tells the broadcaster), so its app stops retrying and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from app.service.broadcast import Broadcaster, Outgoing, Subscription
from app.store.queue_store import QueueStore
from app.store.writer import Event

log = logging.getLogger(__name__)

# What a hall board never shows: who is disabled, pregnant…, and which clerk did what.
PRIVATE_KEYS = frozenset({"priority", "priority_granted_by", "clerk"})
# A send blocked this long: the client's TCP window stayed shut. Below uvicorn's keepalive (ping every 20 s,
# 20 s for the pong), which would otherwise drop the client first with 1011.
SEND_STALL_S = 15.0
SLOW_CLIENT_CLOSE_TIMEOUT_S = 10.0
# 4000-4999 are the application's own close codes; 4401 echoes HTTP's 401, and the reason is the error code the
# HTTP routes answer the same token with (pairing_routes.UnpairedTokens).
UNPAIRED_CLOSE = 4401
UNPAIRED_REASON = "device_unpaired"


def public_view(value: Any) -> Any:
    """The same queue data without the fields a public board must not carry (any depth)."""
    if isinstance(value, dict):
        return {k: public_view(v) for k, v in value.items() if k not in PRIVATE_KEYS}
    if isinstance(value, list):
        return [public_view(v) for v in value]
    return value


def event_text(event: Event, *, public: bool) -> str:
    """An event message as sent: JSON text, as Starlette's send_json writes it."""
    message = {"type": "event", **event.to_dict()}
    return _json(public_view(message) if public else message)


def _json(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class _SeqGap(Exception):
    """The replay met a hole in the seqs: the day roll pruned part of what the client missed while it was read."""


async def refuse_unpaired(ws: WebSocket) -> None:
    """Accept, then close with 4401: a close before accepting reaches the client as a bare HTTP 403, without the
    code that tells it to stop retrying."""
    await ws.accept()
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await ws.close(code=UNPAIRED_CLOSE, reason=UNPAIRED_REASON)


async def stream_events(ws: WebSocket, store: QueueStore, broadcaster: Broadcaster, since: int | None, *,
                        public: bool = False, device_id: int | None = None) -> None:  # fmt: skip
    """Replay what a client missed (or send a fresh snapshot), then push live events in seq order. `device_id`:
    the device whose token opened the socket, closed with 4401 if it is unpaired meanwhile."""
    await ws.accept()
    # subscribe before reading so nothing falls between
    stream = _Stream(ws, broadcaster.subscribe(device_id), public)
    try:
        last = await stream.catch_up(store, since)
        if last is not None:
            await stream.live(last)
        if not await stream.close_if_unpaired():
            await stream.close_if_slow()
    except WebSocketDisconnect:
        pass
    finally:
        stream.end()


class _Stream:
    def __init__(self, ws: WebSocket, sub: Subscription, public: bool) -> None:
        self.ws = ws
        self.sub = sub
        self.public = public
        # Watch the socket too: an idle client that leaves must end the handler at once, or shutdown waits for it
        # until the next event happens to arrive.
        self.gone = asyncio.create_task(_until_disconnect(ws))
        # And watch the subscription: a client that stops reading blocks a send, and only this wakes it.
        self.lagging = asyncio.create_task(sub.lagging.wait())
        # And the device's pairing: unpaired from the dashboard, the socket is closed within the loop's next turn.
        self.revoked = asyncio.create_task(sub.unpaired.wait())

    async def catch_up(self, store: QueueStore, since: int | None) -> int | None:
        """Send what the client missed: the seq it is then up to, or None when it left or is too slow."""
        oldest, newest = await run_in_threadpool(store.seq_range)
        # Replay only from a position this database continues: a client with none, one further behind than the
        # events kept (the day roll pruned what it missed) or one ahead of the database (a restored or replaced
        # data folder) gets a snapshot, as does one whose replay races the day roll's prune.
        if since is not None and not (oldest and since < oldest - 1) and since <= newest:
            try:
                return await self._replay(store, since, newest)
            except _SeqGap as gap:
                log.info("events: %s; sending a snapshot instead", gap)
        return await self._snapshot(store)

    async def _replay(self, store: QueueStore, since: int, newest: int) -> int | None:
        """Send every event after `since`. Seqs run consecutively from the oldest kept (a job that fails gives
        its seq back), so a jump, or an end short of `newest` (the newest when the client came), means the day
        roll pruned part of the range after seq_range was read: _SeqGap, never a silent skip."""
        last = since
        while page := await run_in_threadpool(store.events_since, last):
            for event in page:
                if event.seq != last + 1:
                    raise _SeqGap(f"replay from seq {since} jumped from {last} to {event.seq}")
                if not await self.send(event_text(event, public=self.public)):
                    return None
                last = event.seq
        if last < newest:
            raise _SeqGap(f"replay from seq {since} ended at {last}, before {newest}")
        return last

    async def _snapshot(self, store: QueueStore) -> int | None:
        snapshot = await run_in_threadpool(store.snapshot, public=self.public)  # shaped in the client's view
        seq = int(snapshot["seq"])
        return seq if await self.send(_json({"type": "snapshot", "seq": seq, "queue": snapshot})) else None

    async def live(self, last: int) -> None:
        """Push committed events after `last` until the client leaves or falls too far behind."""
        while not self.sub.overflowed and not self.sub.unpaired.is_set():
            next_item = asyncio.ensure_future(self.sub.queue.get())
            await asyncio.wait({next_item, self.gone, self.revoked}, return_when=asyncio.FIRST_COMPLETED)
            if not next_item.done():
                next_item.cancel()
                return
            item = next_item.result()
            if item.seq <= last:
                continue  # already sent by the catch-up
            if not await self.send(_live_text(item, self.public)):
                return
            last = item.seq

    async def send(self, text: str) -> bool:
        """Send one message; False when the client left, or is too slow: `QUEUE_LIMIT` events behind, or this
        send blocked for SEND_STALL_S (then the subscription is marked overflowed)."""
        sending = asyncio.ensure_future(self.ws.send_text(text))
        await asyncio.wait({sending, self.gone, self.lagging, self.revoked}, timeout=SEND_STALL_S,
                           return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        if sending.done():
            sending.result()  # a disconnect surfaces as WebSocketDisconnect
            return True
        if not self.gone.done() and not self.revoked.done():
            self.sub.mark_overflowed()
        sending.cancel()  # waiting for the client's TCP window to open: nothing of this message was written
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await sending
        return False

    async def close_if_unpaired(self) -> bool:
        """Close with 4401 if the device was unpaired while connected; whether it was."""
        if not self.sub.unpaired.is_set():
            return False
        log.info("events: closing the socket of unpaired device %s with %s", self.sub.device_id, UNPAIRED_CLOSE)
        with contextlib.suppress(TimeoutError, WebSocketDisconnect, RuntimeError):
            await asyncio.wait_for(self.ws.close(code=UNPAIRED_CLOSE, reason=UNPAIRED_REASON),
                                   SLOW_CLIENT_CLOSE_TIMEOUT_S)  # fmt: skip
        return True

    async def close_if_slow(self) -> None:
        """Close a client that fell too far behind with 1013 (Try Again Later): it reconnects with `since`.

        Under `serve` the close frame is queued at once behind what the client has not read yet (protocols.py),
        so the client reads its backlog, then 1013. The timeout guards servers whose close waits for the client.
        """
        if not self.sub.overflowed:
            return  # the client left by itself
        log.info(
            "events: closing a client too slow for the stream (%s events waiting) with 1013", self.sub.queue.qsize()
        )
        with contextlib.suppress(TimeoutError, WebSocketDisconnect, RuntimeError):
            await asyncio.wait_for(
                self.ws.close(code=1013, reason="client too slow; reconnect with since"), SLOW_CLIENT_CLOSE_TIMEOUT_S
            )

    def end(self) -> None:
        self.gone.cancel()
        self.lagging.cancel()
        self.revoked.cancel()
        self.sub.close()


def _live_text(item: Outgoing, public: bool) -> str:
    """The event's text in this view, encoded by the first client that sends it and reused by the others."""
    text = item.texts.get(public)
    if text is None:
        text = item.texts[public] = event_text(item.event, public=public)
    return text


async def _until_disconnect(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
