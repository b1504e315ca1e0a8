"""The hall display's smaller parts: the top bar with the clock, the notice ticker, the offline badge."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.core.clock import LOCAL_TZ
from app.display import style
from app.display.texts import DEFAULT_CENTRE, OFFLINE_HINT, OFFLINE_TITLE, WEEKDAYS


def clock_texts(now: datetime | None = None) -> tuple[str, str]:
    """("08:35", "Thứ Hai, 23/11/2026") in the centre's time zone, whatever the PC's own zone says."""
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    return now.strftime("%H:%M"), f"{WEEKDAYS[now.weekday()]}, {now:%d/%m/%Y}"


def two_lines(name: str) -> list[str]:
    """Split a centre's name where a reader would: before its commune ("… công" / "xã Đông Hưng"), else mid-way."""
    for mark in (" xã ", " phường ", " đặc khu "):
        at = name.find(mark)
        if at > 0:
            return [name[:at], name[at + 1 :]]
    words = name.split()
    half = max(1, len(words) // 2)
    return [" ".join(words[:half]), " ".join(words[half:])]


class TopBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("top")
        self.vh = 10.8
        self.portrait = False
        self.centre = DEFAULT_CENTRE
        self.offline = False
        self.time_text, self.date_text = clock_texts()
        self.cut: list[str] = []  # texts the last paint had to cut with "…", for tests

    def set_centre(self, name: str) -> None:
        self.centre = name or DEFAULT_CENTRE
        self.update()

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.update()

    def tick(self) -> None:
        texts = clock_texts()
        if texts != (self.time_text, self.date_text):
            self.time_text, self.date_text = texts
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.cut = []
        vh, w, h, base = self.vh, self.width(), self.height(), self.font()
        p.fillRect(self.rect(), style.TOP)
        border = 0.6 * vh
        p.fillRect(QRectF(0, h - border, w, border), style.RED)
        pad = 2 * w / 100
        inner_h = h - border
        if self.portrait:
            time_f, date_f = style.font(base, 3.2 * vh, bold=True), style.font(base, 1.6 * vh)
            clock_w = max(style.text_width(time_f, self.time_text), style.text_width(date_f, self.date_text))
            right = QRectF(w - pad - clock_w, 0, clock_w, inner_h)
            style.draw_line(p, QRectF(right.left(), inner_h * 0.1, clock_w, inner_h * 0.5), self.time_text, time_f,
                            style.WHITE, Qt.AlignmentFlag.AlignRight)  # fmt: skip
            style.draw_line(p, QRectF(right.left(), inner_h * 0.6, clock_w, inner_h * 0.32), self.date_text, date_f,
                            style.LIGHT, Qt.AlignmentFlag.AlignRight)  # fmt: skip
            centre_w = right.left() - 2 * pad
            centre_f = style.fit_font(base, self.centre, 2.2 * vh, centre_w, bold=True, smallest=0.7)
            lines = [self.centre]
            if style.text_width(centre_f, self.centre) > centre_w:  # a commune's full name: two lines, never "…"
                lines = two_lines(self.centre)
                longest = max(lines, key=lambda line: style.text_width(centre_f, line))
                centre_f = style.fit_font(base, longest, 1.7 * vh, centre_w, bold=True, smallest=0.7)
            line_h = inner_h / len(lines)
            for i, line in enumerate(lines):
                rect = QRectF(pad, i * line_h, centre_w, line_h)
                if not self.offline and style.draw_line(p, rect, line, centre_f, style.WHITE):
                    self.cut.append(self.centre)
        else:
            time_f, date_f = style.font(base, 5.6 * vh, bold=True), style.font(base, 3 * vh)
            gap = 1.5 * w / 100
            time_w, date_w = style.text_width(time_f, self.time_text), style.text_width(date_f, self.date_text)
            row = QRectF(0, 0, w, inner_h)
            x = w - pad - date_w
            style.draw_line(p, QRectF(x, 0, date_w, inner_h), self.date_text, date_f, style.LIGHT)
            x -= gap + time_w
            style.draw_line(p, QRectF(x, 0, time_w, inner_h), self.time_text, time_f, style.WHITE)
            centre_w = x - 3 * pad
            centre_f = style.fit_font(base, self.centre, 3.6 * vh, centre_w, bold=True, smallest=0.8)
            centre_rect = QRectF(pad, row.top(), centre_w, inner_h)
            if not self.offline and style.draw_line(p, centre_rect, self.centre, centre_f, style.WHITE):
                self.cut.append(self.centre)  # (offline, the badge stands there)
        p.end()


class Ticker(QWidget):
    """The notice line, scrolling right to left at 15 % of the screen height per second (the web board's
    speed). It starts with its first letter at the left edge, so it can be read at once."""

    FRAME_MS = 33

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticker")
        self.vh = 10.8
        self.portrait = False
        self.text = ""
        self.offset = 0.0  # px the text has moved left from its start at the left padding
        self._clock = QElapsedTimer()
        self._timer = QTimer(self, interval=self.FRAME_MS)
        self._timer.timeout.connect(self._step)

    def set_text(self, text: str) -> None:
        if text == self.text:
            return  # restarting the scroll on every poll would be jumpy
        self.text = text
        self.offset = 0.0
        self._clock.restart()
        if text and self.isVisible():
            self._timer.start()
        elif not text:
            self._timer.stop()
        self.update()

    def restart(self) -> None:
        """Back to the start: the first letter at the left edge."""
        self.offset = 0.0
        self._clock.restart()
        self.update()

    def showEvent(self, event: object) -> None:
        if self.text:
            self._clock.restart()
            self._timer.start()

    def hideEvent(self, event: object) -> None:
        self._timer.stop()

    def _font(self) -> QFont:
        return style.font(self.font(), (3 if self.portrait else 4.4) * self.vh, bold=True)

    def _step(self) -> None:
        elapsed = self._clock.restart() / 1000
        text_w = style.text_width(self._font(), self.text)
        pad = 2 * self.vh
        self.offset += 15 * self.vh * elapsed
        if pad - self.offset + text_w < 0:  # gone off the left edge: come in again from the right
            self.offset = pad - self.width()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), style.YELLOW)
        f = self._font()
        metrics = QFontMetricsF(f)
        p.setFont(f)
        p.setPen(style.DARK)
        baseline = self.height() / 2 + metrics.capHeight() / 2
        p.drawText(QPointF(2 * self.vh - self.offset, baseline), self.text)
        p.end()


