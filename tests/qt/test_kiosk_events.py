"""The kiosk keeps its picture of the hall from the event stream, polling only while the stream is down."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pytestqt.qtbot import QtBot

from app.client.fake import FakeQueueClient
from app.client.queue_client import QueueClient
from app.paths import default_catalog_path
from app.qtbridge.events import EventBridge
from app.service.launcher import ServerProcess
from app.store.catalog_file import load_catalog_file
from kiosk.controller import KioskController

CATALOG = load_catalog_file(default_catalog_path())
NEVER = 3_600_000  # ms: no poll and no resync during a test


def waiting(ctl: KioskController, code: str) -> int:
    return int((ctl.group(code) or {}).get("waiting", -1))


class DeadStream:
    """A stream whose socket never opens (a proxy that drops WebSockets): it only says so."""

    def __init__(self, bridge: EventBridge) -> None:
        self.bridge = bridge

    @property
    def connected(self) -> bool:
        return False

    @property
    def last_seq(self) -> int | None:
        return None

    def start(self) -> None:
        self.bridge.on_connection(False)

    def stop(self, timeout: float = 1.0) -> None:
        pass

    def reconnect(self) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    with FakeQueueClient() as client:
        yield client


def started(qtbot: QtBot, ctl: KioskController) -> KioskController:
    with qtbot.waitSignal(ctl.snapshot_changed, timeout=10_000):
        ctl.start()
    return ctl


def test_a_ticket_issued_elsewhere_reaches_the_kiosk_by_event(qtbot: QtBot, fake: FakeQueueClient) -> None:
    ctl = started(qtbot, KioskController(fake, CATALOG, None, poll_ms=NEVER, resync_ms=NEVER))
    try:
        qtbot.waitUntil(lambda: ctl.stream_up, timeout=5_000)
        assert waiting(ctl, "HT") == 0
        fake.issue("HT")  # at the counter, say
        fake.issue("HT")
        qtbot.waitUntil(lambda: waiting(ctl, "HT") == 2, timeout=5_000)
        fake.call_next(1)
        qtbot.waitUntil(lambda: waiting(ctl, "HT") == 1, timeout=5_000)
        counter = next(c for c in ctl.snapshot["counters"] if c["id"] == 1)
        assert counter["current"]["number"] == "A001"
        assert ctl.counters_for("HT")  # the snapshot's shape is kept for the screens
        assert ctl.timer.interval() == NEVER
    finally:
        ctl.stop()


def test_without_the_stream_the_kiosk_polls(qtbot: QtBot, fake: FakeQueueClient) -> None:
    ctl = KioskController(fake, CATALOG, None, poll_ms=100, resync_ms=NEVER, stream_factory=DeadStream)
    started(qtbot, ctl)
    try:
        qtbot.waitUntil(lambda: ctl.stream is not None and not ctl.stream_up, timeout=5_000)
        assert ctl.online is True  # HTTP answers: tickets can still be issued
        assert ctl.timer.interval() == 100
        fake.issue("CT")
        qtbot.waitUntil(lambda: waiting(ctl, "CT") == 1, timeout=5_000)
    finally:
        ctl.stop()


def test_the_real_event_stream_feeds_the_kiosk(qtbot: QtBot, server: ServerProcess) -> None:
    client = QueueClient(server.url, server.admin_token)
    ctl = started(qtbot, KioskController(client, CATALOG, None, poll_ms=NEVER, resync_ms=NEVER))
    try:
        qtbot.waitUntil(lambda: ctl.stream_up, timeout=10_000)
        auth: dict[str, Any] = {"Authorization": f"Bearer {server.admin_token}"}
        r = requests.post(f"{server.url}/api/tickets", json={"group": "CT"}, headers=auth, timeout=10)
        r.raise_for_status()
        qtbot.waitUntil(lambda: waiting(ctl, "CT") == 1, timeout=10_000)
    finally:
        ctl.stop()
        client.close()


def test_groups_the_director_changes_reach_the_kiosk_with_their_procedures(qtbot: QtBot, fake: FakeQueueClient) -> None:
    from kiosk.window import KioskWindow

    ctl = started(qtbot, KioskController(fake, CATALOG, None, poll_ms=NEVER, resync_ms=NEVER))
    window = KioskWindow(ctl)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: ctl.stream_up, timeout=5_000)
        assert ctl.group("GN") is not None
        counters = {str(c["id"]): c["groups"] for c in fake.settings()["counters"]}
        fake.change_settings(
            {
                "groups": {
                    "TP": {"name": "Tư pháp", "prefix": "T", "fields": ["HT", "CT"]},
                    "GN": None,
                    "KD": {"prefix": "Z"},
                },
                "counters": {"1": {**{k: v for k, v in counters["1"].items() if k != "GN"}, "TP": 1}},
            }
        )
        qtbot.waitUntil(lambda: ctl.group("TP") is not None, timeout=5_000)  # centre.changed: the kiosk resyncs
        assert ctl.group("GN") is None
        assert (ctl.group("KD") or {}).get("prefix") == "Z"
        window.group_chosen("TP")
        shown = window.procedures.procedures()
        assert {p.field for p in shown} == {"HT", "CT"}
        assert len(shown) == len([p for p in CATALOG.procedures if p.field in ("HT", "CT")])
        assert window.stack.currentWidget() is window.procedures
        assert fake.issue("TP")["number"] == "T001"
    finally:
        ctl.stop()
