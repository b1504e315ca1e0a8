"""The sync line at the bottom of the counter window, the sync screen (F12) and the desktop notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QPushButton, QStyle, QSystemTrayIcon

from counter.sync.service import SyncService
from counter.sync.view import SyncScreen

if TYPE_CHECKING:
    from counter.window import CounterWindow


class SyncPages(QObject):
    def __init__(self, window: CounterWindow, service: SyncService, back: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.screen = SyncScreen()
        window.stack.addWidget(self.screen)
        self.line = QPushButton("")
        self.line.setObjectName("syncLine")
        self.line.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.line.setFlat(True)
        self.line.clicked.connect(self.open)
        layout = window.layout()
        assert layout is not None
        layout.addWidget(self.line)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.show()
        shortcut = QShortcut(QKeySequence("F12"), window)
        shortcut.activated.connect(self.open)
        self.screen.back.connect(back)
        self.screen.retry.connect(self.retry)
        service.changed.connect(self.refresh)
        self.refresh()

    def open(self) -> None:
        if self.window.ctl.session is not None:
            self.window.stack.setCurrentWidget(self.screen)
            self.refresh()
            self.screen.table.setFocus()

    def retry(self, dest: str, code: str) -> None:
        self.service.retry(dest or None, code or None)
        self.screen.strip.show_message("Đang thử gửi lại…", "info")
        self.refresh()

    def refresh(self) -> None:
        items = self.service.items()
        summaries = self.service.summaries(items)
        text = "   ·   ".join(s.line() for s in summaries)
        behind = any(s.waiting or s.rejected for s in summaries)
        self.line.setText(f"Đồng bộ (F12) — {text}")
        self.line.setStyleSheet(
            "QPushButton#syncLine{text-align:left;padding:4px 14px;font-size:15px;border:none;"
            + ("background:#fff4d6;color:#5b3b00;}" if behind else "background:#e8f3ec;color:#14532d;}")
        )
        if self.window.stack.currentWidget() is self.screen:
            self.screen.show_items(summaries, items, self.service.clock.now())
            if not behind and self.screen.strip.kind == "info":  # "Đang thử gửi lại…" has been answered
                self.screen.strip.show_message("Đã gửi xong.", "ok")
        message = self.service.check_notices(items)
        if message:
            self.window.banner.show_message(message + " Bấm F12 để xem.", "warning")
            if self.tray is not None:
                self.tray.showMessage("Một Cửa — đồng bộ hồ sơ", message, QSystemTrayIcon.MessageIcon.Warning, 15_000)
