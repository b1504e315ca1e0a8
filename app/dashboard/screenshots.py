"""`--screenshot DIR [--size WxH]`: every tab of the dashboard offscreen on the demo centre (app/client/dashboard_demo
.py), at exactly that window size (without --size: 1366×768 and 1920×1080). `tour()` is also what the tests walk.

The screens: `live` (this morning at 10:40), `history` (the last 7 days), `history-month` (two weeks and more:
the heat-map full), `settings` (groups and counters), `settings-priorities`, `settings-calendar` (the holiday
override table), `settings-refused` (a daily cap below what was issued today and a window that ends
before it starts, refused in red), `settings-saved` (the wait target changed, its audit line on top),
`settings-groups` (a new group with its letter, range and fields, a letter changed, a group ticked for removal),
`settings-groups-refused` (removing a group that has citizens waiting, refused on its row), `devices` (the paired
PCs, one unpaired), `history-exporting` (the
busy bar while the PDF is written; the writer is held until the grab), `history-exported` (its result line),
`session-expired` (the sign-in prompt over the window) and `session-later` (the banner after "Để sau").
"""

from __future__ import annotations

import tempfile
import threading
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
    yield from _group_screens(window)
    yield from _device_screens(window)
    yield from _export_screens(window)
    yield from _session_screens(window)


def _group_screens(window: Any) -> Iterator[str]:
    ctl, tab = window.ctl, window.settings
    tab.revert()  # the saved line of the screen before goes
    codes = [g["code"] for g in tab.loaded["groups"]]
    code, name = tab.add_group()
    code.setText("TP")
    name.setText("Tư pháp – hộ tịch có yếu tố nước ngoài")
    row = tab.groups.rowCount() - 1
    tab.prefix_edit(row).setText("T")
    tab.range_edit(row).setText("1–300")
    tab.fields_picker(row).set_chosen(["HT", "CT"])
    tab.prefix_edit(codes.index("KD")).setText("Z")
    tab.group_drop(codes.index("GN")).setChecked(True)
    tab.groups.scrollToBottom()
    yield "settings-groups"
    tab.revert()
    tab.group_drop(codes.index("HT")).setChecked(True)
    tab.submit()
    wait_until(lambda: tab.message.objectName() == "error", [ctl.settings_failed])
    yield "settings-groups-refused"
    tab.revert()


def _device_screens(window: Any) -> Iterator[str]:
    window.show_tab("devices")
    tab = window.devices
    wait_until(lambda: bool(tab.rows), [])  # loaded on a worker when the tab is first shown
    yield "devices"


def _export_screens(window: Any) -> Iterator[str]:
    history = window.history
    window.show_tab("history")
    gate = threading.Event()
    write = history.write

    def held(*args: Any) -> Any:
        gate.wait(30)  # the worker waits for the grab of the busy screen, never the GUI
        return write(*args)

    history.write = held
    with tempfile.TemporaryDirectory(prefix="motcua-shot-") as folder:
        history.export_to(Path(folder) / "bao-cao-thang-11.pdf")
        yield "history-exporting"
        gate.set()
        wait_until(lambda: not history.exporting, [history.exported])
        text = history.status.text()
        history.status.setText(text.replace(folder, "~/Tài liệu"))  # the grab shows a folder a director knows
        yield "history-exported"
    history.write = write


def _session_screens(window: Any) -> Iterator[str]:
    ctl, prompt = window.ctl, window.session
    window.show_tab("live")
    ctl.expire()  # as a 401 would: the demo's fake cannot sign anyone in, so the prompt is asked for directly
    prompt.username = "giamdoc"
    prompt.ask()
    yield "session-expired"
    if prompt.dialog is not None:
        prompt.dialog.reject()
    yield "session-later"
    ctl.resume()


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
