"""The kiosk's link to the centre service and the printer, all off the GUI thread.

A ticket is issued by the service (and so persisted) before anything is printed; a printer fault
leaves the number on screen with a reprint. Double taps never issue twice: one request at a time,
and each attempt carries an idempotency key the client reuses on retries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.catalog import Catalog
from app.qtbridge.tasks import TaskRunner
from printing.ticket_printer import PrintJob, TicketPrinter
from printing.tickets import counter_label, ticket_print

POLL_MS = 3000


@dataclass
class Issued:
    ticket: dict[str, Any]
    counters: tuple[str, ...]
    job: PrintJob | None  # None when the kiosk has no printer configured


class KioskController(QObject):
    snapshot_changed = Signal()
    connection_changed = Signal(bool)
    issued = Signal(object)  # Issued
    issue_failed = Signal(str)
    reprinted = Signal(object)  # PrintJob

    def __init__(
        self,
        client: Any,
        catalog: Catalog,
        printer: TicketPrinter | None,
        *,
        follow_base_url: str | None = None,
        poll_ms: int = POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.catalog = catalog
        self.printer = printer
        self.follow_base_url = follow_base_url
        self.runner = TaskRunner(self)
        self.snapshot: dict[str, Any] = {"groups": [], "counters": []}
        self.priorities: list[dict[str, str]] = []
        self.centre_name = ""
        self.online: bool | None = None
        self.issuing = False
        self._refreshing = False
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.runner.wait()

    # --- state from the service -------------------------------------------------------------

    def refresh(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True

        def fetch() -> tuple[dict[str, Any], list[dict[str, str]], str]:
            centre = self.centre_name or str(self.client.health().get("centre", ""))
            return self.client.queue(), self.priorities or self.client.priorities(), centre

        self.runner.run(fetch, self._fetched, self._fetch_failed)

    def _fetched(self, result: tuple[dict[str, Any], list[dict[str, str]], str]) -> None:
        self._refreshing = False
        self.snapshot, self.priorities, self.centre_name = result
        self._set_online(True)
        self.snapshot_changed.emit()

    def _fetch_failed(self, _exc: Exception) -> None:
        self._refreshing = False
        self._set_online(False)

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.connection_changed.emit(online)

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
        self.refresh()

    def _issue_error(self, exc: Exception) -> None:
        self.issuing = False
        message = getattr(exc, "message", "") or "Không lấy được số. Vui lòng thử lại hoặc hỏi cán bộ."
        if type(exc).__name__ == "ServiceUnavailable":
            self._set_online(False)
        self.issue_failed.emit(str(message))

    def reprint(self, job: PrintJob) -> None:
        if self.printer is None:
            return
        printer = self.printer
        self.runner.run(lambda: printer.reprint(job.id), self.reprinted.emit, lambda exc: self.reprinted.emit(job))
