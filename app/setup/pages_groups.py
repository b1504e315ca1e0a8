"""Counters and service groups of a new centre: one group per field of the procedure catalogue, all ticked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSpinBox

from app.core.catalog import Catalog
from app.core.centre import LETTERS
from app.setup.style import Page, field_label, show_status, status_label


class GroupsPage(Page):
    def __init__(self, catalog: Catalog) -> None:
        super().__init__("Quầy và nhóm cấp số", "Mỗi lĩnh vực thủ tục là một nhóm số thứ tự (chữ cái trước số). Mọi "
                         "quầy đều nhận mọi nhóm; mỗi quầy ưu tiên vài nhóm của mình. Sau này lãnh đạo đổi được trong "
                         "phần Cài đặt.")  # fmt: skip
        row = QHBoxLayout()
        row.addWidget(field_label("Số quầy của Trung tâm"))
        self.counters = QSpinBox(minimum=1, maximum=30, value=4)
        self.counters.setMinimumWidth(120)
        row.addWidget(self.counters)
        row.addStretch(1)
        self.box.addLayout(row)
        self.box.addWidget(field_label("Các nhóm cấp số (bỏ chọn lĩnh vực Trung tâm không làm)"))
        self.groups = QListWidget()
        for i, field in enumerate(catalog.fields):
            item = QListWidgetItem(f"{LETTERS[i % len(LETTERS)]}   {field.name}   ({field.code})")
            item.setData(Qt.ItemDataRole.UserRole, field.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.groups.addItem(item)
        self.box.addWidget(self.groups, 1)
        note = QLabel("Chữ cái đầu dòng là chữ in trước số thứ tự (ví dụ A001); chữ cái được xếp lại theo các nhóm "
                      "được chọn.", wordWrap=True)  # fmt: skip
        note.setStyleSheet("color: #444444; font-size: 12pt;")
        self.box.addWidget(note)
        self.error = status_label()
        self.box.addWidget(self.error)

    def choose(self, codes: list[str]) -> None:
        """Tick `codes` only ([] = every group)."""
        for i in range(self.groups.count()):
            item = self.groups.item(i)
            ticked = not codes or item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def chosen(self) -> list[str]:
        items = (self.groups.item(i) for i in range(self.groups.count()))
        return [str(it.data(Qt.ItemDataRole.UserRole)) for it in items if it.checkState() == Qt.CheckState.Checked]

    def validatePage(self) -> bool:
        chosen = self.chosen()
        if not chosen:
            show_status(self.error, "Chọn ít nhất một nhóm cấp số.", "error")
            return False
        everything = len(chosen) == self.groups.count()
        self.wiz.config.set("centre", "counters", self.counters.value())
        self.wiz.config.set("centre", "groups", [] if everything else chosen)  # [] keeps new catalogue fields too
        return True
