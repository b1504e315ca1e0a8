"""A hall display whose PC was unpaired: the stream's 4401 (played by FakeEventStream.unpair) covers the whole
window with the Vietnamese message, which stays there (no reconnecting banner takes its place)."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app.client.events import UNPAIRED_MESSAGE
from tests.qt.test_display_window import Hall, pack  # noqa: F401 - the fixture make_hall needs
from tests.qt.test_display_window import make_hall as make_hall


def test_the_display_says_it_was_unpaired_over_everything(qtbot: QtBot, make_hall: Callable[..., Hall]) -> None:
    hall = make_hall((1280, 720))
    notice = hall.window.unpaired_notice
    assert not notice.isVisible()
    with qtbot.waitSignal(hall.ctl.bridge.unpaired, timeout=5000):
        hall.stream.unpair()
    assert notice.isVisible()
    assert notice.text() == UNPAIRED_MESSAGE
    assert "Cài đặt ban đầu" in notice.text()
    assert notice.geometry() == hall.window.rect()
    hall.window.resize(1920, 1080)
    qtbot.waitUntil(lambda: notice.geometry() == hall.window.rect(), timeout=5000)
    assert hall.window.offline  # the connection is reported lost as well
    assert hall.stream.pump() == 0  # stopped: nothing more arrives


def test_the_dashboard_says_it_was_unpaired_over_every_tab(qtbot: QtBot) -> None:
    from app.dashboard.screenshots import open_demo

    window, _fake = open_demo((1366, 768))
    try:
        notice = window.unpaired_notice
        assert not notice.isVisible()
        with qtbot.waitSignal(window.ctl.bridge.unpaired, timeout=5000):
            window.ctl.stream.unpair()
        assert notice.isVisible()
        assert notice.text() == UNPAIRED_MESSAGE
        assert notice.geometry() == window.rect()
        window.show_tab("settings")  # another tab opened later stays under the notice
        assert notice.isVisible()
    finally:
        window.ctl.stop()
        window.close()
