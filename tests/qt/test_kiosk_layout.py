"""Every kiosk screen fits the common kiosk screens exactly: nothing outside the window, nothing cut, the main
actions on screen without scrolling, the window never grown by its content.

The same tour of screens as `python -m kiosk --demo --screenshot DIR --size WxH` (kiosk.screenshots.tour),
with the demo hall, the bundled fonts and a file camera.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.client.fake import demo_fake
from app.paths import default_catalog_path
from app.qtbridge.fonts import install_fonts
from app.store.catalog_file import load_catalog_file
from kiosk.controller import KioskController
from kiosk.screenshots import _demo_camera_dir, tour
from kiosk.style import ACTION_GAP_PX, MIN_TOUCH_PX
from kiosk.widgets import Keyboard, Tile
from kiosk.window import KioskWindow

CATALOG = load_catalog_file(default_catalog_path())
SIZES = [(1366, 768), (1920, 1080), (720, 1280), (1080, 1920)]


def in_window(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def scrolled(widget: QWidget) -> bool:
    """Inside a scroll area's content: a list item, allowed below the fold."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems(window: KioskWindow) -> list[str]:
    """Everything on screen that lies outside the window, is cut by its parent, or cannot show its text."""
    found = []
    screen = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisible() or scrolled(w):
            continue
        name = f"{type(w).__name__}({w.objectName() or getattr(w, 'text', lambda: '')()!r:.40})"
        if not screen.contains(in_window(window, w)):
            found.append(f"{name} at {in_window(window, w)} is outside the window")
        parent = w.parentWidget()
        if parent is not None and not parent.rect().contains(w.geometry()):
            found.append(f"{name} at {w.geometry()} is cut by its parent {parent.rect()}")
        if isinstance(w, Tile):
            if not w.text_fits():
                found.append(f"{name} {w.size()} cannot show its text")
            if w.height() < MIN_TOUCH_PX:
                found.append(f"{name} is {w.height()} px tall")
            if w._text_width(w.width(), w.fitting_px(w.width(), w.height())) < 7 * w.title_px:
                found.append(f"{name}: a line of {w._text_width(w.width())} px wraps one word per line")
        elif isinstance(w, QPushButton):
            if w.width() + 1 < w.sizeHint().width() and not isinstance(w.parentWidget(), Keyboard):
                found.append(f"{name} {w.width()} px wide cuts its text ({w.sizeHint().width()} needed)")
            if w.height() < MIN_TOUCH_PX:
                found.append(f"{name} is {w.height()} px tall")
        elif isinstance(w, QLabel) and (w.text() or w.pixmap() is not None):
            pixmap = w.pixmap()
            if pixmap is not None and not pixmap.isNull():
                if pixmap.width() > w.width() or pixmap.height() > w.height():
                    found.append(f"{name} {w.size()} cuts its picture {pixmap.size()}")
            elif w.wordWrap():
                if w.height() + 1 < w.heightForWidth(w.width()):
                    found.append(f"{name} {w.size()} cuts its text ({w.heightForWidth(w.width())} px needed)")
            elif w.width() + 1 < w.sizeHint().width() or w.height() + 1 < w.sizeHint().height():
                found.append(f"{name} {w.size()} cuts its text ({w.sizeHint()} needed)")
    return found


def on_screen(window: KioskWindow, widget: QWidget | None) -> bool:
    """Visible, in the window, and not in a scroll area: a main action needs no scrolling."""
    return (
        widget is not None
        and widget.isVisible()
        and not scrolled(widget)
        and window.rect().contains(in_window(window, widget))
    )


def gap(window: KioskWindow, upper: QWidget, lower: QWidget) -> int:
    return in_window(window, lower).top() - in_window(window, upper).bottom() - 1


