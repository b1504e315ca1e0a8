"""The counter window: connection banner, sign-in or panel, keyboard shortcuts, dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.qtbridge.unpaired import show_when_unpaired
from counter.controller import CounterController
from counter.dialogs import PauseDialog, TransferDialog
from counter.dossier.controller import DossierController
from counter.dossier.pages import DossierPages
from counter.panel import BUTTONS, PanelScreen
from counter.signin import SignInScreen
from counter.style import STYLE, scale_for, stylesheet
from counter.sync.service import SyncService
from counter.widgets import Banner

MIN_SIZE = (1024, 700)  # a 1366×768 laptop with its taskbar; 1080 wide for a monitor turned to portrait
OFFLINE = ("Mất kết nối với máy chủ Trung tâm. Đang tự kết nối lại… Các nút tạm khóa; "
           "thao tác đang dở sẽ tự gửi lại khi có kết nối.")  # fmt: skip


class CounterWindow(QWidget):
    def __init__(self, ctl: CounterController, *, username: str = "", counter: int | None = None,
                 dossiers: DossierController | None = None, camera: str = "0",
                 scanners: list[str] | None = None, doc_camera: str | None = None,
                 sync: SyncService | None = None) -> None:  # fmt: skip
        super().__init__()
        self.setObjectName("root")
        self.setWindowTitle("Một Cửa — Quầy")
        self.setStyleSheet(STYLE)
        self.setMinimumSize(*MIN_SIZE)
        self.scale = 1.0
        self.ctl = ctl
        self.banner = Banner(size=20)
        self.signin = SignInScreen(ctl, username=username, counter=counter)
        self.panel = PanelScreen(ctl)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.signin)
        self.stack.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.dossier_pages = (
            DossierPages(self, dossiers, camera, scanners or [], doc_camera or camera, sync)
            if dossiers is not None
            else None
        )
        self.transfer_dialog: TransferDialog | None = None
        self.pause_dialog: PauseDialog | None = None

        self.shortcuts: dict[str, QShortcut] = {}
        for key, _name, _kind in BUTTONS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda key=key: self.key_pressed(key))
            self.shortcuts[key] = shortcut
        # F1–F7 belong to the queue panel; on the dossier screens the same keys mean other things (F5: scan)
        self.stack.currentChanged.connect(self._panel_keys)
        self._panel_keys(0)
        self.shortcuts["Ctrl+Q"] = QShortcut(QKeySequence("Ctrl+Q"), self)
        self.shortcuts["Ctrl+Q"].activated.connect(self.sign_out)

        self.panel.dossier_wanted.connect(self.open_dossiers)
        self.panel.action.connect(self.run_action)
        self.panel.sign_out.connect(self.sign_out)
        ctl.connection_changed.connect(self.connection_changed)
        self.unpaired_notice = show_when_unpaired(ctl.unpaired, self)  # the stream stopped: say why, for good
        ctl.model_changed.connect(self.refresh)
        ctl.meta_loaded.connect(self.refresh)
        ctl.notice.connect(self.panel.show_notice)
        ctl.signed_in.connect(self.show_panel)
        ctl.signed_out.connect(self.show_signin)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        scale = scale_for(event.size().width(), event.size().height())
        if scale != self.scale:
            self.scale = scale
            self.setStyleSheet(stylesheet(scale))
            self.banner.set_scale(scale)
            self.panel.set_scale(scale)
            self.signin.set_scale(scale)
            if self.dossier_pages is not None:
                self.dossier_pages.set_scale(scale)
        super().resizeEvent(event)

    @property
    def on_panel(self) -> bool:
        return self.stack.currentWidget() is self.panel

    def refresh(self) -> None:
        if self.on_panel:
            self.panel.refresh()
        elif self.stack.currentWidget() is self.signin:
            self.signin.refresh()

    def connection_changed(self, online: bool) -> None:
        if online:
            self.banner.clear_message()
        else:
            self.banner.show_message(OFFLINE, "error")
            if self.panel.strip.kind != "warning":  # an action waiting to be resent keeps its warning
                self.panel.show_notice("", "")
        self.refresh()

    # --- screens ------------------------------------------------------------------------------------

    def show_panel(self) -> None:
        self.stack.setCurrentWidget(self.panel)
        self.panel.show_notice("", "")
        self.refresh()

    def show_signin(self, reason: str = "") -> None:
        self._close_dialogs()
        self.stack.setCurrentWidget(self.signin)
        self.signin.reset(reason)
        self.refresh()

    def sign_out(self) -> None:
        if self.on_panel or self.stack.currentWidget() is not self.signin:
            self.ctl.sign_out()

    # --- actions ------------------------------------------------------------------------------------

    def key_pressed(self, key: str) -> None:
        if self.on_panel and not self._dialog_open():
            self.panel.press(key)

    def _panel_keys(self, _index: int) -> None:
        for key, _name, _kind in BUTTONS:
            self.shortcuts[key].setEnabled(self.on_panel)

    def open_dossiers(self, which: str) -> None:
        """F8: receive a dossier for the citizen at the counter; F9: the dossiers received (look up, return)."""
        if self.dossier_pages is not None and (self.on_panel or which == "list") and not self._dialog_open():
            ctl = self.ctl
            ticket = ctl.model.current(ctl.counter_id) if ctl.counter_id is not None else None
            self.dossier_pages.open(which, str(ticket.get("number", "")) if ticket else "")

    def back_to_panel(self) -> None:
        if self.ctl.session is not None:
            self.show_panel()

    def run_action(self, name: str) -> None:
        if name == "transfer":
            self.open_transfer()
        elif name == "pause":
            self.open_pause()
        else:
            self.ctl.act(name)

    def open_transfer(self) -> None:
        ctl = self.ctl
        ticket = ctl.model.current(ctl.counter_id) if ctl.counter_id is not None else None
        if ticket is None:
            return
        groups = [{**g, "waiting": ctl.model.waiting_in(g["code"])} for g in ctl.model.groups]
        dialog = TransferDialog(ticket, groups, self, scale=self.scale)
        dialog.chosen.connect(lambda code: ctl.act("transfer", group=code))
        dialog.finished.connect(self._forget_dialogs)
        self.transfer_dialog = dialog
        dialog.open()

    def open_pause(self) -> None:
        dialog = PauseDialog(self, scale=self.scale)
        dialog.chosen.connect(lambda reason: self.ctl.act("pause", reason=reason))
        dialog.finished.connect(self._forget_dialogs)
        self.pause_dialog = dialog
        dialog.open()

    def _dialog_open(self) -> bool:
        return any(d is not None and d.isVisible() for d in (self.transfer_dialog, self.pause_dialog))

    def _forget_dialogs(self) -> None:
        for dialog in (self.transfer_dialog, self.pause_dialog):
            if dialog is not None and not dialog.isVisible():
                dialog.deleteLater()
        if self.transfer_dialog is not None and not self.transfer_dialog.isVisible():
            self.transfer_dialog = None
        if self.pause_dialog is not None and not self.pause_dialog.isVisible():
            self.pause_dialog = None
        self.activateWindow()  # the function keys belong to this window again

    def _close_dialogs(self) -> None:
        for dialog in (self.transfer_dialog, self.pause_dialog):
            if dialog is not None:
                dialog.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._close_dialogs()
        self.ctl.stop()
        if self.dossier_pages is not None:
            self.dossier_pages.stop()
        super().closeEvent(event)
