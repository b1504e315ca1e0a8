"""Tiếp nhận hồ sơ: citizen (CCCD scan or typed), procedure, checklist, time, fees → save and print Mẫu 01.

Keyboard first: Tab walks the fields in reading order, Ctrl+S saves and prints, Ctrl+B saves and asks for
a supplement (Mẫu 02), Ctrl+R refuses (Mẫu 03), F10 reads the CCCD with the camera, Esc goes back. A USB
barcode scanner typing the CCCD QR anywhere on this screen fills the citizen fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.catalog import Catalog, Procedure
from app.core.citizen_id import FieldError, parse_birth_date
from app.core.dossier import FORM_NAMES, Citizen, Component, DocForm, Fee, FieldErrors, ReceptionDraft, Statutory
from app.core.reception import check_draft, checklist, default_fees, local_text, statutory_of
from app.core.scan_payload import CitizenIdScan
from app.core.text_search import score
from app.core.workcalendar import WorkCalendar, due_date
from counter.widgets import Banner, card, label

UNITS = (("working_days", "ngày làm việc"), ("days", "ngày"), ("same_day", "trong ngày"))
FIELD_LABELS = {"id_number": "Số CCCD", "name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính",
                "address": "Nơi thường trú", "phone": "Điện thoại"}  # fmt: skip


class ReceptionScreen(QWidget):
    submitted = Signal(str, object, str)  # mode (receive | supplement | refuse), ReceptionDraft, refusal reason
    back = Signal()
    camera_wanted = Signal()

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.setObjectName("reception")
        self.catalog = catalog
        self.procedure: Procedure | None = None
        self.ticket = ""
        self.calendar: WorkCalendar | None = None
        self.now: Any = None  # a callable giving the clock's now, set by the window
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 8, 14, 8)
        outer.setSpacing(6)
        head = QHBoxLayout()
        self.title = label("Tiếp nhận hồ sơ", "cardTitle")
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(label("Ctrl+S lưu và in · Ctrl+B thiếu giấy tờ · Ctrl+R từ chối · F10 camera · Esc quay lại",
                             "hint"))  # fmt: skip
        outer.addLayout(head)
        self.strip = Banner(size=17)
        outer.addWidget(self.strip)
        body = QHBoxLayout()
        body.setSpacing(12)
        outer.addLayout(body, 1)

        # --- the citizen -------------------------------------------------------------------------
        person = card()
        grid = QGridLayout(person)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setVerticalSpacing(2)
        self.scan_state = label("Quét mã QR trên thẻ CCCD bằng máy quét hoặc camera (F10), hoặc nhập tay.", "hint",
                                wrap=True)  # fmt: skip
        grid.addWidget(label("Người nộp hồ sơ", "cardTitle"), 0, 0, 1, 2)
        grid.addWidget(self.scan_state, 1, 0, 1, 2)
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(240, 135)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.hide()
        grid.addWidget(self.preview, 2, 0, 1, 2, Qt.AlignmentFlag.AlignHCenter)
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        r = 3
        for key, text in FIELD_LABELS.items():
            widget: QLineEdit | QComboBox
            if key == "sex":
                widget = QComboBox()
                widget.addItems(["", "Nam", "Nữ"])
            else:
                widget = QLineEdit()
            widget.setObjectName(f"field-{key}")
            if key == "birth_date":
                widget.setPlaceholderText("ngày/tháng/năm, ví dụ 05/03/1986")
            self.fields[key] = widget
            error = label("", "fieldError", wrap=True)
            error.hide()
            self.errors[key] = error
            grid.addWidget(label(text, "fieldLabel"), r, 0)
            grid.addWidget(widget, r, 1)
            grid.addWidget(error, r + 1, 1)
            r += 2
        self.outside = QCheckBox("Hồ sơ phi địa giới (công dân xã, phường khác)")
        grid.addWidget(self.outside, r, 0, 1, 2)
        grid.setRowStretch(r + 1, 1)
        grid.setColumnStretch(1, 1)
        body.addWidget(person, 5)

        # --- the procedure and its checklist ----------------------------------------------------------
        right = card()
        col = QVBoxLayout(right)
        col.setContentsMargins(14, 10, 14, 10)
        col.setSpacing(4)
        col.addWidget(label("Thủ tục", "cardTitle"))
        self.search = QLineEdit()
        self.search.setObjectName("procedureSearch")
        self.search.setPlaceholderText("Gõ tên thủ tục, không cần dấu (ví dụ: khai sinh, chung thuc)")
        self.search.textChanged.connect(self._search)
        self.search.returnPressed.connect(self._pick_first)
        col.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("procedureResults")
        self.results.setMaximumHeight(150)
        self.results.hide()
        self.results.itemActivated.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))
        col.addWidget(self.results)
        self.procedure_line = label("Chưa chọn thủ tục.", "procedureLine", wrap=True)
        col.addWidget(self.procedure_line)
        self.errors["procedure"] = label("", "fieldError", wrap=True)
        col.addWidget(self.errors["procedure"])
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("checklist")
        self.table.setHorizontalHeaderLabels(["Đã nhận", "Thành phần hồ sơ", "Số lượng", "Loại bản"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        col.addWidget(self.table, 1)
        self.errors["components"] = label("", "fieldError", wrap=True)
        col.addWidget(self.errors["components"])
        line = QHBoxLayout()
        self.days = QDoubleSpinBox()
        self.days.setObjectName("statutoryDays")
        self.days.setRange(0, 365)
        self.days.setDecimals(1)
        self.unit = QComboBox()
        for code, text in UNITS:
            self.unit.addItem(text, code)
        self.fee = QSpinBox()
        self.fee.setObjectName("fee")
        self.fee.setRange(0, 100_000_000)
        self.fee.setSingleStep(1000)
        self.fee.setSuffix(" đ")
        self.sets = QSpinBox()
        self.sets.setRange(1, 20)
        for text, w in (("Thời hạn", self.days), ("", self.unit), ("Lệ phí", self.fee), ("Số bộ", self.sets)):
            if text:
                line.addWidget(label(text, "fieldLabel"))
            line.addWidget(w)
        col.addLayout(line)
        self.errors["statutory"] = label("", "fieldError", wrap=True)
        col.addWidget(self.errors["statutory"])
        self.note = QLineEdit()
        self.note.setPlaceholderText("Ghi chú, trích yếu thêm (không bắt buộc)")
        col.addWidget(self.note)
        self.due = label("", "dueLine", wrap=True)
        col.addWidget(self.due)
        actions = QHBoxLayout()
        self.printer = QComboBox()
        self.printer.setObjectName("printTarget")
        self.printer.addItem("In phiếu 80 mm", "roll")
        self.printer.addItem("In giấy A4", "a4")
        actions.addWidget(self.printer)
        actions.addStretch(1)
        self.refuse_button = QPushButton("Từ chối  (Ctrl+R)")
        self.supplement_button = QPushButton("Thiếu giấy tờ  (Ctrl+B)")
        self.save_button = QPushButton("Lưu, in Mẫu 01  (Ctrl+S)")
        self.save_button.setObjectName("primary")
        for b in (self.refuse_button, self.supplement_button):
            b.setObjectName("secondary")
        for b, mode in ((self.refuse_button, "refuse"), (self.supplement_button, "supplement"),
                        (self.save_button, "receive")):  # fmt: skip
            b.clicked.connect(lambda _=False, mode=mode: self.submit(mode))
            actions.addWidget(b)
        col.addLayout(actions)
        body.addWidget(right, 7)
        for w in (self.days, self.unit):
            w.valueChanged.connect(self.update_due) if isinstance(w, QDoubleSpinBox) else w.currentIndexChanged.connect(
                self.update_due
            )
        self.busy = False

    # --- filling ---------------------------------------------------------------------------------------

    def reset(self, ticket: str = "") -> None:
        self.ticket = ticket
        self.title.setText(f"Tiếp nhận hồ sơ — công dân số {ticket}" if ticket else "Tiếp nhận hồ sơ")
        for w in self.fields.values():
            w.setCurrentIndex(0) if isinstance(w, QComboBox) else w.clear()
        self.outside.setChecked(False)
        self.search.clear()
        self.note.clear()
        self.procedure = None
        self.procedure_line.setText("Chưa chọn thủ tục.")
        self.table.setRowCount(0)
        self.sets.setValue(1)
        self.fee.setValue(0)
        self.days.setValue(0)
        self.clear_errors()
        self.strip.clear_message()
        self.scan_state.setText("Quét mã QR trên thẻ CCCD bằng máy quét hoặc camera (F10), hoặc nhập tay.")
        self.update_due()
        self.fields["id_number"].setFocus()

    def fill_citizen(self, scan: CitizenIdScan) -> None:
        values = {"id_number": scan.id_number, "name": scan.name, "birth_date": f"{scan.birth_date:%d/%m/%Y}",
                  "address": scan.address}  # fmt: skip
        for key, value in values.items():
            widget = self.fields[key]
            assert isinstance(widget, QLineEdit)
            widget.setText(value)
        sex = self.fields["sex"]
        assert isinstance(sex, QComboBox)
        sex.setCurrentIndex(max(0, sex.findText(scan.sex.strip().capitalize())))
        self.clear_errors()
        self.strip.clear_message()
        self.scan_state.setText("Đã đọc thẻ CCCD. Kiểm tra lại với công dân rồi chọn thủ tục.")
        self.search.setFocus()

    def _search(self, text: str) -> None:
        self.results.clear()
        self.results.hide()
        if not text.strip():
            return
        ranked = sorted(((score(text, f"{p.name} {p.code}"), p) for p in self.catalog.procedures), key=lambda x: -x[0])
        for points, p in ranked[:8]:
            if points <= 0:
                break
            item = QListWidgetItem(f"{p.name}  ({p.code})")
            item.setData(Qt.ItemDataRole.UserRole, p.code)
            self.results.addItem(item)
        if self.results.count():
            self.results.show()
            self.results.setCurrentRow(0)

    def _pick_first(self) -> None:
        item = self.results.currentItem() or self.results.item(0)
        if item is not None:
            self.choose(item.data(Qt.ItemDataRole.UserRole))

    def choose(self, code: str) -> None:
        procedure = next((p for p in self.catalog.procedures if p.code == code), None)
        if procedure is None:
            return
        self.procedure = procedure
        for key in ("procedure", "components", "statutory"):
            self.errors[key].hide()
        field = self.catalog.field(procedure.field)
        self.procedure_line.setText(f"<b>{procedure.name}</b> ({procedure.code}) — {field.name if field else ''}")
        self.results.clear()
        self.results.hide()
        self._fill_checklist(checklist(procedure))
        statutory = statutory_of(procedure)
        self.days.setEnabled(True)
        self.unit.setEnabled(True)
        if statutory is not None:
            self.days.setValue(statutory.value)
            self.unit.setCurrentIndex(self.unit.findData(statutory.unit))
        else:
            self.days.setValue(0)
            self.unit.setCurrentIndex(self.unit.findData(procedure.time_unit or "working_days"))
            self.errors["statutory"].setText("Danh mục chưa có thời hạn của thủ tục này: nhập số ngày theo quy định.")
            self.errors["statutory"].show()
        fees = default_fees(procedure)
        self.fee.setValue(sum(f.amount_vnd for f in fees))
        self.update_due()
        self.table.setFocus()

    def _fill_checklist(self, items: tuple[Component, ...]) -> None:
        self.table.setRowCount(0)
        for comp in items:
            r = self.table.rowCount()
            self.table.insertRow(r)
            tick = QTableWidgetItem("" if comp.required else "không bắt buộc")
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked if comp.received else Qt.CheckState.Unchecked)
            tick.setData(Qt.ItemDataRole.UserRole, comp.required)
            self.table.setItem(r, 0, tick)
            name = QTableWidgetItem(comp.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(r, 1, name)
            count = QSpinBox()
            count.setRange(1, 50)
            count.setValue(comp.count)
            self.table.setCellWidget(r, 2, count)
            form = QComboBox()
            for value, text in FORM_NAMES.items():
                form.addItem(text, str(value))
            form.setCurrentIndex(form.findData(str(comp.form)))
            self.table.setCellWidget(r, 3, form)
        self.table.resizeRowsToContents()

    # --- reading -----------------------------------------------------------------------------------------

    def _text(self, key: str) -> str:
        w = self.fields[key]
        return w.currentText() if isinstance(w, QComboBox) else w.text()

    def components(self) -> tuple[Component, ...]:
        out = []
        for r in range(self.table.rowCount()):
            tick, name = self.table.item(r, 0), self.table.item(r, 1)
            assert tick is not None
            assert name is not None
            count, form = self.table.cellWidget(r, 2), self.table.cellWidget(r, 3)
            assert isinstance(count, QSpinBox)
            assert isinstance(form, QComboBox)
            out.append(Component(name.text(), DocForm(form.currentData()), count.value(),
                                 required=bool(tick.data(Qt.ItemDataRole.UserRole)),
                                 received=tick.checkState() == Qt.CheckState.Checked))  # fmt: skip
        return tuple(out)

    def statutory(self) -> Statutory | None:
        unit = str(self.unit.currentData())
        if unit == "same_day":
            return Statutory(0, unit)
        return Statutory(self.days.value(), unit) if self.days.value() > 0 else None

    def draft(self, today: date) -> tuple[ReceptionDraft, dict[str, list[str]]]:
        """The draft, and the errors only the form can see (a birth date that does not parse)."""
        born_text = self._text("birth_date")
        parsed = parse_birth_date(born_text, today) if born_text.strip() else None
        local = {"birth_date": [parsed.message]} if isinstance(parsed, FieldError) else {}
        born = parsed if isinstance(parsed, date) else None
        citizen = Citizen(self._text("id_number"), self._text("name"), born, self._text("sex"),
                          " ".join(self._text("address").split()), self._text("phone").strip())  # fmt: skip
        fee = self.fee.value()
        return ReceptionDraft(
            procedure_code=self.procedure.code if self.procedure else "",
            citizen=citizen,
            components=self.components(),
            statutory=self.statutory(),
            fees=(Fee("Lệ phí", fee),) if fee else (),
            note=self.note.text(),
            outside_area=self.outside.isChecked(),
            sets=self.sets.value(),
            ticket=self.ticket,
        ), local

    def update_due(self, *_: Any) -> None:
        self.days.setEnabled(self.unit.currentData() != "same_day")
        statutory = self.statutory()
        if self.calendar is None or self.now is None or statutory is None:
            self.due.setText("Hẹn trả: —")
            return
        now: datetime = self.now()
        when = due_date(now, statutory.value, statutory.unit, self.calendar)
        self.due.setText(f"Hẹn trả kết quả (nếu tiếp nhận lúc này): <b>{local_text(when)}</b> · {statutory.text()}")

    # --- submitting --------------------------------------------------------------------------------------

    def submit(self, mode: str) -> None:
        if self.busy or self.now is None:
            return
        self.clear_errors()
        today = self.now().date()
        draft, errors = self.draft(today)
        try:  # the same pure check the desk runs again before saving: every field's message at once
            check_draft(draft, self.catalog, today, allow_missing=mode != "receive")
        except FieldErrors as exc:
            errors = {**exc.errors, **errors}
        if errors:
            self.show_errors(errors)
            return
        if mode == "refuse":  # the law wants the specific reason on Mẫu 03
            from counter.dossier.lookup import TextDialog

            dialog = TextDialog("Từ chối tiếp nhận", "Lý do từ chối cụ thể (in trên Mẫu 03):", "", self)
            dialog.chosen.connect(lambda reason: self.submitted.emit(mode, draft, reason))
            dialog.open()
            return
        self.submitted.emit(mode, draft, "")

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.setText("")
            error.hide()

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            target = self.errors.get(key, self.errors["components"])
            target.setText(" ".join(messages))
            target.show()
        self.strip.show_message("Chưa lưu: sửa các ô có chữ đỏ rồi lưu lại.", "warning")
        # the clerk lands on the first thing to fix, in the order the form reads
        order: list[tuple[str, QWidget]] = [*self.fields.items(), ("procedure", self.search),
                                            ("components", self.table), ("statutory", self.days)]  # fmt: skip
        first = next((widget for key, widget in order if key in errors), None)
        if first is not None:
            first.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for b in (self.save_button, self.supplement_button, self.refuse_button):
            b.setEnabled(not busy)
