"""Versions on every app's screen: its own in a corner (the About of a kiosk or a TV, which have no menus), and a
banner when the centre service no longer serves it.

`install_about(window, client)` (called by `present`, and by the hall display) puts "Một Cửa 0.1.0" small in
the bottom-right corner, adds the version to the window title, and asks the service's `/api/health` on a worker
thread, now and then every few minutes (the service may be updated while the app runs). When its
`min_client_version` is above this app's version, a red banner across the top says, in Vietnamese, that this PC's
software must be updated (app/version.py), instead of leaving the clerk or the citizen with answers the app no
longer understands; the service refuses its writes with the same sentence (426 `client_outdated`).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.client.api import QueueApi
from app.qtbridge.tasks import TaskRunner
from app.version import __version__, outdated_for

log = logging.getLogger(__name__)

RECHECK_MS = 10 * 60_000
RETRY_MS = 30_000  # until the service first answers
CORNER_TEXT = f"Một Cửa {__version__}"
_BANNER_STYLE = "background: #b3261e; color: white; font-weight: bold; padding: 12px 18px;"
_CORNER_STYLE = "color: rgba(128, 128, 128, 170); background: transparent; padding: 0 4px; font-size: 11px;"


class _Pinned(QLabel):
    """A label kept at one edge of its parent as the parent is resized, above the parent's other children."""

    def __init__(self, parent: QWidget, *, corner: bool) -> None:
        super().__init__(parent)
        self.corner = corner
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # never in the way of a tap
        parent.installEventFilter(self)
        self.place()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        if self.corner:
            self.adjustSize()
            self.move(parent.width() - self.width(), parent.height() - self.height())
        else:
            self.setFixedWidth(parent.width())
            self.adjustSize()
            self.move(0, 0)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.place()
        return False


class About(QObject):
    """The corner, the title and the service check of one window."""

    def __init__(self, window: QWidget, client: QueueApi | None, *, recheck_ms: int = RECHECK_MS) -> None:
        super().__init__(window)
        self.target, self.client = window, client
        self.corner = _Pinned(window, corner=True)
        self.corner.setObjectName("versionCorner")
        self.corner.setText(CORNER_TEXT)
        self.corner.setStyleSheet(_CORNER_STYLE)
        self.corner.show()  # a child added after its window was shown stays hidden otherwise
        self.corner.place()
        self.banner = _Pinned(window, corner=False)
        self.banner.setObjectName("outdatedBanner")
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet(_BANNER_STYLE)
        self.banner.hide()
        self.message: str | None = None
        if __version__ not in window.windowTitle():
            window.setWindowTitle(f"{window.windowTitle() or 'Một Cửa'} – phiên bản {__version__}")
        self.runner = TaskRunner(self, threads=1)
        self.timer = QTimer(self, interval=RETRY_MS)
        self.timer.timeout.connect(self.check)
        self._recheck_ms = recheck_ms
        if client is not None:
            self.timer.start()
            QTimer.singleShot(0, self.check)

    def check(self) -> None:
        if self.client is not None and not self.runner.busy():
            self.runner.run(self.client.health, self.answered, lambda _exc: None)

    def answered(self, health: Any) -> None:
        self.timer.setInterval(self._recheck_ms)
        message = outdated_for(health)
        if message != self.message and message is not None:
            log.error("%s", message)
        self.message = message
        self.banner.setText(message or "")
        self.banner.setVisible(message is not None)
        self.banner.place()


def install_about(window: QWidget, client: QueueApi | None = None) -> About:
    return About(window, client)
