"""The director's session ends while the dashboard is open, against a real `serve`: the sign-in prompt comes over
the window, signing in again resumes every view and the live stream, and "Để sau" leaves a banner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from pytestqt.qtbot import QtBot

from app.client.sessions import SessionClient
from app.dashboard.app import build
from app.dashboard.session_prompt import BANNER, EXPIRED, LATER
from app.dashboard.window import DashboardWindow
from app.service.launcher import ServerProcess

PIN = "482913"


def admin(server: ServerProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.admin_token}"}


@pytest.fixture
def window(qtbot: QtBot, server: ServerProcess) -> Iterator[DashboardWindow]:
    made = requests.post(f"{server.url}/api/users", headers=admin(server), timeout=30,
                         json={"username": "giamdoc", "display_name": "Giám đốc", "role": "director",
                               "secret": PIN})  # fmt: skip
    assert made.status_code == 201, made.text
    client = SessionClient(server.url, None, timeout=20.0)
    client.set_token(client.sign_in("giamdoc", PIN)["token"])
    shown = build(client)
    qtbot.addWidget(shown)
    shown.session.username = "giamdoc"
    shown.resize(1366, 768)
    shown.show()
    shown.ctl.start()
    qtbot.waitUntil(lambda: shown.ctl.figures is not None and shown.ctl.hall.loaded and not shown.ctl.busy(),
                    timeout=20_000)  # fmt: skip
    yield shown
    shown.ctl.stop()
    client.close()


def sign_out_elsewhere(server: ServerProcess, token: str) -> None:
    gone = requests.delete(f"{server.url}/api/sessions/current", headers={"Authorization": f"Bearer {token}"},
                           timeout=30)  # fmt: skip
    assert gone.status_code == 204


def test_a_revoked_session_asks_again_and_resumes_every_view(qtbot: QtBot, window: DashboardWindow,
                                                             server: ServerProcess) -> None:  # fmt: skip
    ctl, client = window.ctl, window.ctl.client
    assert isinstance(client, SessionClient)
    window.show_tab("settings")
    qtbot.waitUntil(lambda: ctl.settings is not None and not ctl.busy(), timeout=20_000)
    old_token, old_figures, old_settings = client.token, ctl.figures, ctl.settings
    assert old_token
    sign_out_elsewhere(server, old_token)
    with qtbot.waitSignal(ctl.session_expired, timeout=20_000):
        ctl.refresh_figures()  # what the 30 s timer does: the service answers 401
    prompt = window.session
    assert prompt.dialog is not None
    assert prompt.layer.isVisible()
    assert prompt.dialog.notice.text() == EXPIRED
    assert prompt.dialog.username.text() == "giamdoc"
    assert prompt.layer.geometry() == window.rect()  # over the whole window
    ctl.refresh_figures()
    assert not ctl.busy()  # nothing more is asked of the service until the director is back
    # the live stream goes on: a ticket issued now reaches the hall after the new sign-in too
    prompt.dialog.secret.setText(PIN)
    with qtbot.waitSignal(ctl.session_resumed, timeout=20_000):
        prompt.dialog.submit()
    assert prompt.dialog is None
    assert not prompt.layer.isVisible()
    assert client.token
    assert client.token != old_token
    qtbot.waitUntil(lambda: ctl.figures is not old_figures and ctl.settings is not old_settings and not ctl.busy(),
                    timeout=20_000)  # fmt: skip
    issued = requests.post(f"{server.url}/api/tickets", json={"group": "HT"}, headers=admin(server), timeout=30)
    assert issued.status_code == 201, issued.text
    qtbot.waitUntil(lambda: window.live.shown()["tiles"]["Đang chờ"][0] == "1", timeout=20_000)
    qtbot.waitUntil(lambda: ctl.figures is not None and ctl.figures.report.queue.total.tickets == 1, timeout=20_000)
    assert not window.expired_banner.isVisible()


def test_later_leaves_a_banner_that_asks_again(qtbot: QtBot, window: DashboardWindow, server: ServerProcess) -> None:
    ctl, client = window.ctl, window.ctl.client
    assert isinstance(client, SessionClient)
    assert client.token
    sign_out_elsewhere(server, client.token)
    with qtbot.waitSignal(ctl.session_expired, timeout=20_000):
        ctl.refresh_figures()
    prompt = window.session
    assert prompt.dialog is not None
    assert prompt.dialog.cancel_button is not None
    assert prompt.dialog.cancel_button.text() == LATER
    prompt.dialog.cancel_button.click()
    assert prompt.dialog is None
    assert not prompt.layer.isVisible()
    assert window.expired_banner.isVisible()
    assert window.expired_banner.text.text() == BANNER
    assert ctl.expired
    window.expired_banner.again.click()  # the director is back at the desk
    assert prompt.dialog is not None
    assert prompt.layer.isVisible()
    assert not window.expired_banner.isVisible()
    prompt.dialog.secret.setText(PIN)
    with qtbot.waitSignal(ctl.session_resumed, timeout=20_000):
        prompt.dialog.submit()
    assert not ctl.expired
