"""The service's live events, kept flowing across disconnects.

`EventStream` runs one daemon thread that holds a WebSocket to `/api/events`. The first connection asks
for a snapshot; every later one asks for what came after the last `seq` seen, so nothing is missed and
nothing is delivered twice. Callbacks run on the stream's thread: a Qt user re-emits them as signals
(queued to the GUI thread) and never touches widgets from the callback itself.

One close ends the retrying: 4401, this PC was unpaired from the centre. Retrying could never succeed, and a
screen that only said "reconnecting" would send someone to check the network instead of pairing again.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from app.core.pairing import UNPAIRED
from app.pinned_ca import ssl_context

log = logging.getLogger(__name__)

TRY_AGAIN_LATER = 1013  # the service closes a client that cannot keep up; it should come back with `since`
UNPAIRED_CLOSE = 4401  # this PC's token was revoked (app/service/event_stream.py); reason "device_unpaired"
UNPAIRED_MESSAGE = UNPAIRED  # app/core/pairing.py: the same words as the API's 401


def events_url(base_url: str, since: int | None = None) -> str:
    """ws(s)://host:port/api/events[?since=N] for the service at http(s)://host:port."""
    parts = urlsplit(base_url.rstrip("/"))
    scheme = "wss" if parts.scheme in ("https", "wss") else "ws"
    query = f"since={since}" if since is not None else ""
    return urlunsplit((scheme, parts.netloc, parts.path + "/api/events", query, ""))


