"""Widgets of the clerk's screen: action buttons that show their key, the offline banner, the message strip."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QComboBox, QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from counter.style import BLUE, GREEN, GREY, INK, ORANGE, RED

# fill, ink, border per kind when enabled
_KINDS = {
    "primary": (QColor(BLUE), QColor("white"), QColor(BLUE)),
    "good": (QColor(GREEN), QColor("white"), QColor(GREEN)),
    "warn": (QColor(ORANGE), QColor("white"), QColor(ORANGE)),
    "plain": (QColor("white"), QColor(INK), QColor(INK)),
}
_OFF = (QColor("#e6eaf0"), QColor("#6b7486"), QColor("#c9d1dc"))


class ActionButton(QAbstractButton):
    """A big button: the key on a badge at the left ("F1"), the words beside it, wrapping when narrow."""

    def __init__(self, key: str, label: str, kind: str = "plain", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key, self.label, self.kind = key, label, kind
        self.scale = 1.0
        self.setText(f"{key} {label}")  # tests and screen readers
        self.setToolTip(f"{label} (phím {key})")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.set_scale(1.0)

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.setFixedHeight(round(72 * scale))
        self.update()

    def set_label(self, label: str, kind: str | None = None) -> None:
        self.label = label
        self.kind = kind or self.kind
        self.setText(f"{self.key} {label}")
        self.setToolTip(f"{label} (phím {self.key})")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(round(220 * self.scale), round(72 * self.scale))

    def minimumSizeHint(self) -> QSize:
        return QSize(round(150 * self.scale), round(72 * self.scale))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, ink, border = _KINDS.get(self.kind, _KINDS["plain"]) if self.isEnabled() else _OFF
        if self.isDown():
            fill = fill.darker(125)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        p.setPen(QPen(border, 2))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 12, 12)
        key_font = QFont(self.font())
        key_font.setPixelSize(round(17 * self.scale))
        key_font.setBold(True)
        badge_h = 30 * self.scale
        badge_w = QFontMetrics(key_font).horizontalAdvance(self.key) + 18 * self.scale
        badge = QRectF(rect.left() + 12 * self.scale, rect.center().y() - badge_h / 2, badge_w, badge_h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink if self.kind != "plain" or not self.isEnabled() else QColor(INK))
        p.drawRoundedRect(badge, 7, 7)
        p.setFont(key_font)
        p.setPen(fill if self.kind != "plain" else QColor("white"))
        if not self.isEnabled():
            p.setPen(QColor("white"))
        p.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.key)
        label_font = QFont(self.font())
        label_font.setPixelSize(round(20 * self.scale))
        label_font.setBold(True)
        p.setFont(label_font)
        p.setPen(ink)
        gap = 12 * self.scale
        left = badge.right() + gap
        text_rect = QRectF(left, rect.top() + 4, rect.right() - left - 8, rect.height() - 8)
        flags = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        p.drawText(text_rect, flags, self.label)
        p.end()


class Picker(QComboBox):
    """A drop-down list whose arrow stays visible under the stylesheet (a clerk must see it opens)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        size = self.height() * 0.16
        x, y = self.width() - self.height() * 0.45, self.height() / 2
        p.setPen(QPen(QColor(INK if self.isEnabled() else GREY), max(2.0, size / 3)))
        p.drawPolyline([QPointF(x - size, y - size / 2), QPointF(x, y + size / 2), QPointF(x + size, y - size / 2)])
        p.end()


class Banner(QLabel):
    """A full-width coloured line under the window's top; hidden when empty."""

    STYLES: ClassVar[dict[str, str]] = {
        "error": f"background:{RED};color:white;",
        "warning": "background:#ffd54f;color:#1a1a1a;",
        "info": f"background:{BLUE};color:white;",
        "ok": f"background:{GREEN};color:white;",
    }

    def __init__(self, parent: QWidget | None = None, *, size: int = 20) -> None:
        super().__init__(parent)
        self.base_size = self.size_px = size
        self.kind = ""
        self.setWordWrap(True)
        self.setObjectName("banner")
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.kind = kind if text else ""
        style = self.STYLES.get(kind, self.STYLES["info"])
        self.setStyleSheet(f"QLabel#banner{{{style}font-size:{self.size_px}px;font-weight:bold;padding:10px 18px;}}")
        self.setText(text)
        self.setVisible(bool(text))

    def set_scale(self, scale: float) -> None:
        self.size_px = round(self.base_size * scale)
        if self.text():
            self.show_message(self.text(), self.kind)

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


def card(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("card")
    return frame


def label(text: str = "", name: str = "detail", *, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def row(*widgets: QWidget, stretch_after: bool = True, spacing: int = 12) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setSpacing(spacing)
    for w in widgets:
        layout.addWidget(w)
    if stretch_after:
        layout.addStretch(1)
    return layout


def pill_style(status: str) -> str:
    colours = {"open": GREEN, "paused": ORANGE, "closed": GREY, "offline": RED}
    return f"QLabel#pill{{background:{colours.get(status, GREY)};color:white;}}"
