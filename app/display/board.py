"""The board of counters (what each is serving) and the waiting count per group.

Board text is the largest size that fits, tried in order (0.1 vh steps): rows at 6.5 → 4 vh, then two
columns of cards at 6.5 → 4 vh, then three columns down to 2 vh. With the default four counters (one of
them "Tạm nghỉ") this is 6.5 vh in landscape and 5.9 vh in portrait: digits of 0.714 em, 4.6 % and 4.2 % of
the screen height (≥ 4 %; the glyphs are measured in tests/qt/test_display_window.py). That holds up to
8 counters in landscape and 4 in portrait; beyond, the board shrinks (10 counters in landscape: 3.6 %;
6 in portrait: cards, 2.9 %) rather than hide a counter. Names may be cut with "…"; what a counter serves never is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.client.hall_views import CounterView, GroupView
from app.display import style

HEAD_LEFT, HEAD_RIGHT = "QUẦY", "ĐANG PHỤC VỤ"
WAITING_TITLE = "Số người đang chờ"
ROW_FACTOR = 1.28  # row height per font px
CARD_FACTOR = 2.5  # a card: name line + value line
_FITS: list[tuple[int, float]] = (
    [(1, vh / 10) for vh in range(65, 39, -1)]
    + [(2, vh / 10) for vh in range(65, 39, -1)]
    + [(3, vh / 10) for vh in range(40, 19, -1)]
)

_VALUE_COLOR = {"called": style.YELLOW, "serving": style.WHITE, "paused": style.PAUSED, "free": style.FREE,
                "closed": style.FREE}  # fmt: skip


@dataclass(frozen=True)
class BoardFit:
    columns: int
    font_px: float


class Board(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.vh = 10.8
        self.portrait = False
        self.rows: list[CounterView] = []
        self.fit = BoardFit(1, 6.5 * self.vh)
        self.value_rects: list[QRectF] = []  # where each row's value is drawn, for tests

    def set_rows(self, rows: list[CounterView]) -> None:
        if rows != self.rows:
            self.rows = rows
            self.refit()

    def refit(self) -> None:
        self.fit = self._choose_fit()
        self.update()

    def _head_height(self) -> float:
        return (1.8 if self.portrait else 2.8) * self.vh * 1.6

    def _choose_fit(self) -> BoardFit:
        n = max(1, len(self.rows))
        avail_h = self.height() - self._head_height()
        base = self.font()
        for columns, size_vh in _FITS:
            px = size_vh * self.vh
            lines = math.ceil(n / columns)
            height = lines * px * (ROW_FACTOR if columns == 1 else CARD_FACTOR)
            if height <= avail_h and self._fits_across(base, columns, px):
                return BoardFit(columns, px)
        return BoardFit(_FITS[-1][0], _FITS[-1][1] * self.vh)

    def _fits_across(self, base: QFont, columns: int, px: float) -> bool:
        cell = self.width() / columns - 0.6 * px
        value_font = style.font(base, px, bold=True)
        for row in self.rows:
            need = style.text_width(value_font, row.value)
            if columns == 1:  # a row: the name (or as much as "Quầy 10") must show beside the value
                name_font = style.font(base, px)
                need += min(style.text_width(name_font, row.name), style.text_width(name_font, "Quầy 10")) + 0.5 * px
            if need > cell:
                return False
        return True

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        base, vh = self.font(), self.vh
        head_h = self._head_height()
        pad = 0.3 * self.fit.font_px
        head_font = style.font(base, (1.8 if self.portrait else 2.8) * vh)
        head = QRectF(pad, 0, self.width() - 2 * pad, head_h)
        style.draw_line(p, head, HEAD_LEFT, head_font, style.MUTED)
        style.draw_line(p, head, HEAD_RIGHT, head_font, style.MUTED, Qt.AlignmentFlag.AlignRight)
        self.value_rects = []
        columns, px = self.fit.columns, self.fit.font_px
        row_h = px * (ROW_FACTOR if columns == 1 else CARD_FACTOR)
        cell_w = self.width() / columns
        name_font, value_font = style.font(base, px), style.font(base, px, bold=True)
        for i, row in enumerate(self.rows):
            line, col = divmod(i, columns)
            cell = QRectF(col * cell_w, head_h + line * row_h, cell_w, row_h)
            if (line + col) % 2 == 0:
                p.fillRect(cell, style.ROW_ALT)
            p.fillRect(QRectF(cell.left(), cell.bottom() - 0.2 * vh, cell.width(), 0.2 * vh), style.LINE)
            inner = cell.adjusted(pad, 0, -pad, 0)
            value_f = style.font(base, px) if row.status == "paused" else value_font
            value_w = style.text_width(value_f, row.value)
            name_color = style.MUTED if row.status == "closed" else style.WHITE
            if columns == 1:
                name_rect = QRectF(inner.left(), inner.top(), inner.width() - value_w - pad, inner.height())
                value_rect = QRectF(inner.right() - value_w, inner.top(), value_w, inner.height())
            else:
                half = inner.height() / 2
                name_rect = QRectF(inner.left(), inner.top(), inner.width(), half)
                value_rect = QRectF(inner.left(), inner.top() + half, inner.width(), half - 0.1 * px)
            style.draw_line(p, name_rect, row.name, name_font, name_color)
            style.draw_line(p, value_rect, row.value, value_f, _VALUE_COLOR[row.status])
            self.value_rects.append(value_rect)
        p.end()


class WaitingStrip(QWidget):
    """Prefix badge, group name and how many wait, for every group; landscape 3 columns, portrait 2."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waiting")
        self.vh = 10.8
        self.portrait = False
        self.chips: list[GroupView] = []

    def set_chips(self, chips: list[GroupView]) -> bool:
        """True when the number of lines changed (the window lays out again)."""
        lines_before = self.lines()
        if chips != self.chips:
            self.chips = chips
            self.update()
        return self.lines() != lines_before

    @property
    def columns(self) -> int:
        return 2 if self.portrait else 3

    def lines(self) -> int:
        return max(1, math.ceil(len(self.chips) / self.columns))

    def chip_height(self) -> float:
        return (3.0 if self.portrait else 5.4) * self.vh

    def preferred_height(self) -> float:
        title = 2 * self.vh * 1.5 if self.portrait else 0
        return title + self.lines() * self.chip_height() + 1.6 * self.vh

    def _sizes(self) -> tuple[float, float, float]:
        """(prefix px, name px, count px)"""
        vh = self.vh
        return (2.3 * vh, 2.2 * vh, 2.8 * vh) if self.portrait else (3.4 * vh, 2.8 * vh, 4.2 * vh)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        vh, w, base = self.vh, self.width(), self.font()
        p.fillRect(self.rect(), style.TOP)
        p.fillRect(QRectF(0, 0, w, 0.3 * vh), style.LINE)
        pad_x = (2 if self.portrait else 1) * w / 100
        top = 0.8 * vh
        title_font = style.font(base, (2 if self.portrait else 3) * vh, bold=True)
        if self.portrait:
            style.draw_line(p, QRectF(pad_x, top, w - 2 * pad_x, 3 * vh), WAITING_TITLE, title_font, style.MUTED)
            left, top = pad_x, top + 3 * vh
        else:
            title_w = 0.11 * w
            p.setFont(title_font)
            p.setPen(style.MUTED)
            p.drawText(QRectF(pad_x, 0, title_w, self.height()),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap), WAITING_TITLE)  # fmt: skip
            left = pad_x + title_w + pad_x
        chip_w = (w - left - pad_x) / self.columns
        chip_h = self.chip_height()
        pfx_px, name_px, count_px = self._sizes()
        pfx_font, name_font = style.font(base, pfx_px, bold=True), style.font(base, name_px)
        count_font = style.font(base, count_px, bold=True)
        for i, chip in enumerate(self.chips):
            line, col = divmod(i, self.columns)
            cell = QRectF(left + col * chip_w, top + line * chip_h, chip_w, chip_h).adjusted(0.6 * vh, 0, -0.6 * vh, 0)
            p.setOpacity(1.0 if chip.open else 0.45)
            badge_w = max(1.6 * pfx_px, style.text_width(pfx_font, chip.prefix) + pfx_px * 0.5)
            badge = QRectF(cell.left(), cell.center().y() - 0.6 * pfx_px, badge_w, 1.2 * pfx_px)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.CHIP)
            p.drawRoundedRect(badge, 0.6 * vh, 0.6 * vh)
            style.draw_line(p, badge, chip.prefix, pfx_font, style.WHITE, Qt.AlignmentFlag.AlignHCenter)
            count = str(chip.count)
            count_w = max(style.text_width(count_font, count), style.text_width(count_font, "00"))
            count_rect = QRectF(cell.right() - count_w, cell.top(), count_w, chip_h)
            style.draw_line(p, count_rect, count, count_font, style.WHITE, Qt.AlignmentFlag.AlignRight)
            name_rect = QRectF(
                badge.right() + 0.8 * vh, cell.top(), count_rect.left() - badge.right() - 1.6 * vh, chip_h
            )
            style.draw_line(p, name_rect, chip.name, name_font, style.LIGHT)
        p.setOpacity(1.0)
        p.end()
