"""The rating screen's link to the centre service, and what it shows when (everything on the GUI thread).

The event stream (through `EventBridge`) feeds a `HallModel`; a `ticket.finished` at this screen's counter, or a
(re)connection, asks the service what to rate (`rating_prompt`, on a worker thread): the visit its counter has
just finished, with the clerk's name, the centre's scale and the reasons. The phases:

    idle ──visit──▶ ask ──satisfied──▶ thanks ──6 s──▶ idle
                     │  └─low level──▶ reason ──reason or 30 s──▶ thanks
                     └──30 s, no tap──▶ idle

A visit is asked about once (a reconnection does not bring back one left unanswered). The first tap counts: a
second tap, on the same or another face, changes nothing. A rating is queued and sent with its own idempotency
key; when the service cannot be reached it stays queued and is sent again (every few seconds and on reconnecting)
with the same key, so it is never lost and never counted twice; the citizen sees the thanks at once either way.
A refusal (the visit is too old by now, another counter's) drops it with a log line; the citizen never sees an
error. Queued ratings live as long as the screen's process.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.client.api import QueueApi
from app.client.hall import HallModel
from app.client.queue_client import ServiceError, ServiceUnavailable
from app.qtbridge.events import EventBridge, Stream, StreamFactory, default_stream_factory
from app.qtbridge.tasks import TaskRunner

log = logging.getLogger(__name__)

ASK_TIMEOUT_MS = 30_000  # back to idle when nobody taps (the citizen has left)
THANKS_MS = 6_000
RETRY_MS = 5_000  # a queued rating is sent again this often while the service is unreachable
DEFAULT_LABELS = ("Không hài lòng", "Hài lòng", "Rất hài lòng")
DEFAULT_REASONS = ("Chờ lâu", "Thái độ chưa tốt", "Hướng dẫn chưa rõ", "Thiếu thông tin thủ tục", "Khác")


class Phase(StrEnum):
    IDLE = "idle"
    ASK = "ask"
    REASON = "reason"
    THANKS = "thanks"


@dataclass
class Queued:
    """A rating given on this screen and not yet kept by the service."""

    ticket_id: int
    level: int
    reason: str | None
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: int = 0


class RatingController(QObject):
    changed = Signal()  # the phase or what it shows changed
    connection_changed = Signal(bool)
    rated = Signal(object)  # the service kept a rating: its answer (`already_rated` when one was there first)
    dropped = Signal(object)  # a queued rating the service refused (ServiceError)

    def __init__(self, client: QueueApi, counter: int, *, stream_factory: StreamFactory | None = None,
                 ask_timeout_ms: int = ASK_TIMEOUT_MS, thanks_ms: int = THANKS_MS, retry_ms: int = RETRY_MS,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.client = client
        self.counter = counter
        self.hall = HallModel()
        self.online: bool | None = None
        self.centre_name = ""
        self.phase = Phase.IDLE
        self.visit: dict[str, Any] | None = None  # the visit shown (ask, reason, thanks)
        self.level: int | None = None  # the level chosen for it
        self.labels: tuple[str, ...] = DEFAULT_LABELS  # worst first
        self.satisfied_from = 2
        self.reasons: tuple[str, ...] = DEFAULT_REASONS
        self.queued: list[Queued] = []
        self._asked: set[int] = set()  # visits shown once already
        self._sending = False
        self._stopped = False
        self.runner = TaskRunner(self)
        self.bridge = EventBridge(self)
        self.bridge.snapshot.connect(self._snapshot)
        self.bridge.received.connect(self._event)
        self.bridge.connection.connect(self._connection)
        self._make_stream = stream_factory or default_stream_factory(client)
        self.stream: Stream | None = None
        self._phase_timer = QTimer(self, singleShot=True)
        self._phase_timer.timeout.connect(self._phase_timeout)
        self._ask_ms, self._thanks_ms = ask_timeout_ms, thanks_ms
        self._retry = QTimer(self, singleShot=True, interval=retry_ms)
        self._retry.timeout.connect(self.flush)

    # --- life ----------------------------------------------------------------------------------------

    def start(self) -> None:
        self._stopped = False
        self.stream = self._make_stream(self.bridge)
        self.stream.start()

    def stop(self) -> None:
        """Stop the stream and wait for requests in flight; no signal follows."""
        if self._stopped:
            return
        self._stopped = True
        self.bridge.close()
        self._phase_timer.stop()
        self._retry.stop()
        if self.stream is not None:
            self.stream.stop()
        self.runner.wait()

    @property
    def levels(self) -> int:
        return len(self.labels)

    def counter_name(self) -> str:
        for row in self.hall.counter_rows:
            if row.get("id") == self.counter and row.get("name"):
                return str(row["name"])
        return f"Quầy {self.counter}"

    # --- the stream (GUI thread) ----------------------------------------------------------------------

    def _connection(self, connected: bool) -> None:
        if connected == self.online:
            return
        self.online = connected
        self.connection_changed.emit(connected)
        if connected:
            self._load_centre()
            self.flush()
        self.changed.emit()

    def _snapshot(self, queue: dict[str, Any]) -> None:
        self.hall.apply_snapshot(queue, authoritative=True)
        self.fetch_prompt()  # a visit finished while the screen was away, still open to rating
        self.changed.emit()

    def _event(self, event: dict[str, Any]) -> None:
        self.hall.apply_event(event)
        if event.get("kind") != "ticket.finished":
            return
        payload = event.get("payload") or {}
        ticket = payload.get("ticket") or {}
        if str(payload.get("counter", ticket.get("counter"))) == str(self.counter):
            self.fetch_prompt()

    # --- what to ask (worker thread, answers on the GUI thread) -------------------------------------------

    def fetch_prompt(self) -> None:
        if not self._stopped:
            self.runner.run(lambda: self.client.rating_prompt(self.counter), self.prompted, self._prompt_failed)

    def _prompt_failed(self, exc: Exception) -> None:
        refused = isinstance(exc, ServiceError) and not isinstance(exc, ServiceUnavailable)
        # refused: a misconfigured screen (another counter's token, a revoked one), which the smoke test shows
        (log.warning if refused else log.info)("rating prompt: %s", getattr(exc, "message", exc))

    def prompted(self, answer: dict[str, Any]) -> None:
        """The service's answer to `rating_prompt`: take its scale and reasons, and ask about a new visit."""
        if self._stopped:
            return
        scale = answer.get("scale") or {}
        labels = tuple(str(x) for x in scale.get("labels") or ())
        if 2 <= len(labels) <= 5:
            self.labels = labels
            self.satisfied_from = int(scale.get("satisfied_from") or 2)
        reasons = tuple(str(x) for x in answer.get("reasons") or ())
        self.reasons = reasons or self.reasons
        visit = answer.get("visit")
        if isinstance(visit, dict) and int(visit["ticket_id"]) not in self._asked:
            self.ask(visit)
        else:
            self.changed.emit()

    def ask(self, visit: dict[str, Any]) -> None:
        """Show `visit` with the faces. A citizen still choosing a reason for the visit before has left the
        counter: their level is sent without one."""
        if self.phase is Phase.REASON and self.visit is not None and self.level is not None:
            self._queue(int(self.visit["ticket_id"]), self.level, None)
        self._asked.add(int(visit["ticket_id"]))
        self.visit, self.level = visit, None
        self._enter(Phase.ASK, self._ask_ms)

    # --- the citizen's taps ---------------------------------------------------------------------------------

    def choose(self, level: int) -> bool:
        """A face tapped; False (and nothing changes) for any tap after the first."""
        if self.phase is not Phase.ASK or self.visit is None or self.level is not None:
            return False
        self.level = level
        if level < self.satisfied_from and self.reasons:
            self._enter(Phase.REASON, self._ask_ms)
        else:
            self._queue(int(self.visit["ticket_id"]), level, None)
            self._enter(Phase.THANKS, self._thanks_ms)
        return True

    def choose_reason(self, reason: str | None) -> bool:
        if self.phase is not Phase.REASON or self.visit is None or self.level is None:
            return False
        self._queue(int(self.visit["ticket_id"]), self.level, reason)
        self._enter(Phase.THANKS, self._thanks_ms)
        return True

    def _phase_timeout(self) -> None:
        if self.phase is Phase.REASON:  # the level counts without a reason
            self.choose_reason(None)
            return
        self.visit, self.level = None, None
        self._enter(Phase.IDLE, 0)

    def _enter(self, phase: Phase, timeout_ms: int) -> None:
        self.phase = phase
        self._phase_timer.stop()
        if timeout_ms > 0:
            self._phase_timer.start(timeout_ms)
        self.changed.emit()

    # --- sending, kept until the service has it ------------------------------------------------------------

    def _queue(self, ticket_id: int, level: int, reason: str | None) -> None:
        self.queued.append(Queued(ticket_id, level, reason))
        self.flush()

    def flush(self) -> None:
        """Send the oldest queued rating (one at a time, in order), with its own key on every attempt."""
        if self._stopped or self._sending or not self.queued:
            return
        item = self.queued[0]
        item.attempts += 1
        self._sending = True
        self.runner.run(
            lambda: self.client.rate(item.ticket_id, item.level, item.reason, idempotency_key=item.key),
            lambda answer: self._sent(item, answer),
            lambda exc: self._failed(item, exc),
        )

    def _sent(self, item: Queued, answer: dict[str, Any]) -> None:
        self._sending = False
        if item in self.queued:
            self.queued.remove(item)
        self.rated.emit(answer)
        self.flush()

    def _failed(self, item: Queued, exc: Exception) -> None:
        self._sending = False
        if isinstance(exc, ServiceUnavailable) or not isinstance(exc, ServiceError):
            log.info("rating of ticket %s kept to send again: %s", item.ticket_id, getattr(exc, "message", exc))
            if not self._stopped:
                self._retry.start()
            return
        log.warning("rating of ticket %s refused by the service: %s (%s)", item.ticket_id, exc.message, exc.code)
        if item in self.queued:
            self.queued.remove(item)
        self.dropped.emit(exc)
        self.flush()

    def _load_centre(self) -> None:
        def loaded(health: dict[str, Any]) -> None:
            self.centre_name = str(health.get("centre") or "")
            self.changed.emit()

        self.runner.run(self.client.health, loaded, lambda _exc: None)


__all__ = ["ASK_TIMEOUT_MS", "Phase", "Queued", "RatingController"]
