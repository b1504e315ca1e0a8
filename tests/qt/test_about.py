"""Every app's version in a corner, and a banner in Vietnamese when the centre service no longer serves it."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from app import version
from app.client.fake import FakeQueueClient
from app.qtbridge.about import CORNER_TEXT, install_about
from app.qtbridge.apps import add_common_arguments
from app.version import __version__, outdated_message, user_agent


class Health:
    """A service that answers only /api/health, with a minimum the test changes."""

    def __init__(self, minimum: str | None) -> None:
        self.minimum = minimum
        self.asked = 0

    def health(self) -> dict[str, Any]:
        self.asked += 1
        return {"status": "ok"} if self.minimum is None else {"status": "ok", "min_client_version": self.minimum}


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    w = QMainWindow()
    w.setWindowTitle("Kiosk")
    qtbot.addWidget(w)
    w.resize(800, 600)
    w.show()
    return w


def test_the_version_sits_in_a_corner_and_the_title(window: QMainWindow, qtbot: QtBot) -> None:
    about = install_about(window, None)
    assert about.corner.text() == CORNER_TEXT == f"Một Cửa {__version__}"
    assert about.corner.isVisible()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: about.corner.geometry().bottomRight().x() == 999)
    assert about.corner.geometry().bottom() == 699
    assert window.windowTitle() == f"Kiosk – phiên bản {__version__}"
    assert not about.banner.isVisible()


def test_a_service_that_requires_a_newer_app_gets_a_banner(window: QMainWindow, qtbot: QtBot) -> None:
    service = Health("99.0.0")
    about = install_about(window, service)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: about.banner.isVisible())
    assert about.banner.text() == outdated_message(__version__, "99.0.0")
    assert about.banner.width() == window.width()
    service.minimum = __version__  # the PC was updated, or the service's minimum lowered
    about.check()
    qtbot.waitUntil(lambda: not about.banner.isVisible())
    assert about.timer.interval() == 10 * 60_000  # answered: asked again only now and then


def test_an_app_the_service_still_serves_shows_no_banner(window: QMainWindow, qtbot: QtBot) -> None:
    with FakeQueueClient() as fake:
        about = install_about(window, fake)
        qtbot.waitUntil(lambda: about.message is None and about.timer.interval() == 10 * 60_000)
    assert not about.banner.isVisible()
    older_service = Health(None)
    other = QMainWindow()
    qtbot.addWidget(other)
    about2 = install_about(other, older_service)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: older_service.asked == 1)
    assert about2.message is None


def test_every_app_has_version_and_names_itself_to_the_service(capsys, monkeypatch) -> None:
    monkeypatch.setattr(version, "_app_name", ["client"])  # put back after the test
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="Kiosk cấp số")
    add_common_arguments(parser, default_size="1080x1920")
    with pytest.raises(SystemExit) as done:
        parser.parse_args(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"Kiosk cấp số – Một Cửa phiên bản {__version__}"
    assert user_agent() == f"motcua-kiosk/{__version__}"
