"""`--screenshot DIR [--size WxH]`: every screen rendered offscreen with demo data, at exactly that window size
(the kiosk's default, 1080×1920, without --size). `tour()` is also what the layout test walks through."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from app.client.api import QueueApi
from app.core.catalog import Catalog
from app.qtbridge.apps import parse_size, save_tour, wait_for
from kiosk.controller import Issued, KioskController
from kiosk.window import KioskWindow
from printing.connection import PrinterStatus
from printing.errors import PaperOut, PrinterUnreachable
from printing.samples import sample_ticket
from printing.ticket_printer import PrintJob

DEMO_FOLLOW_BASE = "http://motcua.local:8710"  # the demo has no board port phones could open; any address shows the QR


def _demo_camera_dir(out: Path) -> Path:
    """A stand-in camera picture (a desk, no code yet) so the scan screen shows its live preview."""
    import cv2
    import numpy as np

    folder = out / ".camera"
    folder.mkdir(exist_ok=True)
    y, x = np.mgrid[0:720, 0:1280]
    frame = np.dstack([(x * 120 // 1280 + 60), (y * 80 // 720 + 90), np.full_like(x, 110)]).astype(np.uint8)
    cv2.imwrite(str(folder / "desk.png"), frame)
    return folder


def tour(window: KioskWindow, catalog: Catalog) -> Iterator[str]:
    """Show every screen in turn with the controller's (demo) data; yields each one's name once it is shown."""
    ctl: KioskController = window.ctl
    if ctl.follow_base_url is None:
        ctl.follow_base_url = DEMO_FOLLOW_BASE
    window.go_home()
    yield "home"
    groups = ctl.snapshot["groups"]
    biggest = max(groups, key=lambda g: len([p for p in catalog.procedures if p.field in g.get("fields", [])]))
    window.group_chosen(biggest["code"])
    yield "procedures"
    window.procedure_chosen(None)
    yield "priority"
    waiting = ctl.client.queue()["waiting"]
    ticket = {**waiting[-1], "people_ahead": 4, "estimated_wait_s": 780}
    counters = ctl.counters_for(ticket["group"])
    job = PrintJob(1, sample_ticket(datetime.now(UTC)), "printed")
    window.show_issued(Issued(ticket, counters, job))
    yield "ticket"
    paper_out = PaperOut("Máy in hết giấy.", hint="Thay cuộn giấy mới rồi bấm In lại.")
    printed = sample_ticket(datetime.now(UTC))
    window.show_issued(Issued(ticket, counters, PrintJob(2, printed, "failed", error=paper_out)))
    yield "printer-fault"
    window.printer_checked(PrinterStatus(readable=True, online=True, paper="ok"))
    yield "printer-back"
    unreachable = PrinterUnreachable(
        "Không kết nối được máy in qua mạng (tcp:192.168.1.50:9100): timed out",
        hint="Kiểm tra máy in đã bật, cáp hoặc mạng đã cắm, rồi bấm In lại.",
    )
    window.show_issued(Issued(ticket, counters, PrintJob(3, printed, "failed", error=unreachable)))
    yield "printer-unreachable"
    window.go_home()
    window.open_lookup()
    yield "lookup-fields"
    for ch in "chung thuc":
        window.lookup.type(ch)
    yield "lookup"
    window.open_procedure(next((p for p in catalog.procedures if p.code == "1.001193"), catalog.procedures[0]))
    yield "procedure"
    window.open_procedure(max(catalog.procedures, key=lambda p: len(p.name)))
    yield "procedure-long-name"
    if "scan" in window.screens:
        scan = window.screens["scan"]
        window.show_screen("scan")
        wait_for(scan.worker.frame if scan.worker else ctl.snapshot_changed, 5_000)  # type: ignore[attr-defined]
        yield "scan"
    window.go_home()
    window.toggle_language()
    yield "home-english"
    window.group_chosen("CT")
    window.procedure_chosen(None)
    yield "priority-english"
    window.go_home()
    window.toggle_language()
    ctl._set_online(False)
    window.go_home()
    yield "offline"


def take_screenshots(args: argparse.Namespace, client: QueueApi, catalog: Catalog) -> int:
    from kiosk.app import build

    out: Path = args.screenshot
    out.mkdir(parents=True, exist_ok=True)
    if not args.camera.startswith("file:"):
        args.camera = f"file:{_demo_camera_dir(out)}"
    w, h = parse_size(args.size)
    window = build(args, client, catalog, None)
    window.setFixedSize(w, h)  # exactly this size: a screen that needs more must not grow the window
    window.show()
    window.ctl.refresh()
    wait_for(window.ctl.snapshot_changed)
    saved = save_tour(window, tour(window, catalog), out, "kiosk", (w, h))
    window.close()
    for path in saved:
        print(path)
    return 0
