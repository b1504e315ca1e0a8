"""`--screenshot DIR [--size WxH]`: every main screen rendered offscreen with the demo hall, at exactly that window
size (without --size: 1366×768 and 1920×1080). `tour()` (the queue screens) is also what the layout test walks.

The demo hall is the in-process fake; signing in goes through the stub in `counter.demo`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QWidget

from app.qtbridge.apps import parse_size, settle, wait_for
from counter.window import CounterWindow

DEFAULT_SIZE = "1366x768"  # the app's --size default: --screenshot without --size takes both laptop sizes
DEFAULT_SIZES = ((1366, 768), (1920, 1080))
DEMO_COUNTER = 4  # closed and idle in the demo hall: the screens go from calling to a break


def with_dialog(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window dimmed with the dialog centred on it, as the clerk sees a window-modal dialog."""
    shot = window.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(10, 37, 64, 110))
    inner = dialog.grab()
    painter.drawPixmap(QPoint((shot.width() - inner.width()) // 2, (shot.height() - inner.height()) // 2), inner)
    painter.end()
    return shot


SAMPLE_CCCD = (
    "034186012345|151234567|Nguyễn Thị Ánh Tuyết|05031986|Nữ|"
    "Thôn Phú Xuân, xã Đông Hưng, tỉnh Hưng Yên|20042021"
)  # fictional


def dossier_screens(window: CounterWindow, shot: Any) -> None:
    """Reception empty, with errors, filled from a CCCD scan, saved; the dossier list; a return dialog."""
    pages = window.dossier_pages
    assert pages is not None
    ctl = pages.ctl
    act("call_next", window.ctl)
    window.open_dossiers("new")
    shot("reception-empty")
    pages.reception.submit("receive")
    shot("reception-errors")
    pages.scanned(SAMPLE_CCCD)
    pages.reception.search.setText("khai sinh")
    pages.reception.choose("1.001193")
    shot("reception-filled")
    with_signal(ctl.saved, lambda: pages.reception.submit("receive"))
    wait_for(ctl.listed, 5_000)
    shot("dossiers-saved")
    code = pages.list.dossiers[0].code
    pages.list.ask("return")
    dialog = pages.list.findChild(QDialog, "textDialog")
    assert dialog is not None
    shot("dossier-return", with_dialog(window, dialog))
    dialog.reject()
    pages.scanned(code)
    wait_for(ctl.listed, 5_000)
    scan_screens(pages, shot)
    window.back_to_panel()
    act("finish", window.ctl)


def scan_screens(pages: Any, shot: Any) -> None:
    """Digitising the saved dossier from a (fake, loopback) network scanner's feeder: four pages."""
    from app.devices.scanners.escl_fake import FakeEsclServer

    scan = pages.scan
    with FakeEsclServer(pages=4) as scanner:
        uri = f"escl:{scanner.url}"
        scan.sources.insert(0, (uri, "Máy quét mạng (eSCL) — máy giả lập"))
        scan.screen.set_sources(scan.sources, uri)
        dossier = pages.list.selected()
        scan.open(dossier)
        shot("scan-empty")
        scan.screen.feed.setCurrentIndex(scan.screen.feed.findData("feeder"))
        scan.scan()
        assert scan.worker is not None
        wait_for(scan.worker.finished, 60_000)
        settle()
        scan.screen.pages.setCurrentRow(1)
        settle()
        shot("scan-pages")
        if pages.ctl.desk.signing is not None:  # with a key the screen stays open for signing
            with_signal(scan.saved, scan.save)
            settle()
            shot("scan-saved-sign")
            with_signal(pages.ctl.listed, scan.leave)
        else:
            with_signal(pages.ctl.listed, scan.save)
        shot("scan-saved")
    scan_warnings(pages, shot)


def scan_warnings(pages: Any, shot: Any) -> None:
    """What the clerk sees when a page is blank, blurred, or the scanner goes away mid-feeder."""
    import cv2
    import numpy as np

    from app.devices.scanners.escl_fake import FakeEsclServer
    from app.imaging.synthetic import bench_page, scanned

    scan = pages.scan
    white = np.full((3508, 2480), 250, np.uint8)
    blurred = cv2.GaussianBlur(scanned("text", 3).image, (0, 0), 6)
    for name, server, feed in (
        ("scan-vanished", FakeEsclServer(pages=[bench_page(0).image] * 4, vanish_after=2), "feeder"),
        ("scan-blank", FakeEsclServer(pages=[white]), "flatbed"),
        ("scan-blurred", FakeEsclServer(pages=[blurred]), "flatbed"),
    ):
        with server:
            uri = f"escl:{server.url}"
            scan.sources.insert(0, (uri, "Máy quét mạng (eSCL) — máy giả lập"))
            scan.screen.set_sources(scan.sources, uri)
            scan.open(pages.list.selected())
            scan.screen.feed.setCurrentIndex(scan.screen.feed.findData(feed))
            scan.scan()
            assert scan.worker is not None
            wait_for(scan.worker.finished, 60_000)
            settle()
            shot(name)
            scan.sources.pop(0)
    scan.screen.digitiser.abandon()
    scan.leave()


def with_signal(signal: Any, start: Any) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    start()
    loop.exec()
    signal.disconnect(loop.quit)


def act(action: str, ctl: Any, **kw: Any) -> None:
    loop = QEventLoop()
    ctl.action_finished.connect(loop.quit)
    if ctl.act(action, **kw):
        loop.exec()
    ctl.action_finished.disconnect(loop.quit)
    settle()


def grab(window: CounterWindow) -> QPixmap:
    """What the clerk sees: the window, with a dialog of it centred on top when one is open."""
    for dialog in (window.transfer_dialog, window.pause_dialog):
        if dialog is not None and dialog.isVisible():
            return with_dialog(window, dialog)
    return window.grab()


def start(window: CounterWindow) -> None:
    """Connect the window's controller to the demo hall and wait for its first snapshot and names."""
    ctl = window.ctl
    ctl.start()
    while not (ctl.model.loaded and ctl.online and ctl.priorities):
        wait_for(ctl.model_changed, 2_000)


def tour(window: CounterWindow, fake: Any, more: Callable[[], Iterator[str]] | None = None) -> Iterator[str]:
    """Walk the counter window (started on the demo ``fake``) through its queue screens, from sign-in to offline;
    yields each one's name once it is shown. ``more`` yields further screens before the connection drops."""
    ctl = window.ctl

    def act(action: str, **kw: Any) -> None:
        loop = QEventLoop()
        ctl.action_finished.connect(loop.quit)
        if ctl.act(action, **kw):
            loop.exec()
        ctl.action_finished.disconnect(loop.quit)
        settle()

    window.signin.username.setText(window.signin.username.text() or "lan")
    window.signin.secret.setText("1234")
    window.signin.counter_box.setCurrentIndex(window.signin.counter_box.findData(DEMO_COUNTER))
    yield "signin"
    ctl.sign_in("lan", "1234", DEMO_COUNTER)
    wait_for(ctl.signed_in)
    window.panel.load_stats()
    settle()
    yield "panel-idle"
    act("call_next")
    fake.clock.advance(35)
    yield "panel-called"  # F3 the obvious next step; F5 off until the third call
    act("recall")
    act("recall")
    yield "panel-recalled"  # called three times: F5 on
    act("start")
    fake.clock.advance(185)
    yield "panel-serving"
    window.open_transfer()
    yield "transfer"
    assert window.transfer_dialog is not None
    window.transfer_dialog.reject()
    act("finish")
    window.open_pause()
    yield "pause"
    assert window.pause_dialog is not None
    window.pause_dialog.reject()
    act("pause", reason="back_office")
    yield "panel-paused"
    act("resume")
    act("finish")  # nobody at the counter: the service refuses, the strip says why
    yield "panel-refused"
    if more is not None:
        yield from more()
    fake.clock.advance(120)
    fake.set_unavailable(True)
    ctl.stream.pump()  # type: ignore[union-attr]
    wait_for(ctl.connection_changed)
    yield "offline"  # what is shown says when it was last up to date
    fake.set_unavailable(False)
    ctl.stream.pump()  # type: ignore[union-attr]
    wait_for(ctl.connection_changed)


def take_screenshots(args: argparse.Namespace, backend: Any) -> int:
    from counter.app import build

    out: Path = args.screenshot
    out.mkdir(parents=True, exist_ok=True)
    fake = backend.client
    sizes = DEFAULT_SIZES if args.size == DEFAULT_SIZE else (parse_size(args.size),)
    saved: list[Path] = []
    for w, h in sizes:
        args.user = args.user or "lan"
        window: CounterWindow = build(args, backend)
        window.setFixedSize(w, h)  # exactly this size: nothing on screen may grow the window
        window.show()
        start(window)

        def shot(name: str, pixmap: QPixmap | None = None, window: CounterWindow = window,
                 size: str = f"{w}x{h}") -> None:  # fmt: skip
            window.panel.update_times()  # the panel's clock ticks each second; the demo clock jumps
            settle()
            path = out / f"counter-{size}-{name}.png"
            (pixmap or grab(window)).save(str(path))
            saved.append(path)

        def dossiers(window: CounterWindow = window, shot: Callable[..., None] = shot) -> Iterator[str]:
            dossier_screens(window, shot)
            return iter(())

        for name in tour(window, fake, dossiers):
            shot(name)
        window.ctl.sign_out()
        window.close()
    for path in saved:
        print(path)
    return 0
