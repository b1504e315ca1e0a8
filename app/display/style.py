"""Colours and type of the hall display: the web board's (resources/web/display.html), for reading at 10 m.

Sizes are in `vh`, hundredths of the screen height, like the web board's CSS: every widget gets the
window's `vh` in pixels and scales with it, so a 1366×768 TV and a 4K one look the same.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

BG = QColor("#0a2342")
TOP = QColor("#061a33")
RED = QColor("#c8102e")
YELLOW = QColor("#ffd23f")
WHITE = QColor("#ffffff")
LIGHT = QColor("#cfe0f5")
MUTED = QColor("#9fb8d6")
ROW_ALT = QColor("#0f2d52")
LINE = QColor("#1d3d66")
PAUSED = QColor("#ffb0a8")
FREE = QColor("#6f88a8")
CHIP = QColor("#1f4e8c")
DARK = QColor("#061a33")
DIM = QColor(10, 35, 66, 115)  # over everything but the badge while offline: the web board's opacity 0.55 on BG


def font(base: QFont, px: float, *, bold: bool = False) -> QFont:
    f = QFont(base)
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # exact sizes; TV text is huge anyway
    return f


def text_width(f: QFont, text: str) -> float:
    return QFontMetricsF(f).horizontalAdvance(text)


def fit_font(base: QFont, text: str, px: float, width: float, *, bold: bool = False, smallest: float = 0.6) -> QFont:
    """``px`` if ``text`` fits in ``width``, else smaller, down to ``smallest`` × px (then the caller elides)."""
    f = font(base, px, bold=bold)
    w = text_width(f, text)
    if w <= width or w <= 0:
        return f
    return font(base, max(px * smallest, math.floor(px * width / w)), bold=bold)  # down: a rounded-up size overflows


def draw_line(p: QPainter, rect: QRectF, text: str, f: QFont, color: QColor,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> bool:  # fmt: skip
    """One line, vertically centred in ``rect`` by its cap height, elided with "…" if it is still too wide.
    True when it had to be elided (the layout tests collect those)."""
    metrics = QFontMetricsF(f)
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() + 0.5)
    p.setFont(f)
    p.setPen(color)
    baseline = rect.center().y() + metrics.capHeight() / 2
    w = metrics.horizontalAdvance(shown)
    if align & Qt.AlignmentFlag.AlignRight:
        x = rect.right() - w
    elif align & Qt.AlignmentFlag.AlignHCenter:
        x = rect.center().x() - w / 2
    else:
        x = rect.left()
    p.drawText(QPointF(x, baseline), shown)
    return shown != text


def wrap(f: QFont, text: str, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a word wider than that gets a line of its own)."""
    metrics = QFontMetricsF(f)
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
