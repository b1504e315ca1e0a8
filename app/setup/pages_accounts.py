"""The service PC's staff accounts: the director's (required on a first run) and, if wanted, the clerks'.

Checked here with the store's own rules (app.core.accounts) so that a mistake is said beside the field before Next;
nothing is written until Hoàn tất (app/setup/accounts.py runs `user add` for each one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QWidget

from app.child_process import shown_command
from app.core.accounts import check_display_name, check_secret, check_username
from app.core.errors import DomainError
from app.setup.accounts import Account
from app.setup.style import ERROR_COLOUR, Page, button, field_label, line_edit, show_status, status_label

BAD_FIELD = f"border: 2px solid {ERROR_COLOUR};"
CLERK_ROWS_SHOWN = 2  # more scroll: the page fits 1366×768 with its messages
PINS_DIFFER = "Hai lần nhập mã PIN không giống nhau. Nhập lại cho khớp."


@dataclass
class ClerkRow:
    username: QLineEdit
    name: QLineEdit
    pin: QLineEdit
    remove: QPushButton

    @property
    def edits(self) -> tuple[QLineEdit, QLineEdit, QLineEdit]:
        return self.username, self.name, self.pin

    def blank(self) -> bool:
        return not any(edit.text().strip() for edit in self.edits)


class AccountsPage(Page):
    def __init__(self) -> None:
        super().__init__("Tài khoản lãnh đạo", "Lãnh đạo đăng nhập phần mềm Lãnh đạo bằng tài khoản này; mỗi cán bộ "
                         "đăng nhập phần mềm Quầy bằng tài khoản của mình. Mã PIN gồm ít nhất 6 chữ số không theo quy "
                         "luật (không 123456, 111111…), hoặc mật khẩu từ 8 ký tự. Tài khoản được tạo khi bấm Hoàn "
                         "tất.")  # fmt: skip
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        self.username = line_edit("ví dụ: lanh.dao (chữ không dấu)")
        self.full_name = line_edit("ví dụ: Nguyễn Văn An")
        self.pin = line_edit("ít nhất 6 chữ số")
        self.pin_again = line_edit("gõ lại mã PIN")
        for edit in (self.pin, self.pin_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        for i, (text, edit) in enumerate((("Tên đăng nhập", self.username), ("Họ tên", self.full_name),
                                          ("Mã PIN", self.pin), ("Nhập lại mã PIN", self.pin_again))):  # fmt: skip
            row, column = 2 * (i // 2), i % 2
            grid.addWidget(field_label(text), row, column)
            grid.addWidget(edit, row + 1, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.box.addLayout(grid)
        self.director_error = status_label()
        self.box.addWidget(self.director_error)

        clerks = QHBoxLayout()
        clerks.addWidget(field_label("Cán bộ quầy (không bắt buộc)"), 1)
        self.add_button = button("+  Thêm cán bộ")
        clerks.addWidget(self.add_button)
        self.box.addLayout(clerks)
        self.clerk_grid = QGridLayout()
        self.clerk_grid.setHorizontalSpacing(12)
        self.clerk_grid.setVerticalSpacing(6)
        for column, text in enumerate(("Tên đăng nhập", "Họ tên", "Mã PIN")):
            self.clerk_header = QLabel(text)
            self.clerk_header.setStyleSheet("color: #444444; font-size: 12pt;")
            self.clerk_grid.addWidget(self.clerk_header, 0, column)
        self.clerk_grid.setColumnStretch(0, 2)
        self.clerk_grid.setColumnStretch(1, 3)
        self.clerk_grid.setColumnStretch(2, 2)
        holder = QWidget()
        holder.setObjectName("clerks")
        holder.setLayout(self.clerk_grid)
        self.clerk_grid.setContentsMargins(0, 0, 0, 0)
        self.clerk_area = QScrollArea()
        self.clerk_area.setWidget(holder)
        self.clerk_area.setWidgetResizable(True)
        self.clerk_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.clerk_area.setStyleSheet("QWidget#clerks { background: #ffffff; }")
        self.clerk_area.setVisible(False)  # shown with the first row
        self.box.addWidget(self.clerk_area)
        self.clerk_rows: list[ClerkRow] = []
        self.clerk_error = status_label()
        self.box.addWidget(self.clerk_error)
        self.later = QLabel(wordWrap=True)
        self.later.setStyleSheet("color: #444444; font-size: 12pt;")
        self.later.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the command, to copy
        self.box.addWidget(self.later)
        self.box.addStretch(1)
        self.checked = False  # after a refused Next, each change checks again (a fixed mistake's message goes)
        self.add_button.clicked.connect(self.add_clerk)
        for edit in (self.username, self.full_name, self.pin, self.pin_again):
            edit.textChanged.connect(self._changed)

    def initializePage(self) -> None:
        data = str(self.wiz.config.data_dir())
        command = shown_command("app", "user", "add", "--data", data)
        optional = " Máy này đã cài trước đây: để trống phần lãnh đạo nếu tài khoản đã có." if \
            self.wiz.reconfiguring else ""  # fmt: skip
        command += ' --username TÊN --name "HỌ TÊN" --role clerk'
        self.later.setText(f"Thêm cán bộ sau: chạy lại Cài đặt ban đầu trên máy này, hoặc gõ lệnh {command} (lệnh "
                           f"hỏi mã PIN hai lần).{optional}")  # fmt: skip

    def add_clerk(self, username: str = "", name: str = "", pin: str = "") -> ClerkRow:
        row = ClerkRow(line_edit("ví dụ: lan.nguyen", username), line_edit("ví dụ: Nguyễn Thị Lan", name),
                       line_edit("ít nhất 6 chữ số", pin), button("Bỏ"))  # fmt: skip
        # seen while typed (there is no second box to catch a typo), hidden once the field is left
        row.pin.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        at = len(self.clerk_rows) + 1
        for column, widget in enumerate((*row.edits, row.remove)):
            self.clerk_grid.addWidget(widget, at, column)
        for edit in row.edits:
            edit.textChanged.connect(self._changed)
        row.remove.clicked.connect(lambda: self.remove_clerk(row))
        self.clerk_rows.append(row)
        self._fit_clerks()
        self.clerk_area.ensureWidgetVisible(row.username)
        return row

    def remove_clerk(self, row: ClerkRow) -> None:
        self.clerk_rows.remove(row)
        for widget in (*row.edits, row.remove):
            self.clerk_grid.removeWidget(widget)
            widget.deleteLater()
        self._fit_clerks()
        self._changed()

    def _fit_clerks(self) -> None:
        """As tall as its rows, up to three (more scroll): the page's free space is below it, not inside it."""
        shown = min(len(self.clerk_rows), CLERK_ROWS_SHOWN)
        self.clerk_area.setVisible(shown > 0)
        if shown:
            grid = self.clerk_grid
            row = max(w.sizeHint().height() for w in (*self.clerk_rows[0].edits, self.clerk_rows[0].remove))
            header = self.clerk_header.sizeHint().height()
            self.clerk_area.setFixedHeight(header + shown * (row + grid.verticalSpacing()))

    # --- checking ----------------------------------------------------------------------------------------

    def director_problems(self) -> list[tuple[QLineEdit, str]]:
        edits = (self.username, self.full_name, self.pin, self.pin_again)
        if self.wiz.reconfiguring and not any(edit.text().strip() for edit in edits):
            return []  # the wizard run again: the director's account was made the first time
        problems: list[tuple[QLineEdit, str]] = []
        if not self.username.text().strip():
            problems.append((self.username, "Cần nhập tên đăng nhập của lãnh đạo, ví dụ lanh.dao."))
        else:
            problems += _check(self.username, check_username, self.username.text())
        if not self.full_name.text().strip():
            problems.append((self.full_name, "Cần nhập họ tên của lãnh đạo."))
        else:
            problems += _check(self.full_name, check_display_name, self.full_name.text())
        if not self.pin.text():
            problems.append((self.pin, "Cần nhập mã PIN của lãnh đạo (ít nhất 6 chữ số)."))
        else:
            problems += _check(self.pin, check_secret, self.pin.text())
            if self.pin.text() != self.pin_again.text():
                problems.append((self.pin_again, PINS_DIFFER))
        return problems

    def clerk_problems(self) -> list[tuple[QLineEdit, str]]:
        problems: list[tuple[QLineEdit, str]] = []
        seen = {self.username.text().strip().casefold()} - {""}
        for i, row in enumerate(self.clerk_rows, start=1):
            if row.blank():
                continue  # an empty row is one not used
            who = f"Cán bộ thứ {i}: "
            username = row.username.text().strip()
            for edit, missing, check in ((row.username, "cần nhập tên đăng nhập.", check_username),
                                         (row.name, "cần nhập họ tên.", check_display_name),
                                         (row.pin, "cần nhập mã PIN.", check_secret)):  # fmt: skip
                if not edit.text().strip():
                    problems.append((edit, who + missing))
                else:
                    problems += [(e, who + _lower_first(text)) for e, text in _check(edit, check, edit.text())]
            if username and username.casefold() in seen:  # the store compares usernames without case
                problems.append((row.username, f"{who}tên đăng nhập “{username}” đã dùng ở trên. Chọn tên khác."))
            seen.add(username.casefold())
        return problems

    def accounts(self) -> list[Account]:
        """What Hoàn tất creates (call once the page's checks pass)."""
        made = []
        if self.username.text().strip():
            made.append(Account(self.username.text().strip(), self.full_name.text().strip(), "director",
                                self.pin.text()))  # fmt: skip
        made += [Account(row.username.text().strip(), row.name.text().strip(), "clerk", row.pin.text())
                 for row in self.clerk_rows if not row.blank()]  # fmt: skip
        return made

    def show_problems(self) -> bool:
        """Mark each field that is wrong and say why under its part of the page (the first mistake of each part:
        the page stays readable on a 1366×768 screen; the next one shows as that is fixed); True when none."""
        director, clerks = self.director_problems(), self.clerk_problems()
        bad = {id(edit) for edit, _text in director + clerks}
        for edit in (self.username, self.full_name, self.pin, self.pin_again,
                     *(e for row in self.clerk_rows for e in row.edits)):  # fmt: skip
            edit.setStyleSheet(BAD_FIELD if id(edit) in bad else "")
        for label, problems in ((self.director_error, director), (self.clerk_error, clerks)):
            if problems:
                show_status(label, problems[0][1], "error")
            else:
                label.setText("")
        return not (director or clerks)

    def _changed(self) -> None:
        if self.checked:
            self.show_problems()

    def validatePage(self) -> bool:
        self.checked = True
        if not self.show_problems():
            return False
        self.wiz.accounts = self.accounts()
        return True


def _check(edit: QLineEdit, rule: Callable[[str], object], value: str) -> list[tuple[QLineEdit, str]]:
    """The store's rule (check_username, check_display_name, check_secret) on `value`: its message, if it refuses."""
    try:
        rule(value)
    except DomainError as exc:
        return [(edit, exc.message)]
    return []


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
