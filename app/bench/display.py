"""`python -m app bench display`: how fast a call reaches the hall display's screen and its loudspeaker.

The centre service runs as a subprocess on loopback; the real display window runs in this process
offscreen (its own `EventStream`, `QueueClient` and announcer, a `NullAudioSink` that finishes at once). A
client thread, like a counter app, issues a ticket and calls it at a steady pace, rotating over the
counters. Measured per call, from just before the call-next HTTP request:

- call_to_display_ms: until the display's slot that sets the big number has set it (`number_shown`);
- call_to_audio_start_ms: until the announcer asked the sink to play (the chime starts the sentence).

The pace (default one call every 400 ms) is slower than the announcer's pause between two sentences
(300 ms), so the audio figure is the path to the speaker, not time spent queueing behind earlier calls.
The last line printed is one JSON object. Target (DESIGN.md §7): event → display p95 ≤ 100 ms.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.bench.queue import p95
from app.service.launcher import start_server


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def run_display_bench(calls: int = 100, interval_ms: int = 400, timeout_s: float = 120) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.client.queue_client import QueueClient
    from app.display.announcer import Announcer, NullAudioSink
    from app.display.chime import with_chime
    from app.display.controller import DisplayController
    from app.display.voice import default_pack_dir, load_pack
    from app.display.window import DisplayWindow
    from app.qtbridge.fonts import install_fonts

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    install_fonts(app)

    class TimedSink(NullAudioSink):
        """Finishes at once; remembers when each play started."""

        def __init__(self) -> None:
            super().__init__()
            self.last_play = 0.0

        def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None:
            self.last_play = time.monotonic()
            super().play(pcm, sample_rate, on_finished)

    with tempfile.TemporaryDirectory(prefix="motcua-bench-display-") as tmp:
        server = start_server(Path(tmp) / "data")
        display_client = QueueClient(server.url)
        counter_client = QueueClient(server.url, server.admin_token)
        sink = TimedSink()
        announcer = Announcer(sink, with_chime(load_pack(default_pack_dir())))
        controller = DisplayController(display_client, announcer=announcer)
        window = DisplayWindow(controller)
        window.resize(1920, 1080)
        window.show()
        sent: dict[str, float] = {}
        shown: dict[str, float] = {}
        audio: dict[str, float] = {}
        failures: list[str] = []
        done = threading.Event()
        window.number_shown.connect(lambda number, at: shown.setdefault(number, at))
        announcer.started.connect(lambda number, _counter, _text: audio.setdefault(number, sink.last_play))
        try:
            loop = QEventLoop()
            controller.changed.connect(loop.quit)  # the first snapshot
            QTimer.singleShot(30_000, loop.quit)
            controller.start()
            loop.exec()
            controller.changed.disconnect(loop.quit)
            if not controller.state.loaded:
                print("Lỗi: màn hình sảnh không kết nối được dịch vụ trung tâm.", file=sys.stderr)
                return 1
            queue = controller.state.snapshot()
            counters = [c["id"] for c in queue["counters"]]
            group = queue["groups"][0]["code"]

            def drive() -> None:
                start = time.monotonic()
                try:
                    for i in range(calls):
                        counter = counters[i % len(counters)]
                        counter_client.issue(group)
                        t0 = time.monotonic()
                        ticket = counter_client.call_next(counter)
                        if ticket is None:
                            failures.append(f"call {i}: nobody waiting")
                            continue
                        sent[ticket["number"]] = t0
                        counter_client.start(counter)  # so the next call at this counter may go ahead
                        pause = start + (i + 1) * interval_ms / 1000 - time.monotonic()
                        if pause > 0:
                            time.sleep(pause)
                except Exception as exc:
                    failures.append(repr(exc))
                finally:
                    done.set()

            driver = threading.Thread(target=drive, name="bench-counter", daemon=True)
            driver.start()
            deadline = time.monotonic() + timeout_s
            wait = QEventLoop()
            poll = QTimer(interval=20)
            poll.timeout.connect(
                lambda: (
                    wait.quit()
                    if (done.is_set() and set(sent) <= set(shown) and set(sent) <= set(audio))
                    or time.monotonic() > deadline
                    else None
                )
            )
            poll.start()
            wait.exec()
            poll.stop()
            driver.join(5)
        finally:
            window.close()
            display_client.close()
            counter_client.close()
            server.stop()

    display_ms = [(shown[n] - t) * 1000 for n, t in sent.items() if n in shown]
    audio_ms = [(audio[n] - t) * 1000 for n, t in sent.items() if n in audio]
    result: dict[str, Any] = {
        "calls": len(sent),
        "shown": len(display_ms),
        "announced": len(audio_ms),
        "interval_ms": interval_ms,
        "call_to_display_ms_p50": _percentile(display_ms, 0.5),
        "call_to_display_ms_p95": p95(display_ms),
        "call_to_display_ms_max": round(max(display_ms), 2) if display_ms else 0.0,
        "call_to_audio_start_ms_p50": _percentile(audio_ms, 0.5),
        "call_to_audio_start_ms_p95": p95(audio_ms),
        "call_to_audio_start_ms_max": round(max(audio_ms), 2) if audio_ms else 0.0,
    }
    for failure in failures:
        print(f"lỗi: {failure}", file=sys.stderr)
    print(f"{len(sent)} calls, one every {interval_ms} ms; display shown {len(display_ms)}, announced {len(audio_ms)}")
    print(json.dumps(result))
    return 0 if not failures and len(display_ms) == len(sent) == calls else 1
