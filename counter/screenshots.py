"""`--screenshot DIR`: every main screen rendered offscreen with the demo hall, at 1366×768 and 1920×1080.

The demo hall is the in-process fake; signing in goes through the stub in `counter.demo`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QWidget

from app.qtbridge.apps import settle, wait_for
from counter.window import CounterWindow

SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
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


def take_screenshots(args: argparse.Namespace, backend: Any) -> int:
    from counter.app import build

    out: Path = args.screenshot
    out.mkdir(parents=True, exist_ok=True)
    fake = backend.client
    saved: list[Path] = []
    for size, (w, h) in SIZES.items():
        args.user = args.user or "lan"
        window: CounterWindow = build(args, backend)
        ctl = window.ctl
        window.resize(w, h)
        window.show()
        ctl.start()
        while not (ctl.model.loaded and ctl.online and ctl.priorities):
            wait_for(ctl.model_changed, 2_000)

        def shot(name: str, pixmap: QPixmap | None = None, window: CounterWindow = window, size: str = size) -> None:
            window.panel.update_times()  # the panel's clock ticks each second; the demo clock jumps
            settle()
            path = out / f"counter-{size}-{name}.png"
            (pixmap or window.grab()).save(str(path))
            saved.append(path)

        def act(action: str, ctl: Any = ctl, **kw: Any) -> None:
            loop = QEventLoop()
            ctl.action_finished.connect(loop.quit)
            if ctl.act(action, **kw):
                loop.exec()
            ctl.action_finished.disconnect(loop.quit)
            settle()

        window.signin.secret.setText("1234")
        window.signin.counter_box.setCurrentIndex(window.signin.counter_box.findData(DEMO_COUNTER))
        shot("signin")
        ctl.sign_in("lan", "1234", DEMO_COUNTER)
        wait_for(ctl.signed_in)
        shot("panel-idle")
        act("call_next")
        fake.clock.advance(35)
        shot("panel-called")
        act("start")
        fake.clock.advance(185)
        shot("panel-serving")
        window.open_transfer()
        assert window.transfer_dialog is not None
        shot("transfer", with_dialog(window, window.transfer_dialog))
        window.transfer_dialog.reject()
        act("finish")
        window.open_pause()
        assert window.pause_dialog is not None
        shot("pause", with_dialog(window, window.pause_dialog))
        window.pause_dialog.reject()
        act("pause", reason="back_office")
        shot("panel-paused")
        act("resume")
        act("finish")  # nobody at the counter: the service refuses, the strip says why
        shot("panel-refused")
        dossier_screens(window, shot)
        fake.set_unavailable(True)
        ctl.stream.pump()  # type: ignore[union-attr]
        wait_for(ctl.connection_changed)
        shot("offline")
        fake.set_unavailable(False)
        ctl.stream.pump()  # type: ignore[union-attr]
        wait_for(ctl.connection_changed)
        ctl.sign_out()
        window.close()
    for path in saved:
        print(path)
    return 0
