"""The sign-in screen: username, PIN or password, and the counter this PC sits at.

The counters come from the live queue (public, so the list is there before anyone signs in); the counter
chosen goes with the sign-in and the service then lets this session act only for it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from counter.controller import CounterController
from counter.widgets import Picker, card, label


class SignInScreen(QWidget):
    def __init__(self, ctl: CounterController, *, username: str = "", counter: int | None = None) -> None:
        super().__init__()
        self.setObjectName("signin")
        self.ctl = ctl
        self.preferred_counter = counter
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        box = self.box = card()
        self.set_scale(1.0)
        form = QVBoxLayout(box)
        form.setContentsMargins(40, 32, 40, 32)
        form.setSpacing(10)
        self.title = label("Đăng nhập làm việc tại quầy", "title", wrap=True)
        self.centre = label("", "subtitle", wrap=True)
        form.addWidget(self.title)
        form.addWidget(self.centre)
        form.addSpacing(10)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        self.username = QLineEdit(username)
        self.username.setPlaceholderText("ví dụ: lan.nguyen")
        self.username.setObjectName("username")
        self.username.setMaxLength(64)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("mã PIN hoặc mật khẩu")
        self.secret.setObjectName("secret")
        self.secret.setMaxLength(128)
        self.counter_box = Picker()
        self.counter_box.setObjectName("counter")
        grid.addWidget(label("Tên đăng nhập", "fieldLabel"), 0, 0)
        grid.addWidget(self.username, 0, 1)
        grid.addWidget(label("Mã PIN / mật khẩu", "fieldLabel"), 1, 0)
        grid.addWidget(self.secret, 1, 1)
        grid.addWidget(label("Quầy làm việc", "fieldLabel"), 2, 0)
        grid.addWidget(self.counter_box, 2, 1)
        grid.setColumnStretch(1, 1)
        form.addLayout(grid)

        self.error = label("", "error", wrap=True)
        self.error.hide()
        form.addWidget(self.error)
        self.button = QPushButton("Đăng nhập  (Enter)")
        self.button.setObjectName("primary")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        form.addSpacing(6)
        form.addWidget(self.button)
        self.status = label("", "status", wrap=True)
        form.addWidget(self.status)

        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.button.clicked.connect(self.submit)
        self.username.returnPressed.connect(self._next_field)
        self.secret.returnPressed.connect(self.submit)
        for field in (self.username, self.secret):
            field.textChanged.connect(self.refresh)
        self.counter_box.currentIndexChanged.connect(self.refresh)
        ctl.sign_in_failed.connect(self.show_error)
        self.refresh()

    def set_scale(self, scale: float) -> None:
        self.box.setMinimumWidth(round(600 * scale))
        self.box.setMaximumWidth(round(680 * scale))
        self.box.updateGeometry()

    def _next_field(self) -> None:
        if self.secret.text():
            self.submit()
        else:
            self.secret.setFocus()

    def chosen_counter(self) -> int | None:
        data = self.counter_box.currentData()
        return int(data) if data is not None else None

    def refresh(self) -> None:
        ctl = self.ctl
        self.centre.setText(ctl.centre_name or "Trung tâm Phục vụ hành chính công")
        counters = sorted(ctl.model.counters.values(), key=lambda c: c.id)
        wanted = [(c.name, c.id) for c in counters]
        remembered_of = getattr(ctl.sessions, "remembered_counters", None)
        remembered: list[int] = remembered_of() if remembered_of is not None and not ctl.online else []
        offline_ok = bool(remembered)
        if offline_ok and not wanted:  # the service is unreachable: the counters someone worked at on this PC
            wanted = [(f"Quầy {cid}", cid) for cid in remembered]
        have = [(self.counter_box.itemText(i), self.counter_box.itemData(i)) for i in range(self.counter_box.count())]
        if wanted != have:
            keep = self.chosen_counter() or self.preferred_counter
            self.counter_box.blockSignals(True)
            self.counter_box.clear()
            for name, cid in wanted:
                self.counter_box.addItem(name, cid)
            index = self.counter_box.findData(keep) if keep is not None else -1
            self.counter_box.setCurrentIndex(max(0, index))
            self.counter_box.blockSignals(False)
        ready = (bool(ctl.online) and ctl.model.loaded and bool(counters)) or offline_ok
        self.counter_box.setEnabled(ready)
        filled = bool(self.username.text().strip() and self.secret.text() and self.chosen_counter() is not None)
        self.button.setEnabled(ready and filled and not ctl.signing_in)
        if ctl.signing_in:
            self.status.setText("Đang đăng nhập…")
        elif not ctl.online and offline_ok:
            self.status.setText("Mất kết nối máy chủ Trung tâm. Cán bộ đã đăng nhập trên máy này vẫn đăng nhập được "
                                "để tiếp nhận hồ sơ; gọi số sẽ làm được khi có kết nối.")  # fmt: skip
        elif not ctl.online:
            self.status.setText("Đang kết nối máy chủ Trung tâm… Khi kết nối được, danh sách quầy sẽ hiện ra.")
        elif not filled:
            self.status.setText("Nhập tên đăng nhập, mã PIN hoặc mật khẩu, chọn quầy rồi bấm Đăng nhập.")
        else:
            self.status.setText("")

    def submit(self) -> None:
        counter = self.chosen_counter()
        if not self.button.isEnabled() or counter is None:
            return
        secret = self.secret.text()
        self.secret.clear()  # the secret leaves the screen as soon as it is sent
        self.error.hide()
        self.preferred_counter = counter
        self.ctl.sign_in(self.username.text(), secret, counter)
        self.refresh()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.secret.setFocus()
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # a name given with --user: the clerk types only the PIN
        (self.secret if self.username.text() else self.username).setFocus()

    def reset(self, message: str = "") -> None:
        self.secret.clear()
        self.show_error(message)
        if not self.username.text():
            self.username.setFocus()
