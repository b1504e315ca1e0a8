"""The board of counters (what each serves and is doing), the calls before the one on show, and the waiting counts.

Board: a head ("Quầy", then the legend: "Đang mời" dark on yellow, "Đang phục vụ" white), then one line per
counter: its name, the ticket letters of its home groups on small badges (what it serves), and its value: a called
number dark on a yellow pill, a number being served in white, "Tạm nghỉ", or "—". Text is the largest size that
fits, tried in order (0.1 vh steps): rows at 8.5 → 4 vh, then two columns of cards at 6.5 → 4 vh, then three
columns down to 2 vh. With the default four counters and nine groups this is about 8 vh in landscape (as wide
as the column allows) and 5 vh in portrait (as tall as it allows beside the earlier calls): digits of 5.9 % and
3.7 % of the screen height (measured in tests/qt/test_display_window.py). Beyond, the board shrinks rather than
hide a counter; the earlier calls give their room up first, below 5 vh (window.py).
Names may be cut with "…"; what a counter serves and what it does never are.

Earlier calls ("Vừa gọi"): up to five, newest first, one per ticket (texts.earlier_calls): number over counter.

Waiting counts: a prefix badge, the group's name and how many wait, for every group; landscape 3 columns, portrait 2.
A name is never cut: it takes two lines where it needs them, and the names' size is the largest (2.8 → 2 vh,
portrait 2.2 → 1.5 vh) at which every name fits in two lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.client.hall_views import Call, CounterView, GroupView
from app.display import style
from app.display.texts import CALLED_KEY, COUNTER_HEAD, RECENT_SHOWN, RECENT_TITLE, SERVING_KEY, WAITING_TITLE

ROW_FACTOR = 1.15  # row height per font px
CARD_FACTOR = 2.4  # a card: name line + value line
WIDEST_NAME = "Quầy 10"  # a row shows at least this much of a counter's name
_FITS: list[tuple[int, float]] = (
    [(1, vh / 10) for vh in range(85, 39, -1)]
    + [(2, vh / 10) for vh in range(65, 39, -1)]
    + [(3, vh / 10) for vh in range(40, 19, -1)]
)

_VALUE_COLOR = {"called": style.DARK, "serving": style.WHITE, "paused": style.PAUSED, "free": style.FREE,
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
        self.serves: dict[int, tuple[str, ...]] = {}  # counter id → the prefixes of its home groups
        self.fit = BoardFit(1, 6.5 * self.vh)
        self.value_rects: list[QRectF] = []  # where each row's value is drawn, for tests
        self.cut: list[str] = []  # texts the last paint had to cut with "…", for tests: never a value or a badge
        self.names_cut: list[str] = []  # counters' names cut (allowed, when long)

    def set_rows(self, rows: list[CounterView], serves: dict[int, tuple[str, ...]]) -> bool:
        """True when something changed."""
        if rows == self.rows and serves == self.serves:
            return False
        self.rows, self.serves = rows, serves
        self.refit()
        return True

    def refit(self) -> None:
        self.fit = self.choose_fit(self.width(), self.height())
        self.update()

    # --- sizes -----------------------------------------------------------------------------------------

    def head_px(self) -> float:
        return (1.8 if self.portrait else 2.8) * self.vh

    def head_height(self) -> float:
        return self.head_px() * 1.6

    def content_height(self, fit: BoardFit | None = None) -> float:
        fit = fit or self.fit
        lines = math.ceil(max(1, len(self.rows)) / fit.columns)
        return self.head_height() + lines * fit.font_px * (ROW_FACTOR if fit.columns == 1 else CARD_FACTOR)

    def choose_fit(self, width: float, height: float) -> BoardFit:
        for columns, size_vh in _FITS:
            fit = BoardFit(columns, size_vh * self.vh)
            if self.content_height(fit) <= height and self._fits_across(width, fit):
                return fit
        return BoardFit(_FITS[-1][0], _FITS[-1][1] * self.vh)

    def _fonts(self, px: float) -> tuple[QFont, QFont, QFont, QFont]:
        """(name, value, paused value, badge)"""
        base = self.font()
        return style.font(base, px), style.font(base, px, bold=True), style.font(base, px), \
            style.font(base, 0.42 * px, bold=True)  # fmt: skip

    def _badge_widths(self, prefixes: Sequence[str], px: float, badge_font: QFont) -> list[float]:
        return [max(0.6 * px, style.text_width(badge_font, p) + 0.3 * px) for p in prefixes]

    def _badges_width(self, prefixes: Sequence[str], px: float, badge_font: QFont) -> float:
        widths = self._badge_widths(prefixes, px, badge_font)
        return sum(widths) + 0.12 * px * max(0, len(widths) - 1)

    def _value_width(self, row: CounterView, px: float, value_font: QFont, paused_font: QFont) -> float:
        f = paused_font if row.status == "paused" else value_font
        return style.text_width(f, row.value) + (0.4 * px if row.status == "called" else 0)

    def _value_column(self, px: float, value_font: QFont, paused_font: QFont) -> float:
        """Rows: the width of the values' column, which "Tạm nghỉ" shares at a smaller size if it must."""
        numbers = [self._value_width(r, px, value_font, paused_font) for r in self.rows if r.status != "paused"]
        paused = [0.72 * self._value_width(r, px, value_font, paused_font) for r in self.rows if r.status == "paused"]
        return max([*numbers, *paused, style.text_width(value_font, "A000") + 0.4 * px])

    def _fits_across(self, width: float, fit: BoardFit) -> bool:
        px, pad = fit.font_px, 0.25 * fit.font_px
        name_font, value_font, paused_font, badge_font = self._fonts(px)
        cell = width / fit.columns - 2 * pad
        names = [min(style.text_width(name_font, r.name), style.text_width(name_font, WIDEST_NAME)) for r in self.rows]
        badges = [self._badges_width(self.serves.get(r.id, ()), px, badge_font) for r in self.rows]
        values = [self._value_width(r, px, value_font, paused_font) for r in self.rows]
        if not self.rows:
            return True
        if fit.columns == 1:
            badge_col = max(badges)
            need = max(names) + (0.3 * px + badge_col if badge_col else 0) + 0.35 * px + \
                self._value_column(px, value_font, paused_font)  # fmt: skip
            return need <= cell
        return all(n + (0.3 * px + b if b else 0) <= cell and v <= cell for n, b, v in zip(names, badges, values,
                                                                                            strict=True))  # fmt: skip

    # --- painting --------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.cut, self.names_cut, self.value_rects = [], [], []
        self._paint_head(p)
        columns, px = self.fit.columns, self.fit.font_px
        pad = 0.25 * px
        head_h = self.head_height()
        row_h = px * (ROW_FACTOR if columns == 1 else CARD_FACTOR)
        cell_w = self.width() / columns
        name_font, value_font, paused_font, badge_font = self._fonts(px)
        names_w = max((style.text_width(name_font, r.name) for r in self.rows), default=0)
        badge_col = max((self._badges_width(self.serves.get(r.id, ()), px, badge_font) for r in self.rows), default=0)
        value_col = self._value_column(px, value_font, paused_font) if self.rows else 0
        for i, row in enumerate(self.rows):
            line, col = divmod(i, columns)
            cell = QRectF(col * cell_w, head_h + line * row_h, cell_w, row_h)
            if (line + col) % 2 == 0:
                p.fillRect(cell, style.ROW_ALT)
            p.fillRect(QRectF(cell.left(), cell.bottom() - 0.2 * self.vh, cell.width(), 0.2 * self.vh), style.LINE)
            inner = cell.adjusted(pad, 0, -pad, 0)
            prefixes = self.serves.get(row.id, ())
            value_w = self._value_width(row, px, value_font, paused_font)
            value_f = paused_font if row.status == "paused" else value_font
            if columns == 1:
                name_w = inner.width() - value_col - 0.35 * px - (badge_col + 0.3 * px if badge_col else 0)
                name_rect = QRectF(inner.left(), inner.top(), name_w, inner.height())
                badges_x = inner.left() + min(name_w, names_w) + 0.3 * px
                badge_line = inner
                if row.status == "paused" and value_w > value_col:
                    value_f = style.fit_font(self.font(), row.value, px, value_col - 2, smallest=0.7)
                    value_w = value_col
                value_rect = QRectF(inner.right() - value_w, inner.top(), value_w, inner.height())
            else:
                half = inner.height() / 2
                own = self._badges_width(prefixes, px, badge_font)
                name_w = inner.width() - (own + 0.3 * px if own else 0)
                name_rect = QRectF(inner.left(), inner.top(), name_w, half)
                badges_x = inner.left() + min(name_w, style.text_width(name_font, row.name)) + 0.3 * px
                badge_line = QRectF(inner.left(), inner.top(), inner.width(), half)
                value_rect = QRectF(inner.left(), inner.top() + half, value_w, half - 0.1 * px)
            name_color = style.MUTED if row.status == "closed" else style.WHITE
            self._line(p, name_rect, row.name, name_font, name_color, name=True)
            self._paint_badges(p, badges_x, badge_line.center().y(), prefixes, px, badge_font)
            self._paint_value(p, value_rect, row, px, value_f)
            self.value_rects.append(value_rect)
        p.end()

    def _paint_head(self, p: QPainter) -> None:
        px, pad = self.head_px(), 0.25 * self.fit.font_px
        head_font = style.font(self.font(), px)
        head = QRectF(pad, 0, self.width() - 2 * pad, self.head_height())
        self._line(p, head, COUNTER_HEAD, head_font, style.MUTED)
        serving_w = style.text_width(head_font, SERVING_KEY)
        self._line(p, head, SERVING_KEY, head_font, style.WHITE, Qt.AlignmentFlag.AlignRight)
        called_w = style.text_width(head_font, CALLED_KEY) + 0.6 * px
        pill = QRectF(head.right() - serving_w - 0.8 * px - called_w, head.center().y() - 0.62 * px, called_w,
                      1.24 * px)  # fmt: skip
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.YELLOW)
        p.drawRoundedRect(pill, 0.25 * px, 0.25 * px)
        self._line(p, pill, CALLED_KEY, head_font, style.DARK, Qt.AlignmentFlag.AlignHCenter)

    def _paint_badges(self, p: QPainter, x: float, centre_y: float, prefixes: Sequence[str], px: float,
                      badge_font: QFont) -> None:  # fmt: skip
        h = 0.6 * px
        for prefix, w in zip(prefixes, self._badge_widths(prefixes, px, badge_font), strict=True):
            badge = QRectF(x, centre_y - h / 2, w, h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.CHIP)
            p.drawRoundedRect(badge, 0.12 * px, 0.12 * px)
            self._line(p, badge, prefix, badge_font, style.WHITE, Qt.AlignmentFlag.AlignHCenter)
            x += w + 0.12 * px

    def _paint_value(self, p: QPainter, rect: QRectF, row: CounterView, px: float, f: QFont) -> None:
        if row.status == "called":
            pill = QRectF(rect.left(), rect.center().y() - 0.5 * px, rect.width(), px)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.YELLOW)
            p.drawRoundedRect(pill, 0.15 * px, 0.15 * px)
        self._line(p, rect, row.value, f, _VALUE_COLOR[row.status], Qt.AlignmentFlag.AlignHCenter)

    def _line(self, p: QPainter, rect: QRectF, text: str, f: QFont, color: QColor,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, *, name: bool = False) -> None:  # fmt: skip
        if style.draw_line(p, rect, text, f, color, align):
            (self.names_cut if name else self.cut).append(text)


