"""Small choices the clerk makes: which group to transfer a citizen to, why the counter pauses.

Both open with `open()` (window-modal, never blocking the event loop) and say what they chose with `chosen`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from counter.state import PAUSE_REASONS
from counter.widgets import ActionButton, label


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class TransferDialog(QDialog):
    """Lists the other groups with how many wait in each; Enter or a double click transfers."""

    chosen = Signal(str)  # group code

    def __init__(self, ticket: dict[str, Any], groups: list[dict[str, Any]], parent: QWidget | None = None,
                 *, scale: float = 1.0) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Chuyển nhóm")
        self.setMinimumSize(round(600 * scale), round(600 * scale))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(label(f"Chuyển số {ticket['number']} sang nhóm khác", "title", wrap=True))
        layout.addWidget(label("Công dân quay lại hàng chờ của nhóm mới, giữ nguyên thứ tự theo giờ lấy số. "
                               "Chọn nhóm rồi bấm “Chuyển”.", "subtitle", wrap=True))  # fmt: skip
        self.list = QListWidget()
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        for g in groups:
            if g["code"] == ticket.get("group"):
                continue
            item = QListWidgetItem(f"{g['prefix']} · {g['name']}  ({g['waiting']} người chờ)")
            item.setData(Qt.ItemDataRole.UserRole, g["code"])
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.cancel_button = _button("Hủy  (Esc)", "secondary")
        self.ok_button = _button("Chuyển  (Enter)", "primary")
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.choose)
        self.cancel_button.clicked.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.choose())

    def codes(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def select(self, code: str) -> None:
        self.list.setCurrentRow(self.codes().index(code))

    def choose(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))
        self.accept()


class PauseDialog(QDialog):
    """Three reasons, each a big button with its number key."""

    chosen = Signal(str)  # break | back_office | meeting

    HELP: ClassVar[dict[str, str]] = {
        "break": "Nghỉ giải lao",
        "back_office": "Xử lý hồ sơ (không tiếp công dân)",
        "meeting": "Họp",
    }

    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tạm nghỉ")
        self.setMinimumWidth(round(560 * scale))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(label("Tạm nghỉ quầy", "title"))
        layout.addWidget(label("Trong lúc tạm nghỉ, quầy không gọi số. Chọn lý do:", "subtitle", wrap=True))
        self.buttons: dict[str, ActionButton] = {}
        for i, reason in enumerate(PAUSE_REASONS, start=1):
            button = ActionButton(str(i), self.HELP[reason], "primary" if i == 1 else "plain")
            button.setObjectName(f"reason-{reason}")
            button.set_scale(scale)
            button.clicked.connect(lambda _=False, reason=reason: self.choose(reason))
            shortcut = QShortcut(QKeySequence(str(i)), self)
            shortcut.activated.connect(lambda reason=reason: self.choose(reason))
            self.buttons[reason] = button
            layout.addWidget(button)
        cancel = _button("Hủy  (Esc)", "secondary")
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel, 0, Qt.AlignmentFlag.AlignRight)

    def choose(self, reason: str) -> None:
        self.chosen.emit(reason)
        self.accept()
