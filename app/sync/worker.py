"""The outbox worker: one thread per destination drains the counter's dossiers to it, oldest change first.

Each attempt sends the dossier's latest state from where the destination's delivery stopped (app/sync/sink.py),
then records how far it got in the same SQLite file. A transient failure waits (backoff with jitter); a
permanent one parks the dossier with the destination's message for the clerk. The far side is idempotent by
dossier code + revision, step keys and file hashes, so a crash between "sent" and "recorded" resends nothing new.
Nothing here logs a citizen's data: codes and error classes only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.core.clock import Clock, SystemClock
from app.core.dossier import Dossier, Status, remote_status
from app.store.dossier_store import DossierStore
from app.store.sync_state import DeliveryState, SyncState
from app.sync.sink import Delivered, PermanentError, Sink, TransientError

log = logging.getLogger(__name__)
IDLE_WAIT_S = 30.0  # look again this often even without a wake-up (a retry time may have come)
STATUS_EVERY_S = 600.0  # ask the province for the status of open dossiers this often
OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL, Status.STOPPED)
UNEXPECTED = "Lỗi ngoài dự kiến khi gửi hồ sơ; sẽ thử lại. Nếu lặp lại nhiều lần, báo cán bộ CNTT."


@dataclass(frozen=True)
class PassResult:
    sent: int
    failed: int
    rejected: int


def _delivered(state: DeliveryState) -> Delivered:
    return Delivered(state.revision, state.steps, state.files, state.remote_status)


def _state(delivered: Delivered) -> DeliveryState:
    return DeliveryState(delivered.revision, delivered.steps, delivered.files, delivered.remote_status)


def local_files(d: Dossier) -> dict[str, Path]:
    return {f.sha256: Path(f.path) for c in d.components for f in c.files}


class Drain:
    """Sending to one destination; `run_once` is also what `python -m app sync --once` uses."""

    def __init__(self, store: DossierStore, sink: Sink, clock: Clock | None = None) -> None:
        self.store = store
        self.sink = sink
        self.state = SyncState(store)
        self.clock = clock or SystemClock()

    @property
    def dest(self) -> str:
        return self.sink.name

    def send_one(self, code: str) -> str:
        """Try one dossier: "sent", "failed" or "rejected"."""
        d = self.store.get(code)
        already = _delivered(self.state.delivered(self.dest, code))
        now = self.clock.now()
        try:
            done = self.sink.send(d, local_files(d), already)
        except PermanentError as exc:
            state = _state(exc.delivered) if exc.delivered else None
            self.state.rejected(self.dest, code, d.revision, state, exc.message, exc.remote_message, now)
            log.warning("%s refused dossier %s rev %d", self.dest, code, d.revision)
            return "rejected"
        except TransientError as exc:
            state = _state(exc.delivered) if exc.delivered else None
            self.state.failed(self.dest, code, state, exc.message, now)
            log.info("%s: dossier %s not sent (%s)", self.dest, code, exc.detail or type(exc).__name__)
            return "failed"
        except Exception as exc:  # a bug in a sink must not stop the outbox
            log.exception("%s: unexpected failure on %s: %s", self.dest, code, type(exc).__name__)
            self.state.failed(self.dest, code, None, UNEXPECTED, now)
            return "failed"
        complete = done.complete(d)
        self.state.record(self.dest, code, _state(done), complete=complete, now=now)
        return "sent" if complete else "failed"

    def run_once(self, *, limit: int = 10_000, stop: threading.Event | None = None) -> PassResult:
        """One pass over what is due now; a failed dossier waits for its backoff, so it is tried once per pass."""
        counts = {"sent": 0, "failed": 0, "rejected": 0}
        tried: set[str] = set()
        while len(tried) < limit and not (stop is not None and stop.is_set()):
            codes, _later = self.state.due(self.dest, self.clock.now(), limit=50)
            codes = [c for c in codes if c not in tried]
            if not codes:
                break
            for code in codes:
                if stop is not None and stop.is_set():
                    break
                tried.add(code)
                counts[self.send_one(code)] += 1
        return PassResult(counts["sent"], counts["failed"], counts["rejected"])

    def pull_statuses(self, codes: list[str]) -> int:
        """Statuses the province moved (e.g. 9 đã xử lý xong) come back as a change on the local dossier."""
        changed = 0
        for code in codes:
            try:
                status = self.sink.status(code)
            except (TransientError, PermanentError):
                return changed  # the province is away: try at the next round
            if status is None:
                continue
            self.state.set_remote_status(self.dest, code, status)
            d = self.store.get(code)
            moved = remote_status(d, at=self.clock.now(), status=status)
            if moved is not None:
                self.store.change(code, "remote_status", _mover(status))
                changed += 1
        return changed


def _mover(status: int) -> Callable[[Dossier, datetime], Dossier]:
    def apply(d: Dossier, at: datetime) -> Dossier:
        moved = remote_status(d, at=at, status=status)
        if moved is None:  # changed meanwhile at the counter: nothing to record (the change is refused)
            raise TransientError("Trạng thái đã thay đổi tại quầy.")
        return moved

    return apply


class SyncWorker:
    """A background thread per destination; `wake()` after a local change sends it within moments."""

    def __init__(self, drain: Drain, *, on_pass: Callable[[str, PassResult], None] | None = None,
                 pull_statuses: bool = False) -> None:  # fmt: skip
        self.drain = drain
        self.on_pass = on_pass
        self.pull = pull_statuses
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_status_pull: datetime | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"sync-{self.drain.dest}", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                result = self.drain.run_once(stop=self._stop)
                if self.pull:
                    self._maybe_pull()
            except Exception as exc:  # the store went away (disk full, closed): say so and keep the thread
                log.exception("sync pass to %s failed: %s", self.drain.dest, type(exc).__name__)
                result = PassResult(0, 1, 0)
            if self.on_pass is not None:
                self.on_pass(self.drain.dest, result)
            _codes, later = self.drain.state.due(self.drain.dest, self.drain.clock.now(), limit=1)
            wait = IDLE_WAIT_S
            if later is not None:
                wait = max(0.05, min(wait, (later - self.drain.clock.now()).total_seconds()))
            self._wake.wait(wait)

    def _maybe_pull(self) -> None:
        now = self.drain.clock.now()
        if self._last_status_pull is not None and now - self._last_status_pull < timedelta(seconds=STATUS_EVERY_S):
            return
        self._last_status_pull = now
        codes = [d.code for d in self.drain.store.recent(200) if d.status in OPEN_STATUSES]
        self.drain.pull_statuses(codes)