class RecentCalls(QWidget):
    """ "Vừa gọi": the calls before the one in large type, each number over its counter's name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recent")
        self.vh = 10.8
        self.portrait = False
        self.calls: list[Call] = []
        self.cut: list[str] = []

    def set_calls(self, calls: list[Call]) -> None:
        if calls != self.calls:
            self.calls = calls
            self.update()

    def _sizes(self) -> tuple[float, float, float]:
        """(title px, number px, counter px)"""
        vh = self.vh
        return (1.8 * vh, 3.2 * vh, 1.8 * vh) if self.portrait else (2.8 * vh, 4 * vh, 2.4 * vh)

    def preferred_height(self) -> float:
        _, number_px, counter_px = self._sizes()
        return number_px * 1.1 + counter_px * 1.15 + 0.8 * self.vh

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.cut = []
        if not self.calls:
            p.end()
            return
        vh, base = self.vh, self.font()
        title_px, number_px, counter_px = self._sizes()
        p.fillRect(QRectF(0, 0, self.width(), 0.2 * vh), style.LINE)
        title_font = style.font(base, title_px)
        title_w = style.text_width(title_font, RECENT_TITLE)
        pad = 0.6 * vh
        if style.draw_line(p, QRectF(pad, 0, title_w, self.height()), RECENT_TITLE, title_font, style.MUTED):
            self.cut.append(RECENT_TITLE)
        left = pad + title_w + 1.5 * vh
        slot_w = (self.width() - left) / RECENT_SHOWN
        number_font, counter_font = style.font(base, number_px, bold=True), style.font(base, counter_px)
        top = 0.4 * vh
        for i, call in enumerate(self.calls[:RECENT_SHOWN]):
            slot = QRectF(left + i * slot_w, top, slot_w, self.height() - top)
            number = QRectF(slot.left(), slot.top(), slot.width(), number_px * 1.1)
            counter = QRectF(slot.left(), number.bottom(), slot.width(), counter_px * 1.15)
            for rect, text, f, color in ((number, call.number, number_font, style.LIGHT),
                                         (counter, call.counter_name, counter_font, style.MUTED)):  # fmt: skip
                if style.draw_line(p, rect.adjusted(0.3 * vh, 0, -0.3 * vh, 0), text, f, color,
                                   Qt.AlignmentFlag.AlignHCenter):  # fmt: skip
                    self.cut.append(text)
        p.end()


@dataclass(frozen=True)
class StripLayout:
    name_px: float
    lines: tuple[tuple[list[str], ...], ...]  # per line of chips, each chip's name broken into lines
    heights: tuple[float, ...]  # per line of chips


class WaitingStrip(QWidget):
    """Prefix badge, group name and how many wait, for every group; landscape 3 columns, portrait 2."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waiting")
        self.vh = 10.8
        self.portrait = False
        self.chips: list[GroupView] = []
        self.cut: list[str] = []
        self._layout_cache: tuple[tuple[object, ...], StripLayout] | None = None

    def set_chips(self, chips: list[GroupView]) -> bool:
        """True when the chips changed (the window sees whether its height did)."""
        if chips == self.chips:
            return False
        self.chips = chips
        self.update()
        return True

    @property
    def columns(self) -> int:
        return 2 if self.portrait else 3

    def _sizes(self) -> tuple[float, float, float, float, float]:
        """(prefix px, largest name px, smallest name px, count px, one-line chip height)"""
        vh = self.vh
        if self.portrait:
            return 2.4 * vh, 2.2 * vh, 1.5 * vh, 2.9 * vh, 3.1 * vh
        return 3.4 * vh, 2.8 * vh, 2.0 * vh, 4.2 * vh, 5.2 * vh

    def _title_height(self) -> float:
        return 2.8 * self.vh if self.portrait else 0

    def _grid(self, width: float) -> tuple[float, float]:
        """(left of the first chip, chip width)"""
        pad_x = (2 if self.portrait else 1) * width / 100
        left = pad_x if self.portrait else pad_x + 0.11 * width + pad_x
        return left, (width - left - pad_x) / self.columns

    def _chip_parts(self, chip: GroupView, chip_w: float) -> tuple[float, float, float]:
        """(badge width, count width, name width) inside a chip of ``chip_w``"""
        pfx_px, _, _, count_px, _ = self._sizes()
        base, vh = self.font(), self.vh
        pfx_font, count_font = style.font(base, pfx_px, bold=True), style.font(base, count_px, bold=True)
        badge_w = max(1.6 * pfx_px, style.text_width(pfx_font, chip.prefix) + pfx_px * 0.5)
        count = str(chip.count)
        count_w = max(style.text_width(count_font, count), style.text_width(count_font, "00"))
        return badge_w, count_w, chip_w - 1.2 * vh - badge_w - 1.6 * vh - count_w

    def strip_layout(self, width: float) -> StripLayout:
        """The names' size and line breaks, and each line's height, at ``width``."""
        key = (width, self.vh, self.portrait, tuple(self.chips), self.font().family())
        if self._layout_cache is not None and self._layout_cache[0] == key:
            return self._layout_cache[1]
        _, name_max, name_min, _, one_line = self._sizes()
        _, chip_w = self._grid(width)
        widths = [self._chip_parts(c, chip_w)[2] for c in self.chips]
        px = name_max
        while True:
            f = style.font(self.font(), px)
            broken = [style.wrap(f, c.name, w) for c, w in zip(self.chips, widths, strict=True)]
            fits = all(len(b) <= 2 and all(style.text_width(f, line) <= w + 0.5 for line in b)
                       for b, w in zip(broken, widths, strict=True))  # fmt: skip
            if fits or px <= name_min:
                break
            px = max(name_min, px - 0.1 * self.vh)
        lines = tuple(tuple(broken[i : i + self.columns]) for i in range(0, len(broken), self.columns)) or ((),)
        heights = tuple(max([one_line, *(len(b) * px * 1.15 + 0.6 * self.vh for b in line)]) for line in lines)
        found = StripLayout(px, lines, heights)
        self._layout_cache = (key, found)
        return found

    def preferred_height(self, width: float) -> float:
        return self._title_height() + sum(self.strip_layout(width).heights) + 1.6 * self.vh

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.cut = []
        vh, w, base = self.vh, self.width(), self.font()
        p.fillRect(self.rect(), style.TOP)
        p.fillRect(QRectF(0, 0, w, 0.3 * vh), style.LINE)
        pad_x = (2 if self.portrait else 1) * w / 100
        top = 0.8 * vh
        title_font = style.font(base, (2 if self.portrait else 3) * vh, bold=True)
        if self.portrait:
            if style.draw_line(p, QRectF(pad_x, top, w - 2 * pad_x, self._title_height()), WAITING_TITLE, title_font,
                               style.MUTED):  # fmt: skip
                self.cut.append(WAITING_TITLE)
            top += self._title_height()
        else:
            title_w = 0.11 * w
            p.setFont(title_font)
            p.setPen(style.MUTED)
            p.drawText(QRectF(pad_x, 0, title_w, self.height()),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap), WAITING_TITLE)  # fmt: skip
        left, chip_w = self._grid(w)
        found = self.strip_layout(w)
        pfx_px, _, _, count_px, _ = self._sizes()
        pfx_font, name_font = style.font(base, pfx_px, bold=True), style.font(base, found.name_px)
        count_font = style.font(base, count_px, bold=True)
        name_line = found.name_px * 1.15
        for i, chip in enumerate(self.chips):
            line, col = divmod(i, self.columns)
            chip_h = found.heights[line]
            y = top + sum(found.heights[:line])
            cell = QRectF(left + col * chip_w, y, chip_w, chip_h).adjusted(0.6 * vh, 0, -0.6 * vh, 0)
            badge_w, count_w, name_w = self._chip_parts(chip, chip_w)
            p.setOpacity(1.0 if chip.open else 0.45)
            badge = QRectF(cell.left(), cell.center().y() - 0.6 * pfx_px, badge_w, 1.2 * pfx_px)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.CHIP)
            p.drawRoundedRect(badge, 0.6 * vh, 0.6 * vh)
            style.draw_line(p, badge, chip.prefix, pfx_font, style.WHITE, Qt.AlignmentFlag.AlignHCenter)
            count_rect = QRectF(cell.right() - count_w, cell.top(), count_w, chip_h)
            style.draw_line(p, count_rect, str(chip.count), count_font, style.WHITE, Qt.AlignmentFlag.AlignRight)
            names = found.lines[line][col]
            name_top = cell.center().y() - len(names) * name_line / 2
            for k, text in enumerate(names[:2]):
                rect = QRectF(badge.right() + 0.8 * vh, name_top + k * name_line, name_w, name_line)
                if style.draw_line(p, rect, text, name_font, style.LIGHT):
                    self.cut.append(chip.name)
            if len(names) > 2:
                self.cut.append(chip.name)
        p.setOpacity(1.0)
        p.end()
