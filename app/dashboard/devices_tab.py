"""The "Thiết bị" tab: the PCs paired with the centre service, "Gỡ ghép" for a lost or replaced one (asked to
confirm; its token stops working at once), and "Ghép máy mới": a role (and counter) chosen here, then the 6-digit
code shown large with its countdown, to be typed on the new PC (`python -m app pair`, or the first-run wizard).

It talks to the service itself (its own small task runner), not through the dashboard's controller: the calls are
few, and only this tab needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.client.api import QueueApi
from app.core.clock import LOCAL_TZ
from app.dashboard.widgets import BLUE, Card, fill, label, named, table
from app.qtbridge.tasks import TaskRunner

ROLE_LABELS = {"kiosk": "Kiosk lấy số", "counter": "Máy quầy", "display": "Màn hình sảnh",
               "director": "Màn hình lãnh đạo", "rating": "Màn hình đánh giá"}  # fmt: skip
COUNTER_ROLES = ("counter", "rating")
HEADERS = ("Tên máy", "Vai trò", "Quầy", "Ghép lúc", "Hoạt động gần nhất", "Trạng thái", "")
ACTION = len(HEADERS) - 1
POLL_MS = 2_000  # how often the code's fate is asked while its dialog is open


def message_of(exc: BaseException) -> str:
    return str(getattr(exc, "message", None) or exc)


def when(iso: object) -> str:
    if not iso:
        return "–"
    return f"{datetime.fromisoformat(str(iso)).astimezone(LOCAL_TZ):%H:%M %d/%m/%Y}"


def ask_yes(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, "Gỡ ghép thiết bị", text, QMessageBox.StandardButton.Yes
                                  | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


class DevicesTab(QWidget):
    def __init__(self, client: QueueApi, *, confirm: Callable[[QWidget, str], bool] = ask_yes) -> None:
        super().__init__()
        self.setObjectName("tab")
        self.client = client
        self.confirm = confirm  # tests answer for the director
        self.runner = TaskRunner(self, threads=2)
        self.rows: list[dict[str, Any]] = []
        self.dialog: PairDialog | None = None
        self._loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        card = Card("Thiết bị đã ghép với máy chủ Trung tâm")
        note = label("Máy bị mất hoặc thay mới: bấm “Gỡ ghép” để mã của máy đó hết hiệu lực ngay. "
                     "Máy mới: bấm “Ghép máy mới” rồi nhập mã 6 chữ số trên máy đó.", "note")  # fmt: skip
        note.setWordWrap(True)
        card.body.addWidget(note)
        self.table = table(HEADERS, stretch=0)
        card.body.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.pair_button = named(QPushButton("Ghép máy mới…"), "primary")
        self.pair_button.clicked.connect(self.open_pairing)
        self.reload_button = QPushButton("Tải lại")
        self.reload_button.clicked.connect(self.load)
        self.message = label("", "note")
        self.message.setWordWrap(True)  # a long refusal wraps instead of widening the window
        bar.addWidget(self.pair_button)
        bar.addWidget(self.reload_button)
        bar.addWidget(self.message, 1)
        card.body.addLayout(bar)
        layout.addWidget(card, 1)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._loaded:  # loaded the first time the tab is opened, as the other tabs are
            self._loaded = True
            self.load()

    def load(self) -> None:
        self.runner.run(self.client.devices, self.show_devices, lambda exc: self.say(message_of(exc), error=True))

    def show_devices(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        fill(self.table, [[str(r["name"]), ROLE_LABELS.get(str(r["role"]), str(r["role"])),
                           str(r["counter"]) if r.get("counter") is not None else "–", when(r.get("created_at")),
                           when(r.get("last_seen")), "Đã gỡ ghép" if r.get("revoked") else "Đang dùng", ""]
                          for r in rows], text_columns=(0, 1, 3, 4, 5))  # fmt: skip
        for index, row in enumerate(rows):
            if row.get("kept"):  # the service PC's own kiosk: unpairing it would stop the hall issuing tickets
                self.table.setCellWidget(index, ACTION, label("Máy chủ", "note"))
            elif not row.get("revoked"):
                button = QPushButton("Gỡ ghép")
                button.clicked.connect(lambda _c=False, r=row: self.unpair(r))
                self.table.setCellWidget(index, ACTION, button)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 18)  # room for buttons
        active = sum(1 for r in rows if not r.get("revoked"))
        self.say(f"{active} máy đang dùng" + (f", {len(rows) - active} máy đã gỡ ghép." if len(rows) > active else "."))

    def unpair(self, row: dict[str, Any]) -> None:
        text = (f"Gỡ ghép “{row['name']}” ({ROLE_LABELS.get(str(row['role']), row['role'])})?\n\nMáy đó sẽ không "
                "kết nối được máy chủ nữa cho đến khi được ghép lại bằng mã mới.")  # fmt: skip
        if not self.confirm(self, text):
            return
        device_id = int(row["id"])

        def done(_answer: object) -> None:
            self.say(f"Đã gỡ ghép “{row['name']}”.")
            self.load()

        self.runner.run(lambda: self.client.unpair_device(device_id), done,
                        lambda exc: self.say(message_of(exc), error=True))  # fmt: skip

    def open_pairing(self) -> PairDialog:
        self.dialog = PairDialog(self.client, self)
        self.dialog.paired.connect_to(self.load)
        self.dialog.show()
        return self.dialog

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setObjectName("error" if error else "note")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.runner.wait()
        super().closeEvent(event)


class _Callbacks:
    """A plain list of callbacks: the dialog tells the tab a PC was paired (no signal needed for one listener)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def connect_to(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def emit(self) -> None:
        for listener in self._listeners:
            listener()


class PairDialog(QDialog):
    """Choose the new PC's role, then show its code large with the time left; says when the PC has paired."""

    def __init__(self, client: QueueApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ghép máy mới")
        self.setObjectName("tab")
        self.client = client
        self.runner = TaskRunner(self, threads=1)
        self.paired = _Callbacks()
        self.issued: dict[str, Any] | None = None
        self._elapsed = QElapsedTimer()
        self._tick = QTimer(self, interval=1_000)
        self._tick.timeout.connect(self._countdown)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._ask_status)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.role = QComboBox()
        for role, text in ROLE_LABELS.items():
            self.role.addItem(text, role)
        self.role.currentIndexChanged.connect(self._role_changed)
        self.counter = QSpinBox(minimum=1, maximum=999)
        self.name = QLineEdit(placeholderText="ví dụ: Quầy 2 (không bắt buộc)")
        form.addRow("Vai trò của máy mới", self.role)
        form.addRow("Số quầy", self.counter)
        form.addRow("Tên máy", self.name)
        layout.addLayout(form)
        self.ask = named(QPushButton("Lấy mã ghép"), "primary")
        self.ask.clicked.connect(self.request_code)
        layout.addWidget(self.ask)
        self.code = label("", "pairCode")
        # its own sheet: the window's `QWidget { font-size }` would win over a QFont; read from across a desk
        self.code.setStyleSheet(f"font-size: 72px; font-weight: bold; color: {BLUE}; padding: 8px;")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code)
        self.left = label("", "big")
        self.left.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.left)
        self.how = label("", "note")
        self.how.setWordWrap(True)
        layout.addWidget(self.how)
        self.status = label("", "note")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self._role_changed()
        self.setMinimumWidth(520)

    def _role_changed(self) -> None:
        self.counter.setEnabled(self.role.currentData() in COUNTER_ROLES)

    def chosen(self) -> tuple[str, int | None, str | None]:
        role = str(self.role.currentData())
        return role, self.counter.value() if role in COUNTER_ROLES else None, self.name.text().strip() or None

    def request_code(self) -> None:
        role, counter, name = self.chosen()
        self.ask.setEnabled(False)
        self._say("Đang lấy mã…")
        self.runner.run(lambda: self.client.pairing_code(role, name, counter), self.show_code, self._failed)

    def show_code(self, issued: dict[str, Any]) -> None:
        from app.child_process import shown_command  # `motcua-service pair` in the bundle

        self.issued = issued
        code = str(issued["code"])
        self.code.setText(f"{code[:3]} {code[3:]}")
        self.code.setEnabled(True)
        counter = f" --counter {issued['counter']}" if issued.get("counter") is not None else ""
        fingerprint = issued.get("server_fingerprint")
        self.how.setText(f"Trên máy mới “{issued['name']}”: nhập mã này trong màn hình cài đặt lần đầu, hoặc chạy "
                         f"{shown_command('app', 'pair', '--code', code, '--role', issued['role'])}{counter}. "
                         "Mã dùng một lần; "
                         "nhập sai 5 lần thì mã bị khóa."
                         + (f" Mã nhận dạng máy chủ: {fingerprint}." if fingerprint else ""))  # fmt: skip
        self._say("")
        self.ask.setText("Lấy mã khác")
        self.ask.setEnabled(True)
        self._elapsed.start()
        self._countdown()
        self._tick.start()
        self._poll.start()
        self.adjustSize()  # the code and the instructions take room the role form did not

    def seconds_left(self) -> int:
        if self.issued is None:
            return 0
        return max(0, int(self.issued.get("ttl_s", 300)) - int(self._elapsed.elapsed() // 1000))

    def _countdown(self) -> None:
        left = self.seconds_left()
        if left <= 0:
            self._finish("Mã đã hết hạn. Bấm “Lấy mã khác” để lấy mã mới.", error=True)
            return
        self.left.setText(f"Còn {left // 60}:{left % 60:02d} phút")

    def _ask_status(self) -> None:
        if self.issued is None:
            return
        code_id = str(self.issued["id"])
        self.runner.run(lambda: self.client.pairing_code_status(code_id), self.show_status, lambda _exc: None)

    def show_status(self, status: str) -> None:
        if status == "used":
            self._finish("Máy mới đã ghép xong.")
            self.paired.emit()
        elif status == "locked":
            self._finish("Mã đã bị khóa vì nhập sai 5 lần. Bấm “Lấy mã khác”.", error=True)

    def _finish(self, text: str, *, error: bool = False) -> None:
        self._tick.stop()
        self._poll.stop()
        self.left.setText("")
        self.code.setEnabled(False)
        self._say(text, error=error)

    def _failed(self, exc: Exception) -> None:
        self.ask.setEnabled(True)
        self._say(message_of(exc), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setObjectName("error" if error else "ok")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def done(self, result: int) -> None:
        self._tick.stop()
        self._poll.stop()
        self.runner.wait()
        super().done(result)
