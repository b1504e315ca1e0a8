"""When the director's session ends while the dashboard is open (expired, or signed out from elsewhere): the sign-in
dialog over the window, and the dashboard carries on where it was once signed in again.

The dialog sits inside the window on a dimmed layer (not a separate window): the figures behind it stay in view,
clicks cannot reach them, and a screenshot of the window shows it. "Để sau" closes it and leaves a banner under the
header with a button to sign in later; the figures on screen stop being updated meanwhile. A client that cannot sign
a person in (the demo's fake) gets the banner alone.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.dashboard.controller import DashboardController
from app.dashboard.signin import SignInDialog
from app.dashboard.widgets import label, scale_for, stylesheet

EXPIRED = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại"
BANNER = "Phiên đăng nhập đã hết hạn: số liệu trên màn hình không còn được cập nhật."
BANNER_NO_SIGN_IN = BANNER + " Khởi động lại màn hình lãnh đạo với mã mới."
LATER = "Để sau"
AGAIN = "Đăng nhập lại"
RESUMED = "Đã đăng nhập lại."


class ExpiredBanner(QFrame):
    """Under the header while the session is over and the director chose to sign in later."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expiredBanner")
        self.setStyleSheet("QFrame#expiredBanner { background: #fdecea; border-bottom: 2px solid #b3261e; }"
                           "QLabel { color: #b3261e; font-weight: bold; background: transparent; }")  # fmt: skip
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 14, 6)
        self.text = label(BANNER, "bannerText")
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.again = QPushButton(AGAIN)
        self.again.setObjectName("primary")
        row.addWidget(self.again)
        self.hide()


class _Layer(QWidget):
    """The dimmed layer over the whole window that holds the dialog, following the window's size."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("sessionLayer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#sessionLayer { background: rgba(10, 37, 64, 150); }")
        box = QVBoxLayout(self)
        box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.box = box
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False


class SessionPrompt(QObject):
    """Listens to the controller's `session_expired`; `dialog` is the sign-in dialog while it is shown."""

    def __init__(self, window: QWidget, ctl: DashboardController, banner: ExpiredBanner, username: str = "") -> None:
        super().__init__(window)
        self.window = window
        self.ctl = ctl
        self.banner = banner
        self.username = username
        self.dialog: SignInDialog | None = None
        self.layer = _Layer(window)
        banner.again.clicked.connect(self.ask)
        ctl.session_expired.connect(self._expired)
        ctl.session_resumed.connect(banner.hide)

    def can_sign_in(self) -> bool:
        client: Any = self.ctl.client
        return all(callable(getattr(client, name, None)) for name in ("sign_in", "set_token", "revoke"))

    def _expired(self) -> None:
        if self.can_sign_in():
            self.ask()
        else:
            self.banner.text.setText(BANNER_NO_SIGN_IN)
            self.banner.again.hide()
            self.banner.show()

    def ask(self) -> None:
        """The sign-in dialog over the window (once: asked again while shown, it stays as it is)."""
        if self.dialog is not None:
            return
        self.banner.hide()
        dialog = SignInDialog(self.ctl.client, username=self.username, notice=EXPIRED,  # type: ignore[arg-type]
                              cancel_text=LATER, parent=self.layer)  # fmt: skip
        dialog.setWindowFlags(Qt.WindowType.Widget)  # a panel inside the window, not a window of its own
        scale = scale_for(self.window.width(), self.window.height())
        dialog.setStyleSheet(stylesheet(scale))  # as large as the figures behind it
        dialog.setMaximumWidth(round(520 * scale))
        dialog.accepted.connect(self._signed_in)
        dialog.rejected.connect(self._later)
        self.dialog = dialog
        self.layer.box.addWidget(dialog)
        self.layer.setGeometry(self.window.rect())
        self.layer.show()
        self.layer.raise_()
        dialog.show()
        (dialog.secret if dialog.username.text() else dialog.username).setFocus()

    def _close(self) -> dict[str, Any] | None:
        dialog, self.dialog = self.dialog, None
        self.layer.hide()
        if dialog is None:
            return None
        user = dialog.user
        dialog.deleteLater()
        return user

    def _signed_in(self) -> None:
        user = self._close()
        if user:
            self.username = str(user.get("username") or self.username)
        self.ctl.resume()

    def _later(self) -> None:
        self._close()
        self.banner.text.setText(BANNER)
        self.banner.again.show()
        self.banner.show()


__all__ = ["EXPIRED", "ExpiredBanner", "SessionPrompt"]
