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
    "caution": (QColor("white"), QColor(ORANGE), QColor(ORANGE)),  # outlined: there, but not the obvious next step
    "plain": (QColor("white"), QColor(INK), QColor(INK)),
}
_OFF = (QColor("#e6eaf0"), QColor("#6b7486"), QColor("#c9d1dc"))


class ActionButton(QAbstractButton):
    """A big button: the key on a badge at the left ("F1"), the words beside it on one line (wrapping only in a
    window narrower than a laptop's), and under them, when there is one, a short caption saying why it is off."""

    HEIGHT = 72
    COMPACT_HEIGHT = 46  # in the header bar

    def __init__(self, key: str, label: str, kind: str = "plain", parent: QWidget | None = None, *,
                 compact: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.key, self.label, self.kind = key, label, kind
        self.caption = ""
        self.compact = compact
        self.scale = 1.0
        self.setText(f"{key} {label}")  # tests and screen readers
        self.setToolTip(f"{label} (phím {key})")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.set_scale(1.0)

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.setFixedHeight(round((self.COMPACT_HEIGHT if self.compact else self.HEIGHT) * scale))
        self.updateGeometry()
        self.update()

    def set_caption(self, caption: str) -> None:
        if caption != self.caption:
            self.caption = caption
            self.setToolTip(f"{self.label} (phím {self.key}){': ' + caption if caption else ''}")
            self.update()

    def set_label(self, label: str, kind: str | None = None) -> None:
        self.label = label
        self.kind = kind or self.kind
        self.setText(f"{self.key} {label}")
        self.setToolTip(f"{label} (phím {self.key})")
        self.update()

    def sizeHint(self) -> QSize:
        if self.compact:  # as wide as its words
            return QSize(round(self._label_left() + self._label_width() + 14 * self.scale), self.height())
        return QSize(round(220 * self.scale), round(self.HEIGHT * self.scale))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint() if self.compact else QSize(round(150 * self.scale), round(self.HEIGHT * self.scale))

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        """(key, label, caption)"""
        key_font, label_font, caption_font = QFont(self.font()), QFont(self.font()), QFont(self.font())
        key_font.setPixelSize(round((15 if self.compact else 17) * self.scale))
        key_font.setBold(True)
        label_font.setPixelSize(round((17 if self.compact else 20) * self.scale))
        label_font.setBold(True)
        caption_font.setPixelSize(round(14 * self.scale))
        return key_font, label_font, caption_font

    def _badge_width(self) -> float:
        return QFontMetrics(self._fonts()[0]).horizontalAdvance(self.key) + 16 * self.scale

    def _label_left(self) -> float:
        return 2 + 10 * self.scale + self._badge_width() + 10 * self.scale

    def _label_width(self) -> float:
        return float(QFontMetrics(self._fonts()[1]).horizontalAdvance(self.label))

    def label_fits(self) -> bool:
        """The words (and the caption) on one line each, inside the button."""
        room = self.width() - 2 - 6 - self._label_left()
        caption = QFontMetrics(self._fonts()[2]).horizontalAdvance(self.caption) if self.caption else 0
        return self._label_width() <= room and caption <= room

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
        key_font, label_font, caption_font = self._fonts()
        badge_h = (26 if self.compact else 30) * self.scale
        badge_w = self._badge_width()
        badge = QRectF(rect.left() + 10 * self.scale, rect.center().y() - badge_h / 2, badge_w, badge_h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink if self.kind != "plain" or not self.isEnabled() else QColor(INK))
        p.drawRoundedRect(badge, 7, 7)
        p.setFont(key_font)
        p.setPen(fill if self.kind != "plain" else QColor("white"))
        if not self.isEnabled():
            p.setPen(QColor("white"))
        p.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.key)
        p.setFont(label_font)
        p.setPen(ink)
        left = self._label_left()
        text_rect = QRectF(left, rect.top() + 4, rect.right() - left - 6, rect.height() - 8)
        if self.caption:
            caption_h = QFontMetrics(caption_font).height()
            text_rect.setBottom(rect.center().y() + 2 * self.scale)
            text_rect.setTop(text_rect.bottom() - QFontMetrics(label_font).height() - 4)
            p.setFont(caption_font)
            p.drawText(QRectF(left, text_rect.bottom(), text_rect.width(), caption_h),
                       int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft), self.caption)  # fmt: skip
            p.setFont(label_font)
            flags = int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft)
        else:
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
