"""The settings tab: what a director owns, saved in the centre service with who changed it and when.

Three pages: "Nhóm và quầy" (the wait target, the hall notice, each group's name, letter, number range, catalogue
fields, daily cap and issuing hours, a new group, removing one, and which groups each counter serves: 1 called
first, 2 next, empty: not served), "Diện ưu tiên" (rename, add, remove the priority categories; codes stay), "Ngày
nghỉ, làm bù" (the centre's holiday override table that the counters count due dates with). "Lưu thay đổi" sends
only what differs from what was loaded; the service checks it (app/core/centre_settings.py, group_settings.py) and
refuses with a Vietnamese line per problem, shown here in red on the field. Saved changes reach kiosks, counters and
the hall board at once (the `centre.changed` event).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
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
from app.dashboard.calendar_page import CalendarPage
from app.dashboard.controller import DashboardController
from app.dashboard.group_widgets import FieldPicker, parse_range, prefix_edit, range_edit
from app.dashboard.widgets import Card, cell_texts, fill, label, named, table

GROUP_HEADERS = ("Mã", "Tên nhóm dịch vụ", "Đã cấp", "Giới hạn/ngày", "Giờ cấp số", "Chữ", "Dải số", "Lĩnh vực",
                 "Xoá")  # fmt: skip
PRIORITY_HEADERS = ("Mã (không đổi)", "Tên diện ưu tiên", "Phiếu hôm nay", "Xoá")
CAP, WINDOWS, PREFIX, RANGE, FIELDS, DROP = 3, 4, 5, 6, 7, 8  # the groups table's columns
DEFAULT_RANGE = [1, 999]
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


def _windows_edit(text: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setPlaceholderText("cả ngày làm việc")
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
        for column in (0, WINDOWS, FIELDS):  # sized in show_settings, so the group's name keeps the room left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        for visual, column in ((1, PREFIX), (3, RANGE), (4, FIELDS)):  # what the ticket shows, beside the name
            header.moveSection(header.visualIndex(column), visual)
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
        self.rule = label("Chữ cái đầu số chỉ đổi được khi nhóm chưa cấp số nào trong ngày; dải số phải chứa các số "
                          "đã cấp hôm nay (mở rộng được ngay, thu hẹp từ sáng mai). Nhóm còn phiếu đang chờ chưa xoá "
                          "được; xoá nhóm thì các quầy thôi phục vụ nhóm đó.", "note")  # fmt: skip
        self.rule.setWordWrap(True)
        queue_card.body.addWidget(self.rule)

        counter_card = Card(
            "Quầy phục vụ nhóm nào (cột: chữ đầu số của nhóm; 1: gọi trước, 2: sau; trống: không phục vụ)"
        )
        counter_card.title.setWordWrap(True)  # the groups' table beside it needs the width more
        self.matrix = QTableWidget(0, 0)
        self.matrix.verticalHeader().setDefaultSectionSize(28)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.horizontalHeader().setMinimumSectionSize(34)  # a level is one digit: every group in view
        counter_card.body.addWidget(self.matrix)

        audit_card = Card("Lịch sử thay đổi (ai đổi, lúc nào)")
        self.audit = table(AUDIT_HEADERS, stretch=4)
        audit_card.body.addWidget(self.audit)

        grid.addWidget(queue_card, 0, 0)
        grid.addWidget(counter_card, 0, 1)
        grid.setColumnStretch(0, 2)  # the groups' table has the most to show
        grid.setColumnStretch(1, 1)

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

        self.calendar_page = CalendarPage(lambda: str((self.loaded or {}).get("day") or ""))
        self.calendar_page.add_button.clicked.connect(lambda: self.add_day())
        self.calendar = self.calendar_page.table
        self.pages.addTab(named(self.calendar_page, "card"), "Ngày nghỉ, làm bù")

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
        ctl.session_expired.connect(self._session_expired)

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
        wide = self.fontMetrics().horizontalAdvance("cả ngày làm việc") + 30  # the scale's font, as shown now
        for column in (WINDOWS, FIELDS):
            self.groups.horizontalHeader().resizeSection(column, wide)
        self.groups.horizontalHeader().resizeSection(0, self.fontMetrics().horizontalAdvance("CUTRU") + 24)
        self.groups.verticalHeader().setDefaultSectionSize(row_height)
        self.matrix.verticalHeader().setDefaultSectionSize(row_height)
        for t in (self.priorities, self.calendar):
            t.verticalHeader().setDefaultSectionSize(row_height + 4)
        issued = data.get("issued_today") or {}
        groups = data.get("groups") or []
        self._new_groups = []
        self.groups.setRowCount(len(groups))
        for r, g in enumerate(groups):
            self.groups.setItem(r, 0, _read_only(str(g["code"])))
            name = QLineEdit(str(g["name"]))
            name.setCursorPosition(0)  # a long name shows its start
            self.groups.setCellWidget(r, 1, name)
            self.groups.setItem(r, 2, _read_only(fmt.count(int(issued.get(g["code"], 0))), right=True))
            self.groups.setCellWidget(r, CAP, self._cap(int(g["number_range"][1]), g["daily_cap"]))
            self.groups.setCellWidget(r, WINDOWS, _windows_edit(windows_text(g.get("windows") or [])))
            self._group_cells(r, data, g)
            drop = QCheckBox()
            drop.setToolTip("Xoá nhóm khi lưu (nhóm còn phiếu đang chờ hôm nay thì chưa xoá được)")
            self.groups.setCellWidget(r, DROP, drop)
        self._show_priorities(data)
        self.calendar_page.show_overrides(list(data.get("calendar") or []))
        counters = data.get("counters") or []
        codes = [g["code"] for g in groups]
        self.matrix.setRowCount(len(counters))
        self.matrix.setColumnCount(len(codes))
        # the ticket's letter heads each column (a code such as CUTRU does not fit 34 px); the tooltip names the group
        for col, g in enumerate(groups):
            head = QTableWidgetItem(str(g.get("prefix") or g["code"]))
            head.setToolTip(f"{g.get('prefix', '')} – {g.get('name', g['code'])} ({g['code']})")
            self.matrix.setHorizontalHeaderItem(col, head)
        self.matrix.setVerticalHeaderLabels([str(c["name"]) for c in counters])
        for r, c in enumerate(counters):
            for col, code in enumerate(codes):
                level = c["groups"].get(code)
                item = QTableWidgetItem("" if level is None else str(level))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.matrix.setItem(r, col, item)
        day = str(data.get("day") or "")
        shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) == 10 else day
        self.hint.setText(f"Đã cấp: số phiếu của ngày {shown}; giới hạn số/ngày không được nhỏ hơn. Giờ cấp số ghi "
                          "dạng 07:30–11:00, 13:30–16:00 (trống: cả ngày làm việc).")  # fmt: skip
        self._mark_bad([])

    def _group_cells(self, r: int, data: dict[str, Any], g: dict[str, Any] | None) -> None:
        """The letter, range and fields of row `r` (`g` None: a new group's, the letter picked by the service)."""
        self.groups.setCellWidget(r, PREFIX, prefix_edit(str(g["prefix"]) if g else ""))
        self.groups.setCellWidget(r, RANGE, range_edit(g["number_range"] if g else DEFAULT_RANGE))
        chosen = list(g.get("fields") or []) if g else []
        self.groups.setCellWidget(r, FIELDS, FieldPicker(data.get("catalog_fields") or [], chosen))

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
        self.groups.setCellWidget(r, WINDOWS, _windows_edit(""))
        self._group_cells(r, self.loaded or {}, None)
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
        row = self.calendar_page.add_row(None)
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

    def prefix_edit(self, row: int) -> QLineEdit:
        edit = self.groups.cellWidget(row, PREFIX)
        assert isinstance(edit, QLineEdit)
        return edit

    def range_edit(self, row: int) -> QLineEdit:
        edit = self.groups.cellWidget(row, RANGE)
        assert isinstance(edit, QLineEdit)
        return edit

    def fields_picker(self, row: int) -> FieldPicker:
        picker = self.groups.cellWidget(row, FIELDS)
        assert isinstance(picker, FieldPicker)
        return picker

    def group_drop(self, row: int) -> QCheckBox:
        box = self.groups.cellWidget(row, DROP)
        assert isinstance(box, QCheckBox)
        return box

    def priority_edit(self, row: int) -> QLineEdit:
        edit = self.priorities.cellWidget(row, 1)
        assert isinstance(edit, QLineEdit)
        return edit

    def priority_drop(self, row: int) -> QCheckBox:
        box = self.priorities.cellWidget(row, 3)
        assert isinstance(box, QCheckBox)
        return box

    def calendar_rows(self) -> list[dict[str, Any]]:
        return list(self.calendar_page.rows)

    def change(self) -> dict[str, Any]:
        """What differs from the settings as loaded, in the shape PUT /api/settings takes."""
        data = self.loaded or {}
        change: dict[str, Any] = {}
        if self.target.value() != round(float(data.get("wait_target_min") or 30)):
            change["wait_target_min"] = self.target.value()
        if self.notice.text() != str(data.get("notice") or ""):
            change["notice"] = self.notice.text()
        groups: dict[str, Any] = {}
        dropped: set[str] = set()
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
            edits.update(self._numbering(r, g))
            if self.group_drop(r).isChecked():
                groups[g["code"]] = None  # removed: nothing else of it matters
                dropped.add(g["code"])
            elif edits:
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
            new_group.update(self._numbering(r, None))
            groups[code] = new_group
            added.append(code)
        if groups:
            change["groups"] = groups
        priorities = self._priority_change(data)
        if priorities:
            change["priorities"] = priorities
        calendar = self.calendar_page.change()
        if calendar:
            change["calendar"] = calendar
        counters: dict[str, Any] = {}
        codes = [g["code"] for g in data.get("groups") or []]
        for r, c in enumerate(data.get("counters") or []):
            levels: dict[str, Any] = {}
            for col, code in enumerate(codes):
                item = self.matrix.item(r, col)
                text = item.text().strip() if item else ""
                if text and code not in dropped:  # a group removed is served by no counter
                    levels[code] = int(text) if text.isdigit() else text
            if added:  # a new group: served by every counter after its own (the service wants one serving it)
                levels.update(dict.fromkeys(added, NEW_GROUP_LEVEL))
            if levels != c["groups"]:
                counters[str(c["id"])] = levels
        if counters:
            change["counters"] = counters
        return change

    def _numbering(self, r: int, g: dict[str, Any] | None) -> dict[str, Any]:
        """Row `r`'s letter, range and fields where they differ from `g` (a new group: the fields always; the letter
        and range when given)."""
        found: dict[str, Any] = {}
        letter = self.prefix_edit(r).text().strip().upper()
        if letter and letter != (g["prefix"] if g else ""):
            found["prefix"] = letter
        numbers = parse_range(self.range_edit(r).text())
        if numbers != (g["number_range"] if g else DEFAULT_RANGE):
            found["number_range"] = numbers
        fields = self.fields_picker(r).chosen()
        if g is None or set(fields) != set(g.get("fields") or []):
            found["fields"] = fields
        return found

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

    def _session_expired(self) -> None:
        if not self.save.isEnabled():  # the save met the end of the session: nothing was written
            self.save.setEnabled(True)
            self.message.setObjectName("error")
            self.message.setText("Chưa lưu: phiên đăng nhập đã hết hạn. Đăng nhập lại rồi bấm «Lưu thay đổi».")
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
            widgets[f"groups.{code}.prefix"] = self.prefix_edit(r)
            widgets[f"groups.{code}.number_range"] = self.range_edit(r)
            widgets[f"groups.{code}.fields"] = self.fields_picker(r)
            # a group refused as a whole (removal, no counter): its code cell when new, its name otherwise
            new_row = r >= len(data.get("groups") or [])
            widgets[f"groups.{code}"] = self.groups.cellWidget(r, 0) if new_row else self.name_edit(r)
        for r, p in enumerate(data.get("priorities") or []):
            widgets[f"priorities.{p['code']}"] = self.priority_edit(r)
        for code_edit, name_edit in self._new_priorities:
            widgets[f"priorities.{code_edit.text().strip()}"] = name_edit
        widgets.update(self.calendar_page.fields())
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
