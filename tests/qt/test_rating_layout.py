"""Every page of the rating screen fits the screens it runs on: a 10" tablet either way up and the small monitors.
Nothing outside the window or cut by its parent, every word readable, every target at least 72 px, the window
never grown by its content. The same pages as `python -m app rating --screenshot DIR` (app/rating/screenshots.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.client.fake import FakeQueueClient
from app.client.rating_demo import rating_demo_fake
from app.qtbridge.fonts import install_fonts
from app.rating.controller import RatingController
from app.rating.faces import FaceButton, ReasonButton
from app.rating.screenshots import DEFAULT_SIZES, tour
from app.rating.style import MIN_TOUCH_PX
from app.rating.window import RatingWindow


def in_window(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def problems(window: RatingWindow) -> list[str]:
    found = []
    screen = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        name = f"{type(w).__name__}({w.objectName() or getattr(w, 'text', lambda: '')()!r:.40})"
        if not screen.contains(in_window(window, w)):
            found.append(f"{name} at {in_window(window, w)} is outside the window")
        parent = w.parentWidget()
        if parent is not None and not parent.rect().contains(w.geometry()):
            found.append(f"{name} at {w.geometry()} is cut by its parent {parent.rect()}")
        if isinstance(w, FaceButton | ReasonButton):
            if not w.text_fits():
                found.append(f"{name} {w.size()} cannot show its words")
            if min(w.width(), w.height()) < MIN_TOUCH_PX:
                found.append(f"{name} is {w.width()}×{w.height()} px")
            picture, _words = w.areas()
            if min(picture.width(), picture.height()) < 48:
                found.append(f"{name}: its picture is {picture.width():.0f}×{picture.height():.0f} px")
        elif isinstance(w, QLabel) and w.text() and w.objectName() != "centre":  # the centre's name elides
            if w.wordWrap():
                if w.height() + 1 < w.heightForWidth(w.width()):
                    found.append(f"{name} {w.size()} cuts its text ({w.heightForWidth(w.width())} px needed)")
            elif w.width() + 1 < w.sizeHint().width() or w.height() + 1 < w.sizeHint().height():
                found.append(f"{name} {w.size()} cuts its text ({w.sizeHint()} needed)")
    return found


@pytest.fixture
def client() -> Iterator[FakeQueueClient]:
    fake = rating_demo_fake(1)
    yield fake
    fake.close()


@pytest.mark.parametrize(("width", "height"), DEFAULT_SIZES, ids=[f"{w}x{h}" for w, h in DEFAULT_SIZES])
def test_every_page_fits(qtbot: QtBot, client: FakeQueueClient, width: int, height: int) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_fonts(app)
    ctl = RatingController(client, 1, ask_timeout_ms=0, thanks_ms=0)
    window = RatingWindow(ctl)
    qtbot.addWidget(window)
    window.setFixedSize(width, height)
    window.show()
    seen = []
    for page in tour(window):
        QApplication.processEvents()
        seen.append(page)
        assert window.size().width() == width and window.size().height() == height  # noqa: PT018
        assert problems(window) == [], page
        if page.startswith("ask"):
            assert len(window.face_buttons) == (5 if page == "ask-5-levels" else 3)
            assert window.number.text() == "Số A003"
            assert "Nguyễn Thị Lan" in window.clerk.text()
    assert seen == ["idle", "ask", "reason", "thanks", "ask-5-levels", "offline"]
    window.close()


def test_a_long_centre_name_ends_in_an_ellipsis(qtbot: QtBot, client: FakeQueueClient) -> None:
    ctl = RatingController(client, 1)
    window = RatingWindow(ctl)
    qtbot.addWidget(window)
    window.setFixedSize(800, 1280)
    window.show()
    ctl.centre_name = "Trung tâm Phục vụ hành chính công phường Nguyễn Trung Trực, thành phố Rạch Giá, tỉnh An Giang"
    ctl.changed.emit()
    QApplication.processEvents()
    assert window.centre.text().endswith("…")
    assert window.centre.fontMetrics().horizontalAdvance(window.centre.text()) <= window.centre.width()
    window.close()
