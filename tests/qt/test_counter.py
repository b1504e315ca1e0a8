"""The counter app as a clerk uses it: against a real `serve` subprocess, through a relay that can lose answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client.events import EventStream
from app.qtbridge.events import EventBridge
from app.service.launcher import ServerProcess, start_server
from app.store.users import BAD_CREDENTIALS
from counter.controller import DIRECTOR_REFUSED, CounterController
from counter.session import CounterClient
from counter.state import QueueModel, available
from counter.window import CounterWindow
from tests.support.fault_relay import FaultRelay

WAIT = 30_000  # ms a wait may take before the test fails; nothing sleeps to synchronise
PIN = "482913"


def admin(server: ServerProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.admin_token}"}


def add_user(server: ServerProcess, username: str, role: str = "clerk", secret: str = PIN) -> None:
    body = {"username": username, "display_name": "Nguyễn Thị Lan", "role": role, "secret": secret}
    requests.post(f"{server.url}/api/users", json=body, headers=admin(server), timeout=10).raise_for_status()


def issue(url: str, token: str, group: str = "HT") -> dict[str, Any]:
    r = requests.post(f"{url}/api/tickets", json={"group": group}, headers={"Authorization": f"Bearer {token}"},
                      timeout=10)  # fmt: skip
    r.raise_for_status()
    return dict(r.json())


def kiosk_token(server: ServerProcess) -> str:
    r = requests.post(f"{server.url}/api/devices", json={"name": "Kiosk sảnh", "role": "kiosk"},
                      headers=admin(server), timeout=10)  # fmt: skip
    return str(r.json()["token"])


def queue_of(server: ServerProcess) -> dict[str, Any]:
    return dict(requests.get(f"{server.url}/api/queue", timeout=10).json())


class App:
    """Opens counter windows on a service URL and closes them (and their clients) at the end."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.opened: list[tuple[CounterWindow, CounterClient]] = []

    def open(self, url: str) -> CounterWindow:
        client = CounterClient(url, timeout=3, backoff=0.05)

        def stream(bridge: EventBridge) -> EventStream:
            return EventStream(url, **bridge.callbacks(), reconnect_delay=(0.05, 0.3))

        ctl = CounterController(client, client, stream, probe_ms=100)
        window = CounterWindow(ctl)
        self.qtbot.addWidget(window)
        self.opened.append((window, client))
        window.resize(1366, 768)
        window.show()
        ctl.start()
        self.qtbot.waitUntil(lambda: bool(ctl.online and ctl.model.loaded and ctl.priorities), timeout=WAIT)
        window.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
        return window

    def close(self) -> None:
        for window, client in self.opened:
            window.close()
            client.close()


@pytest.fixture
def app(qtbot: QtBot) -> Iterator[App]:
    opened = App(qtbot)
    yield opened
    opened.close()


def sign_in(qtbot: QtBot, window: CounterWindow, username: str = "lan", secret: str = PIN, counter: int = 1) -> None:
    form = window.signin
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    qtbot.keyClicks(form.secret, secret)
    form.counter_box.setCurrentIndex(form.counter_box.findData(counter))
    assert form.button.isEnabled()
    with qtbot.waitSignal(window.ctl.signed_in, timeout=WAIT):
        qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert window.on_panel
    assert form.secret.text() == ""  # the secret does not stay on screen


