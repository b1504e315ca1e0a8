"""Touch widgets: large tiles whose text wraps and is never cut, banners, an on-screen keyboard."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

BLUE = QColor("#0b4f9c")
DARK = QColor("#0a2540")
GREY = QColor("#8a94a6")
MIN_TOUCH_PX = 96  # DESIGN.md asks ≥ 72 px targets; elderly fingers get more


class Tile(QAbstractButton):
    """A big rounded button: optional badge letter on the left, title wrapping over as many lines as it
    needs (the tile grows rather than cutting a word), optional subtitle."""

    def __init__(self, title: str, *, badge: str = "", subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.badge, self.subtitle = title, badge, subtitle
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.MinimumExpanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title_px = 36
        self.setText(title)  # for tests and accessibility

    def set_texts(self, title: str, subtitle: str = "", badge: str | None = None) -> None:
        self.title, self.subtitle = title, subtitle
        if badge is not None:
            self.badge = badge
        self.setText(title)
        self.updateGeometry()
        self.update()

    def _fonts(self) -> tuple[QFont, QFont]:
        title = QFont(self.font())
        title.setPixelSize(self.title_px)
        title.setBold(True)
        sub = QFont(self.font())
        sub.setPixelSize(max(18, self.title_px * 2 // 3))
        return title, sub

    def _text_width(self, width: int) -> int:
        return max(40, width - 48 - (self.title_px * 2 + 24 if self.badge else 0))

    def heightForWidth(self, width: int) -> int:
        title, sub = self._fonts()
        flags = int(Qt.TextFlag.TextWordWrap)
        w = self._text_width(width)
        h = QFontMetrics(title).boundingRect(0, 0, w, 10_000, flags, self.title).height()
        if self.subtitle:
            h += 8 + QFontMetrics(sub).boundingRect(0, 0, w, 10_000, flags, self.subtitle).height()
        return max(MIN_TOUCH_PX + 54, h + 56)

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(360, self.heightForWidth(360))

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.heightForWidth(max(160, self.width())))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        enabled = self.isEnabled()
        fill = (BLUE.darker(130) if self.isDown() else BLUE) if enabled else QColor("#e3e7ee")
        ink = QColor("white") if enabled else QColor("#4a5568")
        rect = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        p.setPen(QPen(DARK if enabled else GREY, 3))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 18, 18)
        title, sub = self._fonts()
        x = rect.left() + 24
        if self.badge:
            d = self.title_px * 2
            circle = QRectF(x, rect.center().y() - d / 2, d, d)
            p.setBrush(QColor("white") if enabled else QColor("#cbd2dc"))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(circle)
            badge_font = QFont(title)
            badge_font.setPixelSize(int(self.title_px * 1.1))
            p.setFont(badge_font)
            p.setPen(BLUE if enabled else GREY)
            p.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.badge)
            x += d + 24
        w = self._text_width(int(rect.width()) + 6)
        flags = int(Qt.TextFlag.TextWordWrap)
        th = QFontMetrics(title).boundingRect(0, 0, w, 10_000, flags, self.title).height()
        sh = QFontMetrics(sub).boundingRect(0, 0, w, 10_000, flags, self.subtitle).height() + 8 if self.subtitle else 0
        top = rect.center().y() - (th + sh) / 2
        p.setPen(ink)
        p.setFont(title)
        align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | flags
        p.drawText(QRectF(x, top, w, th), align, self.title)
        if self.subtitle:
            p.setFont(sub)
            p.setPen(QColor("#ffe08a") if enabled else QColor("#8b2d1e"))
            p.drawText(QRectF(x, top + th + 8, w, sh), align, self.subtitle)
        p.end()


class Banner(QLabel):
    """A full-width coloured message line; hidden when empty."""

    STYLES: ClassVar[dict[str, str]] = {
        "error": "background:#b3261e;color:white;",
        "warning": "background:#ffd54f;color:#1a1a1a;",
        "info": "background:#0b4f9c;color:white;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("banner")
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.setStyleSheet(f"QLabel#banner{{{self.STYLES[kind]}font-size:26px;font-weight:bold;padding:18px;}}")
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


def discard(widget: QWidget) -> None:
    """Remove a widget now: deleteLater alone leaves it painted until the event loop runs again."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def big_button(text: str, *, primary: bool = True) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary" if primary else "secondary")
    button.setMinimumHeight(MIN_TOUCH_PX)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def scroll_area(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)  # finger scroll
    return area


def tile_grid(tiles: list[QWidget], columns: int) -> QWidget:
    host = QWidget()
    grid = QGridLayout(host)
    grid.setSpacing(20)
    for i, tile in enumerate(tiles):
        grid.addWidget(tile, i // columns, i % columns)
    for c in range(columns):
        grid.setColumnStretch(c, 1)
    grid.setRowStretch(grid.rowCount(), 1)
    return host


class Keyboard(QWidget):
    """Letters, digits, space and delete: enough for diacritic-free search, no physical keyboard needed."""

    typed = Signal(str)
    erased = Signal()

    ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        for row in self.ROWS:
            line = QGridLayout()
            line.setSpacing(8)
            for i, ch in enumerate(row):
                key = QPushButton(ch)
                key.setObjectName("key")
                key.setMinimumHeight(76)
                key.clicked.connect(lambda _=False, ch=ch: self.typed.emit(ch.lower()))
                line.addWidget(key, 0, i)
            layout.addLayout(line)
        last = QGridLayout()
        space = QPushButton("␣  dấu cách")
        space.setObjectName("key")
        space.setMinimumHeight(76)
        space.clicked.connect(lambda: self.typed.emit(" "))
        delete = QPushButton("⌫  xóa")
        delete.setObjectName("key")
        delete.setMinimumHeight(76)
        delete.clicked.connect(self.erased.emit)
        last.addWidget(space, 0, 0, 1, 3)
        last.addWidget(delete, 0, 3, 1, 1)
        layout.addLayout(last)
