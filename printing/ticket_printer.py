"""Print a queue ticket and keep it for a reprint: the kiosk's one call into printing.

The ticket is already persisted by the centre service when this runs; a printer fault is returned, not
raised, so the kiosk can show the number on screen with a reprint button. Runs on a worker thread.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from printing.connection import PrinterStatus, ThermalPrinter
from printing.errors import PrintError
from printing.layouts import TicketPrint, ticket_document
from printing.raster import render_roll

JobState = Literal["printed", "failed"]


@dataclass
class PrintJob:
    id: int
    ticket: TicketPrint
    state: JobState
    image: Image.Image | None = None  # rendered once, resent as is on reprint
    error: PrintError | None = None
    status: PrinterStatus | None = None

    @property
    def message(self) -> str:
        """What the citizen or clerk reads."""
        if self.error is not None:
            return self.error.for_people()
        if self.status is not None and self.status.paper == "near_end":
            return "Đã in phiếu. Máy in sắp hết giấy, vui lòng báo cán bộ."
        return "Đã in phiếu."


class TicketPrinter:
    def __init__(self, url: str, width_dots: int, *, keep: int = 50) -> None:
        self.printer = ThermalPrinter(url)  # a bad URL fails here, at start-up, not at the first citizen
        self.width_dots = width_dots
        self._keep = keep
        self._jobs: OrderedDict[int, PrintJob] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()  # one job at a time on the wire

    def print_ticket(self, ticket: TicketPrint) -> PrintJob:
        job = PrintJob(next(self._ids), ticket, "failed")
        self._send(job)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)
        return job

    def reprint(self, job_id: int) -> PrintJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise KeyError(job_id)
        self._send(job)
        return job

    def status(self) -> PrinterStatus:
        """The printer's state now, e.g. whether paper is back after a paper-out (unreadable on spooler and file
        links); raises PrintError when the printer cannot be reached. Never while a job is on the wire."""
        with self._lock:
            return self.printer.status()

    def failed(self) -> list[PrintJob]:
        with self._lock:
            return [j for j in self._jobs.values() if j.state == "failed"]

    def _send(self, job: PrintJob) -> None:
        with self._lock:
            try:
                if job.image is None:
                    job.image = render_roll(ticket_document(job.ticket, self.width_dots).pages[0], self.width_dots)
                job.status = self.printer.print_image(job.image)
                job.state, job.error = "printed", None
            except PrintError as exc:
                job.state, job.error = "failed", exc
