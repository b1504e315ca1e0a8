"""The counter window's dossier half: reception and the dossier list, their keys, the CCCD camera and scanner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QWidget

from app.core.dossier import Dossier, Status
from app.core.scan_payload import CitizenIdScan, ReceiptScan, classify
from app.devices.camera import open_camera
from app.devices.qr import QrDecoder
from app.qtbridge.camera import CameraWorker
from app.qtbridge.wedge import WedgeFilter
from counter.dossier.controller import DossierController, saved_message
from counter.dossier.desk import PrintOutcome
from counter.dossier.lookup import DossiersScreen
from counter.dossier.reception import ReceptionScreen
from counter.scan.pages import ScanPages
from counter.sync.pages import SyncPages
from counter.sync.service import SyncService

if TYPE_CHECKING:
    from counter.window import CounterWindow

NOT_A_CARD = "Mã vừa quét không phải mã QR trên thẻ CCCD. Quét lại mặt trước của thẻ, hoặc nhập tay."


class DossierPages(QObject):
    def __init__(self, window: CounterWindow, ctl: DossierController, camera: str, scanners: list[str],
                 doc_camera: str | None = None, sync: SyncService | None = None) -> None:  # fmt: skip
        super().__init__(window)
        self.window = window
        self.ctl = ctl
        self.camera_spec = camera
        self.camera: CameraWorker | None = None
        catalog = ctl.desk.catalog
        self.reception = ReceptionScreen(catalog)
        self.reception.calendar = ctl.desk.calendar
        self.reception.now = ctl.desk.clock.now
        self.list = DossiersScreen()
        window.stack.addWidget(self.reception)
        window.stack.addWidget(self.list)
        self.scan = ScanPages(self, scanners, doc_camera or camera)
        self.sync = SyncPages(window, sync, window.back_to_panel) if sync is not None else None
        if sync is not None:
            ctl.saved.connect(lambda *_: sync.wake())  # a new or changed dossier leaves at once
            ctl.changed.connect(lambda *_: sync.wake())
            # the centre needs a signed-in clerk's token: what waited for one goes now, not after its backoff
            window.ctl.signed_in.connect(lambda *_: sync.retry("centre") if "centre" in sync.dests else None)
            sync.start()
        self.wedge = WedgeFilter(window)
        self.wedge.install()
        self.wedge.enabled = False  # only on these two screens: the queue panel's keys stay immediate
        self.wedge.scanned.connect(self.scanned)
        window.stack.currentChanged.connect(self._screen_changed)

        def keys(widget: QWidget, table: dict[str, Any]) -> None:
            for key, slot in table.items():
                shortcut = QShortcut(QKeySequence(key), widget)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)

        keys(self.reception, {
            "Ctrl+S": lambda: self.reception.submit("receive"),
            "Ctrl+B": lambda: self.reception.submit("supplement"),
            "Ctrl+R": lambda: self.reception.submit("refuse"),
            "F10": self.toggle_camera,
            "Esc": window.back_to_panel,
        })  # fmt: skip
        keys(self.list, {
            "Ctrl+F": self.list.search.setFocus,
            "Ctrl+P": lambda: self.list.ask("reprint"),
            "Ctrl+B": lambda: self.list.ask("supplement"),
            "Ctrl+N": lambda: self.list.ask("supplement_received"),
            "Ctrl+R": lambda: self.list.ask("refuse"),
            "Ctrl+T": lambda: self.list.ask("return"),
            "Ctrl+D": lambda: self.list.ask("digitise"),
            "Esc": window.back_to_panel,
        })  # fmt: skip
        for key, which in (("F8", "new"), ("F9", "list")):
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.activated.connect(lambda which=which: window.open_dossiers(which))

        self.reception.submitted.connect(ctl.receive)
        self.reception.camera_wanted.connect(self.toggle_camera)
        self.list.search_wanted.connect(ctl.list_recent)
        self.list.act.connect(self.list_action)
        ctl.saved.connect(self.saved)
        ctl.refused.connect(self.reception_refused)
        ctl.failed.connect(self.failed)
        ctl.listed.connect(lambda found: self.list.show_dossiers(found, ctl.desk.clock.now()))
        ctl.changed.connect(self.changed)
        ctl.busy_changed.connect(self.reception.set_busy)
        self.reception.printer.setCurrentIndex(max(0, self.reception.printer.findData(ctl.desk.print_target)))
        self.reception.printer.currentIndexChanged.connect(
            lambda _i: ctl.desk.set_print_target(str(self.reception.printer.currentData()))
        )

    def list_action(self, action: str, code: str, text: str) -> None:
        if action == "digitise":
            dossier = next((d for d in self.list.dossiers if d.code == code), None)
            if dossier is not None:
                self.scan.open(dossier)
            return
        self.ctl.act(action, code, text)

    def stop(self) -> None:
        self.stop_camera()
        self.scan.stop_camera()
        if self.sync is not None:
            self.sync.service.stop()

    def set_scale(self, scale: float) -> None:
        pass  # the window's stylesheet scales the type; these screens lay out by themselves

    def open(self, which: str, ticket: str = "", find: str = "") -> None:
        """`find`: the list shows that dossier (a code) rather than the recent ones."""
        if which == "new":
            self.reception.reset(ticket)
            self.window.stack.setCurrentWidget(self.reception)
            self.reception.fields["id_number"].setFocus()
            self.ctl.top_up()
        else:
            self.window.stack.setCurrentWidget(self.list)
            self.list.strip.clear_message()
            self.list.search.setFocus()
            self.ctl.list_recent(find)

    def _screen_changed(self, _index: int) -> None:
        current = self.window.stack.currentWidget()
        self.wedge.enabled = current in (self.reception, self.list)
        if current is not self.reception:
            self.stop_camera()
        if current is not self.scan.screen:
            self.scan.stop_camera()

    # --- scanning -------------------------------------------------------------------------------------

    def scanned(self, text: str) -> None:
        """A CCCD QR fills the citizen; a Mẫu 01 QR opens the dossier; anything else is said plainly."""
        result = classify(text, self.ctl.desk.catalog)
        current = self.window.stack.currentWidget()
        if isinstance(result, CitizenIdScan) and current is self.reception:
            self.stop_camera()
            self.reception.fill_citizen(result)
        elif isinstance(result, ReceiptScan):
            if current is not self.list:
                self.open("list")
            self.list.search.setText(result.dossier_code)
            self.ctl.list_recent(result.dossier_code)
        elif current is self.reception:
            self.reception.scan_state.setText(NOT_A_CARD)
        else:
            self.list.strip.show_message("Mã vừa quét không phải mã hồ sơ của Trung tâm.", "warning")

    def toggle_camera(self) -> None:
        if self.camera is not None:
            self.stop_camera()
            self.reception.scan_state.setText("Đã tắt camera.")
            return
        decoder = QrDecoder()
        self.camera = CameraWorker(lambda: open_camera(self.camera_spec), decoder.decode)
        self.camera.decoded.connect(self.scanned)
        self.camera.frame.connect(self.show_frame)
        self.camera.failed.connect(lambda message: self.reception.scan_state.setText(message))
        self.camera.finished.connect(self._camera_finished)
        self.reception.scan_state.setText("Đưa mặt trước thẻ CCCD (mã QR) vào trước camera… (F10 để tắt)")
        self.camera.start()

    def show_frame(self, image: QImage) -> None:
        if self.camera is None:  # a frame still in the queue after the camera stopped
            return
        preview = self.reception.preview
        preview.setPixmap(QPixmap.fromImage(image).scaledToWidth(preview.width() or 200))
        preview.show()

    def _camera_finished(self) -> None:
        """The source ran out (a file camera) or failed: forget it, so F10 starts it again."""
        if self.camera is not None:
            self.camera = None
            self.reception.preview.hide()

    def stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        self.reception.preview.hide()

    # --- answers -----------------------------------------------------------------------------------------

    def saved(self, dossier: Dossier, outcome: PrintOutcome) -> None:
        kind, text = saved_message(dossier, outcome)
        self.open("list")
        self.list.strip.show_message(text, kind)
        self.ctl.list_recent(dossier.code)

    def reception_refused(self, errors: dict[str, list[str]]) -> None:
        self.reception.show_errors(errors)

    def failed(self, message: str) -> None:
        screen = self.window.stack.currentWidget()
        strip = self.reception.strip if screen is self.reception else self.list.strip
        strip.show_message(message, "error")

    def changed(self, dossier: Dossier, outcome: PrintOutcome | None) -> None:
        kind, text = saved_message(dossier, outcome)
        self.list.strip.show_message(text, kind)
        self.ctl.list_recent(dossier.code if dossier.status != Status.RETURNED else "")
