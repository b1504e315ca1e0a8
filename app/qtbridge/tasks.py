"""Run blocking work (HTTP calls, printing, decoding) off the GUI thread; results come back as signals.

The UI never waits on the network: a slow or dead service must not freeze a touch screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # every failure goes back to the UI, which says what happened
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


class TaskRunner(QObject):
    """Owns a small pool; keeps each task's relay alive until its answer has been delivered."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        relay = _Relay(self)  # lives in the GUI thread, so its slots run there
        self._relays.add(relay)

        def finish() -> None:
            self._relays.discard(relay)
            relay.deleteLater()

        def done(result: object) -> None:
            if on_done is not None:
                on_done(result)
            finish()

        def failed(exc: Exception) -> None:
            if on_error is not None:
                on_error(exc)
            finish()

        relay.done.connect(done)
        relay.failed.connect(failed)
        self.pool.start(_Task(fn, relay))

    def busy(self) -> bool:
        return bool(self._relays)

    def wait(self, msecs: int = 10_000) -> bool:
        return self.pool.waitForDone(msecs)
