"""The counter follows the centre's holiday override table (the director's "Ngày nghỉ, làm bù", GET /api/calendar).

Fetched once a clerk is signed in (the route needs a token), on every reconnection, and after a `centre.changed`
event naming a calendar day; kept in the counter's own table (so due dates stay right while the LAN is down) and the
desk's calendar reloaded, so the next dossier's appointment date counts with it. When the counter is connected to a
centre, the centre's table wins: `python -m app calendar` is for a counter that runs alone.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.client.api import QueueApi
from app.core.centre_settings import override_of
from app.qtbridge.tasks import TaskRunner
from counter.controller import CounterController
from counter.dossier.desk import DossierDesk

log = logging.getLogger(__name__)


class CentreCalendar(QObject):
    updated = Signal(bool)  # a fetch ended: whether the counter's table changed

    def __init__(self, desk: DossierDesk, ctl: CounterController, client: QueueApi,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent or ctl)
        self.desk, self.ctl, self.client = desk, ctl, client
        self.runner = TaskRunner(self, threads=1)
        self._busy = False
        ctl.signed_in.connect(lambda _session: self.refresh())
        ctl.connection_changed.connect(lambda online: self.refresh() if online else None)
        ctl.centre_changed.connect(self._changed)

    def _changed(self, keys: list[Any]) -> None:
        if any(str(k).startswith("calendar.") for k in keys):
            self.refresh()

    def refresh(self) -> None:
        if self._busy or self.ctl.session is None:  # the route needs the clerk's token
            return
        self._busy = True
        client, store = self.client, self.desk.store

        def fetch() -> bool:
            return store.replace_overrides([override_of(o) for o in client.calendar()])

        self.runner.run(fetch, self._done, self._failed)

    def _done(self, changed: bool) -> None:
        self._busy = False
        if changed:
            self.desk.reload_calendar()
            log.info("calendar: the centre's holiday overrides taken over")
        self.updated.emit(changed)

    def _failed(self, exc: Exception) -> None:  # offline, an older service: the table the counter has stays
        self._busy = False
        log.info("calendar: %s", getattr(exc, "message", exc))
        self.updated.emit(False)

    def stop(self) -> None:
        self.runner.wait()


__all__ = ["CentreCalendar"]
