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

from kiosk.style import MIN_TOUCH_PX

BLUE = QColor("#0b4f9c")
DARK = QColor("#0a2540")
GREY = QColor("#8a94a6")
SMALLEST_FIT = 0.8  # a tile squeezed by its screen may shrink its text to this share of its size, no further
_WRAP = int(Qt.TextFlag.TextWordWrap)


class Tile(QAbstractButton):
    """A big rounded button: optional badge letter on the left, title wrapping over as many lines as it needs,
    optional subtitle. In a list (a scroll area) the tile grows to its text; on a screen without scrolling it
    takes the height its row gives it and, when that is short, draws its text a little smaller rather than
    cutting it.

    `variant="plain"` (white, dark text, thick blue border) sets apart a choice that is not one of the
    blue ones beside it: "Không thuộc đối tượng ưu tiên" among the priority categories, "Tra cứu thủ tục"
    beside the service tiles.
    """

    def __init__(
        self,
        title: str,
        *,
        badge: str = "",
        subtitle: str = "",
        title_px: int = 36,
        variant: str = "primary",
        min_height: int = MIN_TOUCH_PX,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title, self.badge, self.subtitle = title, badge, subtitle
        self.variant = variant
        self.title_px = title_px
        self.min_height = max(MIN_TOUCH_PX, min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setText(title)  # for tests and accessibility

    def set_texts(self, title: str, subtitle: str = "", badge: str | None = None) -> None:
        if (title, subtitle, badge if badge is not None else self.badge) == (self.title, self.subtitle, self.badge):
            return
        self.title, self.subtitle = title, subtitle
        if badge is not None:
            self.badge = badge
        self.setText(title)
        self.updateGeometry()
        self.update()

    # --- measures -----------------------------------------------------------------------------

    def _pad(self, px: int) -> int:
        return max(10, px // 2)

    def _fonts(self, px: int) -> tuple[QFont, QFont]:
        title = QFont(self.font())
        title.setPixelSize(px)
        title.setBold(True)
        sub = QFont(self.font())
        sub.setPixelSize(max(20, px * 3 // 4))
        return title, sub

    def _badge_d(self, px: int) -> int:
        return px * 2 if self.badge else 0

    def _text_width(self, width: int, px: int | None = None) -> int:
        px = px or self.title_px
        badge = self._badge_d(px) + px // 2 if self.badge else 0
        return max(40, width - 2 * self._side(px) - badge)

    def _side(self, px: int) -> int:
        return max(14, px * 2 // 3)

    def _text_height(self, width: int, px: int) -> int:
        title, sub = self._fonts(px)
        w = self._text_width(width, px)
        h = QFontMetrics(title).boundingRect(0, 0, w, 10_000, _WRAP, self.title).height()
        if self.subtitle:
            h += px // 4 + QFontMetrics(sub).boundingRect(0, 0, w, 10_000, _WRAP, self.subtitle).height()
        return h

    def _height_at(self, width: int, px: int) -> int:
        return max(self.min_height, self._text_height(width, px) + 2 * self._pad(px), self._badge_d(px) + 12)

    def smallest_px(self) -> int:
        return max(18, round(self.title_px * SMALLEST_FIT))

    def fitting_px(self, width: int, height: int) -> int:
        """The largest text size, from title_px down to smallest_px, whose text fits the tile; smallest_px when
        none does (the layout test then reports the tile)."""
        px = self.title_px
        while px > self.smallest_px() and self._height_at(width, px) > height:
            px -= 1
        return px

    def text_fits(self) -> bool:
        """The tile's whole text fits its current size (what the layout test checks)."""
        return self._height_at(self.width(), self.fitting_px(self.width(), self.height())) <= self.height()

    def heightForWidth(self, width: int) -> int:
        return self._height_at(width, self.title_px)

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(360, self.heightForWidth(360))

    def minimumSizeHint(self) -> QSize:
        # What the tile needs at its smallest text for its current width: a screen may squeeze it that far.
        width = max(160, self.width())
        return QSize(160, self._height_at(width, self.smallest_px()))

    # --- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        enabled = self.isEnabled()
        plain = self.variant == "plain"
        if not enabled:
            fill, ink, sub_ink, border = QColor("#e3e7ee"), QColor("#4a5568"), QColor("#8b2d1e"), GREY
        elif plain:
            fill = QColor("#dbe6f5") if self.isDown() else QColor("white")
            ink, sub_ink, border = DARK, QColor("#3d4f66"), BLUE
        else:
            fill = BLUE.darker(130) if self.isDown() else BLUE
            ink, sub_ink, border = QColor("white"), QColor("#ffe08a"), DARK
        rect = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        radius = max(12, self.title_px // 2)
        p.setPen(QPen(border, 5 if plain and enabled else 3))
        p.setBrush(fill)
        p.drawRoundedRect(rect, radius, radius)
        px = self.fitting_px(self.width(), self.height())
        title, sub = self._fonts(px)
        x = rect.left() + self._side(px) - 3
        if self.badge:
            d = self._badge_d(px)
            circle = QRectF(x, rect.center().y() - d / 2, d, d)
            p.setBrush(QColor("white") if enabled and not plain else BLUE if enabled else QColor("#cbd2dc"))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(circle)
            badge_font = QFont(title)
            badge_font.setPixelSize(int(px * 1.1))
            p.setFont(badge_font)
            p.setPen((BLUE if not plain else QColor("white")) if enabled else GREY)
            p.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.badge)
            x += d + px // 2
        w = self._text_width(self.width(), px)
        th = QFontMetrics(title).boundingRect(0, 0, w, 10_000, _WRAP, self.title).height()
        sh = QFontMetrics(sub).boundingRect(0, 0, w, 10_000, _WRAP, self.subtitle).height() if self.subtitle else 0
        gap = px // 4 if self.subtitle else 0
        top = rect.center().y() - (th + gap + sh) / 2
        p.setPen(ink)
        p.setFont(title)
        align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | _WRAP
        p.drawText(QRectF(x, top, w, th), align, self.title)
        if self.subtitle:
            p.setFont(sub)
            p.setPen(sub_ink)
            p.drawText(QRectF(x, top + th + gap, w, sh), align, self.subtitle)
        p.end()


class Banner(QLabel):
    """A full-width coloured message line; hidden when empty. Its size comes from the window's style sheet."""

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
        self.setStyleSheet(f"QLabel#banner{{{self.STYLES[kind]}}}")
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


def big_button(text: str, *, primary: bool = True, height: int = MIN_TOUCH_PX) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary" if primary else "secondary")
    button.setMinimumHeight(height)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def scroll_area(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)  # never grows the window
    area.setMinimumHeight(MIN_TOUCH_PX)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)  # finger scroll
    return area


def tile_grid(tiles: list[QWidget], columns: int, *, spacing: int = 20, fill: bool = False) -> QWidget:
    """Tiles in rows. `fill`: the rows share the height (a screen without scrolling); else they keep their
    natural height from the top (a list in a scroll area, with room under the last row)."""
    host = QWidget()
    grid = QGridLayout(host)
    grid.setSpacing(spacing)
    grid.setContentsMargins(0, 0, 0 if fill else spacing // 2, 0 if fill else spacing)
    for i, tile in enumerate(tiles):
        grid.addWidget(tile, i // columns, i % columns)
    for c in range(columns):
        grid.setColumnStretch(c, 1)
    if fill:
        for r in range(grid.rowCount()):
            grid.setRowStretch(r, 1)
    else:
        grid.setRowStretch(grid.rowCount(), 1)
    return host


class Keyboard(QWidget):
    """Letters, digits, space and delete: enough for diacritic-free search, no physical keyboard needed."""

    typed = Signal(str)
    erased = Signal()

    ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        key_height: int = 76,
        space: str = "␣  dấu cách",
        erase: str = "⌫  xóa",
        spacing: int = 8,
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)

        def key(text: str) -> QPushButton:
            button = QPushButton(text)
            button.setObjectName("key")
            button.setMinimumHeight(key_height)
            button.setMinimumWidth(10)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            return button

        for row in self.ROWS:
            line = QGridLayout()
            line.setSpacing(spacing)
            for i, ch in enumerate(row):
                button = key(ch)
                button.clicked.connect(lambda _=False, ch=ch: self.typed.emit(ch.lower()))
                line.addWidget(button, 0, i)
            layout.addLayout(line)
        last = QGridLayout()
        last.setSpacing(spacing)
        space_key = key(space)
        space_key.clicked.connect(lambda: self.typed.emit(" "))
        delete = key(erase)
        delete.clicked.connect(self.erased.emit)
        last.addWidget(space_key, 0, 0, 1, 3)
        last.addWidget(delete, 0, 3, 1, 1)
        layout.addLayout(last)
