"""The hall display fits the common TV and monitor sizes exactly: every part inside the window, none over another,
nothing cut with "…" (a counter's letters and value, a group's name, an earlier call), the window never grown.

The same screens as `python -m app display --demo --screenshot DIR --size WxH` (app.display.screenshots.tour), on the
demo hall with the bundled fonts.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, QSize
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.display.screenshots import open_demo, tour
from app.display.window import DisplayWindow
from app.qtbridge.fonts import install_fonts

SIZES = [(1920, 1080), (1366, 768), (1080, 1920), (720, 1280)]
SCREENS = ["idle", "normal", "called", "recall", "offline"]


def problems(window: DisplayWindow, name: str) -> list[str]:
    found: list[str] = []
    screen = window.rect()
    parts: dict[str, QWidget] = {
        "top": window.top, "hero": window.hero, "board": window.board, "recent": window.recent,
        "waiting": window.waiting, "ticker": window.ticker,
    }  # fmt: skip
    shown = {k: w for k, w in parts.items() if w.isVisible() and w.height() > 0}
    for key, widget in [*shown.items(), ("badge", window.badge), ("dimmer", window.dimmer)]:
        if widget.isVisible() and not screen.contains(widget.geometry()):
            found.append(f"{key} at {widget.geometry()} is outside the window {screen}")
    keys = list(shown)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if shown[a].geometry().intersects(shown[b].geometry()):
                found.append(f"{a} {shown[a].geometry()} overlaps {b} {shown[b].geometry()}")
    board = window.board
    if board.content_height() > board.height() + 1:
        found.append(f"the board needs {board.content_height():.0f} px, has {board.height()}")
    inside = QRectF(board.rect()).adjusted(-0.5, -0.5, 0.5, 0.5)
    if len(board.value_rects) != len(board.rows) or not all(inside.contains(r) for r in board.value_rects):
        found.append(f"a counter is not drawn inside the board: {board.value_rects}")
    if board.fit.font_px < 4.5 * window.height() / 100:
        found.append(f"the board's text is only {board.fit.font_px / window.height():.1%} of the height")
    if abs(window.waiting.preferred_height(window.width()) - window.waiting.height()) > 1:
        found.append("the waiting counts are squeezed")
    for key, cut in (("top bar", window.top.cut), ("hero", window.hero.cut), ("board", board.cut),
                     ("counter names", board.names_cut), ("earlier calls", window.recent.cut),
                     ("waiting counts", window.waiting.cut)):  # fmt: skip
        if cut:
            found.append(f"{key}: cut with '…': {cut}")
    if window.offline and not window.top.geometry().contains(window.badge.geometry()):
        found.append(f"the offline badge {window.badge.geometry()} is not inside the top bar")
    hero = window.hero
    if hero.call is not None and not QRectF(hero.rect()).contains(hero.number_rect()):
        found.append(f"the number {hero.number_rect()} is outside the call's area {hero.rect()}")
    return [f"{name}: {p}" for p in found]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_screen_fits_the_window_exactly(qtbot: QtBot, size: tuple[int, int]) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_fonts(app)
    window, fake, streams = open_demo(size, blink_ms=20)
    qtbot.addWidget(window)
    seen, found = [], []
    try:
        for name in tour(window, fake, streams[0]):
            window.grab()  # paints every part: what each had to cut is known after a paint
            seen.append(name)
            assert window.size() == QSize(*size), f"{name} grew the window to {window.size()}"
            found += problems(window, name)
            if name in ("normal", "called", "recall"):
                recent = window.recent
                if not (recent.isVisible() and len(recent.calls) >= 2):
                    found.append(f"{name}: the earlier calls are not shown under the counters")
                if any(c.number == window.hero.number_text for c in recent.calls):
                    found.append(f"{name}: the number on show is also among the earlier calls")
            if name == "offline" and not (window.dimmer.isVisible() and window.dimmer.geometry() == window.rect()):
                found.append("offline: the whole window is not dimmed")
    finally:
        window.close()
        QApplication.processEvents()
        fake.close()
    assert seen == SCREENS
    assert not found, "\n".join(found)
