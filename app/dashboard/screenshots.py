"""`--screenshot DIR [--size WxH]`: every tab of the dashboard offscreen on the demo centre (app/client/dashboard_demo
.py), at exactly that window size (without --size: 1366×768 and 1920×1080). `tour()` is also what the tests walk.

The screens: `live` (this morning at 10:40), `history` (the last 7 days), `history-month` (two weeks and more:
the heat-map full), `settings` (groups and counters), `settings-priorities`, `settings-calendar` (the holiday
override table), `settings-refused` (a daily cap below what was issued today and a window that ends
before it starts, refused in red), `settings-saved` (the wait target changed, its audit line on top).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer

from app.qtbridge.apps import save_tour, settle

DEFAULT_SIZES = ((1366, 768), (1920, 1080))


def wait_until(condition: Callable[[], bool], signals: list[Any], timeout_ms: int = 20_000) -> bool:
    """Run the event loop until `condition()` holds, checking again whenever one of `signals` fires (and every 50 ms:
    answers from worker threads arrive as queued signals)."""
    deadline = QTimer(singleShot=True, interval=timeout_ms)
    deadline.start()
    while not condition():
        if not deadline.isActive():
            return condition()
        loop = QEventLoop()
        for signal in signals:
            signal.connect(loop.quit)
        QTimer.singleShot(50, loop.quit)
        loop.exec()
        for signal in signals:
            signal.disconnect(loop.quit)
    return True


def tour(window: Any) -> Iterator[str]:
    """Walk the window (on the demo fake, its controller started) through every screen; yields each one's name."""
    ctl = window.ctl
    wait_until(lambda: ctl.hall.loaded and ctl.figures is not None and bool(ctl.centre_name) and not ctl.busy(),
               [ctl.hall_changed, ctl.figures_changed, ctl.centre_changed])  # fmt: skip
    window.live.show_hall()
    yield "live"
    window.show_tab("history")
    wait_until(lambda: ctl.history is not None and not ctl.busy(), [ctl.history_ready, ctl.history_failed])
    yield "history"
    window.history.pick(29, load=False)
    before = ctl.history
    window.history.load()
    wait_until(lambda: ctl.history is not before and not ctl.busy(), [ctl.history_ready, ctl.history_failed])
    yield "history-month"
    window.show_tab("settings")
    wait_until(lambda: ctl.settings is not None and window.settings.audit.rowCount() >= 0 and not ctl.busy(),
               [ctl.settings_ready, ctl.audit_ready])  # fmt: skip
    yield "settings"
    tab = window.settings
    tab.pages.setCurrentIndex(1)
    yield "settings-priorities"
    tab.pages.setCurrentIndex(2)
    yield "settings-calendar"
    tab.pages.setCurrentIndex(0)
    tab.cap_box(0).setValue(3)
    tab.window_edit(1).setText("11:00–07:30")
    tab.submit()
    wait_until(lambda: tab.message.objectName() == "error", [ctl.settings_failed])
    yield "settings-refused"
    tab.show_settings(tab.loaded)
    tab.target.setValue(20)
    tab.window_edit(2).setText("07:30–11:00, 13:30–16:00")
    tab.submit()
    wait_until(lambda: tab.message.objectName() == "ok" and tab.audit.rowCount() > 0 and not ctl.busy(),
               [ctl.settings_saved, ctl.audit_ready])  # fmt: skip
    yield "settings-saved"


def open_demo(size: tuple[int, int]) -> tuple[Any, Any]:
    """A dashboard window on the demo centre at exactly `size`: (window, fake)."""
    from app.client.dashboard_demo import dashboard_demo
    from app.client.fake import FakeEventStream
    from app.dashboard.app import build
    from app.qtbridge.events import EventBridge

    fake = dashboard_demo()

    def stream_factory(bridge: EventBridge) -> FakeEventStream:
        return FakeEventStream(fake, **bridge.callbacks(), auto=True)

    window = build(fake, stream_factory=stream_factory)
    window.setFixedSize(*size)
    window.show()
    window.ctl.start()
    return window, fake


def take_screenshots(out: Path, *, sizes: tuple[tuple[int, int], ...] = DEFAULT_SIZES) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for w, h in sizes:
        window, fake = open_demo((w, h))
        try:
            saved += save_tour(window, tour(window), out, "dashboard", (w, h))
        finally:
            window.close()
            settle()
            fake.close()
    return saved
