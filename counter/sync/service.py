"""The counter's sync: workers for the centre and the province, and what the clerk is told about them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.clock import Clock
from app.core.workcalendar import working_seconds_between
from app.store.dossier_store import DossierStore
from app.store.sync_state import PendingItem, SyncState, summarise
from app.sync.sink import Sink
from app.sync.worker import Drain, PassResult, SyncWorker

log = logging.getLogger(__name__)
DEST_NAMES = {"centre": "Máy chủ Trung tâm", "province": "Hệ thống một cửa tỉnh"}
NOTICE_AFTER_WORKING_S = 4 * 3600  # a dossier waiting longer than this (working time) is worth a notice


def age_text(age: timedelta | None) -> str:
    if age is None:
        return ""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "cũ nhất dưới 1 phút"
    if minutes < 60:
        return f"cũ nhất {minutes} phút"
    hours = minutes // 60
    return f"cũ nhất {hours} giờ" if hours < 48 else f"cũ nhất {hours // 24} ngày"


@dataclass(frozen=True)
class DestSummary:
    dest: str
    waiting: int
    rejected: int
    oldest: timedelta | None

    def line(self) -> str:
        name = DEST_NAMES.get(self.dest, self.dest)
        if not self.waiting and not self.rejected:
            return f"{name}: đã đồng bộ đủ"
        parts = [f"{self.waiting} hồ sơ chờ đồng bộ"] if self.waiting else []
        if self.oldest is not None and self.waiting:
            parts.append(age_text(self.oldest))
        if self.rejected:
            parts.append(f"{self.rejected} bị từ chối, cần sửa")
        return f"{name}: " + " · ".join(parts)


class SyncService(QObject):
    changed = Signal()  # after each pass of any worker (from worker threads: queued to the GUI)
    notice = Signal(str)  # something waited too long or was refused: say it once

    def __init__(self, store: DossierStore, sinks: list[Sink], clock: Clock,
                 working_seconds: Callable[[Any, Any], float] | None = None,
                 notice_after_s: float = NOTICE_AFTER_WORKING_S, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.store = store
        self.clock = clock
        self.state = SyncState(store)
        self.notice_after_s = notice_after_s
        self._working_seconds = working_seconds
        self.workers = [
            SyncWorker(Drain(store, sink, clock), on_pass=self._passed, pull_statuses=sink.name == "province")
            for sink in sinks
        ]
        self._noticed: set[tuple[str, str, int]] = set()
        self.refresh = QTimer(self, interval=30_000)  # ages grow even when nothing happens
        self.refresh.timeout.connect(self.changed.emit)

    @property
    def dests(self) -> list[str]:
        return [w.drain.dest for w in self.workers]

    def start(self) -> None:
        for worker in self.workers:
            worker.start()
        self.refresh.start()

    def stop(self) -> None:
        self.refresh.stop()
        for worker in self.workers:
            worker.stop()
        for worker in self.workers:
            worker.drain.sink.close()

    def wake(self) -> None:
        """A dossier changed: send it now rather than at the next idle look."""
        for worker in self.workers:
            worker.wake()

    def _passed(self, dest: str, result: PassResult) -> None:
        self.changed.emit()

    # --- what the clerk sees --------------------------------------------------------------------------

    def summaries(self, items: list[PendingItem] | None = None) -> list[DestSummary]:
        """Per destination, from `items` when the caller already has them (one query per refresh, not three)."""
        now = self.clock.now()
        every = self.items() if items is None else items
        return [DestSummary(dest, *summarise([i for i in every if i.dest == dest], now)) for dest in self.dests]

    def items(self) -> list[PendingItem]:
        return [item for dest in self.dests for item in self.state.pending(dest)]

    def retry(self, dest: str | None = None, code: str | None = None) -> None:
        for d in [dest] if dest else self.dests:
            self.state.retry_now(d, code)
        self.wake()

    def check_notices(self, items: list[PendingItem] | None = None) -> str:
        """The Vietnamese notice for anything newly refused or waiting too long ("" when nothing new)."""
        now = self.clock.now()
        lines = []
        for item in self.items() if items is None else items:
            key = (item.dest, item.code, item.revision)
            if key in self._noticed:
                continue
            waited = (
                self._working_seconds(item.waiting_since, now)
                if self._working_seconds
                else (now - item.waiting_since).total_seconds()
            )
            name = DEST_NAMES.get(item.dest, item.dest)
            if item.rejected:
                lines.append(f"{name} từ chối hồ sơ {item.code}: {item.remote_message or item.last_error}")
            elif waited >= self.notice_after_s:
                lines.append(f"Hồ sơ {item.code} chưa gửi được lên {name.lower()} từ lâu: {item.last_error}")
            else:
                continue
            self._noticed.add(key)
        return " ".join(lines[:3]) + (f" (và {len(lines) - 3} hồ sơ khác)" if len(lines) > 3 else "")


def working_seconds_of(calendar: Any) -> Callable[[Any, Any], float]:
    return lambda a, b: working_seconds_between(a, b, calendar)
