"""The dashboard's window: a header with the centre's name and the connection, four tabs (Trực tiếp, Lịch sử,
Cài đặt, Thiết bị). History and settings load the first time they are opened."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from app.dashboard.charts import BarChart, HeatMap
from app.dashboard.controller import DashboardController
from app.dashboard.devices_tab import DevicesTab
from app.dashboard.history import HistoryTab
from app.dashboard.live import LiveTab
from app.dashboard.session_prompt import ExpiredBanner, SessionPrompt
from app.dashboard.settings_tab import SettingsTab
from app.dashboard.widgets import label, named, scale_for, stylesheet
from app.qtbridge.unpaired import show_when_unpaired

TITLE = "Màn hình lãnh đạo"
TABS = ("live", "history", "settings", "devices")


class DashboardWindow(QWidget):
    def __init__(self, ctl: DashboardController, *, ask_path: Callable[[str], Path | None] | None = None) -> None:
        super().__init__()
        self.ctl = ctl
        self.setObjectName("root")
        self.setWindowTitle(f"Một Cửa – {TITLE}")
        self._scale = 0.0
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        header = named(QFrame(), "header")
        bar = QHBoxLayout(header)
        bar.setContentsMargins(14, 6, 14, 6)
        self.title = label(TITLE, "headerTitle")
        self.sub = label("", "headerSub")
        self.connection = label("Đang kết nối…", "offline")
        bar.addWidget(self.title)
        bar.addSpacing(12)
        bar.addWidget(self.sub, 1)
        bar.addWidget(self.connection)
        root.addWidget(header)
        self.expired_banner = ExpiredBanner()
        root.addWidget(self.expired_banner)
        self.tabs = QTabWidget()
        self.live = LiveTab(ctl)
        self.history = HistoryTab(ctl, ask_path=ask_path)
        self.settings = SettingsTab(ctl)
        self.tabs.addTab(self.live, "Trực tiếp")
        self.tabs.addTab(self.history, "Lịch sử và báo cáo")
        self.tabs.addTab(self.settings, "Cài đặt")
        self.devices = DevicesTab(ctl.client)  # paired PCs: pair a new one, unpair a lost one (loads when opened)
        self.tabs.addTab(self.devices, "Thiết bị")
        self.tabs.currentChanged.connect(self._opened)
        root.addWidget(self.tabs, 1)
        self._history_loaded = False
        self._settings_loaded = False
        ctl.connection_changed.connect(self._connection)
        self.unpaired_notice = show_when_unpaired(ctl.bridge.unpaired, self)  # a director PC unpaired: say why
        ctl.centre_changed.connect(lambda _name: self._header())
        ctl.figures_changed.connect(lambda _f: self._header())
        self.session = SessionPrompt(self, ctl, self.expired_banner)  # a 401: sign in again over the window
        self.apply_scale()

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))

    def _opened(self, index: int) -> None:
        if TABS[index] == "history" and not self._history_loaded:
            self._history_loaded = True
            self.history.pick(6)
        elif TABS[index] == "settings" and not self._settings_loaded:
            self._settings_loaded = True
            self.ctl.load_settings()
            self.ctl.load_audit()

    def _header(self) -> None:
        day = self.ctl.day()
        parts = [self.ctl.centre_name, f"ngày {day:%d/%m/%Y}" if day else ""]
        self.sub.setText(" · ".join(p for p in parts if p))

    def _connection(self, online: bool) -> None:
        self.connection.setText("Đã kết nối" if online else "Mất kết nối – đang thử lại")
        self.connection.setObjectName("online" if online else "offline")
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)

    def apply_scale(self) -> None:
        scale = scale_for(self.width(), self.height())
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(stylesheet(scale))
            for chart in self.findChildren(BarChart) + self.findChildren(HeatMap):
                chart.set_scale(scale)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.apply_scale()

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.ctl.stop()
        self.history.exporter.wait()  # a file half written would be left behind
        super().closeEvent(event)  # type: ignore[arg-type]
