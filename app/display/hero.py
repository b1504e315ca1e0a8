"""The number just called, in very large type, with its counter: "Mời số / A015 / đến quầy 3".

Sizes (screen-height units): landscape 6 / 25 / 8 vh, portrait 3.4 / 22 / 5.2 vh. Noto Sans Bold digits
are 0.714 em tall, so the number's glyphs are 17.9 % (landscape) and 15.7 % (portrait) of the screen
height (measured with overshoot in tests/qt/test_display_window.py). A number wider
than its box is condensed horizontally, and made shorter only past 72 % (as the web board does).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.client.hall_views import Call
from app.display import style
from app.display.texts import CALL_LABEL, IDLE_TEXT, IDLE_TITLE, RECALL_LABEL

MIN_CONDENSE = 0.72


class Hero(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hero")
        self.vh = 10.8
        self.portrait = False
        self.call: Call | None = None
        self.highlight = False  # the blink's "on" phase: dark on yellow
        self.cut: list[str] = []  # texts the last paint had to cut with "…", for tests

    @property
    def number_text(self) -> str:
        return self.call.number if self.call else ""

    @property
    def counter_text(self) -> str:
        return self.call.counter_phrase if self.call else ""

    @property
    def label_text(self) -> str:
        if self.call is None:
            return IDLE_TITLE
        return RECALL_LABEL if self.call.recall else CALL_LABEL

    def set_call(self, call: Call | None) -> None:
        self.call = call
        self.update()

    def set_highlight(self, on: bool) -> None:
        if on != self.highlight:
            self.highlight = on
            self.update()

    # --- geometry ----------------------------------------------------------------------------------

    def sizes(self) -> tuple[float, float, float, float]:
        """(label px, number px, number box height, counter px)."""
        vh = self.vh
        if self.portrait:
            return 3.4 * vh, 22 * vh, 19 * vh, 5.2 * vh
        return 6 * vh, 25 * vh, 24 * vh, 8 * vh

    def _rows(self) -> tuple[QRectF, QRectF, QRectF]:
        label_px, _, box_h, counter_px = self.sizes()
        label_h, counter_h = label_px * 1.25, counter_px * 1.25
        pad = 0.04 * self.width()
        top = (self.height() - (label_h + box_h + counter_h)) / 2
        w = self.width() - 2 * pad
        label = QRectF(pad, top, w, label_h)
        number = QRectF(pad, top + label_h, w, box_h)
        counter = QRectF(pad, top + label_h + box_h, w, counter_h)
        return label, number, counter

    def number_rect(self) -> QRectF:
        """Where the number is drawn, in this widget's coordinates."""
        return self._rows()[1]

    # --- painting ------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.cut = []
        if self.call is None:
            self._paint_idle(p)
        else:
            self._paint_call(p)
        p.end()

    def _paint_idle(self, p: QPainter) -> None:
        vh, base = self.vh, self.font()
        title = style.fit_font(base, IDLE_TITLE, (4.4 if self.portrait else 6) * vh, self.width() * 0.92, bold=True)
        box_w = self.width() * 0.86
        text = style.fit_font(base, IDLE_TEXT, (3 if self.portrait else 4.4) * vh, box_w, smallest=0.8)
        text_rect = QFontMetricsF(text).boundingRect(QRectF(0, 0, box_w, 10_000), Qt.TextFlag.TextWordWrap, IDLE_TEXT)
        title_h = title.pixelSize() * 1.4
        top = (self.height() - title_h - text_rect.height()) / 2
        if style.draw_line(p, QRectF(0, top, self.width(), title_h), IDLE_TITLE, title, style.WHITE,
                           Qt.AlignmentFlag.AlignHCenter):  # fmt: skip
            self.cut.append(IDLE_TITLE)
        p.setFont(text)
        p.setPen(style.LIGHT)
        p.drawText(QRectF((self.width() - box_w) / 2, top + title_h, box_w, text_rect.height()),
                   int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap), IDLE_TEXT)  # fmt: skip

    def _paint_call(self, p: QPainter) -> None:
        label_px, number_px, _, counter_px = self.sizes()
        label_rect, number_rect, counter_rect = self._rows()
        if self.highlight:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.YELLOW)
            dx, dy = 0.02 * self.width(), 0.6 * self.vh
            p.drawRoundedRect(QRectF(self.rect()).adjusted(dx, dy, -dx, -dy), self.vh, self.vh)
        label_color = style.DARK if self.highlight else style.LIGHT
        number_color = style.DARK if self.highlight else style.YELLOW
        counter_color = style.DARK if self.highlight else style.WHITE
        base = self.font()
        for rect, text, f, color in (
            (label_rect, self.label_text, style.font(base, label_px), label_color),
            (counter_rect, self.counter_text,
             style.fit_font(base, self.counter_text, counter_px, counter_rect.width(), bold=True), counter_color),
        ):  # fmt: skip
            if style.draw_line(p, rect, text, f, color, Qt.AlignmentFlag.AlignHCenter):
                self.cut.append(text)
        self._paint_number(p, number_rect, style.font(base, number_px, bold=True), number_color)

    def _paint_number(self, p: QPainter, rect: QRectF, f: QFont, color: QColor) -> None:
        metrics = QFontMetricsF(f)
        text = self.number_text
        width = metrics.horizontalAdvance(text)
        sx = min(1.0, rect.width() / width) if width else 1.0
        sy = 1.0 if sx >= MIN_CONDENSE else sx / MIN_CONDENSE
        p.save()
        p.translate(rect.center())
        p.scale(sx, sy)
        p.setFont(f)
        p.setPen(color)
        # Digits and capitals sit on the baseline and reach the cap height: centre that span in the box.
        p.drawText(QPointF(-width / 2, metrics.capHeight() / 2), text)
        p.restore()
