"""A citizen's number through the whole hall: the kiosk issues, a counter calls, the TV shows and says it.

Real `serve` subprocess, real HTTP clients with device tokens, the real display window offscreen with its
real `EventStream`; only the loudspeaker is a `NullAudioSink`. Then the service dies (SIGKILL) and comes
back on the same data folder and port: the display goes offline and online by itself, and a call made
right after the restart is shown and announced once, with no replay of the earlier call.
Latencies are printed, never asserted (DESIGN.md §7: tests never assert wall-clock times).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client.events import EventStream
from app.client.queue_client import QueueClient
from app.display.announcer import Announcer, NullAudioSink
from app.display.chime import with_chime
from app.display.controller import DisplayController
from app.display.voice import default_pack_dir, load_pack
from app.display.window import DisplayWindow
from app.qtbridge.events import EventBridge
from app.qtbridge.fonts import install_fonts
from app.service.launcher import ServerProcess, start_server


def device_token(server: ServerProcess, role: str, name: str, counter: int | None = None) -> str:
    r = requests.post(
        f"{server.url}/api/devices", json={"name": name, "role": role, "counter": counter},
        headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10,
    )  # fmt: skip
    r.raise_for_status()
    return str(r.json()["token"])


@dataclass
class Display:
    window: DisplayWindow
    announcer: Announcer
    client: QueueClient
    shown: list[tuple[str, float]] = field(default_factory=list)
    spoken: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def ctl(self) -> DisplayController:
        return self.window.ctl


@pytest.fixture
def display(qtbot: QtBot, server: ServerProcess) -> Iterator[Display]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_fonts(app)
    client = QueueClient(server.url, timeout=2.0, attempts=1)  # a display reads without a token
    announcer = Announcer(NullAudioSink(), with_chime(load_pack(default_pack_dir())), pause_ms=0)

    def stream(bridge: EventBridge) -> EventStream:
        return EventStream(server.url, reconnect_delay=(0.05, 0.5), open_timeout=2.0, **bridge.callbacks())

    ctl = DisplayController(client, stream_factory=stream, announcer=announcer)
    window = DisplayWindow(ctl, blink_ms=20)
    announcer.setParent(ctl)
    ctl.setParent(window)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    d = Display(window, announcer, client)
    window.number_shown.connect(lambda number, at: d.shown.append((number, at)))
    announcer.started.connect(lambda number, counter, _text: d.spoken.append((number, counter, time.monotonic())))
    with qtbot.waitSignal(ctl.changed, timeout=15_000):
        ctl.start()
    yield d
    window.close()
    QApplication.processEvents()
    client.close()


def test_kiosk_issues_counter_calls_display_shows_and_announces_across_a_restart(
    qtbot: QtBot, server: ServerProcess, display: Display
) -> None:
    kiosk = QueueClient(server.url, device_token(server, "kiosk", "Kiosk sảnh"))
    counter = QueueClient(server.url, device_token(server, "counter", "Quầy 1", counter=1))
    counter2 = QueueClient(server.url, device_token(server, "counter", "Quầy 2", counter=2))  # each PC its counter
    restarted: ServerProcess | None = None
    try:
        first = kiosk.issue("HT")
        second = kiosk.issue("HT")
        assert (first["number"], second["number"]) == ("A001", "A002")

        sent = time.monotonic()
        with qtbot.waitSignals([display.window.number_shown, display.announcer.started], timeout=5000):
            called = counter.call_next(1)
        assert called is not None
        assert called["number"] == "A001"
        hero = display.window.hero
        assert (hero.number_text, hero.counter_text) == ("A001", "đến quầy 1")
        ((number, shown_at),) = display.shown
        ((spoken_number, spoken_counter, spoken_at),) = display.spoken
        assert (number, spoken_number, spoken_counter) == ("A001", "A001", "Quầy 1")
        assert sent < shown_at <= spoken_at  # shown after the call, and before (or as) the voice starts
        print(f"call → display {1000 * (shown_at - sent):.1f} ms, → voice {1000 * (spoken_at - sent):.1f} ms")

        # The service dies as when the power goes, and comes back on the same folder and port.
        port = urlsplit(server.url).port
        assert port is not None
        with qtbot.waitSignal(display.ctl.connection_changed, timeout=10_000) as down:
            server.kill()
        assert down.args == [False]
        assert display.window.badge.isVisible()
        assert display.window.offline
        with qtbot.waitSignal(display.ctl.connection_changed, timeout=30_000) as up:
            restarted = start_server(server.data, port=port)
        assert up.args == [True]
        assert not display.window.badge.isVisible()

        sent = time.monotonic()
        with qtbot.waitSignals([display.window.number_shown, display.announcer.started], timeout=5000):
            again = counter2.call_next(2)
        assert again is not None
        assert again["number"] == "A002"
        assert display.window.hero.number_text == "A002"
        assert display.window.hero.counter_text == "đến quầy 2"
        print(f"after restart: call → display {1000 * (display.shown[-1][1] - sent):.1f} ms")

        # Everything the service has is delivered, the voice has gone quiet: nothing more is coming.
        seq = counter.queue()["seq"]
        stream = display.ctl.stream
        assert stream is not None
        qtbot.waitUntil(lambda: stream.last_seq == seq and not display.announcer.busy, timeout=5000)
        assert [n for n, _ in display.shown] == ["A001", "A002"]
        assert [(n, c) for n, c, _ in display.spoken] == [("A001", "Quầy 1"), ("A002", "Quầy 2")]
    finally:
        kiosk.close()
        counter.close()
        counter2.close()
        if restarted is not None:
            restarted.stop()
