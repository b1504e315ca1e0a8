"""The settings tab: what a director owns, saved in the centre service with who changed it and when.

The wait target, the hall notice, each group's daily cap and issuing hours, and which groups each counter serves
(1 called first, 2 next; empty: not served). "Lưu thay đổi" sends only what differs from what was loaded; the
service checks it (app/core/centre_settings.py) and refuses with a Vietnamese line per problem, shown here in red.
Saved changes reach kiosks, counters and the hall board at once (the `centre.changed` event).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.dashboard import figures as fmt
from app.dashboard.controller import DashboardController
from app.dashboard.widgets import Card, cell_texts, fill, label, named, table

GROUP_HEADERS = ("Nhóm dịch vụ", "Đã cấp hôm nay", "Giới hạn số/ngày", "Giờ cấp số (trống: cả ngày)")
AUDIT_HEADERS = ("Lúc", "Người đổi", "Mục", "Trước", "Sau")
NO_CAP = "không giới hạn"
_SPLIT = re.compile(r"\s*[-–—]\s*")


def windows_text(windows: list[list[str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in windows)


def parse_windows(text: str) -> list[list[str]]:
    """ "07:30–11:00, 13:30–16:00" → [["07:30", "11:00"], ["13:30", "16:00"]]; the service checks the times."""
    found = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if part:
            pieces = _SPLIT.split(part, maxsplit=1)
            found.append([pieces[0], pieces[1] if len(pieces) > 1 else ""])
    return found


class SettingsTab(QWidget):
    def __init__(self, ctl: DashboardController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab")
        self.ctl = ctl
        self.loaded: dict[str, Any] | None = None
        self._pending: dict[str, Any] | None = None  # newer settings that came while the director was editing
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(8)
        grid = QGridLayout()
        grid.setSpacing(8)
        root.addLayout(grid, 1)

        queue_card = Card("Hàng đợi và giờ cấp số")
        form = QHBoxLayout()
        form.addWidget(QLabel("Mục tiêu thời gian chờ"))
        self.target = QSpinBox(minimum=1, maximum=240, suffix=" phút")
        form.addWidget(self.target)
        form.addSpacing(16)
        form.addWidget(QLabel("Dòng thông báo trên màn hình sảnh"))
        self.notice = QLineEdit()
        self.notice.setMaxLength(500)
        form.addWidget(self.notice, 1)
        queue_card.body.addLayout(form)
        self.groups = QTableWidget(0, len(GROUP_HEADERS))
        self.groups.setHorizontalHeaderLabels(list(GROUP_HEADERS))
        self.groups.verticalHeader().setVisible(False)
        header = self.groups.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.groups.verticalHeader().setDefaultSectionSize(28)
        queue_card.body.addWidget(self.groups)
        self.hint = label("", "note")
        queue_card.body.addWidget(self.hint)

        counter_card = Card("Quầy phục vụ nhóm nào (1: gọi trước, 2: sau; trống: không phục vụ)")
        self.matrix = QTableWidget(0, 0)
        self.matrix.verticalHeader().setDefaultSectionSize(28)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        counter_card.body.addWidget(self.matrix)

        audit_card = Card("Lịch sử thay đổi (ai đổi, lúc nào)")
        self.audit = table(AUDIT_HEADERS, stretch=4)
        audit_card.body.addWidget(self.audit)

        grid.addWidget(queue_card, 0, 0)
        grid.addWidget(counter_card, 0, 1)
        grid.addWidget(audit_card, 1, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)

        bar = QHBoxLayout()
        self.message = label("", "note")
        self.message.setWordWrap(True)
        bar.addWidget(self.message, 1)
        self.undo = QPushButton("Hoàn tác")
        self.undo.clicked.connect(self.revert)
        bar.addWidget(self.undo)
        self.save = named(QPushButton("Lưu thay đổi"), "primary")
        self.save.clicked.connect(self.submit)
        bar.addWidget(self.save)
        root.addLayout(bar)

        ctl.settings_ready.connect(self._arrived)
        ctl.settings_saved.connect(self._saved)
        ctl.settings_failed.connect(self._failed)
        ctl.audit_ready.connect(self.show_audit)

    # --- showing -----------------------------------------------------------------------------------------

    def _arrived(self, data: dict[str, Any]) -> None:
        """Settings fetched (at first, or after a `centre.changed`): shown unless the director is editing."""
        if self.loaded is not None and self.change():
            self.message.setObjectName("note")
            self.message.setText("Cài đặt vừa được thay đổi ở nơi khác. Bấm «Hoàn tác» để xem cài đặt mới (các sửa "
                                 "đổi chưa lưu ở đây sẽ bỏ).")  # fmt: skip
            self._restyle()
            self._pending = data
            return
        self.show_settings(data)

    def show_settings(self, data: dict[str, Any]) -> None:
        self.loaded = data
        self._pending = None
        self.target.setValue(round(float(data.get("wait_target_min") or 30)))
        self.notice.setText(str(data.get("notice") or ""))
        self.notice.setCursorPosition(0)
        row_height = self.fontMetrics().height() + 14
        self.groups.verticalHeader().setDefaultSectionSize(row_height)
        self.matrix.verticalHeader().setDefaultSectionSize(row_height)
        issued = data.get("issued_today") or {}
        groups = data.get("groups") or []
        self.groups.setRowCount(len(groups))
        for r, g in enumerate(groups):
            name = QTableWidgetItem(f"{g['prefix']} · {g['name']}")
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.groups.setItem(r, 0, name)
            count = QTableWidgetItem(fmt.count(int(issued.get(g["code"], 0))))
            count.setFlags(Qt.ItemFlag.ItemIsEnabled)
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.groups.setItem(r, 1, count)
            cap = QSpinBox(minimum=0, maximum=int(g["number_range"][1]), suffix=" số")
            cap.setSpecialValueText(NO_CAP)
            cap.setValue(int(g["daily_cap"] or 0))
            self.groups.setCellWidget(r, 2, cap)
            self.groups.setCellWidget(r, 3, QLineEdit(windows_text(g.get("windows") or [])))
        counters = data.get("counters") or []
        codes = [g["code"] for g in groups]
        self.matrix.setRowCount(len(counters))
        self.matrix.setColumnCount(len(codes))
        self.matrix.setHorizontalHeaderLabels(codes)
        self.matrix.setVerticalHeaderLabels([str(c["name"]) for c in counters])
        for r, c in enumerate(counters):
            for col, code in enumerate(codes):
                level = c["groups"].get(code)
                item = QTableWidgetItem("" if level is None else str(level))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.matrix.setItem(r, col, item)
        day = str(data.get("day") or "")
        shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) == 10 else day
        self.hint.setText(f"Đã cấp hôm nay: số phiếu của ngày {shown}; giới hạn số/ngày không được nhỏ hơn. Giờ cấp "
                          "số ghi dạng 07:30–11:00, 13:30–16:00.")  # fmt: skip
        self._mark_bad([])

    def revert(self) -> None:
        data = self._pending or self.loaded
        if data is not None:
            self.show_settings(data)
            self.message.setObjectName("note")
            self.message.setText("")
            self._restyle()

    def show_audit(self, rows: list[dict[str, Any]]) -> None:
        lines = [[fmt.since_text(r.get("at")), str(r.get("who", "")), str(r.get("label", "")), str(r.get("old", "")),
                  str(r.get("new", ""))] for r in rows]  # fmt: skip
        self.audit.clearSpans()
        fill(self.audit, lines or [["Chưa có thay đổi nào.", "", "", "", ""]], text_columns=range(5))
        if not lines:
            self.audit.setSpan(0, 0, 1, len(AUDIT_HEADERS))

    def _restyle(self) -> None:
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # --- editing -----------------------------------------------------------------------------------------

    def cap_box(self, row: int) -> QSpinBox:
        box = self.groups.cellWidget(row, 2)
        assert isinstance(box, QSpinBox)
        return box

    def window_edit(self, row: int) -> QLineEdit:
        edit = self.groups.cellWidget(row, 3)
        assert isinstance(edit, QLineEdit)
        return edit

    def change(self) -> dict[str, Any]:
        """What differs from the settings as loaded, in the shape PUT /api/settings takes."""
        data = self.loaded or {}
        change: dict[str, Any] = {}
        if self.target.value() != round(float(data.get("wait_target_min") or 30)):
            change["wait_target_min"] = self.target.value()
        if self.notice.text() != str(data.get("notice") or ""):
            change["notice"] = self.notice.text()
        groups: dict[str, Any] = {}
        for r, g in enumerate(data.get("groups") or []):
            edits: dict[str, Any] = {}
            cap = self.cap_box(r).value() or None
            if cap != g["daily_cap"]:
                edits["daily_cap"] = cap
            windows = parse_windows(self.window_edit(r).text())
            if windows != (g.get("windows") or []):
                edits["windows"] = windows
            if edits:
                groups[g["code"]] = edits
        if groups:
            change["groups"] = groups
        counters: dict[str, Any] = {}
        codes = [g["code"] for g in data.get("groups") or []]
        for r, c in enumerate(data.get("counters") or []):
            levels: dict[str, Any] = {}
            for col, code in enumerate(codes):
                item = self.matrix.item(r, col)
                text = item.text().strip() if item else ""
                if text:
                    levels[code] = int(text) if text.isdigit() else text
            if levels != c["groups"]:
                counters[str(c["id"])] = levels
        if counters:
            change["counters"] = counters
        return change

    def submit(self) -> None:
        change = self.change()
        if not change:
            self.message.setObjectName("note")
            self.message.setText("Không có gì thay đổi.")
            self._restyle()
            return
        self.save.setEnabled(False)
        self.message.setObjectName("note")
        self.message.setText("Đang lưu…")
        self._restyle()
        self.ctl.save_settings(change)

    def _saved(self, answer: dict[str, Any]) -> None:
        self.save.setEnabled(True)
        if answer.get("settings"):
            self.show_settings(answer["settings"])
        changed = answer.get("changed") or []
        self.message.setObjectName("ok")
        self.message.setText("Đã lưu: " + "; ".join(f"{c['label']}: {c['new']}" for c in changed) + "."
                             if changed else "Không có gì thay đổi.")  # fmt: skip
        self._restyle()

    def _mark_bad(self, fields: list[str]) -> None:
        """Red borders on the fields the service refused ("groups.HT.daily_cap", "wait_target_min", "notice")."""
        codes = [g["code"] for g in (self.loaded or {}).get("groups") or []]
        widgets: dict[str, QWidget] = {"wait_target_min": self.target, "notice": self.notice}
        for r, code in enumerate(codes):
            widgets[f"groups.{code}.daily_cap"] = self.cap_box(r)
            widgets[f"groups.{code}.windows"] = self.window_edit(r)
        for name, widget in widgets.items():
            bad = name in fields
            if widget.property("bad") != bad:
                widget.setProperty("bad", bad)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def _failed(self, message: str, errors: list[dict[str, Any]]) -> None:
        self.save.setEnabled(True)
        self._mark_bad([str(e.get("field")) for e in errors])
        self.message.setObjectName("error")
        lines = [str(e.get("message")) for e in errors if e.get("message")] or [message]
        self.message.setText("Chưa lưu. " + " ".join(lines))
        self._restyle()

    def shown(self) -> dict[str, Any]:
        return {"message": self.message.text(), "audit": cell_texts(self.audit)}
