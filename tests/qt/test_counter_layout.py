"""The counter's queue screens fit a clerk's screen exactly: nothing outside the window or cut by its parent, no label
short of its text, the action buttons' words on one line, every waiting group listed whole, the window never grown.

The same tour of screens as `python -m counter --demo --screenshot DIR --size WxH` (counter.screenshots.tour), on the
demo hall. Landscape laptop and desktop screens, and a portrait 1080×1920 monitor (the right column goes under the
left). A window narrower than about 1000 px is not a counter's screen (the header's parts need their width).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDialog, QLabel, QPushButton, QScrollBar, QWidget
from pytestqt.qtbot import QtBot

from app.qtbridge.fonts import install_fonts
from counter.app import build, make_backend, parse_args
from counter.screenshots import start, tour
from counter.widgets import ActionButton
from counter.window import CounterWindow

SIZES = [(1366, 768), (1920, 1080), (1080, 1920)]
SCREENS = ["signin", "panel-idle", "panel-called", "panel-recalled", "panel-serving", "transfer", "pause",
           "panel-paused", "panel-refused", "offline"]  # fmt: skip


def in_top(top: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())


def inside_scroll_area(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems(top: QWidget) -> list[str]:
    """Everything shown in ``top`` (a window or a dialog) that lies outside it, is cut by its parent, or cannot show
    its text."""
    found = []
    for w in top.findChildren(QWidget):
        if not w.isVisible() or isinstance(w, (QDialog, QScrollBar)) or inside_scroll_area(w, top):
            continue
        text = w.text() if isinstance(w, (QLabel, QPushButton, ActionButton)) else ""
        name = f"{type(w).__name__}({w.objectName() or text!r:.50})"
        if not top.rect().contains(in_top(top, w)):
            found.append(f"{name} at {in_top(top, w)} is outside {top.rect()}")
        parent = w.parentWidget()
        if parent is not None and not parent.rect().contains(w.geometry()):
            found.append(f"{name} at {w.geometry()} is cut by its parent {parent.rect()}")
        if isinstance(w, ActionButton):
            if not w.label_fits():
                found.append(f"{name} {w.width()} px wide puts its words on two lines")
        elif isinstance(w, QPushButton):
            if w.width() + 1 < w.sizeHint().width():
                found.append(f"{name} {w.width()} px wide cuts its text ({w.sizeHint().width()} needed)")
        elif isinstance(w, QLabel) and w.text():
            if w.wordWrap():
                if w.height() + 1 < w.heightForWidth(w.width()):
                    found.append(f"{name} {w.size()} cuts its text ({w.heightForWidth(w.width())} px needed)")
            elif w.width() + 1 < w.sizeHint().width() or w.height() + 1 < w.sizeHint().height():
                found.append(f"{name} {w.size()} cuts its text ({w.sizeHint()} needed)")
    return found


def groups_problems(window: CounterWindow) -> list[str]:
    """Every group of the counter listed, none cut: a long name on two lines."""
    table = window.panel.groups_table
    found = []
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    if rows > table.viewport().height() + 1:
        found.append(f"the groups' table needs {rows} px, shows {table.viewport().height()}")
    width = table.columnWidth(1) - 12
    for r in range(table.rowCount()):
        item = table.item(r, 1)
        assert item is not None
        font = QFont(table.font())
        font.setBold(item.font().bold())
        metrics = QFontMetrics(font)
        lines = -(-metrics.horizontalAdvance(item.text()) // max(1, width))
        if lines > 1 and table.rowHeight(r) < table.verticalHeader().defaultSectionSize() + metrics.lineSpacing():
            found.append(f"the group {item.text()!r} is cut")
    return found


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[CounterWindow]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_fonts(app, 12)  # as the counter app starts
    args = parse_args(["--screenshot", str(tmp_path), "--data", str(tmp_path / "desk"), "--user", "lan"])
    backend = make_backend(args)
    win = build(args, backend)
    qtbot.addWidget(win)
    win.setFixedSize(*request.param)
    win.show()
    start(win)
    yield win
    win.ctl.sign_out()
    win.close()
    backend.client.close()


@pytest.mark.parametrize("window", SIZES, indirect=True, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_queue_screen_fits_the_window_exactly(window: CounterWindow) -> None:
    size = QSize(window.width(), window.height())
    fake = window.ctl.client
    seen, found = [], []
    for name in tour(window, fake):
        for _ in range(3):
            QApplication.processEvents()
        seen.append(name)
        assert window.size() == size, f"{name} grew the window to {window.size()}"
        found += [f"{name}: {p}" for p in problems(window)]
        for dialog in (window.transfer_dialog, window.pause_dialog):
            if dialog is not None and dialog.isVisible():
                if dialog.width() > size.width() or dialog.height() > size.height():
                    found.append(f"{name}: the dialog {dialog.size()} is larger than the window")
                found += [f"{name} (dialog): {p}" for p in problems(dialog)]
        if name.startswith("panel") or name == "offline":
            found += [f"{name}: {p}" for p in groups_problems(window)]
    assert seen == SCREENS
    assert not found, "\n".join(found)


@pytest.mark.parametrize("window", [(1366, 768)], indirect=True, ids=["1366x768"])
def test_what_the_clerk_is_told_along_the_tour(window: CounterWindow) -> None:
    """F5 waits for the third call and says so; the groups keep their order, own first; today's figures;
    offline, the time the figures are from."""
    panel = window.panel
    fake = window.ctl.client
    orders = []
    for name in tour(window, fake):
        QApplication.processEvents()
        panel.update_times()  # the panel's clock ticks each second; the demo clock jumps
        f5 = panel.buttons["F5"]
        groups = [panel.groups_table.item(r, 0).text() for r in range(panel.groups_table.rowCount())]  # type: ignore[union-attr]
        if name.startswith("panel"):
            orders.append(groups)
        if name == "panel-called":
            assert not f5.isEnabled()
            assert f5.caption == "sau 3 lần gọi"
            assert panel.buttons["F3"].isEnabled()
            assert panel.buttons["F3"].kind == "good"
            assert "Đã gọi cách đây 0:35" in panel.times.text()
            assert groups[:2] == ["★ D", "★ H"]  # counter 4's home groups, in the centre's order
            assert groups[2:] == ["A", "B", "C", "E", "F", "G", "K"]
        if name == "panel-recalled":
            assert f5.isEnabled()
            assert (f5.caption, f5.kind) == ("", "caution")
        if name == "panel-paused":
            assert panel.stats.text().startswith("Hôm nay đã phục vụ 1 người · trung bình 3 phút 05 giây")
        if name == "offline":
            assert "(lúc " in panel.groups_title.text()
            assert "(lúc " in panel.next_title.text()
            assert "(lúc " in panel.stats.text()
    assert all(order == orders[0] for order in orders)  # the counts change, the order does not
