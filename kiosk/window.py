"""The kiosk window: a header with the centre's name, a banner, the screen stack, the ticket flow, idle
return to home."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.catalog import Procedure
from app.core.clock import LOCAL_TZ
from app.qtbridge.unpaired import show_when_unpaired
from kiosk.controller import Issued, KioskController
from kiosk.i18n import Texts
from kiosk.screens import (
    HomeScreen,
    LookupScreen,
    PriorityScreen,
    ProcedureScreen,
    ProceduresScreen,
    ResultScreen,
    Screen,
)
from kiosk.style import Metrics, metrics_for, stylesheet
from kiosk.widgets import Banner
from printing.connection import PrinterStatus
from printing.errors import PaperOut
from printing.ticket_printer import PrintJob
from printing.tickets import follow_url

IDLE_MS = 30_000
RESULT_MS = 15_000
PRINTER_POLL_MS = 3_000  # after a paper-out: how often the kiosk asks whether the paper is back
DEFAULT_CENTRE = "Trung tâm Phục vụ hành chính công"
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
        printer_poll_ms: int = PRINTER_POLL_MS,
        ask_procedure: bool = True,
        extra_screens: dict[str, Screen] | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Một Cửa — Kiosk")
        self.metrics: Metrics = metrics_for(1080, 1920)
        self.setStyleSheet(stylesheet(self.metrics))
        self.ctl, self.t = ctl, Texts()
        self.ask_procedure = ask_procedure
        self.banner = Banner()
        self.header = QWidget()
        self.header.setObjectName("header")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.centre = QLabel(DEFAULT_CENTRE)
        self.centre.setObjectName("centre")
        self.centre.setWordWrap(True)  # a long name takes two lines rather than pushing the clock off
        self.clock = QLabel()
        self.clock.setObjectName("clock")
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        # The screen sets the window's size, never its content: every screen is laid out to fit (see
        # tests/qt/test_kiosk_layout.py), and a page that would not fit must not push the window off the panel.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.top = QHBoxLayout(self.header)
        self.top.addWidget(self.centre, 1)
        self.top.addWidget(self.clock)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

        cols = self.columns
        self.home = HomeScreen(ctl, self.t, cols)
        self.procedures = ProceduresScreen(ctl, self.t, cols)
        self.priority = PriorityScreen(ctl, self.t, cols)
        self.result = ResultScreen(ctl, self.t, cols)
        self.lookup = LookupScreen(ctl, self.t, cols)
        self.procedure_page = ProcedureScreen(ctl, self.t, cols)
        self.screens: dict[str, Screen] = {
            "home": self.home, "procedures": self.procedures, "priority": self.priority,
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

        self.home.group.connect(self.group_chosen)
        self.home.lookup.connect(self.open_lookup)
        self.home.language.connect(self.toggle_language)
        if "scan" in self.screens:
            self.home.scan.connect(lambda: self.show_screen("scan"))
            self.screens["scan"].procedure_found.connect(self.open_procedure)  # type: ignore[attr-defined]
        self.procedures.chosen.connect(self.procedure_chosen)
        self.priority.chosen.connect(self.issue)
        self.lookup.opened.connect(self.open_procedure)
        self.procedure_page.ticket.connect(self.ticket_for_procedure)
        self.result.reprint.connect(self.reprint)
        ctl.snapshot_changed.connect(self.data_changed)
        ctl.connection_changed.connect(self.connection_changed)
        self.unpaired_notice = show_when_unpaired(ctl.bridge.unpaired, self)  # the stream stopped: say why, for good
        ctl.issued.connect(self.show_issued)
        ctl.issue_failed.connect(self.show_issue_failed)
        ctl.reprinted.connect(self.show_reprinted)

        # The idle and the after-ticket timeouts end a citizen's visit: the next one starts in Vietnamese.
        self.idle = QTimer(self, singleShot=True, interval=idle_ms)
        self.idle.timeout.connect(self.idle_home)
        self.result_timer = QTimer(self, singleShot=True, interval=result_ms)
        self.result_timer.timeout.connect(self.idle_home)
        self.printer_poll = QTimer(self, interval=printer_poll_ms)
        self.printer_poll.timeout.connect(self.check_printer)
        self._checking_printer = False
        self.tick = QTimer(self, interval=1000)
        self.tick.timeout.connect(self.update_clock)
        self.tick.start()
        self.update_clock()
        self.update_header()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.apply_metrics(self.width(), self.height())
        self.home.refresh()

    # --- layout -------------------------------------------------------------------------------

    def columns(self) -> int:
        return self.metrics.columns

    def apply_metrics(self, width: int, height: int) -> None:
        m = metrics_for(width, height)
        changed = m != self.metrics
        self.metrics = m
        self.setStyleSheet(stylesheet(m))
        self.top.setContentsMargins(m.margin, m.spacing // 2, m.margin, m.spacing // 2)
        for screen in self.screens.values():
            screen.metrics = m
        if changed:
            self.screens[self.current].refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if metrics_for(event.size().width(), event.size().height()) != self.metrics:
            self.apply_metrics(event.size().width(), event.size().height())

    def update_clock(self) -> None:
        self.clock.setText(datetime.now(LOCAL_TZ).strftime("%H:%M  %d/%m/%Y"))

    def update_header(self) -> None:
        self.centre.setText(self.ctl.centre_name or DEFAULT_CENTRE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.current != "home":
            self.idle.start()
        return False

    # --- navigation ---------------------------------------------------------------------------

    def show_screen(self, name: str, *, remember: bool = True) -> None:
        if remember and name != self.current:
            self.history.append(self.current)
        self.current = name
        if name != "result":
            self.printer_poll.stop()
        screen = self.screens[name]
        screen.refresh()
        self.stack.setCurrentWidget(screen)
        if name == "home":
            self.idle.stop()
        else:
            self.idle.start()

    def go_home(self) -> None:
        """ "Trang đầu": back to the start, in the language the citizen chose."""
        self.history.clear()
        self.result_timer.stop()
        self.flow_group, self.flow_procedure = None, None
        self.lookup.query, self.lookup.field = "", None
        self.show_screen("home", remember=False)

    def idle_home(self) -> None:
        """Nobody touched the screen for a while: the next citizen starts at home, in Vietnamese."""
        if self.t.language != "vi":
            self.t.language = "vi"
            self.show_offline_banner()
        self.go_home()

    def go_back(self) -> None:
        if self.history:
            self.show_screen(self.history.pop(), remember=False)
        else:
            self.go_home()

    def toggle_language(self) -> None:
        self.t.toggle()
        self.show_offline_banner()
        self.screens[self.current].refresh()

    def data_changed(self) -> None:
        self.update_header()
        if self.current == "home":
            self.home.refresh()  # tiles updated in place
        elif self.current == "procedure":
            self.procedure_page.update_state()

    def show_offline_banner(self) -> None:
        if self.ctl.online is False:
            self.banner.show_message(self.t("offline"))
        else:
            self.banner.clear_message()

    def connection_changed(self, online: bool) -> None:
        self.show_offline_banner()
        if self.current in ("home", "priority"):
            self.screens[self.current].refresh()
        elif self.current == "procedure":
            self.procedure_page.update_state()

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
        self.set_result(None, self.t("issuing"))
        self.show_screen("result")

    def set_result(
        self, result: Issued | None, status: str, *, failed: bool = False, paper_out: bool = False, detail: str = ""
    ) -> None:
        r = self.result
        r.result, r.status, r.failed, r.paper_out, r.detail = result, status, failed, paper_out, detail
        r.tone = ""

    def show_issued(self, issued: Issued) -> None:
        job = issued.job
        self.last_job = job
        has_qr = follow_url(issued.ticket, self.ctl.follow_base_url) is not None
        if job is None:
            self.set_result(issued, "")
        elif job.state == "printed":
            near_end = job.status is not None and job.status.paper == "near_end"
            warning = " " + job.message.removeprefix("Đã in phiếu. ") if near_end else ""  # for the clerk
            self.set_result(issued, self.t("take_ticket") + warning)
        elif isinstance(job.error, PaperOut):
            # No "IN LẠI" while the paper is out: it could only fail again. The kiosk asks the printer until
            # the paper is back; the QR on the screen lets the citizen follow the turn meanwhile.
            self.set_result(issued, self.t("paper_out" if has_qr else "paper_out_no_qr"), failed=True, paper_out=True)
        else:
            text = self.t("print_failed" if has_qr else "print_failed_no_qr")
            self.set_result(issued, text, failed=True, detail=job.message)
        self.history.clear()
        self.show_screen("result", remember=False)
        if not self.result.failed:
            self.result_timer.start()
        elif self.result.paper_out:
            self.printer_poll.start()  # show_screen stops it for any other screen; this one is the result

    def check_printer(self) -> None:
        printer = self.ctl.printer
        if printer is None or self._checking_printer:
            return
        self._checking_printer = True
        self.ctl.runner.run(printer.status, self.printer_checked, self.printer_unreachable)

    def printer_unreachable(self, _exc: Exception) -> None:
        self._checking_printer = False  # switched off to load paper: ask again later

    def printer_checked(self, status: PrinterStatus) -> None:
        self._checking_printer = False
        if not (self.current == "result" and self.result.paper_out):
            return
        if status.readable and status.paper != "out" and status.online is not False:
            self.printer_poll.stop()
            self.result.paper_out = False
            self.result.status, self.result.tone = self.t("paper_back"), "info"
            self.result.refresh()

    def show_issue_failed(self, message: str) -> None:
        self.set_result(None, message, failed=True)
        self.show_screen("result", remember=False)
        self.result_timer.start()

    def reprint(self) -> None:
        if self.last_job is not None:
            self.result.status = self.t("printing")
            if self.result.reprint_button is not None:
                self.result.reprint_button.setEnabled(False)  # one reprint at a time
            self.result.status_label.setText(self.result.status)
            self.result.status_label.setVisible(True)
            self.ctl.reprint(self.last_job)

    def show_reprinted(self, job: PrintJob) -> None:
        if self.result.result is None:
            return
        self.show_issued(Issued(self.result.result.ticket, self.result.result.counters, job))

    def closeEvent(self, event: QEvent) -> None:
        self.printer_poll.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.ctl.stop()
        super().closeEvent(event)  # type: ignore[arg-type]


__all__ = ["KioskWindow", "Qt"]
