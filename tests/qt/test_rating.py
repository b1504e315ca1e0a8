"""The rating screen as a citizen uses it, against a real `serve` subprocess: the clerk finishes a visit at
counter 1, the screen facing the citizen shows the number and the clerk's name, a low rating asks for a reason,
a second tap changes nothing, and a rating given while the service is down is sent once it is back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.client.queue_client import QueueClient
from app.rating.controller import Phase, RatingController
from app.rating.texts import OFFLINE
from app.rating.window import RatingWindow
from app.service.launcher import ServerProcess, start_server

CLERK = ("lan.nguyen", "Nguyễn Thị Lan")


class Hall:
    """The admin and a clerk signed in at counter 1, over HTTP, and a rating device for counter 1."""

    def __init__(self, server: ServerProcess) -> None:
        self.url = server.url
        self.admin = {"Authorization": f"Bearer {server.admin_token}"}
        made = self.post("/api/users", {"username": CLERK[0], "display_name": CLERK[1], "role": "clerk",
                                        "secret": "482913"}, self.admin)  # fmt: skip
        assert made["username"] == CLERK[0]
        session = self.post("/api/sessions", {"username": CLERK[0], "secret": "482913", "counter": 1}, {})
        self.clerk = {"Authorization": f"Bearer {session['token']}"}
        self.rating_token = str(self.post("/api/devices", {"name": "Đánh giá quầy 1", "role": "rating",
                                                           "counter": 1}, self.admin)["token"])  # fmt: skip

    def post(self, path: str, body: dict[str, Any] | None, auth: dict[str, str]) -> Any:
        answer = requests.post(self.url + path, json=body, headers=auth, timeout=10)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def serve_one(self) -> dict[str, Any]:
        self.post("/api/tickets", {"group": "HT"}, self.admin)
        self.post("/api/counters/1/call-next", None, self.clerk)
        self.post("/api/counters/1/start", None, self.clerk)
        return dict(self.post("/api/counters/1/finish", None, self.clerk))

    def ratings(self) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.url}/api/ratings", headers=self.admin, timeout=10)
        answer.raise_for_status()
        return list(answer.json()["ratings"])


def screen(qtbot: QtBot, url: str, token: str) -> RatingWindow:
    client = QueueClient(url, token, attempts=1, timeout=2)
    ctl = RatingController(client, 1, retry_ms=300)
    window = RatingWindow(ctl)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    with qtbot.waitSignal(ctl.connection_changed, timeout=15_000):
        ctl.start()
    return window


def tap(qtbot: QtBot, window: RatingWindow, name: str) -> None:
    QApplication.processEvents()
    button = window.stack.currentWidget().findChild(QWidget, name)
    assert button is not None and button.isVisible(), name  # noqa: PT018
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_low_rating_with_its_reason_is_tied_to_the_ticket_counter_and_clerk(
    qtbot: QtBot, server: ServerProcess
) -> None:
    hall = Hall(server)
    window = screen(qtbot, server.url, hall.rating_token)
    ctl = window.ctl
    assert ctl.phase is Phase.IDLE
    ticket = hall.serve_one()
    qtbot.waitUntil(lambda: ctl.phase is Phase.ASK, timeout=10_000)  # from the event stream's ticket.finished
    assert window.number.text() == f"Số {ticket['number']}"
    assert window.clerk.text() == f"Cán bộ phục vụ: {CLERK[1]}"
    assert [b.text() for b in window.face_buttons] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    tap(qtbot, window, "level-1")
    assert ctl.phase is Phase.REASON
    assert ctl.choose(3) is False  # a second tap on another face changes nothing
    with qtbot.waitSignal(ctl.rated, timeout=10_000) as kept:
        tap(qtbot, window, "reason-0")
    assert ctl.phase is Phase.THANKS
    answer = kept.args[0]
    assert (answer["ticket_id"], answer["level"], answer["reason"], answer["already_rated"]) == (
        ticket["id"], 1, "Chờ lâu", False)  # fmt: skip
    assert ctl.choose_reason("Khác") is False
    assert [(r["number"], r["counter"], r["clerk"], r["clerk_name"], r["level"], r["reason"])
            for r in hall.ratings()] == [(ticket["number"], 1, CLERK[0], CLERK[1], 1, "Chờ lâu")]  # fmt: skip

    second = hall.serve_one()  # the next citizen: asked again, a happy one needs no reason
    qtbot.waitUntil(lambda: ctl.phase is Phase.ASK and ctl.visit is not None and ctl.visit["ticket_id"] == second["id"],
                    timeout=10_000)  # fmt: skip
    with qtbot.waitSignal(ctl.rated, timeout=10_000):
        tap(qtbot, window, "level-3")
    assert ctl.phase is Phase.THANKS
    assert [r["level"] for r in hall.ratings()] == [1, 3]
    window.close()


def test_a_rating_given_while_the_service_is_down_is_sent_when_it_is_back(qtbot: QtBot, server: ServerProcess) -> None:
    hall = Hall(server)
    window = screen(qtbot, server.url, hall.rating_token)
    ctl = window.ctl
    ticket = hall.serve_one()
    qtbot.waitUntil(lambda: ctl.phase is Phase.ASK, timeout=10_000)
    server.kill()
    qtbot.waitUntil(lambda: ctl.online is False, timeout=10_000)
    tap(qtbot, window, "level-2")
    assert ctl.phase is Phase.THANKS  # the citizen is thanked at once
    assert window.status.text() == OFFLINE  # what the idle page says meanwhile: calm, no error
    qtbot.waitUntil(lambda: bool(ctl.queued) and ctl.queued[0].attempts >= 2, timeout=10_000)  # retried, kept
    port = urlsplit(server.url).port
    back = start_server(server.data, port=port or 0)
    try:
        with qtbot.waitSignal(ctl.rated, timeout=20_000) as kept:
            pass
        assert (kept.args[0]["ticket_id"], kept.args[0]["level"]) == (ticket["id"], 2)
        assert ctl.queued == []
        hall.url = back.url
        assert [(r["number"], r["clerk"], r["level"]) for r in hall.ratings()] == [(ticket["number"], CLERK[0], 2)]
    finally:
        window.close()
        back.stop()