class EventStream:
    """Snapshot, then every event in `seq` order exactly once, reconnecting by itself.

    on_snapshot(queue): the day's queue (as `QueueClient.queue()` returns it); sent first, and again if the
    service can no longer replay what was missed. on_event(event): `{"type": "event", "seq", "kind",
    "payload", "at"}`. on_connection(connected): on changes only (the first failed attempt counts as one).
    on_unpaired(message): the service closed the socket with 4401; the stream has stopped for good and `message`
    (Vietnamese) says what to do.
    `ca_file`: the centre's pinned CA, needed for an https/wss address (`app.pinned_ca.CaFileError` without it).
    """

    def __init__(
        self,
        base_url: str,
        *,
        on_snapshot: Callable[[dict[str, Any]], None],
        on_event: Callable[[dict[str, Any]], None],
        on_connection: Callable[[bool], None],
        on_unpaired: Callable[[str], None] | None = None,
        reconnect_delay: tuple[float, float] = (0.2, 5.0),
        open_timeout: float = 5.0,
        token: Callable[[], str | None] | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.base_url = base_url
        self._ssl = ssl_context(base_url, ca_file)  # wss: trust the centre's CA only
        self._token = token  # asked at each connect: without one the service sends the public board's view
        self._rejoin = threading.Event()
        self._on_snapshot = on_snapshot
        self._on_event = on_event
        self._on_connection = on_connection
        self._on_unpaired = on_unpaired
        self._unpaired = threading.Event()
        self._delay_min, self._delay_max = reconnect_delay
        self._open_timeout = open_timeout
        self._last_seq: int | None = None
        self._delivered = 0  # messages delivered over all connections
        self._connected: bool | None = None  # unknown until the first attempt ends one way or the other
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ws: ClientConnection | None = None
        self._thread: threading.Thread | None = None
        self._random = random.Random()  # noqa: S311 - jitter, not cryptography

    @property
    def last_seq(self) -> int | None:
        """The seq of the last snapshot or event delivered (None before the first snapshot)."""
        return self._last_seq

    @property
    def connected(self) -> bool:
        return bool(self._connected)

    @property
    def unpaired(self) -> bool:
        """The service said this PC was unpaired; the stream has stopped."""
        return self._unpaired.is_set()

    def wait_unpaired(self, timeout: float | None = None) -> bool:
        """Block until the service says this PC was unpaired (True), or `timeout` s pass (False)."""
        return self._unpaired.wait(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the stream's thread to end (after stop(), or once the PC was unpaired); whether it has."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("EventStream already started")
        self._thread = threading.Thread(target=self._run, name="event-stream", daemon=True)
        self._thread.start()

    def reconnect(self) -> None:
        """Connect again for a fresh snapshot, without showing a disconnection: after a sign-in the token shows
        the full view (priority categories) that the public one left out."""
        self._rejoin.set()
        with self._lock:
            ws = self._ws
        if ws is not None:
            try:
                ws.close()  # the thread reconnects by itself
            except Exception:  # already broken: the thread notices on its own
                log.debug("reconnect: socket already closed")

    def stop(self, timeout: float = 1.0) -> None:
        """Close the socket and wait (up to `timeout` s) for the thread; no callback runs afterwards."""
        self._stop.set()
        with self._lock:
            ws = self._ws
        if ws is not None:
            try:
                ws.close()  # wakes the thread's recv()
            except Exception:  # already broken: the thread notices on its own
                log.debug("closing the event socket failed", exc_info=True)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # --- the stream's thread -----------------------------------------------------------------

    def _run(self) -> None:
        delay = self._delay_min
        while not self._stop.is_set():
            delivered = self._delivered
            close_code = self._session()
            if self._stop.is_set():
                return
            if close_code == UNPAIRED_CLOSE:
                log.warning("event stream: this PC was unpaired from the centre; not reconnecting")
                self._set_connected(False)
                if self._on_unpaired is not None:
                    self._call(self._on_unpaired, UNPAIRED_MESSAGE)
                self._unpaired.set()  # after the callback: whoever waits on it finds the screen told
                return
            if self._rejoin.is_set() and close_code is not None:
                continue  # closed on purpose (reconnect()): straight back, banner untouched
            if close_code == TRY_AGAIN_LATER and self._delivered > delivered:
                log.info("event stream: the service asked us to catch up; reconnecting from seq %s", self._last_seq)
                continue  # still healthy, only behind: reconnect at once, banner untouched
            # (1013 before anything arrived: refused for too many sockets, so back off like any failure)
            if close_code is not None:
                delay = self._delay_min  # we were connected: start the backoff over
            self._set_connected(False)
            # Exponential backoff with jitter, so a restarted service is not hit by every screen at once.
            if self._stop.wait(self._random.uniform(delay / 2, delay)):
                return
            delay = min(delay * 2, self._delay_max)

    def _session(self) -> int | None:
        """One connection, until it ends. Returns its close code (0 when closed without one), or None
        when no connection was made."""
        fresh = self._rejoin.is_set()  # a snapshot now, in the view the current token allows
        self._rejoin.clear()
        url = events_url(self.base_url, None if fresh else self._last_seq)
        try:
            token = self._token() if self._token is not None else None
            headers = {"Authorization": f"Bearer {token}"} if token else None
            with connect(url, open_timeout=self._open_timeout, close_timeout=1.0, ping_interval=5, ping_timeout=10,
                         max_size=2**24, proxy=None, additional_headers=headers, ssl=self._ssl) as ws:  # fmt: skip
                with self._lock:
                    self._ws = ws
                    if self._stop.is_set():
                        return 0
                self._set_connected(True)
                try:
                    while not self._stop.is_set():
                        self._deliver(ws.recv())
                except ConnectionClosed as exc:
                    code = exc.rcvd.code if exc.rcvd is not None else 0
                    if not self._stop.is_set():
                        log.info("event stream closed (%s): %s", code, exc)
                    return code
                return 0
        except (OSError, WebSocketException) as exc:  # refused, timed out, not a websocket, bad address
            log.info("event stream: cannot connect to %s: %s", url, exc)
            return None
        except Exception:  # whatever it was, the thread must live on and retry
            log.exception("event stream: unexpected failure")
            return None
        finally:
            with self._lock:
                self._ws = None

    def _deliver(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
            kind = message["type"]
            seq = int(message["seq"])
        except (ValueError, KeyError, TypeError):
            log.warning("event stream: ignoring a malformed message")
            return
        if kind == "snapshot" and isinstance(message.get("queue"), dict):
            self._delivered += 1
            self._last_seq = seq
            self._call(self._on_snapshot, message["queue"])
        elif kind == "event":
            if self._last_seq is not None and seq <= self._last_seq:
                return  # already delivered before a reconnect
            if self._last_seq is not None and seq != self._last_seq + 1:
                log.warning("event stream: seq jumped from %s to %s", self._last_seq, seq)
            self._delivered += 1
            self._last_seq = seq
            self._call(self._on_event, message)

    def _set_connected(self, connected: bool) -> None:
        if self._connected is not connected:
            self._connected = connected
            self._call(self._on_connection, connected)

    def _call(self, callback: Callable[[Any], None], arg: Any) -> None:
        if self._stop.is_set():
            return  # a screen being torn down gets nothing after stop()
        # A failing screen must not stop the stream; the next event still arrives.
        try:
            callback(arg)
        except Exception:
            log.exception("event stream callback failed")
