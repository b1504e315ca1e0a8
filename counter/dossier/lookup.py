"""Hồ sơ đã nhận: find a dossier (type or scan the code on Mẫu 01, or a CCCD number) and act on it.

Keys: Ctrl+F search, Ctrl+P reprint Mẫu 01, Ctrl+B ask for a supplement (Mẫu 02), Ctrl+N supplement
received, Ctrl+R refuse (Mẫu 03), Ctrl+T return the result, Esc back to the queue.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.dossier import Dossier, Status, allowed_changes, is_overdue
from app.core.reception import local_text
from counter.widgets import Banner, card, label

# action, button text, what allowed_changes must contain
ACTIONS = (
    ("reprint", "In lại Mẫu 01  (Ctrl+P)", None),
    ("supplement", "Yêu cầu bổ sung  (Ctrl+B)", "supplement"),
    ("supplement_received", "Nhận bổ sung  (Ctrl+N)", "supplement_received"),
    ("refuse", "Từ chối  (Ctrl+R)", "refuse"),
    ("return", "Trả kết quả  (Ctrl+T)", "return"),
    ("digitise", "Số hóa, ký số  (Ctrl+D)", "digitise"),
)


class DossiersScreen(QWidget):
    act = Signal(str, str, str)  # action, dossier code, text (reason or who collected)
    search_wanted = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("dossiers")
        self.dossiers: list[Dossier] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 8, 14, 8)
        head = QHBoxLayout()
        head.addWidget(label("Hồ sơ đã tiếp nhận", "cardTitle"))
        head.addStretch(1)
        head.addWidget(
            label("Quét mã QR trên Giấy tiếp nhận (Mẫu 01) hoặc gõ mã hồ sơ, số CCCD · Esc quay lại", "hint")
        )
        outer.addLayout(head)
        self.strip = Banner(size=17)
        outer.addWidget(self.strip)
        self.search = QLineEdit()
        self.search.setObjectName("dossierSearch")
        self.search.setPlaceholderText("Mã hồ sơ hoặc số CCCD, rồi Enter")
        self.search.returnPressed.connect(lambda: self.search_wanted.emit(self.search.text()))
        outer.addWidget(self.search)
        box = card()
        col = QVBoxLayout(box)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("dossierTable")
        self.table.setHorizontalHeaderLabels(
            ["Mã hồ sơ", "Người nộp", "Thủ tục", "Nhận lúc", "Hẹn trả", "Số hóa", "Trạng thái"]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.update_buttons)
        col.addWidget(self.table)
        outer.addWidget(box, 1)
        self.detail = label("", "detail", wrap=True)
        outer.addWidget(self.detail)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for action, text, _need in ACTIONS:
            button = QPushButton(text)
            button.setObjectName("secondary")
            button.clicked.connect(lambda _=False, action=action: self.ask(action))
            self.buttons[action] = button
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self.now: datetime | None = None
        self.update_buttons()

    def show_dossiers(self, dossiers: list[Dossier], now: datetime) -> None:
        self.dossiers = dossiers
        self.now = now
        self.table.setRowCount(0)
        for d in dossiers:
            r = self.table.rowCount()
            self.table.insertRow(r)
            due = local_text(d.due_at) if d.due_at else "tạm dừng (chờ bổ sung)"
            status = d.status_name + (" · quá hạn" if is_overdue(d, now) else "")
            received = [c for c in d.components if c.received]
            digitised = f"{sum(1 for c in received if c.digitised)}/{len(received)}"
            signed = sum(1 for c in received if c.files and c.files[0].signed)
            digitised += f" · đã ký số {signed}" if signed else ""
            row = (d.code, d.citizen.name, d.procedure_name, local_text(d.received_at), due, digitised, status)
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if dossiers:
            self.table.selectRow(0)
        self.update_buttons()

    def selected(self) -> Dossier | None:
        rows = self.table.selectionModel().selectedRows()
        return self.dossiers[rows[0].row()] if rows and rows[0].row() < len(self.dossiers) else None

    def update_buttons(self) -> None:
        d = self.selected()
        allowed = allowed_changes(d) if d else set()
        for action, _text, need in ACTIONS:
            self.buttons[action].setEnabled(d is not None and (need is None or need in allowed))
        if d is not None:
            self.buttons["digitise"].setEnabled(d.status not in (Status.REFUSED, Status.WITHDRAWN))
        if d is None:
            self.detail.setText("Chưa chọn hồ sơ." if not self.dossiers else "")
            return
        steps = " → ".join(f"{s.content} ({local_text(s.at)})" for s in d.steps[-3:])
        received = sum(1 for c in d.components if c.received)
        self.detail.setText(f"<b>{d.code}</b> · {d.procedure_name} · {received} thành phần đã nhận · {steps}")

    def ask(self, action: str) -> None:
        d = self.selected()
        if d is None or not self.buttons[action].isEnabled():
            return
        if action in ("reprint", "supplement_received", "digitise"):
            self.act.emit(action, d.code, "")
            return
        prompts = {
            "supplement": ("Yêu cầu bổ sung", "Giấy tờ cần bổ sung và lý do (in trên Mẫu 02):", ""),
            "refuse": ("Từ chối tiếp nhận", "Lý do từ chối cụ thể (in trên Mẫu 03):", ""),
            "return": ("Trả kết quả", "Họ tên người nhận kết quả:", d.citizen.name),
        }
        title, prompt, value = prompts[action]
        dialog = TextDialog(title, prompt, value, self)
        dialog.chosen.connect(lambda text: self.act.emit(action, d.code, text))
        dialog.open()


class TextDialog(QDialog):
    """One text, required; Ctrl+Enter or the button confirms, Esc cancels."""

    chosen = Signal(str)

    def __init__(self, title: str, prompt: str, value: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("textDialog")
        self.setMinimumWidth(560)
        col = QVBoxLayout(self)
        col.addWidget(label(prompt, "fieldLabel", wrap=True))
        self.text = QPlainTextEdit(value)
        self.text.setObjectName("dialogText")
        self.text.setTabChangesFocus(True)
        col.addWidget(self.text)
        self.error = label("", "fieldError", wrap=True)
        col.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Xác nhận  (Ctrl+Enter)")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setShortcut("Ctrl+Return")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy  (Esc)")
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def confirm(self) -> None:
        text = " ".join(self.text.toPlainText().split())
        if not text:
            self.error.setText("Không được để trống.")
            return
        self.chosen.emit(text)
        self.accept()
