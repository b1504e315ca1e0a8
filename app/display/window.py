"""The hall display window: the web board's information design (resources/web/display.html) in Qt.

Landscape (width ≥ height): top bar 9 vh; the call (56 % of the width) beside the board of counters with the
earlier calls under it; the waiting counts; the notice ticker 8 vh. Portrait: top bar 6 vh; the call 30 vh
across the full width; the board; the earlier calls; the waiting counts; the ticker 5 vh. The earlier calls
give their room to the board when it would otherwise shrink below 5 vh. Everything is sized
from the window (vh and % of its width), so every part stays inside it at any size: tests/qt/test_display_layout.py
walks the same screens as `--screenshot` (app/display/screenshots.py) at 1920×1080, 1366×768, 1080×1920 and
720×1280. Offline, everything but the badge dims, as on the web board. A call or recall blinks three times
(dark on yellow, then back), 350 ms per half cycle, and `blink_finished` says when it is over.

Widgets are only touched here, on the GUI thread: the controller hands over what its bridge received.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from app.client.hall_views import Call
from app.display import style
from app.display.board import Board, RecentCalls, WaitingStrip
from app.display.controller import DisplayController
from app.display.hero import Hero
from app.display.texts import earlier_calls, home_prefixes
from app.display.widgets import Dimmer, OfflineBadge, Ticker, TopBar
from app.qtbridge.unpaired import show_when_unpaired

BLINKS = 3
BLINK_MS = 350  # half a cycle: on, then off; three cycles take 2.1 s like the web board's
BOARD_BEFORE_RECENT_VH = {False: 5.0, True: 5.0}  # portrait?: the board's text the earlier calls never shrink it below


class DisplayWindow(QWidget):
    number_shown = Signal(str, float)  # number, time.monotonic() when the big number was set
    blink_finished = Signal(int)  # on/off cycles blinked
    laid_out = Signal()

    def __init__(self, controller: DisplayController, *, blink_ms: int = BLINK_MS) -> None:
        super().__init__()
        self.setWindowTitle("Một Cửa — Màn hình sảnh")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.ctl = controller
        self.top = TopBar(self)
        self.hero = Hero(self)
        self.board = Board(self)
        self.recent = RecentCalls(self)
        self.waiting = WaitingStrip(self)
        self.ticker = Ticker(self)
        self.dimmer = Dimmer(self)
        self.badge = OfflineBadge(self)
        self.dimmer.hide()
        self.badge.hide()
        self.ticker.hide()
        self.offline = False
        self.blink_log: list[bool] = []  # highlight states of the current (or last) blink, for tests
        self._blink_phase = 0
        self._blink = QTimer(self, interval=blink_ms)
        self._blink.timeout.connect(self._blink_step)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self.top.tick)
        self._clock.start()
        controller.called.connect(self.show_call)
        controller.changed.connect(self.data_changed)
        controller.connection_changed.connect(self.set_online)
        self.unpaired_notice = show_when_unpaired(controller.bridge.unpaired, self)  # the stream stopped: say why
        controller.notice_changed.connect(self.set_notice)
        controller.centre_changed.connect(self.top.set_centre)

    # --- what the controller says ---------------------------------------------------------------------

    def show_call(self, call: Call | None) -> None:
        self.hero.set_call(call)
        self.recent.set_calls(earlier_calls(self.ctl.state.recent_calls))
        if call is None:
            self._stop_blink()
            return
        self.number_shown.emit(call.number, time.monotonic())
        self._start_blink()

    def data_changed(self) -> None:
        state = self.ctl.state
        rows = state.counter_views()
        serves = {r.id: home_prefixes((state.counter_row(r.id) or {}).get("groups"), state.groups) for r in rows}
        self.recent.set_calls(earlier_calls(state.recent_calls))
        waiting_h = self.waiting.preferred_height(self.width())
        chips = self.waiting.set_chips(state.group_views())
        if self.board.set_rows(rows, serves) or (chips and self.waiting.preferred_height(self.width()) != waiting_h):
            self._layout()

    def set_online(self, online: bool) -> None:
        self.offline = not online
        self.badge.setVisible(self.offline)
        self.dimmer.setVisible(self.offline)
        self.top.set_offline(self.offline)
        if self.offline:  # over everything, the top bar and the notice too: all of it may be stale
            self.dimmer.raise_()
            self.badge.raise_()

    def set_notice(self, text: str) -> None:
        self.ticker.set_text(text)
        if self.ticker.isVisible() != bool(text):
            self.ticker.setVisible(bool(text))
            self._layout()

    # --- blinking --------------------------------------------------------------------------------------

    @property
    def blinking(self) -> bool:
        return self._blink.isActive()

    def _start_blink(self) -> None:
        self._blink_phase = 0
        self.blink_log = [True]
        self.hero.set_highlight(True)
        self._blink.start()  # restarts a blink already running: the new number gets all three

    def _blink_step(self) -> None:
        self._blink_phase += 1
        if self._blink_phase >= 2 * BLINKS:
            self._stop_blink()
            self.blink_finished.emit(BLINKS)
            return
        on = self._blink_phase % 2 == 0
        self.blink_log.append(on)
        self.hero.set_highlight(on)

    def _stop_blink(self) -> None:
        self._blink.stop()
        self.hero.set_highlight(False)

    # --- layout ----------------------------------------------------------------------------------------

    @property
    def portrait(self) -> bool:
        return self.height() > self.width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout()
        super().resizeEvent(event)

    def _layout(self) -> None:
        w, h = self.width(), self.height()
        vh, portrait = h / 100, self.portrait
        parts: list[TopBar | Hero | Board | RecentCalls | WaitingStrip | Ticker | OfflineBadge] = [
            self.top, self.hero, self.board, self.recent, self.waiting, self.ticker, self.badge
        ]  # fmt: skip
        for part in parts:
            part.vh, part.portrait = vh, portrait
        top_h = round((6 if portrait else 9) * vh)
        ticker_h = round((5 if portrait else 8) * vh) if self.ticker.isVisible() else 0
        waiting_h = round(self.waiting.preferred_height(w))
        self.top.setGeometry(0, 0, w, top_h)
        self.ticker.setGeometry(0, h - ticker_h, w, ticker_h)
        self.waiting.setGeometry(0, h - ticker_h - waiting_h, w, waiting_h)
        main = QRect(0, top_h, w, h - top_h - ticker_h - waiting_h)
        if portrait:
            hero_h = round(30 * vh)
            self.hero.setGeometry(0, main.top(), w, hero_h)
            pad = round(2 * w / 100)
            column = QRect(pad, main.top() + hero_h + round(vh), w - 2 * pad, main.height() - hero_h - round(1.5 * vh))
        else:
            hero_w = round(0.56 * w)
            pad = round(1.5 * w / 100)
            self.hero.setGeometry(0, main.top(), hero_w, main.height())
            column = QRect(hero_w, main.top() + round(1.5 * vh), w - hero_w - pad, main.height() - round(2.5 * vh))
        self._share(column, vh)
        self.dimmer.setGeometry(0, 0, w, h)
        badge_w, badge_h = self.badge.preferred_size()
        badge_y = (0.6 if portrait else 1.2) * vh
        badge_h = min(badge_h, top_h - 0.6 * vh - 2 * badge_y)  # inside the bar, above its red rule
        self.badge.setGeometry(
            round((2 if portrait else 1.5) * w / 100), round(badge_y), round(badge_w), round(badge_h)
        )
        self.update()
        self.laid_out.emit()

    def _share(self, column: QRect, vh: float) -> None:
        """The board of counters on top of ``column``, the earlier calls at its bottom while the board keeps its
        text at BOARD_BEFORE_RECENT_VH or larger; otherwise the board takes the whole column."""
        recent_h = round(self.recent.preferred_height())
        gap = round(0.6 * vh)  # as the web board's margin
        board_h = column.height() - recent_h - gap
        fit = self.board.choose_fit(column.width(), board_h)
        if fit.font_px < BOARD_BEFORE_RECENT_VH[self.portrait] * vh:
            board_h, recent_h = column.height(), 0
        self.board.setGeometry(column.left(), column.top(), column.width(), board_h)
        self.recent.setGeometry(column.left(), column.bottom() + 1 - recent_h, column.width(), recent_h)
        self.recent.setVisible(recent_h > 0)
        self.board.refit()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), style.BG)
        if self.portrait:  # a thin rule under the call, as on the web board
            y = self.hero.geometry().bottom()
            p.fillRect(0, y, self.width(), max(1, round(0.3 * self.height() / 100)), style.LINE)
        p.end()

    # --- keys and closing ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F11:
            self.showNormal() if self.isFullScreen() else self.showFullScreen()
        elif event.key() == Qt.Key.Key_Q and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.close()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._blink.stop()
        self._clock.stop()
        self.ctl.stop()
        super().closeEvent(event)
