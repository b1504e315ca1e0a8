"""Đồng bộ hồ sơ: every dossier not yet at the centre or the province, why, and "Thử lại ngay"."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.reception import local_text
from app.store.sync_state import PendingItem
from counter.sync.service import DEST_NAMES, DestSummary, age_text
from counter.widgets import Banner, card, label

HEADERS = ["Gửi tới", "Mã hồ sơ", "Chờ từ", "Lần thử", "Tình trạng"]


class SyncScreen(QWidget):
    retry = Signal(str, str)  # dest, code ("" = everything)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("sync")
        self.items: list[PendingItem] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 8, 14, 8)
        head = QHBoxLayout()
        head.addWidget(label("Đồng bộ hồ sơ", "cardTitle"))
        head.addStretch(1)
        head.addWidget(label("Ctrl+R thử lại hồ sơ đang chọn · Ctrl+Shift+R thử lại tất cả · Esc quay lại", "hint"))
        outer.addLayout(head)
        self.strip = Banner(size=16)
        outer.addWidget(self.strip)
        self.lines = label("", "detail", wrap=True)
        outer.addWidget(self.lines)
        box = card()
        col = QVBoxLayout(box)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("syncTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        col.addWidget(self.table)
        self.empty = label("Mọi hồ sơ đã được gửi đủ.", "hint")
        col.addWidget(self.empty)
        outer.addWidget(box, 1)
        buttons = QHBoxLayout()
        self.retry_one = QPushButton("Thử lại ngay hồ sơ này  (Ctrl+R)")
        self.retry_all = QPushButton("Thử lại tất cả  (Ctrl+Shift+R)")
        for button in (self.retry_one, self.retry_all):
            button.setObjectName("secondary")
            buttons.addWidget(button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.retry_one.clicked.connect(self.retry_selected)
        self.retry_all.clicked.connect(lambda: self.retry.emit("", ""))
        for key, slot in (("Ctrl+R", self.retry_selected), ("Ctrl+Shift+R", lambda: self.retry.emit("", "")),
                          ("Esc", self.back.emit)):  # fmt: skip
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def show_items(self, summaries: list[DestSummary], items: list[PendingItem], now: datetime) -> None:
        self.lines.setText("<br>".join(s.line() for s in summaries))
        keep = self.selected()
        self.items = items
        self.table.setRowCount(0)
        for item in items:
            r = self.table.rowCount()
            self.table.insertRow(r)
            if item.rejected:
                state = f"Bị từ chối: {item.remote_message or item.last_error} — sửa hồ sơ rồi bấm Thử lại."
            elif item.last_error:
                retry = f" Sẽ tự thử lại lúc {local_text(item.next_try_at)}." if item.next_try_at else ""
                state = f"{item.last_error}{retry}"
            else:
                state = "Đang chờ gửi."
            when = f"{local_text(item.waiting_since)} ({age_text(now - item.waiting_since).removeprefix('cũ nhất ')})"
            row = (DEST_NAMES.get(item.dest, item.dest), item.code, when, str(item.attempts), state)
            for c, text in enumerate(row):
                cell = QTableWidgetItem(text)
                if item.rejected:
                    cell.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, cell)
            if keep is not None and (item.dest, item.code) == (keep.dest, keep.code):
                self.table.selectRow(r)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not items)
        self.retry_one.setEnabled(bool(items))
        self.retry_all.setEnabled(bool(items))

    def selected(self) -> PendingItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def retry_selected(self) -> None:
        item = self.selected() or (self.items[0] if self.items else None)
        if item is not None:
            self.retry.emit(item.dest, item.code)
