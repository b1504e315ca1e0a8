"""The cells of a service group's row in the settings tab that say what a citizen's ticket looks like and what the
kiosk offers under the group: its letter, its number range and the catalogue's fields (lĩnh vực) it serves.

The service checks every value (app/core/group_settings.py); these widgets only make it easy to type the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QAction, QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QMenu, QToolButton, QWidget

NO_FIELDS = "chọn lĩnh vực…"
PREFIX_TIP = (
    "Chữ cái in trước số thứ tự (A–Z). Chỉ đổi được khi nhóm chưa cấp số nào trong ngày: công dân đang giữ phiếu chữ "
    "cũ. Nếu đã cấp, hãy đổi vào sáng mai trước giờ cấp số."
)
RANGE_TIP = (
    "Số đầu–số cuối của nhóm trong một ngày, ví dụ 1–500. Dải mới phải chứa các số đã cấp hôm nay: mở rộng được ngay, "
    "thu hẹp từ sáng mai. Dải riêng của các nhóm không được chồng nhau."
)
_RANGE = re.compile(r"^\s*(\d{1,6})\s*[-–—]\s*(\d{1,6})\s*$")


def range_text(numbers: Sequence[int]) -> str:
    return f"{numbers[0]}–{numbers[1]}"


def parse_range(text: str) -> list[int] | str:
    """ "1–500" → [1, 500]; anything else is sent as typed, for the service to refuse with its message."""
    match = _RANGE.match(text)
    return [int(match.group(1)), int(match.group(2))] if match else text


def prefix_edit(letter: str = "") -> QLineEdit:
    edit = QLineEdit(letter)
    edit.setMaxLength(1)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z]")))
    edit.setPlaceholderText("tự")
    edit.setToolTip(PREFIX_TIP)
    edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("MM") + 22)
    return edit


def range_edit(numbers: Sequence[int] = (1, 999)) -> QLineEdit:
    edit = QLineEdit(range_text(numbers))
    edit.setToolTip(RANGE_TIP)
    edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("0000–0000") + 18)
    return edit


class FieldPicker(QToolButton):
    """A button naming the fields chosen; its menu lists the catalogue's fields to tick."""

    changed = Signal()

    def __init__(self, fields: Iterable[dict[str, Any]], chosen: Iterable[str] = (),
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip("Các lĩnh vực nhóm phụ trách: ki-ốt hiển thị thủ tục của các lĩnh vực này dưới tên nhóm.")
        menu = QMenu(self)
        self._unknown: list[str] = []
        self.actions_by_code: dict[str, QAction] = {}
        self.names: dict[str, str] = {}
        for f in fields:
            code, name = str(f["code"]), str(f["name"])
            action = QAction(name, menu, checkable=True)
            action.toggled.connect(self._toggled)
            menu.addAction(action)
            self.actions_by_code[code] = action
            self.names[code] = name
        self.setMenu(menu)
        self.set_chosen(chosen)

    def chosen(self) -> list[str]:
        return [code for code, action in self.actions_by_code.items() if action.isChecked()] + self._unknown

    def set_chosen(self, codes: Iterable[str]) -> None:
        wanted = list(codes)
        self._unknown = [c for c in wanted if c not in self.actions_by_code]  # kept: not in this catalogue
        for code, action in self.actions_by_code.items():
            action.blockSignals(True)
            action.setChecked(code in wanted)
            action.blockSignals(False)
        self._toggled()

    def _toggled(self, _checked: bool = False) -> None:
        names = [self.names.get(c, c) for c in self.chosen()]
        self.setText(", ".join(names) if names else NO_FIELDS)
        self.changed.emit()


__all__ = ["FieldPicker", "parse_range", "prefix_edit", "range_edit", "range_text"]