def key(qtbot: QtBot, window: CounterWindow, name: Qt.Key, action: str | None = None) -> None:
    """Press a function key and wait until the service has answered the action it started."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
    with qtbot.waitSignal(window.ctl.action_finished, timeout=WAIT) as blocker:
        qtbot.keyClick(window, name)
    if action is not None:
        assert blocker.args[0] == action


def current(window: CounterWindow) -> dict[str, Any] | None:
    assert window.ctl.counter_id is not None
    return window.ctl.model.current(window.ctl.counter_id)


def enabled(window: CounterWindow) -> set[str]:
    return {k for k, b in window.panel.buttons.items() if b.isEnabled()}


# --- the day at the counter ---------------------------------------------------------------------------


def test_sign_in_call_recall_serve_and_finish(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    kiosk = kiosk_token(server)
    first, second = issue(server.url, kiosk), issue(server.url, kiosk)
    window = app.open(server.url)
    assert [window.signin.counter_box.itemText(i) for i in range(4)] == ["Quầy 1", "Quầy 2", "Quầy 3", "Quầy 4"]
    sign_in(qtbot, window, counter=2)
    panel = window.panel
    assert panel.counter_title.text() == "Quầy 2"
    assert "Nguyễn Thị Lan" in panel.clerk.text()
    assert enabled(window) == {"F1", "F7"}
    assert "tổng 2 người" in panel.groups_title.text()

    key(qtbot, window, Qt.Key.Key_F1, "call_next")
    assert (current(window) or {})["number"] == first["number"]
    assert panel.number.text() == "A001"
    assert "Đã gọi số A001" in panel.strip.text()
    assert enabled(window) == {"F2", "F3", "F6"}  # F5 "Vắng mặt" waits for the third call
    assert panel.buttons["F5"].caption == "sau 3 lần gọi"
    assert [panel.next_table.item(r, 0).text() for r in range(panel.next_table.rowCount())] == [second["number"]]

    key(qtbot, window, Qt.Key.Key_F2, "recall")
    assert (current(window) or {})["call_count"] == 2
    assert "Đã gọi 2 lần" in panel.calls.text()
    key(qtbot, window, Qt.Key.Key_F3, "start")
    assert panel.state_line.text() == "Đang phục vụ"
    assert enabled(window) == {"F1", "F4", "F6"}
    key(qtbot, window, Qt.Key.Key_F4, "finish")
    assert current(window) is None
    assert "Đã hoàn thành số A001" in panel.strip.text()

    admin = {"Authorization": f"Bearer {server.admin_token}"}
    stats = requests.get(f"{server.url}/api/stats/today", headers=admin, timeout=10).json()
    assert set(stats["by_clerk"]) == {"lan"}  # recorded from the session, not from the app
    assert stats["served"] == 1


def test_no_show_by_key_and_after_the_call_limit(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    kiosk = kiosk_token(server)
    issue(server.url, kiosk)
    issue(server.url, kiosk)
    window = app.open(server.url)
    sign_in(qtbot, window)
    key(qtbot, window, Qt.Key.Key_F1)
    assert window.ctl.model.call_count_max == 3  # the centre's rule, from the snapshot
    assert not window.panel.buttons["F5"].isEnabled()  # right after one call: the ticket promised three
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert not window.ctl.busy  # nothing was sent
    with qtbot.waitSignal(window.ctl.action_finished, timeout=WAIT) as refused:
        window.ctl.act("no_show")  # what a stale screen would send: the service says why not
    assert refused.args == ["no_show", False]
    assert "sau 3 lần gọi" in window.panel.strip.text()
    assert (current(window) or {})["number"] == "A001"
    key(qtbot, window, Qt.Key.Key_F2)
    assert not window.panel.buttons["F5"].isEnabled()
    key(qtbot, window, Qt.Key.Key_F2)
    assert window.panel.buttons["F5"].isEnabled()
    assert window.panel.buttons["F5"].caption == ""
    key(qtbot, window, Qt.Key.Key_F5, "no_show")
    assert "Đã ghi số A001 là vắng mặt" in window.panel.strip.text()
    assert current(window) is None
    key(qtbot, window, Qt.Key.Key_F1)
    key(qtbot, window, Qt.Key.Key_F2)
    key(qtbot, window, Qt.Key.Key_F2)
    assert (current(window) or {})["call_count"] == 3
    key(qtbot, window, Qt.Key.Key_F2, "recall")  # a fourth call: the service records a no-show
    assert current(window) is None
    assert window.panel.strip.kind == "warning"
    assert "A002 đủ 3 lần" in window.panel.strip.text()
    assert "vắng mặt" in window.panel.strip.text()
    ticket = requests.get(f"{server.url}/api/tickets/2", headers=admin_auth(server), timeout=10).json()
    assert (ticket["state"], ticket["outcome"]) == ("done", "no_show")


def test_transfer_through_the_dialog(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    issue(server.url, kiosk_token(server))
    window = app.open(server.url)
    sign_in(qtbot, window)
    key(qtbot, window, Qt.Key.Key_F1)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    dialog = window.transfer_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "HT" not in dialog.codes()  # not to the group it is already in
    qtbot.keyClick(window, Qt.Key.Key_F1)  # keys of the panel wait while the dialog is open
    assert not window.ctl.busy
    dialog.select("CT")
    with qtbot.waitSignal(window.ctl.action_finished, timeout=WAIT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert current(window) is None
    assert "Chứng thực" in window.panel.strip.text()
    moved = requests.get(f"{server.url}/api/tickets/1", headers=admin_auth(server), timeout=10).json()
    assert (moved["group"], moved["state"], moved["transfers"]) == ("CT", "waiting", 1)
    qtbot.waitUntil(lambda: window.panel.next_table.rowCount() == 1, timeout=WAIT)


def test_pause_for_back_office_then_resume(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    issue(server.url, kiosk_token(server))
    window = app.open(server.url)
    sign_in(qtbot, window, counter=3)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    dialog = window.pause_dialog
    assert dialog is not None
    with qtbot.waitSignal(window.ctl.action_finished, timeout=WAIT):
        qtbot.mouseClick(dialog.buttons["back_office"], Qt.MouseButton.LeftButton)
    panel = window.panel
    assert panel.pill.text() == "Tạm nghỉ: Xử lý hồ sơ"
    assert enabled(window) == {"F7"}
    assert panel.buttons["F7"].label == "Tiếp tục làm việc"
    counter = next(c for c in queue_of(server)["counters"] if c["id"] == 3)
    assert (counter["status"], counter["reason"]) == ("paused", "back_office")
    key(qtbot, window, Qt.Key.Key_F7, "resume")
    assert panel.pill.text() == "Đang làm việc"
    assert enabled(window) == {"F1", "F7"}


def test_a_refusal_shows_the_services_vietnamese_message(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    window = app.open(server.url)
    sign_in(qtbot, window, counter=2)
    assert not window.panel.buttons["F4"].isEnabled()
    with qtbot.waitSignal(window.ctl.action_finished, timeout=WAIT) as blocker:
        window.ctl.act("finish")  # what a stale screen would send: the service says no
    assert blocker.args == ["finish", False]
    assert window.panel.strip.kind == "error"
    assert window.panel.strip.text() == "Quầy 2 chưa gọi ai nên không thể hoàn thành."


def test_wrong_pin_and_a_director_are_refused_at_sign_in(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    add_user(server, "giamdoc", role="director", secret="lanhdao2026")
    window = app.open(server.url)
    form = window.signin
    qtbot.keyClicks(form.username, "lan")
    qtbot.keyClicks(form.secret, "0000")
    with qtbot.waitSignal(window.ctl.sign_in_failed, timeout=WAIT):
        qtbot.keyClick(form.secret, Qt.Key.Key_Return)
    assert form.error.text() == BAD_CREDENTIALS
    assert not window.on_panel
    form.username.clear()
    qtbot.keyClicks(form.username, "giamdoc")
    qtbot.keyClicks(form.secret, "lanhdao2026")
    with qtbot.waitSignal(window.ctl.sign_in_failed, timeout=WAIT):
        qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert form.error.text() == DIRECTOR_REFUSED
    assert window.ctl.session is None


def test_sign_out_with_ctrl_q_revokes_the_session(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    window = app.open(server.url)
    sign_in(qtbot, window)
    token = window.ctl.sessions.token  # type: ignore[attr-defined]
    me = requests.get(f"{server.url}/api/sessions/current", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.json()["counter"] == 1
    with qtbot.waitSignal(window.ctl.signed_out, timeout=WAIT):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.on_panel
    window.ctl.runner.wait()
    gone = requests.get(f"{server.url}/api/sessions/current", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert gone.status_code == 401


def test_a_session_ended_elsewhere_returns_to_sign_in(qtbot: QtBot, server: ServerProcess, app: App) -> None:
    add_user(server, "lan")
    issue(server.url, kiosk_token(server))
    window = app.open(server.url)
    sign_in(qtbot, window)
    token = window.ctl.sessions.token  # type: ignore[attr-defined]
    ended = requests.delete(f"{server.url}/api/sessions/current", headers={"Authorization": f"Bearer {token}"},
                            timeout=10)  # fmt: skip
    assert ended.status_code == 204
    with qtbot.waitSignal(window.ctl.signed_out, timeout=WAIT) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_F1)
    assert "Vui lòng đăng nhập lại" in blocker.args[0]
    assert not window.on_panel
    assert window.signin.error.text() == blocker.args[0]
    assert queue_of(server)["waiting"][0]["number"] == "A001"  # nothing was called


# --- never frozen, never twice ------------------------------------------------------------------------


def test_the_window_stays_responsive_while_an_action_is_on_its_way(
    qtbot: QtBot, server: ServerProcess, app: App
) -> None:
    add_user(server, "lan")
    issue(server.url, kiosk_token(server))
    window = app.open(server.url)
    sign_in(qtbot, window)
    ctl = window.ctl
    gate = threading.Event()
    threads: list[threading.Thread] = []
    real_call = ctl.client.call_next

    def slow_call(*args: Any, **kw: Any) -> Any:
        threads.append(threading.current_thread())
        assert gate.wait(WAIT / 1000)
        return real_call(*args, **kw)

    ctl.client.call_next = slow_call
    ticks: list[int] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        qtbot.keyClick(window, Qt.Key.Key_F1)
        assert ctl.busy
        assert enabled(window) == set()  # one action at a time: the buttons wait for the answer
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=WAIT)  # the event loop runs while the call waits
        qtbot.keyClick(window, Qt.Key.Key_F1)  # a second press while the first is on its way does nothing
        with qtbot.waitSignal(ctl.action_finished, timeout=WAIT):
            gate.set()
    finally:
        gate.set()
        timer.stop()
    assert threads
    assert threads[0] is not threading.main_thread()
    assert len(threads) == 1
    assert (current(window) or {})["number"] == "A001"


@pytest.fixture
def relay(server: ServerProcess) -> Iterator[FaultRelay]:
    with FaultRelay(server.url, io_timeout=None) as proxy:  # the app's connections may idle as long as it likes
        yield proxy


def test_service_killed_mid_call_then_back_resyncs_and_calls_once(
    qtbot: QtBot, server: ServerProcess, relay: FaultRelay, app: App, tmp_path: Path
) -> None:
    add_user(server, "lan")
    kiosk = kiosk_token(server)
    issue(server.url, kiosk)
    issue(server.url, kiosk)
    window = app.open(relay.url)
    sign_in(qtbot, window)
    ctl = window.ctl
    port = int(server.url.rsplit(":", 1)[1])

    relay.hold(b"/call-next")  # the service will call A001; the answer stays in the relay, then is lost
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(relay.answer_held.is_set, timeout=WAIT)  # the service called A001; the app does not know
    server.kill()
    relay.blocked = True  # the app stays cut off until the test lets it back
    relay.cut()
    relay.release()
    qtbot.waitUntil(lambda: window.banner.isVisible() and ctl.pending is not None and not ctl.busy, timeout=WAIT)
    assert "Mất kết nối" in window.banner.text()
    assert enabled(window) == set()
    assert "tự gửi lại" in window.panel.strip.text()

    again = start_server(tmp_path / "data", port=port)
    try:
        issued_meanwhile = issue(again.url, kiosk)
        relay.blocked = False
        qtbot.waitUntil(lambda: bool(ctl.online) and ctl.pending is None and not ctl.busy, timeout=WAIT)
        assert not window.banner.isVisible()
        assert (current(window) or {})["number"] == "A001"
        assert (current(window) or {})["call_count"] == 1
        waiting = [t["number"] for t in ctl.model.waiting_for(1)]
        assert waiting == ["A002", issued_meanwhile["number"]]
        qtbot.waitUntil(lambda: window.panel.next_table.rowCount() == 2, timeout=WAIT)
        queue = queue_of(again)
        assert [t["number"] for t in queue["waiting"]] == ["A002", "A003"]  # nobody else was called
        assert [c["current"]["number"] for c in queue["counters"] if c["current"]] == ["A001"]
        call_keys = relay.header_values(b"/call-next", "Idempotency-Key")
        assert len(call_keys) >= 2
        assert len(set(call_keys)) == 1  # every send of that press carried the same key
        assert enabled(window) == {"F2", "F3", "F6"}
    finally:
        window.close()
        again.stop()


# --- the model on its own -------------------------------------------------------------------------------


def _ticket(tid: int, state: str, calls: int = 0, counter: int | None = None, **kw: Any) -> dict[str, Any]:
    return {"id": tid, "number": f"A{tid:03d}", "group": "HT", "state": state, "call_count": calls,
            "counter": counter, "transfers": 0, "priority": None, "issued_at": f"2026-11-23T01:0{tid}:00+00:00",
            **kw}  # fmt: skip


def _snapshot(seq: int, *tickets: dict[str, Any]) -> dict[str, Any]:
    counters = [{"id": 1, "name": "Quầy 1", "groups": {"HT": 1}, "status": "open", "reason": None, "current": None}]
    waiting = [t for t in tickets if t["state"] == "waiting"]
    for t in tickets:
        if t["state"] in ("called", "serving"):
            counters[0]["current"] = t
    return {"seq": seq, "day": "2026-11-23", "groups": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
            "counters": counters, "waiting": waiting}  # fmt: skip


def test_the_model_never_goes_back() -> None:
    model = QueueModel()
    assert model.load(_snapshot(5, _ticket(1, "waiting"), _ticket(2, "waiting")))
    covered = {"seq": 5, "kind": "ticket.called", "payload": {"ticket": _ticket(1, "called", 1, 1)}}
    assert not model.apply_event(covered).fresh
    model.apply_ticket(_ticket(1, "serving", 1, 1))  # our own action's answer, before its event arrives
    late = {"seq": 6, "kind": "ticket.called", "payload": {"ticket": _ticket(1, "called", 1, 1)},
            "at": "2026-11-23T01:10:00+00:00"}  # fmt: skip
    assert model.apply_event(late).fresh
    assert (model.current(1) or {})["state"] == "serving"
    assert not model.load(_snapshot(4))  # an HTTP snapshot older than the stream is refused
    model.apply_event({"seq": 7, "kind": "counter.paused", "payload": {"counter": 1, "status": "paused",
                                                                       "reason": "break"}})  # fmt: skip
    acts = available(model, 1, online=True, busy=False)
    assert {name for name, on in acts.items() if on} == {"resume"}
    assert not any(available(model, 1, online=False, busy=False).values())


def test_transfer_outranks_an_older_call() -> None:
    model = QueueModel()
    model.load(_snapshot(1, _ticket(1, "called", 3, 1)))
    moved = _ticket(1, "waiting", 0, None, transfers=1, group="CT")
    assert model.apply_ticket(moved)
    assert not model.apply_ticket(_ticket(1, "called", 3, 1))
    assert model.current(1) is None


def test_no_show_waits_for_the_centres_rule_and_groups_keep_their_order() -> None:
    model = QueueModel()
    snapshot = {**_snapshot(1, _ticket(1, "called", 1, 1), _ticket(2, "waiting")), "policy": {"call_count_max": 2}}
    snapshot["groups"] = [{"code": "CT", "name": "Chứng thực", "prefix": "B"},
                          {"code": "HT", "name": "Hộ tịch", "prefix": "A"},
                          {"code": "DD", "name": "Đất đai", "prefix": "D"}]  # fmt: skip
    snapshot["counters"][0]["groups"] = {"HT": 2, "DD": 1, "CT": 2}
    assert model.load(snapshot)
    assert model.call_count_max == 2
    assert not available(model, 1, online=True, busy=False)["no_show"]  # one call of two
    model.apply_ticket(_ticket(1, "called", 2, 1))
    assert available(model, 1, online=True, busy=False)["no_show"]
    order = [(g["code"], g["own"]) for g in model.my_groups(1)]
    assert order == [("DD", True), ("CT", False), ("HT", False)]  # own first, then the centre's order
    model.apply_ticket(_ticket(3, "waiting", group="CT"))
    assert [g["code"] for g in model.my_groups(1)] == ["DD", "CT", "HT"]  # counts change, the order does not
    older = QueueModel()
    assert older.load(_snapshot(1, _ticket(1, "called", 1, 1)))  # a service without the rule in its snapshot
    assert older.call_count_max is None
    assert available(older, 1, online=True, busy=False)["no_show"]  # the service decides


def admin_auth(server: ServerProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.admin_token}"}
