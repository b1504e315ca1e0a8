"""The kiosk window: banner, the screen stack, the ticket flow, idle return to home."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core.catalog import Procedure
from app.core.clock import LOCAL_TZ
from kiosk.controller import Issued, KioskController
from kiosk.i18n import Texts
from kiosk.screens import (
    GroupsScreen,
    HomeScreen,
    LookupScreen,
    PriorityScreen,
    ProcedureScreen,
    ProceduresScreen,
    ResultScreen,
    Screen,
)
from kiosk.style import STYLE
from kiosk.widgets import Banner
from printing.ticket_printer import PrintJob

IDLE_MS = 30_000
RESULT_MS = 15_000
INPUT_EVENTS = {
    QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress, QEvent.Type.Wheel,
}  # fmt: skip


class KioskWindow(QWidget):
    def __init__(
        self,
        ctl: KioskController,
        *,
        idle_ms: int = IDLE_MS,
        result_ms: int = RESULT_MS,
        ask_procedure: bool = True,
        extra_screens: dict[str, Screen] | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Một Cửa — Kiosk")
        self.setStyleSheet(STYLE)
        self.ctl, self.t = ctl, Texts()
        self.ask_procedure = ask_procedure
        self.banner = Banner()
        self.clock = QLabel()
        self.clock.setObjectName("clock")
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        top = QHBoxLayout()
        top.setContentsMargins(40, 12, 40, 0)
        top.addStretch(1)
        top.addWidget(self.clock)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        cols = self.columns
        self.home = HomeScreen(ctl, self.t, cols)
        self.groups = GroupsScreen(ctl, self.t, cols)
        self.procedures = ProceduresScreen(ctl, self.t, cols)
        self.priority = PriorityScreen(ctl, self.t, cols)
        self.result = ResultScreen(ctl, self.t, cols)
        self.lookup = LookupScreen(ctl, self.t, cols)
        self.procedure_page = ProcedureScreen(ctl, self.t, cols)
        self.screens: dict[str, Screen] = {
            "home": self.home, "groups": self.groups, "procedures": self.procedures, "priority": self.priority,
            "result": self.result, "lookup": self.lookup, "procedure": self.procedure_page, **(extra_screens or {}),
        }  # fmt: skip
        for screen in self.screens.values():
            self.stack.addWidget(screen)
            screen.home.connect(self.go_home)
            screen.back.connect(self.go_back)
        self.history: list[str] = []
        self.current = "home"
        self.flow_group: str | None = None
        self.flow_procedure: Procedure | None = None
        self.last_job: PrintJob | None = None

        self.home.ticket.connect(lambda: self.show_screen("groups"))
        self.home.lookup.connect(self.open_lookup)
        self.home.language.connect(self.toggle_language)
        if "scan" in self.screens:
            self.home.scan.connect(lambda: self.show_screen("scan"))
            self.screens["scan"].procedure_found.connect(self.open_procedure)  # type: ignore[attr-defined]
        self.groups.chosen.connect(self.group_chosen)
        self.procedures.chosen.connect(self.procedure_chosen)
        self.priority.chosen.connect(self.issue)
        self.lookup.opened.connect(self.open_procedure)
        self.procedure_page.ticket.connect(self.ticket_for_procedure)
        self.result.reprint.connect(self.reprint)
        ctl.snapshot_changed.connect(self.data_changed)
        ctl.connection_changed.connect(self.connection_changed)
        ctl.issued.connect(self.show_issued)
        ctl.issue_failed.connect(self.show_issue_failed)
        ctl.reprinted.connect(self.show_reprinted)

        self.idle = QTimer(self, singleShot=True, interval=idle_ms)
        self.idle.timeout.connect(self.go_home)
        self.result_timer = QTimer(self, singleShot=True, interval=result_ms)
        self.result_timer.timeout.connect(self.go_home)
        self.tick = QTimer(self, interval=1000)
        self.tick.timeout.connect(self.update_clock)
        self.tick.start()
        self.update_clock()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.home.refresh()

    # --- layout -------------------------------------------------------------------------------

    def columns(self) -> int:
        return 2 if self.height() > self.width() else 3

    def update_clock(self) -> None:
        self.clock.setText(datetime.now(LOCAL_TZ).strftime("%H:%M  %d/%m/%Y"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.current != "home":
            self.idle.start()
        return False

    # --- navigation ---------------------------------------------------------------------------

    def show_screen(self, name: str, *, remember: bool = True) -> None:
        if remember and name != self.current:
            self.history.append(self.current)
        self.current = name
        screen = self.screens[name]
        screen.refresh()
        self.stack.setCurrentWidget(screen)
        if name == "home":
            self.idle.stop()
        else:
            self.idle.start()

    def go_home(self) -> None:
        self.history.clear()
        self.result_timer.stop()
        self.flow_group, self.flow_procedure = None, None
        self.lookup.query, self.lookup.field = "", None
        if self.t.language != "vi":
            self.t.language = "vi"  # the next citizen starts in Vietnamese
        self.show_screen("home", remember=False)

    def go_back(self) -> None:
        if self.history:
            self.show_screen(self.history.pop(), remember=False)
        else:
            self.go_home()

    def toggle_language(self) -> None:
        self.t.toggle()
        self.screens[self.current].refresh()

    def data_changed(self) -> None:
        if self.current in ("home", "groups", "procedure"):
            self.screens[self.current].refresh()

    def connection_changed(self, online: bool) -> None:
        if online:
            self.banner.clear_message()
        else:
            self.banner.show_message(self.t("offline"))
        if self.current in ("home", "groups", "procedure", "priority"):
            self.screens[self.current].refresh()

    # --- the ticket flow ----------------------------------------------------------------------

    def group_chosen(self, code: str) -> None:
        self.flow_group = code
        group = self.ctl.group(code) or {}
        self.procedures.group = group
        if self.ask_procedure and self.procedures.procedures():
            self.show_screen("procedures")
        else:
            self.after_procedure()

    def procedure_chosen(self, procedure: Procedure | None) -> None:
        self.flow_procedure = procedure
        self.after_procedure()

    def after_procedure(self) -> None:
        if self.ctl.priorities:
            self.show_screen("priority")
        else:
            self.issue(None)

    def open_lookup(self) -> None:
        self.lookup.query, self.lookup.field = "", None
        self.show_screen("lookup")

    def open_procedure(self, procedure: Procedure) -> None:
        self.procedure_page.procedure = procedure
        self.show_screen("procedure")

    def ticket_for_procedure(self, group: str) -> None:
        self.flow_group = group
        self.flow_procedure = self.procedure_page.procedure
        self.after_procedure()

    def issue(self, priority: str | None) -> None:
        if self.flow_group is None:
            return
        name = self.flow_procedure.name if self.flow_procedure else None
        if not self.ctl.issue(self.flow_group, priority, name):
            return  # a second tap while the first is on its way, or the service is down
        self.result.result, self.result.status, self.result.failed = None, self.t("issuing"), False
        self.show_screen("result")

    def show_issued(self, issued: Issued) -> None:
        job = issued.job
        self.last_job = job
        self.result.result = issued
        if job is None:
            self.result.status, self.result.failed = "", False
        elif job.state == "printed":
            warning = "" if job.message == "Đã in phiếu." else f" {job.message}"  # e.g. paper near its end
            self.result.status, self.result.failed = self.t("take_ticket") + warning, False
        else:
            self.result.status, self.result.failed = f"{self.t('print_failed')}: {job.message}", True
        self.history.clear()
        self.show_screen("result", remember=False)
        if not self.result.failed:
            self.result_timer.start()

    def show_issue_failed(self, message: str) -> None:
        self.result.result, self.result.status, self.result.failed = None, message, True
        self.show_screen("result", remember=False)
        self.result_timer.start()

    def reprint(self) -> None:
        if self.last_job is not None:
            self.result.status = self.t("printing")
            self.result.refresh()
            self.ctl.reprint(self.last_job)

    def show_reprinted(self, job: PrintJob) -> None:
        if self.result.result is None:
            return
        self.show_issued(Issued(self.result.result.ticket, self.result.result.counters, job))

    def closeEvent(self, event: QEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.ctl.stop()
        super().closeEvent(event)  # type: ignore[arg-type]


__all__ = ["KioskWindow", "Qt"]