def check_main_actions(window: KioskWindow, name: str) -> list[str]:
    screen = window.stack.currentWidget()
    tiles = {t.objectName(): t for t in screen.findChildren(Tile) if t.isVisible()}
    missing: list[str] = []

    def need(label: str, widget: QWidget | None) -> None:
        if not on_screen(window, widget):
            missing.append(f"{name}: {label} is not on screen")

    nav_back = getattr(screen, "back_button", None)
    if name.startswith("home") or name == "offline":
        groups = window.ctl.snapshot["groups"]
        for g in groups:
            need(f"group-{g['code']}", tiles.get(f"group-{g['code']}"))
        need("lookup", window.home.lookup_tile)
        need("scan", window.home.scan_tile)
        need("language", window.home.language_button)
        need("centre name", window.centre)
        assert window.centre.text() == window.ctl.centre_name
    if name == "procedures":
        need("other", tiles.get("procedure-other"))
        need("back", nav_back)
        need("home", screen.home_button)
        area: QScrollArea = screen.list  # type: ignore[attr-defined]
        bar = area.verticalScrollBar()
        bar.setValue(bar.maximum())
        QApplication.processEvents()
        last = [t for t in area.widget().findChildren(Tile)][-1]
        bottom = last.mapTo(area.viewport(), QPoint(0, last.height()))
        if bottom.y() > area.viewport().height():
            missing.append(f"{name}: the last procedure is hidden under the navigation")
        if in_window(window, area).bottom() >= in_window(window, nav_back).top():
            missing.append(f"{name}: the list runs under the navigation bar")
        bar.setValue(0)
    if name.startswith("priority"):
        for p in window.ctl.priorities:
            need(f"priority-{p['code']}", tiles.get(f"priority-{p['code']}"))
        none = tiles.get("priority-none")
        need("no priority", none)
        need("back", nav_back)
        categories = [tiles[f"priority-{p['code']}"] for p in window.ctl.priorities]
        if none is not None and categories:
            if min(gap(window, c, none) for c in categories) < ACTION_GAP_PX:
                missing.append(f"{name}: 'no priority' is not set apart from the categories")
            if gap(window, none, nav_back) < ACTION_GAP_PX:
                missing.append(f"{name}: 'no priority' is too close to 'Quay lại'")
    if name in ("ticket", "printer-fault", "printer-back", "printer-unreachable"):
        need("home", screen.home_button)
        need("number", screen.findChild(QLabel, "number"))
        need("follow QR", screen.findChild(QLabel, "qr"))
    if name == "printer-fault" and window.result.reprint_button is not None:
        missing.append("printer-fault: IN LẠI offered while the paper is out")
    if name in ("printer-back", "printer-unreachable"):
        again = window.result.reprint_button
        need("IN LẠI", again)
        if again is not None and gap(window, again, screen.home_button) < ACTION_GAP_PX:
            missing.append(f"{name}: IN LẠI is too close to 'Trang đầu'")
    if name.startswith("lookup"):
        for key in screen.findChildren(QPushButton, "key"):
            need(f"key {key.text()}", key)
        need("back", nav_back)
    if name == "lookup-fields":
        for f in CATALOG.fields:
            tile = tiles.get(f"field-{f.code}")
            area = next(a for a in screen.findChildren(QScrollArea) if a.isVisible())
            if tile is None or tile.mapTo(area.viewport(), QPoint(0, tile.height())).y() > area.viewport().height():
                missing.append(f"{name}: field {f.code} is hidden below the fold")
    if name.startswith("procedure-") or name == "procedure":
        get = window.procedure_page.ticket_button
        need("LẤY SỐ", get)
        need("back", nav_back)
        need("home", screen.home_button)
        if get is not None and nav_back is not None and gap(window, get, nav_back) < ACTION_GAP_PX:
            missing.append(f"{name}: 'LẤY SỐ' is {gap(window, get, nav_back)} px from 'Quay lại'")
    if name == "scan":
        need("back", nav_back)
    return missing


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[KioskWindow]:
    from kiosk.scan import ScanScreen

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_fonts(app)  # as every app starts: the bundled Noto Sans, not whatever the machine has
    width, height = request.param
    with demo_fake() as client:
        ctl = KioskController(client, CATALOG, None)
        scan = ScanScreen(ctl, None, None, camera_spec=f"file:{_demo_camera_dir(tmp_path)}")
        win = KioskWindow(ctl, extra_screens={"scan": scan})
        scan.t, scan.columns = win.t, win.columns
        qtbot.addWidget(win)
        win.setFixedSize(width, height)
        win.show()
        with qtbot.waitSignal(ctl.snapshot_changed, timeout=10_000):
            ctl.refresh()
        yield win
        scan.stop_camera()
        win.close()


@pytest.mark.parametrize("window", SIZES, indirect=True, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_screen_fits_the_window_exactly(window: KioskWindow) -> None:
    size = QSize(window.width(), window.height())
    seen, found = [], []
    for name in tour(window, CATALOG):
        for _ in range(3):
            QApplication.processEvents()
        seen.append(name)
        assert window.size() == size, f"{name} grew the window to {window.size()}"
        found += [f"{name}: {p}" for p in problems(window)]
        found += check_main_actions(window, name)
    assert {"home", "procedures", "priority", "ticket", "printer-fault", "lookup", "procedure", "scan"} <= set(seen)
    assert not found, "\n".join(found)


def test_the_tour_shows_english_names_and_the_paper_out_advice(qtbot: QtBot) -> None:
    with demo_fake() as client:
        ctl = KioskController(client, CATALOG, None)
        win = KioskWindow(ctl)
        qtbot.addWidget(win)
        win.setFixedSize(1366, 768)
        win.show()
        with qtbot.waitSignal(ctl.snapshot_changed, timeout=10_000):
            ctl.refresh()
        for name in tour(win, CATALOG):
            screen = win.stack.currentWidget()
            titles = {t.objectName(): t.title for t in screen.findChildren(Tile)}
            if name == "printer-fault":
                assert "hết giấy" in win.result.status_label.text()
                assert "quét mã" in win.result.status_label.text()
                assert "chụp ảnh" not in " ".join(label.text() for label in screen.findChildren(QLabel))
            if name == "printer-back":
                assert "IN LẠI" in win.result.status_label.text()
            if name == "home-english":
                assert titles["group-HT"].startswith("Civil status")
                assert titles["home-lookup"] == "FIND A PROCEDURE"
            if name == "priority-english":
                assert titles["priority-elderly"].startswith("Older person")
                assert titles["priority-none"] == "I do not have priority"
            if name == "offline":
                assert "quầy hướng dẫn" in win.banner.text()
                assert "máy chủ" not in win.banner.text()
                assert not any(t.isEnabled() for t in screen.findChildren(Tile) if t.objectName().startswith("group-"))
        buttons = [b.text() for b in win.findChildren(QAbstractButton)]
        assert buttons
        win.close()
