"""The settings tab's "Ngày nghỉ, làm bù" page: the centre's holiday override table that the counters count due dates
with (a day off in lieu, a make-up Saturday, a local closure), each day with the document behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.dashboard.widgets import Card, label

CALENDAR_HEADERS = ("Ngày", "Điều chỉnh", "Văn bản căn cứ", "Hiệu lực từ", "Ghi chú", "Bỏ")


def _qdate(text: str) -> QDate:
    day = date.fromisoformat(text)
    return QDate(day.year, day.month, day.day)


def _date_edit(value: QDate) -> QDateEdit:
    edit = QDateEdit(value)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


class CalendarPage(Card):
    """`today` gives the service's day (a new row starts tomorrow, in effect from today)."""

    def __init__(self, today: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__("Ngày nghỉ, ngày làm bù của Trung tâm (các quầy tính ngày hẹn trả theo bảng này)", parent)
        self.today = today
        self.table = QTableWidget(0, len(CALENDAR_HEADERS))
        self.table.setHorizontalHeaderLabels(list(CALENDAR_HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table)
        bar = QHBoxLayout()
        bar.addWidget(label("Ngày lễ, Tết theo luật đã có sẵn; ở đây chỉ ghi ngày khác đi: nghỉ bù, làm bù thứ Bảy, "
                            "nghỉ theo quyết định của địa phương.", "note"), 1)  # fmt: skip
        self.add_button = QPushButton("Thêm ngày")
        bar.addWidget(self.add_button)
        self.body.addLayout(bar)
        self.rows: list[dict[str, Any]] = []  # each row's widgets, and the override it was loaded with

    def show_overrides(self, overrides: list[dict[str, Any]]) -> None:
        self.table.setRowCount(0)
        self.rows = []
        for o in overrides:
            self.add_row(o)

    def add_row(self, loaded: dict[str, Any] | None) -> dict[str, Any]:
        """One override's row: existing (`loaded`; its day fixed) or new (any day, from tomorrow by default)."""
        r = self.table.rowCount()
        self.table.insertRow(r)
        today = self.today() or date.today().isoformat()
        day = _date_edit(_qdate(loaded["day"]) if loaded else _qdate(today).addDays(1))
        day.setEnabled(loaded is None)
        kind = QComboBox()
        kind.addItem("Nghỉ", False)
        kind.addItem("Làm việc", True)
        kind.setCurrentIndex(1 if loaded and loaded["working"] else 0)
        source = QLineEdit(str(loaded["source"]) if loaded else "")
        source.setPlaceholderText("ví dụ: Thông báo 9441/TB-BNV")
        effective = _date_edit(_qdate(loaded["effective"] if loaded else today))
        note = QLineEdit(str(loaded.get("note") or "") if loaded else "")
        drop = QCheckBox()
        for col, widget in enumerate((day, kind, source, effective, note, drop)):
            self.table.setCellWidget(r, col, widget)
        row = {"loaded": loaded, "day": day, "kind": kind, "source": source, "effective": effective, "note": note,
               "drop": drop}  # fmt: skip
        self.rows.append(row)
        return row

    def change(self) -> dict[str, Any]:
        """What differs from the table as loaded, as PUT /api/settings "calendar" takes it (null: drop the day)."""
        found: dict[str, Any] = {}
        for row in self.rows:
            loaded = row["loaded"]
            day = row["day"].date().toString("yyyy-MM-dd")
            if row["drop"].isChecked():
                if loaded is not None:
                    found[day] = None
                continue
            effective = row["effective"].date().toString("yyyy-MM-dd")
            item = {"working": bool(row["kind"].currentData()), "source": row["source"].text(),
                    "effective": effective, "note": row["note"].text()}  # fmt: skip
            if loaded is None or {k: loaded.get(k) for k in item} != {**item, "note": item["note"] or ""}:
                found[day] = item
        return found

    def fields(self) -> dict[str, QWidget]:
        """The widget of each field name the service may refuse ("calendar.2026-09-02.source")."""
        widgets: dict[str, QWidget] = {}
        for row in self.rows:
            day = row["day"].date().toString("yyyy-MM-dd")
            widgets[f"calendar.{day}"] = row["day"]
            for part in ("source", "effective", "note"):
                widgets[f"calendar.{day}.{part}"] = row[part]
        return widgets


__all__ = ["CalendarPage"]
