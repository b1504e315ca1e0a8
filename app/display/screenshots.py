"""`--screenshot DIR [--size WxH]`: the hall display offscreen with demo data, at exactly that window size
(without --size: 1920×1080 and 1080×1920). `tour()` is also what the layout test walks through.

The screens: `idle` (just started: nobody called since), `normal` (after a few calls, the last one's blink
over: the earlier calls under the counters), `called` (a call a moment ago, in the blink's highlighted phase),
`recall` ("Mời lại số", after its blink) and `offline` (badge up, everything dimmed).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer

from app.display.announcer import NullAudioSink
from app.display.texts import RECALL_LABEL
from app.qtbridge.apps import save_tour, settle

DEFAULT_SIZES = ((1920, 1080), (1080, 1920))


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


def tour(window: Any, fake: Any, stream: Any) -> Iterator[str]:
    """Walk the display (a DisplayWindow on ``fake``, its events delivered by ``stream.pump()``) through every
    screen; yields each one's name once it is shown."""
    ctl = window.ctl
    wait_until(lambda: ctl.state.loaded and bool(ctl.notice and ctl.centre_name),
               [ctl.changed, ctl.notice_changed, ctl.centre_changed])  # fmt: skip
    yield "idle"

    def call(counter: int) -> str:
        """The counter finishes (or starts) with its citizen and calls the next; the new number is on show."""
        row: dict[str, Any] = next((c for c in fake.queue()["counters"] if c["id"] == counter), {})
        current = row.get("current")
        if current and current["state"] == "called":
            fake.start(counter)
        number = str((fake.call_next(counter) or {}).get("number"))
        stream.pump()
        wait_until(lambda: window.hero.number_text == number, [ctl.called])
        return number

    for counter in (4, 2, 4):
        call(counter)
        wait_until(lambda: not window.blinking, [window.blink_finished])
    wait_until(lambda: len(window.recent.calls) >= 2, [ctl.changed, ctl.called])
    yield "normal"
    call(2)
    yield "called"  # the blink's first, highlighted phase
    wait_until(lambda: not window.blinking, [window.blink_finished])
    fake.recall(2)
    stream.pump()
    wait_until(lambda: window.hero.label_text == RECALL_LABEL and not window.blinking,
               [ctl.called, window.blink_finished])  # fmt: skip
    yield "recall"
    fake.set_unavailable(True)
    stream.pump()
    wait_until(lambda: window.offline, [ctl.connection_changed])
    yield "offline"
    fake.set_unavailable(False)


def open_demo(size: tuple[int, int], voice: Path | None = None, *, blink_ms: int = 200) -> tuple[Any, Any, list[Any]]:
    """A display window on the demo hall at exactly ``size``: (window, fake, its event streams)."""
    from app.client.fake import FakeEventStream, demo_fake
    from app.display.app import build
    from app.qtbridge.events import EventBridge

    fake = demo_fake()
    streams: list[FakeEventStream] = []

    def stream_factory(bridge: EventBridge) -> FakeEventStream:
        streams.append(FakeEventStream(fake, **bridge.callbacks()))
        return streams[-1]

    args = argparse.Namespace(voice=voice, digits=False, mute=True)
    window = build(args, fake, sink=NullAudioSink(), stream_factory=stream_factory, blink_ms=blink_ms)
    window.setFixedSize(*size)  # exactly this size: nothing on screen may grow the window
    window.show()
    window.ctl.start()
    return window, fake, streams


def take_screenshots(out: Path, *, voice: Path | None = None,
                     sizes: tuple[tuple[int, int], ...] = DEFAULT_SIZES) -> list[Path]:  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for w, h in sizes:
        window, fake, streams = open_demo((w, h), voice)
        try:
            # the notice's first letter at the left edge in every shot
            saved += save_tour(window, tour(window, fake, streams[0]), out, "display", (w, h), window.ticker.restart)
        finally:
            window.close()
            settle()
            fake.close()
    return saved