class OfflineBadge(QWidget):
    """The badge "Mất kết nối — đang kết nối lại…" in white on red, over the centre's name (the least useful thing on
    screen while offline)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offline")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.vh = 10.8
        self.portrait = False

    def _fonts(self) -> tuple[QFont, QFont]:
        vh = self.vh
        big, small = (2.8 * vh, 1.8 * vh) if self.portrait else (4 * vh, 2.6 * vh)
        return style.font(self.font(), big, bold=True), style.font(self.font(), small)

    def preferred_size(self) -> tuple[float, float]:
        title, hint = self._fonts()
        pad_x = (2 if self.portrait else 2.5) * self.window().width() / 100
        w = style.text_width(title, OFFLINE_TITLE) + 0.6 * title.pixelSize() + style.text_width(hint, OFFLINE_HINT)
        return w + 2 * pad_x, title.pixelSize() * 1.4 + (1.2 if self.portrait else 2) * self.vh

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.RED)
        p.drawRoundedRect(QRectF(self.rect()), self.vh, self.vh)
        title, hint = self._fonts()
        pad_x = (2 if self.portrait else 2.5) * self.window().width() / 100
        title_w = style.text_width(title, OFFLINE_TITLE)
        row = QRectF(pad_x, 0, self.width() - 2 * pad_x, self.height())
        style.draw_line(p, row, OFFLINE_TITLE, title, style.WHITE)
        hint_row = QRectF(row.left() + title_w + 0.6 * title.pixelSize(), 0, row.width(), self.height())
        style.draw_line(p, hint_row, OFFLINE_HINT, hint, style.WHITE)
        p.end()


class Dimmer(QWidget):
    """Darkens the board while the data may be stale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), style.DIM)
        p.end()
