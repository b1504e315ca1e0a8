"""`--screenshot DIR`: the hall display offscreen with demo data, landscape and portrait.

For each orientation: `idle` (just started: nobody called since), `normal` (a call, after its blink),
`called` (a call a moment ago, in the blink's highlighted phase) and `offline` (badge up, board dimmed).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer

from app.display.announcer import NullAudioSink
from app.qtbridge.apps import settle

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def wait_until(condition: Callable[[], bool], signals: list[Any], timeout_ms: int = 10_000) -> bool:
    """Run the event loop until ``condition()`` holds, re-checking whenever one of ``signals`` fires."""
    deadline = QTimer(singleShot=True, interval=timeout_ms)
    while not condition():
        loop = QEventLoop()
        for signal in signals:
            signal.connect(loop.quit)
        deadline.timeout.connect(loop.quit)
        if not deadline.isActive():
            deadline.start()
        loop.exec()
        for signal in signals:
            signal.disconnect(loop.quit)
        if not deadline.isActive():
            return condition()
    return True


def take_screenshots(out: Path, *, voice: Path | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for orientation, size in SIZES.items():
        saved += _orientation(out, orientation, size, voice)
    return saved


def _orientation(out: Path, orientation: str, size: tuple[int, int], voice: Path | None) -> list[Path]:
    from app.client.fake import FakeEventStream, demo_fake
    from app.display.app import build
    from app.qtbridge.events import EventBridge

    fake = demo_fake()
    streams: list[FakeEventStream] = []

    def stream_factory(bridge: EventBridge) -> FakeEventStream:
        streams.append(FakeEventStream(fake, **bridge.callbacks()))
        return streams[-1]

    args = argparse.Namespace(voice=voice, digits=False, mute=True)
    window = build(args, fake, sink=NullAudioSink(), stream_factory=stream_factory, blink_ms=200)
    ctl = window.ctl
    saved: list[Path] = []

    def shot(name: str) -> None:
        window.ticker.restart()  # the notice's first letter at the left edge
        settle()
        path = out / f"display-{orientation}-{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    try:
        window.resize(*size)
        window.show()
        ctl.start()
        wait_until(lambda: ctl.state.loaded and bool(ctl.notice and ctl.centre_name),
                   [ctl.changed, ctl.notice_changed, ctl.centre_changed])  # fmt: skip
        shot("idle")
        stream = streams[0]
        fake.call_next(4)  # counter 4 opens and calls
        stream.pump()
        wait_until(lambda: window.hero.call is not None and not window.blinking, [window.blink_finished, ctl.called])
        wait_until(lambda: ctl.state.counter_views()[3].value != "—", [ctl.changed])
        shot("normal")
        number = str((fake.call_next(2) or {}).get("number"))  # counter 2 finishes its citizen, calls the next
        stream.pump()
        wait_until(lambda: window.hero.number_text == number, [ctl.called])
        shot("called")  # the blink's first, highlighted phase
        wait_until(lambda: not window.blinking, [window.blink_finished])
        fake.set_unavailable(True)
        stream.pump()
        wait_until(lambda: window.offline, [ctl.connection_changed])
        shot("offline")
    finally:
        window.close()
        settle()
        fake.close()
    return saved
