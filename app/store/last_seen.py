"""When each device last made a request, kept in memory and written behind to devices.last_seen.

A PC asks many times a minute (the counter polls, the kiosk issues): one write per request would put the hall's
busiest path behind the single writer for nothing the dashboard needs. So a device's time is written when it has
not been for WRITE_EVERY_S (its first request after a start, then at most once a minute), without waiting for the
commit; the rest stays in memory and `flush()` writes it when the service stops. A crash loses at most a minute.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from datetime import datetime, timedelta

from app.core.clock import Clock, to_iso
from app.store.writer import Tx, Writer

log = logging.getLogger(__name__)

WRITE_EVERY = timedelta(seconds=60)


class LastSeen:
    def __init__(self, writer: Writer, clock: Clock) -> None:
        self._writer = writer
        self._clock = clock
        self._lock = threading.Lock()  # requests come from the event loop and the thread pool at once
        self._seen: dict[int, datetime] = {}  # device id -> its latest request since the service started
        self._written: dict[int, datetime] = {}  # device id -> the time last handed to the writer

    def saw(self, device_id: int) -> None:
        """A request from this device now; hands a write to the writer at most once per WRITE_EVERY."""
        now = self._clock.now()
        with self._lock:
            self._seen[device_id] = now
            written = self._written.get(device_id)
            if written is not None and now - written < WRITE_EVERY:
                return
            self._written[device_id] = now
        # Not waited for: a request must not queue behind a commit to say it was here.
        self._writer.submit(lambda tx: _store(tx, {device_id: now})).add_done_callback(_log_failure)

    def latest(self) -> dict[int, datetime]:
        """Every device seen since the service started, with its latest request."""
        with self._lock:
            return dict(self._seen)

    def flush(self) -> None:
        """Write what is newer than the last write (the service is stopping); waits for the commit."""
        with self._lock:
            pending = {i: at for i, at in self._seen.items() if self._written.get(i) != at}
            self._written.update(pending)
        if pending:
            self._writer.run(lambda tx: _store(tx, pending))


def _store(tx: Tx, times: dict[int, datetime]) -> None:
    # MAX: a late write never moves a time back (ISO UTC with fixed microseconds sorts as text).
    tx.conn.executemany(
        "UPDATE devices SET last_seen = MAX(COALESCE(last_seen, ''), ?) WHERE id = ?",
        [(to_iso(at), device_id) for device_id, at in times.items()],
    )


def _log_failure(done: Future[None]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("last_seen: write failed: %s", done.exception())
