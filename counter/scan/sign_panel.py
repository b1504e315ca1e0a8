"""The signing corner of the scan screen: the "chứng thực" tick, the sign buttons, the seal icon, the PIN dialog.

The PIN goes from the dialog straight to the signing job and is never kept: not in a setting, a log or a field
that outlives the dialog."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.core.dossier import Component
from counter.style import RED
from counter.widgets import label

CERTIFY_TEXT = "Chứng thực: ký là bản sao điện tử chứng thực từ bản chính"


def signed_text(comp: Component, ticked: bool) -> str:
    """What the component list says about signing: the signer once signed, the tick before."""
    file = comp.files[0] if comp.files else None
    if file is not None and file.signed:
        kind = "bản sao chứng thực, " if file.certified_copy else ""
        return f" · đã ký số ({kind}{file.signed_by})"
    return " · chứng thực" if ticked else ""


def seal_pixmap(size: int = 40) -> QPixmap:
    """A red round seal with a star: drawn, so it needs no emoji font on the clerk's PC."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    red = QColor(RED)
    outer = size * 0.06
    p.setPen(QPen(red, max(1.5, size * 0.08)))
    p.setBrush(QColor("white"))  # stands out on a selected (blue) row as on a white one
    p.drawEllipse(QRectF(outer, outer, size - 2 * outer, size - 2 * outer))
    p.setPen(QPen(red, max(1.0, size * 0.035)))
    inner = size * 0.2
    p.drawEllipse(QRectF(inner, inner, size - 2 * inner, size - 2 * inner))
    centre, r_out, r_in = size / 2, size * 0.24, size * 0.1
    star = QPolygonF(
        [
            QPointF(
                centre + (r_out if k % 2 == 0 else r_in) * math.sin(k * math.pi / 5),
                centre - (r_out if k % 2 == 0 else r_in) * math.cos(k * math.pi / 5),
            )
            for k in range(10)
        ]
    )
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(red)
    p.drawPolygon(star)
    p.end()
    return pixmap


def seal_icon() -> QIcon:
    icon = QIcon(seal_pixmap(40))
    icon.addPixmap(seal_pixmap(40), QIcon.Mode.Selected)  # not dimmed on the selected row
    return icon


class SignPanel(QWidget):
    """Under the component list: which key signs, the tick for the selected component, the two buttons."""

    sign_one = Signal()  # Ctrl+K: the selected component
    sign_all = Signal()  # Ctrl+Shift+K: every digitised component not yet signed
    certify_toggled = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("signPanel")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 4, 0, 4)
        col.setSpacing(4)
        self.key_hint = label("", "hint", wrap=True)
        col.addWidget(self.key_hint)
        self.certify = QCheckBox(CERTIFY_TEXT)
        self.certify.setObjectName("certifyCopy")
        self.certify.setStyleSheet("font-size: 16px;")  # as legible as the hints around it
        self.certify.toggled.connect(self.certify_toggled.emit)
        col.addWidget(self.certify)
        row = QHBoxLayout()
        self.one_button = QPushButton("Ký số thành phần  (Ctrl+K)")
        self.one_button.setObjectName("secondary")
        self.one_button.setIcon(seal_icon())
        self.one_button.clicked.connect(self.sign_one.emit)
        self.all_button = QPushButton("Ký số tất cả  (Ctrl+Shift+K)")
        self.all_button.setObjectName("secondary")
        self.all_button.clicked.connect(self.sign_all.emit)
        row.addWidget(self.one_button)
        row.addWidget(self.all_button)
        col.addLayout(row)

    def set_key(self, description: str | None) -> None:
        """None: this counter has no signing key set up, and the panel stays out of the way."""
        self.setVisible(description is not None)
        if description is not None:
            self.key_hint.setText(f"Ký số bằng {description}; ký là bước cuối trước khi gửi hồ sơ lên tỉnh.")

    def show_component(self, certified: bool, can_tick: bool) -> None:
        self.certify.blockSignals(True)
        self.certify.setChecked(certified)
        self.certify.setEnabled(can_tick)
        self.certify.blockSignals(False)

    def set_busy(self, busy: bool, any_unsigned: bool, current_unsigned: bool) -> None:
        self.one_button.setEnabled(not busy and current_unsigned)
        self.all_button.setEnabled(not busy and any_unsigned)


class PinDialog(QDialog):
    """Asks the token's PIN (or the .p12 file's password) for one signing batch."""

    def __init__(self, what: str, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Nhập mã PIN ký số")
        col = QVBoxLayout(self)
        col.setContentsMargins(24, 20, 24, 20)
        col.addWidget(label(f"Nhập mã PIN của {what} để ký. Mã PIN không được lưu lại.", "subtitle", wrap=True))
        if hint:
            col.addWidget(label(hint, "hint", wrap=True))
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.returnPressed.connect(self.accept)
        col.addWidget(self.pin)
        row = QHBoxLayout()
        cancel = QPushButton("Hủy  (Esc)")
        cancel.setObjectName("secondary")
        cancel.clicked.connect(self.reject)
        ok = QPushButton("Ký  (Enter)")
        ok.setObjectName("primary")
        ok.clicked.connect(self.accept)
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(ok)
        col.addLayout(row)

    def take_pin(self) -> str:
        """The typed PIN, cleared from the field as it is handed over."""
        pin = self.pin.text()
        self.pin.clear()
        return pin


def ask_pin(parent: QWidget, what: str, hint: str = "") -> str | None:
    dialog = PinDialog(what, hint, parent)
    try:
        return dialog.take_pin() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.take_pin()
        dialog.deleteLater()
