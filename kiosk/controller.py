"""The kiosk's link to the centre service and the printer, all off the GUI thread.

A ticket is issued by the service (and so persisted) before anything is printed; a printer fault
leaves the number on screen with a reprint. Double taps never issue twice: one request at a time,
and each attempt carries an idempotency key the client reuses on retries.

What the hall looks like (groups open or closed, how many wait, which counters serve a group) comes from the
event stream into the hall model (app/client/hall.py), like the counter and the hall display. GET /api/queue is
fetched at start, when the model asks for a resync, every `resync_ms` (opening hours move with the clock, not
with events), and every `poll_ms` only while the stream is down or the service stops answering HTTP. `online`
follows HTTP, which issuing needs; the stream only keeps the picture fresh.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.client.api import QueueApi
from app.client.hall import HallModel
from app.client.queue_client import ServiceError, ServiceUnavailable
from app.core.catalog import Catalog, CatalogError, parse_catalog
from app.qtbridge.events import EventBridge, Stream, StreamFactory, default_stream_factory
from app.qtbridge.tasks import TaskRunner
from printing.ticket_printer import PrintJob, TicketPrinter
from printing.tickets import counter_label, ticket_print

POLL_MS = 10_000  # while the event stream is down (or HTTP fails): a snapshot this often
RESYNC_MS = 60_000  # while it is up: a snapshot now and then for group opening hours and daily caps
CATALOG_S = 300.0  # a centre's imported catalogue reaches the kiosk without a restart
CHANGED_MS = 50  # a burst of events repaints the screens once


@dataclass
class Fetched:
    snapshot: dict[str, Any]
    priorities: list[dict[str, str]]
    centre: str
    catalog: Catalog | None


@dataclass
class Issued:
    ticket: dict[str, Any]
    counters: tuple[str, ...]
    job: PrintJob | None  # None when the kiosk has no printer configured


class KioskController(QObject):
    snapshot_changed = Signal()
    catalog_changed = Signal()
    connection_changed = Signal(bool)
    issued = Signal(object)  # Issued
    issue_failed = Signal(str)
    reprinted = Signal(object)  # PrintJob

    def __init__(
        self,
        client: QueueApi,
        catalog: Catalog,
        printer: TicketPrinter | None,
        *,
        follow_base_url: str | None = None,
        poll_ms: int = POLL_MS,
        resync_ms: int = RESYNC_MS,
        stream_factory: StreamFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.catalog = catalog
        self.printer = printer
        self.follow_base_url = follow_base_url
        self.runner = TaskRunner(self)
        self.hall = HallModel()
        self.snapshot: dict[str, Any] = {"groups": [], "counters": []}  # the hall in GET /api/queue's shape
        self.priorities: list[dict[str, str]] = []
        self.centre_name = ""
        self.online: bool | None = None
        self.issuing = False
        self.stream_up = False
        self._refreshing = False
        self._catalog_at: float | None = None  # monotonic time of the last catalogue fetch
        self._poll_ms, self._resync_ms = poll_ms, resync_ms
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        self._changed = QTimer(self, singleShot=True, interval=CHANGED_MS)
        self._changed.timeout.connect(self._publish)
        self.bridge = EventBridge(self)
        self.bridge.snapshot.connect(self._stream_snapshot)
        self.bridge.received.connect(self._event)
        self.bridge.connection.connect(self._stream_connection)
        self._make_stream = stream_factory or default_stream_factory(client)  # the public view: no personal data
        self.stream: Stream | None = None
        self._running = False  # between start() and stop(): a bare refresh() (screenshots) starts no stream

    def start(self) -> None:
        self._running = True
        self.refresh()  # the stream starts once this first fetch is back: the catalogue comes first
        self.timer.start()

    def stop(self) -> None:
        self._running = False
        self.timer.stop()
        self._changed.stop()
        self.bridge.close()
        if self.stream is not None:
            self.stream.stop()
        self.runner.wait()

    # --- state from the service -------------------------------------------------------------

    def refresh(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True
        want_catalog = self._catalog_at is None or time.monotonic() - self._catalog_at >= CATALOG_S

        def fetch() -> Fetched:
            centre = self.centre_name or str(self.client.health().get("centre", ""))
            catalog = self._centre_catalog() if want_catalog else None
            return Fetched(self.client.queue(), self.priorities or self.client.priorities(), centre, catalog)

        if want_catalog:
            self._catalog_at = time.monotonic()
        self.runner.run(fetch, self._fetched, self._fetch_failed)

    def _centre_catalog(self) -> Catalog | None:
        """The centre's own catalogue (its fees and times); None keeps the one shown (an old service, a bad file)."""
        try:
            return parse_catalog(self.client.catalog())
        except (CatalogError, ServiceError):
            return None

    def _fetched(self, result: Fetched) -> None:
        self._refreshing = False
        self.hall.apply_snapshot(result.snapshot)  # dropped when the stream already brought newer news
        self.priorities, self.centre_name = result.priorities, result.centre
        if result.catalog is not None and result.catalog != self.catalog:
            self.catalog = result.catalog
            self.catalog_changed.emit()
        self._set_online(True)
        self._publish()
        self._start_stream()

    def _fetch_failed(self, _exc: Exception) -> None:
        self._refreshing = False
        self._catalog_at = None  # ask for it again with the next fetch that works
        self._set_online(False)
        self._start_stream()

    def _start_stream(self) -> None:
        if self.stream is None and self._running:
            self.stream = self._make_stream(self.bridge)
            self.stream.start()

    def _stream_snapshot(self, queue: dict[str, Any]) -> None:
        if self.hall.apply_snapshot(queue, authoritative=True):
            self._changed.start()

    def _event(self, event: dict[str, Any]) -> None:
        applied = self.hall.apply_event(event)
        if applied.fresh and not self._changed.isActive():
            self._changed.start()
        if applied.resync:  # a gap in seq, a new day
            self.refresh()

    def _stream_connection(self, up: bool) -> None:
        self.stream_up = up
        self._update_timer()
        if not up or not self.online:
            self.refresh()  # down: can tickets still be issued? back up: say so as soon as HTTP answers

    def _publish(self) -> None:
        if self.hall.loaded:
            self.snapshot = self.hall.snapshot()
        self.snapshot_changed.emit()

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.connection_changed.emit(online)
        self._update_timer()

    def _update_timer(self) -> None:
        """Poll fast while the stream is down or HTTP fails; otherwise only the slow resync."""
        wanted = self._resync_ms if self.stream_up and self.online else self._poll_ms
        if self.timer.interval() != wanted:
            self.timer.setInterval(wanted)

    def group(self, code: str) -> dict[str, Any] | None:
        return next((g for g in self.snapshot.get("groups", []) if g["code"] == code), None)

    def counters_for(self, group: str) -> tuple[str, ...]:
        return tuple(counter_label(c) for c in self.snapshot.get("counters", []) if group in c.get("groups", {}))

    # --- issuing and printing ---------------------------------------------------------------

    def issue(self, group: str, priority: str | None = None, procedure: str | None = None) -> bool:
        """False when a ticket is already being issued (a second tap) or the service is down."""
        if self.issuing or self.online is False:
            return False
        self.issuing = True
        key = str(uuid.uuid4())
        groups, counters, priorities = (
            self.snapshot.get("groups", []),
            self.snapshot.get("counters", []),
            self.priorities,
        )

        def work() -> Issued:
            ticket = self.client.issue(group, priority, idempotency_key=key)
            job = None
            if self.printer is not None:
                data = ticket_print(
                    ticket, centre_name=self.centre_name, groups=groups, counters=counters,
                    priorities=priorities, base_url=self.follow_base_url,
                )  # fmt: skip
                if procedure:
                    data = replace(data, procedure=procedure)
                job = self.printer.print_ticket(data)
            return Issued(ticket, self.counters_for(group), job)

        self.runner.run(work, self._issued, self._issue_error)
        return True

    def _issued(self, result: Issued) -> None:
        self.issuing = False
        self.issued.emit(result)
        if not self.stream_up:
            self.refresh()  # the stream brings the new waiting count when it is up

    def _issue_error(self, exc: Exception) -> None:
        self.issuing = False
        message = exc.message if isinstance(exc, ServiceError) else ""
        if isinstance(exc, ServiceUnavailable):
            self._set_online(False)
        self.issue_failed.emit(message or "Không lấy được số. Quý khách vui lòng thử lại hoặc hỏi cán bộ.")

    def reprint(self, job: PrintJob) -> None:
        if self.printer is None:
            return
        printer = self.printer
        self.runner.run(lambda: printer.reprint(job.id), self.reprinted.emit, lambda exc: self.reprinted.emit(job))
