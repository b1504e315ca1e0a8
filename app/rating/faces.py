"""The rating screen's big buttons, drawn with QPainter: a face for each level, a small picture for each reason.

No emoji: the bundled Noto Sans has none, and a kiosk PC's emoji font (if any) differs from one machine to the
next; faces drawn here look the same everywhere and scale to any size. A button is its whole area: face (or
picture) and words together are one target. It lays itself out side by side when it is wide (an upright tablet
lists the levels one under the other) and face above words when it is not.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from app.rating.style import BLUE, INK, MIN_TOUCH_PX

FEATURES = QColor("#1b1b1b")


def paint_face(p: QPainter, rect: QRectF, mood: float, fill: QColor) -> None:
    """A round face in `rect` (its largest centred circle): mood -1 frowns, 0 is flat, 1 smiles broadly."""
    d = min(rect.width(), rect.height())
    c = rect.center()
    circle = QRectF(c.x() - d / 2, c.y() - d / 2, d, d).adjusted(d * 0.03, d * 0.03, -d * 0.03, -d * 0.03)
    p.setPen(QPen(fill.darker(135), d * 0.04))
    p.setBrush(fill)
    p.drawEllipse(circle)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(FEATURES)
    eye = d * 0.075
    for dx in (-0.17, 0.17):
        p.drawEllipse(QPointF(c.x() + dx * d, c.y() - 0.1 * d), eye * 0.8, eye)
    pen = QPen(FEATURES, d * 0.055, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if mood <= -0.9:  # brows raised in the middle: unhappy, not angry
        for side in (-1, 1):
            p.drawLine(
                QPointF(c.x() + side * 0.08 * d, c.y() - 0.25 * d), QPointF(c.x() + side * 0.26 * d, c.y() - 0.2 * d)
            )
    half = 0.2 * d + 0.04 * d * abs(mood)
    y = c.y() + 0.2 * d - 0.05 * d * mood  # a smile sits a little higher, a frown lower
    mouth = QPainterPath(QPointF(c.x() - half, y))
    mouth.quadTo(QPointF(c.x(), y + 0.26 * d * mood), QPointF(c.x() + half, y))
    p.drawPath(mouth)


def paint_reason(p: QPainter, rect: QRectF, index: int) -> None:
    """The picture of reason `index` (app/core/rating.py REASONS): a clock, a frown, a question, a form, dots."""
    d = min(rect.width(), rect.height())
    c = rect.center()
    pen = QPen(QColor(BLUE), d * 0.08, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    r = d * 0.4
    if index == 0:  # waited long: a clock
        p.drawEllipse(c, r, r)
        p.drawLine(c, QPointF(c.x(), c.y() - r * 0.65))
        p.drawLine(c, QPointF(c.x() + r * 0.5, c.y() + r * 0.1))
    elif index == 1:  # attitude: a frowning face, outlined
        p.drawEllipse(c, r, r)
        p.setBrush(QColor(BLUE))
        for dx in (-0.35, 0.35):
            p.drawEllipse(QPointF(c.x() + dx * r, c.y() - 0.2 * r), r * 0.08, r * 0.08)
        p.setBrush(Qt.BrushStyle.NoBrush)
        mouth = QPainterPath(QPointF(c.x() - 0.45 * r, c.y() + 0.5 * r))
        mouth.quadTo(QPointF(c.x(), c.y() + 0.1 * r), QPointF(c.x() + 0.45 * r, c.y() + 0.5 * r))
        p.drawPath(mouth)
    elif index == 2:  # guidance unclear: a question mark in a circle
        p.drawEllipse(c, r, r)
        font = QFont(p.font())
        font.setBold(True)
        font.setPixelSize(max(8, round(r * 1.3)))
        p.setFont(font)
        p.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, "?")
    elif index == 3:  # missing procedure information: a form with a folded corner
        w, h = r * 1.3, r * 1.7
        left, top = c.x() - w / 2, c.y() - h / 2
        fold = w * 0.3
        page = QPainterPath(QPointF(left, top))
        page.lineTo(left + w - fold, top)
        page.lineTo(left + w, top + fold)
        page.lineTo(left + w, top + h)
        page.lineTo(left, top + h)
        page.closeSubpath()
        p.drawPath(page)
        for i in range(3):
            y = top + h * (0.45 + 0.18 * i)
            p.drawLine(QPointF(left + w * 0.2, y), QPointF(left + w * 0.8, y))
    else:  # other: three dots
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(BLUE))
        for dx in (-0.6, 0, 0.6):
            p.drawEllipse(QPointF(c.x() + dx * r, c.y()), r * 0.16, r * 0.16)


class _BigButton(QAbstractButton):
    """A touch target with a picture and words, painted here; side by side when wide, stacked otherwise."""

    def __init__(self, text: str, font_px: int, tint: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.font_px = font_px
        self.tint = tint
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(MIN_TOUCH_PX * 2, MIN_TOUCH_PX))

    def sizeHint(self) -> QSize:
        return QSize(self.font_px * 10, self.font_px * 6)

    def minimumSizeHint(self) -> QSize:
        return self.minimumSize()

    def wide(self) -> bool:
        return self.width() >= self.height() * 1.8

    def text_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(round(self.font_px * 1.2) if self.wide() else self.font_px)  # a row has room to spare
        font.setBold(True)
        return font

    def areas(self) -> tuple[QRectF, QRectF]:
        """Where the picture and the words go inside the button."""
        pad = max(6.0, min(self.width(), self.height()) * 0.06)
        inner = QRectF(self.rect()).adjusted(pad, pad, -pad, -pad)
        if self.wide():
            side = inner.height()
            return QRectF(inner.left(), inner.top(), side, side), inner.adjusted(side + pad, 0, 0, 0)
        lines = 2 * QFontMetrics(self.text_font()).height() + pad / 2
        picture = inner.adjusted(0, 0, 0, -lines)
        return picture, QRectF(inner.left(), inner.bottom() - lines, inner.width(), lines)

    def text_fits(self) -> bool:
        """The words fit their area (wrapped at spaces, never cut)."""
        _picture, words = self.areas()
        flags = int(Qt.TextFlag.TextWordWrap)
        needed = QFontMetrics(self.text_font()).boundingRect(words.toRect(), flags, self.text())
        return needed.width() <= words.width() + 1 and needed.height() <= words.height() + 1

    def paint_picture(self, p: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = min(self.width(), self.height()) * 0.08
        background = QColor(self.tint)
        background.setAlpha(70 if self.isDown() or self.isChecked() else 28)
        border = QColor(self.tint).darker(120) if self.isEnabled() else QColor("#8a94a6")
        p.setPen(QPen(border, 4 if self.isChecked() else 3))
        p.setBrush(background)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(2, 2, -2, -2), radius, radius)
        picture, words = self.areas()
        self.paint_picture(p, picture)
        p.setPen(QColor(INK))
        p.setFont(self.text_font())
        align = Qt.AlignmentFlag.AlignVCenter | (
            Qt.AlignmentFlag.AlignLeft if self.wide() else Qt.AlignmentFlag.AlignHCenter
        )
        p.drawText(words, int(align | Qt.TextFlag.TextWordWrap), self.text())
        p.end()


class FaceButton(_BigButton):
    """One level of the scale: its face and its words ("Rất hài lòng")."""

    def __init__(self, level: int, label: str, mood: float, colour: str, font_px: int,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(label, font_px, QColor(colour), parent)
        self.level = level
        self.mood = mood
        self.setObjectName(f"level-{level}")
        self.setAccessibleName(label)

    def paint_picture(self, p: QPainter, rect: QRectF) -> None:
        paint_face(p, rect, self.mood, self.tint)


class ReasonButton(_BigButton):
    """One reason of the short list, with its picture."""

    def __init__(self, index: int, reason: str, font_px: int, parent: QWidget | None = None) -> None:
        super().__init__(reason, font_px, QColor(BLUE), parent)
        self.index = index
        self.reason = reason
        self.setObjectName(f"reason-{index}")
        self.setAccessibleName(reason)

    def wide(self) -> bool:
        return self.width() >= self.height() * 1.4

    def paint_picture(self, p: QPainter, rect: QRectF) -> None:
        side = min(rect.width(), rect.height()) * 0.8
        paint_reason(p, QRectF(rect.center().x() - side / 2, rect.center().y() - side / 2, side, side), self.index)


class Face(QWidget):
    """A face on its own (the thanks screen)."""

    def __init__(self, mood: float, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mood = mood
        self.colour = QColor(colour)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(200, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_face(p, QRectF(self.rect()), self.mood, self.colour)
        p.end()
