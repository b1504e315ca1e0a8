"""Signing a director in with a username and PIN (POST /api/sessions, as at the counter) when no token file is given.

The session token is kept in the client's memory only: never written anywhere, revoked when the dashboard closes.
An account that is not a director's or the admin's is signed out at once and told so; a refusal (wrong PIN, locked
for a while) shows the service's own Vietnamese message.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.client.queue_client import ServiceError
from app.dashboard.widgets import label, stylesheet
from app.qtbridge.tasks import TaskRunner

DIRECTOR_ROLES = ("director", "admin")
NOT_A_DIRECTOR = (
    "Tài khoản này là của cán bộ quầy, không xem được màn hình lãnh đạo. Hãy đăng nhập bằng tài khoản lãnh đạo."
)
UNREACHABLE = "Không kết nối được dịch vụ trung tâm. Kiểm tra máy chủ đã bật và địa chỉ, rồi thử lại."


class SessionClientApi(Protocol):
    def sign_in(self, username: str, secret: str, counter: int | None = None) -> dict[str, Any]: ...
    def revoke(self, token: str) -> None: ...
    def set_token(self, token: str | None) -> None: ...


class SignInDialog(QDialog):
    """Username and PIN; accepted once the service has given a director's (or the admin's) session, installed in
    `client`. `user`: {username, display_name, role} of who signed in."""

    def __init__(self, client: SessionClientApi, *, username: str = "", parent: QWidget | None = None,
                 notice: str = "", cancel_text: str = "") -> None:  # fmt: skip
        """`notice`: a line above the fields (why the director is asked again); `cancel_text`: a second button that
        closes the dialog unanswered (rejected)."""
        super().__init__(parent)
        self.client = client
        self.user: dict[str, Any] | None = None
        self.busy = False
        self.setObjectName("root")
        self.setWindowTitle("Một Cửa – Đăng nhập màn hình lãnh đạo")
        self.setStyleSheet(stylesheet(1.0))
        self.runner = TaskRunner(self, threads=1)
        box = QVBoxLayout(self)
        box.setContentsMargins(28, 24, 28, 24)
        box.setSpacing(10)
        box.addWidget(label("Đăng nhập màn hình lãnh đạo", "cardTitle"))
        self.notice = label(notice, "notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b45309; font-weight: bold;")
        self.notice.setVisible(bool(notice))
        box.addWidget(self.notice)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setMaxLength(64)
        self.username.setPlaceholderText("ví dụ: giamdoc")
        self.secret = QLineEdit()
        self.secret.setObjectName("secret")
        self.secret.setMaxLength(128)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("mã PIN hoặc mật khẩu")
        grid.addWidget(label("Tên đăng nhập", "fieldLabel"), 0, 0)
        grid.addWidget(self.username, 0, 1)
        grid.addWidget(label("Mã PIN / mật khẩu", "fieldLabel"), 1, 0)
        grid.addWidget(self.secret, 1, 1)
        grid.setColumnStretch(1, 1)
        box.addLayout(grid)
        self.error = label("", "error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        box.addWidget(self.error)
        self.button = QPushButton("Đăng nhập")
        self.button.setObjectName("primary")
        self.button.setDefault(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        box.addWidget(self.button)
        self.button.clicked.connect(self.submit)
        self.cancel_button: QPushButton | None = None
        if cancel_text:
            self.cancel_button = QPushButton(cancel_text)
            self.cancel_button.clicked.connect(self.reject)
            box.addWidget(self.cancel_button)
        self.username.returnPressed.connect(lambda: self.secret.setFocus() if not self.secret.text() else self.submit())
        self.secret.returnPressed.connect(self.submit)
        self.setMinimumWidth(460)
        (self.secret if username else self.username).setFocus()

    def submit(self) -> None:
        username, secret = self.username.text().strip(), self.secret.text()
        if self.busy:
            return
        if not username or not secret:
            self.show_error("Nhập tên đăng nhập và mã PIN (hoặc mật khẩu).")
            return
        self.secret.clear()  # the secret leaves the screen as soon as it is sent
        self.busy = True
        self.button.setEnabled(False)
        self.button.setText("Đang đăng nhập…")
        client = self.client
        self.runner.run(lambda: client.sign_in(username, secret, None), self._signed_in, self._failed)

    def _done(self) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.button.setText("Đăng nhập")

    def _signed_in(self, answer: dict[str, Any]) -> None:
        self._done()
        token = str(answer.get("token") or "")
        user = dict(answer.get("user") or {})
        if user.get("role") not in DIRECTOR_ROLES:
            if token:
                client = self.client
                self.runner.run(lambda: client.revoke(token), None, lambda _e: None)
            self.show_error(NOT_A_DIRECTOR)
            return
        self.client.set_token(token)
        self.user = user
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._done()
        self.show_error(exc.message if isinstance(exc, ServiceError) and exc.message else UNREACHABLE)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.secret.setFocus()

    def done(self, result: int) -> None:  # accepted or closed: no answer may arrive after
        self.runner.wait()
        super().done(result)


__all__ = ["NOT_A_DIRECTOR", "SignInDialog"]
