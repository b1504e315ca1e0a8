"""The settings tab: what a director owns, saved in the centre service with who changed it and when.

Three pages: "Nhóm và quầy" (the wait target, the hall notice, each group's name, daily cap and issuing hours, a
new group, and which groups each counter serves: 1 called first, 2 next, empty: not served), "Diện ưu tiên" (rename,
add, remove the priority categories; codes stay), "Ngày nghỉ, làm bù" (the centre's holiday override table that the
counters count due dates with). "Lưu thay đổi" sends only what differs from what was loaded; the service checks it
(app/core/centre_settings.py) and refuses with a Vietnamese line per problem, shown here in red on the field. Saved
changes reach kiosks, counters and the hall board at once (the `centre.changed` event).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.text_search import fold
from app.dashboard import figures as fmt
from app.dashboard.controller import DashboardController
from app.dashboard.widgets import Card, cell_texts, fill, label, named, table

GROUP_HEADERS = ("Mã", "Tên nhóm dịch vụ", "Đã cấp hôm nay", "Giới hạn số/ngày", "Giờ cấp số (trống: cả ngày)")
PRIORITY_HEADERS = ("Mã (không đổi)", "Tên diện ưu tiên", "Phiếu hôm nay", "Xoá")
CALENDAR_HEADERS = ("Ngày", "Điều chỉnh", "Văn bản căn cứ", "Hiệu lực từ", "Ghi chú", "Bỏ")
CAP, WINDOWS = 3, 4  # the groups table's columns of the cap and the issuing windows
NEW_GROUP_LEVEL = 2  # a group added here is served by every counter after its own groups (changed after saving)
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


def priority_code(name: str, taken: set[str]) -> str:
    """A stable code for a new priority category from its name: "Người có công" → "nguoi_co_cong" (…_2 when
    taken)."""
    stem = re.sub(r"[^a-z0-9]+", "_", fold(name).replace("đ", "d")).strip("_")[:28] or "dien"
    stem = stem if stem[0].isalpha() else f"d_{stem}"
    code, n = stem, 2
    while code in taken:
        code, n = f"{stem}_{n}", n + 1
    return code


def _qdate(text: str) -> QDate:
    day = date.fromisoformat(text)
    return QDate(day.year, day.month, day.day)


def _date_edit(value: QDate) -> QDateEdit:
    edit = QDateEdit(value)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


def _read_only(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


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
        self.pages = QTabWidget()
        root.addWidget(self.pages, 5)
        queue_page = named(QWidget(), "tab")
        grid = QGridLayout(queue_page)
        grid.setContentsMargins(0, 6, 0, 0)
        grid.setSpacing(8)
        self.pages.addTab(queue_page, "Nhóm và quầy")

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
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(WINDOWS, QHeaderView.ResizeMode.Stretch)
        self.groups.verticalHeader().setDefaultSectionSize(28)
        queue_card.body.addWidget(self.groups)
        hint_bar = QHBoxLayout()
        self.hint = label("", "note")
        self.hint.setWordWrap(True)
        hint_bar.addWidget(self.hint, 1)
        self.add_group_button = QPushButton("Thêm nhóm")
        self.add_group_button.clicked.connect(lambda: self.add_group())
        hint_bar.addWidget(self.add_group_button)
        queue_card.body.addLayout(hint_bar)
        self._new_groups: list[tuple[QLineEdit, QLineEdit]] = []  # (code, name) of the rows added here

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
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

        priority_card = Card("Diện ưu tiên khi cấp số (mã giữ nguyên khi đổi tên)")
        self.priorities = QTableWidget(0, len(PRIORITY_HEADERS))
        self.priorities.setHorizontalHeaderLabels(list(PRIORITY_HEADERS))
        self.priorities.verticalHeader().setVisible(False)
        self.priorities.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.priorities.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        priority_card.body.addWidget(self.priorities)
        bar_p = QHBoxLayout()
        bar_p.addWidget(label("Diện đã có phiếu hôm nay chỉ đổi được tên; xoá được từ ngày mai.", "note"), 1)
        self.add_priority_button = QPushButton("Thêm diện ưu tiên")
        self.add_priority_button.clicked.connect(lambda: self.add_priority())
        bar_p.addWidget(self.add_priority_button)
        priority_card.body.addLayout(bar_p)
        self.pages.addTab(named(priority_card, "card"), "Diện ưu tiên")
        self._new_priorities: list[tuple[QLineEdit, QLineEdit]] = []

        calendar_card = Card("Ngày nghỉ, ngày làm bù của Trung tâm (các quầy tính ngày hẹn trả theo bảng này)")
        self.calendar = QTableWidget(0, len(CALENDAR_HEADERS))
        self.calendar.setHorizontalHeaderLabels(list(CALENDAR_HEADERS))
        self.calendar.verticalHeader().setVisible(False)
        self.calendar.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.calendar.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.calendar.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        calendar_card.body.addWidget(self.calendar)
        bar_c = QHBoxLayout()
        bar_c.addWidget(label("Ngày lễ, Tết theo luật đã có sẵn; ở đây chỉ ghi ngày khác đi: nghỉ bù, làm bù thứ Bảy, "
                              "nghỉ theo quyết định của địa phương.", "note"), 1)  # fmt: skip
        self.add_day_button = QPushButton("Thêm ngày")
        self.add_day_button.clicked.connect(lambda: self.add_day())
        bar_c.addWidget(self.add_day_button)
        calendar_card.body.addLayout(bar_c)
        self.pages.addTab(named(calendar_card, "card"), "Ngày nghỉ, làm bù")
        self._calendar_rows: list[dict[str, Any]] = []  # each row's widgets, and the override it was loaded with

        root.addWidget(audit_card, 2)

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
        row_height = self.fontMetrics().height() + 10
        self.groups.verticalHeader().setDefaultSectionSize(row_height)
        self.matrix.verticalHeader().setDefaultSectionSize(row_height)
        for t in (self.priorities, self.calendar):
            t.verticalHeader().setDefaultSectionSize(row_height + 4)
        issued = data.get("issued_today") or {}
        groups = data.get("groups") or []
        self._new_groups = []
        self.groups.setRowCount(len(groups))
        for r, g in enumerate(groups):
            self.groups.setItem(r, 0, _read_only(f"{g['prefix']} · {g['code']}"))
            name = QLineEdit(str(g["name"]))
            name.setCursorPosition(0)  # a long name shows its start
            self.groups.setCellWidget(r, 1, name)
            self.groups.setItem(r, 2, _read_only(fmt.count(int(issued.get(g["code"], 0))), right=True))
            self.groups.setCellWidget(r, CAP, self._cap(int(g["number_range"][1]), g["daily_cap"]))
            self.groups.setCellWidget(r, WINDOWS, QLineEdit(windows_text(g.get("windows") or [])))
        self._show_priorities(data)
        self._show_calendar(data)
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

    @staticmethod
    def _cap(most: int, cap: int | None) -> QSpinBox:
        box = QSpinBox(minimum=0, maximum=most, suffix=" số")
        box.setSpecialValueText(NO_CAP)
        box.setValue(int(cap or 0))
        return box

    def _show_priorities(self, data: dict[str, Any]) -> None:
        today = data.get("priorities_today") or {}
        rows = data.get("priorities") or []
        self._new_priorities = []
        self.priorities.setRowCount(len(rows))
        for r, p in enumerate(rows):
            self.priorities.setItem(r, 0, _read_only(str(p["code"])))
            self.priorities.setCellWidget(r, 1, QLineEdit(str(p["name"])))
            self.priorities.setItem(r, 2, _read_only(fmt.count(int(today.get(p["code"], 0))), right=True))
            self.priorities.setCellWidget(r, 3, QCheckBox())

    def _show_calendar(self, data: dict[str, Any]) -> None:
        self.calendar.setRowCount(0)
        self._calendar_rows = []
        for o in data.get("calendar") or []:
            self._calendar_row(o)

    def _calendar_row(self, loaded: dict[str, Any] | None) -> dict[str, Any]:
        """One override's row: existing (`loaded`; its day fixed) or new (any day, from tomorrow by default)."""
        r = self.calendar.rowCount()
        self.calendar.insertRow(r)
        today = str((self.loaded or {}).get("day") or date.today().isoformat())
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
            self.calendar.setCellWidget(r, col, widget)
        row = {"loaded": loaded, "day": day, "kind": kind, "source": source, "effective": effective, "note": note,
               "drop": drop}  # fmt: skip
        self._calendar_rows.append(row)
        return row

    def add_group(self, code: str = "", name: str = "") -> tuple[QLineEdit, QLineEdit]:
        """A row for a new group (code and name typed here; served by every counter at NEW_GROUP_LEVEL once saved)."""
        r = self.groups.rowCount()
        self.groups.insertRow(r)
        code_edit, name_edit = QLineEdit(code), QLineEdit(name)
        code_edit.setPlaceholderText("mã, ví dụ TP")
        code_edit.setMaxLength(12)
        name_edit.setPlaceholderText("tên nhóm mới")
        self.groups.setCellWidget(r, 0, code_edit)
        self.groups.setCellWidget(r, 1, name_edit)
        self.groups.setItem(r, 2, _read_only(fmt.count(0), right=True))
        self.groups.setCellWidget(r, CAP, self._cap(999, None))
        self.groups.setCellWidget(r, WINDOWS, QLineEdit())
        self._new_groups.append((code_edit, name_edit))
        (name_edit if code else code_edit).setFocus()
        return code_edit, name_edit

    def add_priority(self, name: str = "") -> QLineEdit:
        """A row for a new priority category: its code comes from the name when saved."""
        r = self.priorities.rowCount()
        self.priorities.insertRow(r)
        code_edit, name_edit = QLineEdit(), QLineEdit(name)
        code_edit.setPlaceholderText("tự đặt theo tên")
        name_edit.setPlaceholderText("tên diện ưu tiên mới")
        self.priorities.setCellWidget(r, 0, code_edit)
        self.priorities.setCellWidget(r, 1, name_edit)
        self.priorities.setItem(r, 2, _read_only(fmt.count(0), right=True))
        self._new_priorities.append((code_edit, name_edit))
        self.pages.setCurrentIndex(1)
        name_edit.setFocus()
        return name_edit

    def add_day(self) -> dict[str, Any]:
        row = self._calendar_row(None)
        self.pages.setCurrentIndex(2)
        row["source"].setFocus()
        return row

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
        box = self.groups.cellWidget(row, CAP)
        assert isinstance(box, QSpinBox)
        return box

    def window_edit(self, row: int) -> QLineEdit:
        edit = self.groups.cellWidget(row, WINDOWS)
        assert isinstance(edit, QLineEdit)
        return edit

    def name_edit(self, row: int) -> QLineEdit:
        edit = self.groups.cellWidget(row, 1)
        assert isinstance(edit, QLineEdit)
        return edit

    def priority_edit(self, row: int) -> QLineEdit:
        edit = self.priorities.cellWidget(row, 1)
        assert isinstance(edit, QLineEdit)
        return edit

    def priority_drop(self, row: int) -> QCheckBox:
        box = self.priorities.cellWidget(row, 3)
        assert isinstance(box, QCheckBox)
        return box

    def calendar_rows(self) -> list[dict[str, Any]]:
        return list(self._calendar_rows)

    def change(self) -> dict[str, Any]:
        """What differs from the settings as loaded, in the shape PUT /api/settings takes."""
        data = self.loaded or {}
        change: dict[str, Any] = {}
        if self.target.value() != round(float(data.get("wait_target_min") or 30)):
            change["wait_target_min"] = self.target.value()
        if self.notice.text() != str(data.get("notice") or ""):
            change["notice"] = self.notice.text()
        groups: dict[str, Any] = {}
        loaded_groups = data.get("groups") or []
        for r, g in enumerate(loaded_groups):
            edits: dict[str, Any] = {}
            if self.name_edit(r).text().strip() != g["name"]:
                edits["name"] = self.name_edit(r).text()
            cap = self.cap_box(r).value() or None
            if cap != g["daily_cap"]:
                edits["daily_cap"] = cap
            windows = parse_windows(self.window_edit(r).text())
            if windows != (g.get("windows") or []):
                edits["windows"] = windows
            if edits:
                groups[g["code"]] = edits
        added: list[str] = []
        for i, (code_edit, name_edit) in enumerate(self._new_groups):
            code = code_edit.text().strip().upper()
            if not code and not name_edit.text().strip():
                continue  # an empty new row: nothing asked
            code = code or "?"
            r = len(loaded_groups) + i
            new_group: dict[str, Any] = {"name": name_edit.text()}
            if self.cap_box(r).value():
                new_group["daily_cap"] = self.cap_box(r).value()
            if self.window_edit(r).text().strip():
                new_group["windows"] = parse_windows(self.window_edit(r).text())
            groups[code] = new_group
            added.append(code)
        if groups:
            change["groups"] = groups
        priorities = self._priority_change(data)
        if priorities:
            change["priorities"] = priorities
        calendar = self._calendar_change()
        if calendar:
            change["calendar"] = calendar
        counters: dict[str, Any] = {}
        codes = [g["code"] for g in data.get("groups") or []]
        for r, c in enumerate(data.get("counters") or []):
            levels: dict[str, Any] = {}
            for col, code in enumerate(codes):
                item = self.matrix.item(r, col)
                text = item.text().strip() if item else ""
                if text:
                    levels[code] = int(text) if text.isdigit() else text
            if added:  # a new group: served by every counter after its own (the service wants one serving it)
                levels.update(dict.fromkeys(added, NEW_GROUP_LEVEL))
            if levels != c["groups"]:
                counters[str(c["id"])] = levels
        if counters:
            change["counters"] = counters
        return change

    def _priority_change(self, data: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        rows = data.get("priorities") or []
        for r, p in enumerate(rows):
            if self.priority_drop(r).isChecked():
                found[p["code"]] = None
            elif self.priority_edit(r).text().strip() != p["name"]:
                found[p["code"]] = {"name": self.priority_edit(r).text()}
        taken = {str(p["code"]) for p in rows}
        for code_edit, name_edit in self._new_priorities:
            name = name_edit.text().strip()
            if not name and not code_edit.text().strip():
                continue
            code = code_edit.text().strip() or priority_code(name, taken)
            code_edit.setText(code)  # shown, so a refusal names the row
            taken.add(code)
            found[code] = {"name": name_edit.text()}
        return found

    def _calendar_change(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for row in self._calendar_rows:
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
        data = self.loaded or {}
        codes = [g["code"] for g in data.get("groups") or []]
        codes += [code.text().strip().upper() or "?" for code, _name in self._new_groups]
        widgets: dict[str, QWidget] = {"wait_target_min": self.target, "notice": self.notice}
        for r, code in enumerate(codes):
            widgets[f"groups.{code}.daily_cap"] = self.cap_box(r)
            widgets[f"groups.{code}.windows"] = self.window_edit(r)
            widgets[f"groups.{code}.name"] = self.name_edit(r)
            if r >= len(data.get("groups") or []):
                widgets[f"groups.{code}"] = self.groups.cellWidget(r, 0)
        for r, p in enumerate(data.get("priorities") or []):
            widgets[f"priorities.{p['code']}"] = self.priority_edit(r)
        for code_edit, name_edit in self._new_priorities:
            widgets[f"priorities.{code_edit.text().strip()}"] = name_edit
        for row in self._calendar_rows:
            day = row["day"].date().toString("yyyy-MM-dd")
            widgets[f"calendar.{day}"] = row["day"]
            widgets[f"calendar.{day}.source"] = row["source"]
            widgets[f"calendar.{day}.effective"] = row["effective"]
            widgets[f"calendar.{day}.note"] = row["note"]
        for name, widget in widgets.items():
            bad = name in fields or (name.count(".") == 1 and f"{name}.name" in fields)
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
