"""`--screenshot DIR`: every main screen rendered offscreen with demo data, portrait and landscape."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.catalog import Catalog
from app.qtbridge.apps import settle, wait_for
from kiosk.controller import Issued, KioskController
from kiosk.window import KioskWindow
from printing.errors import PaperOut
from printing.samples import sample_ticket
from printing.ticket_printer import PrintJob

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


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


def take_screenshots(args: argparse.Namespace, client: Any, catalog: Catalog) -> int:
    from kiosk.app import build

    out: Path = args.screenshot
    out.mkdir(parents=True, exist_ok=True)
    if not args.camera.startswith("file:"):
        args.camera = f"file:{_demo_camera_dir(out)}"
    saved = []
    for orientation, (w, h) in SIZES.items():
        window = build(args, client, catalog, None)
        ctl: KioskController = window.ctl
        window.resize(w, h)
        window.show()
        ctl.refresh()
        wait_for(ctl.snapshot_changed)

        def shot(name: str, window: KioskWindow = window, orientation: str = orientation) -> None:
            settle()
            path = out / f"kiosk-{orientation}-{name}.png"
            window.grab().save(str(path))
            saved.append(path)

        window.show_screen("home")
        shot("home")
        window.show_screen("groups")
        shot("groups")
        first = ctl.snapshot["groups"][0]
        window.group_chosen(first["code"])
        shot("procedures")
        window.procedure_chosen(None)
        shot("priority")
        ticket = {**client.queue()["waiting"][-1], "people_ahead": 4, "estimated_wait_s": 780}
        job = PrintJob(1, sample_ticket(datetime.now(UTC)), "printed")
        window.show_issued(Issued(ticket, ctl.counters_for(ticket["group"]), job))
        shot("ticket")
        failed = PrintJob(2, sample_ticket(datetime.now(UTC)), "failed", error=PaperOut(
            "Máy in hết giấy.", hint="Vui lòng báo cán bộ thay giấy."))  # fmt: skip
        window.show_issued(Issued(ticket, ctl.counters_for(ticket["group"]), failed))
        shot("printer-fault")
        window.go_home()
        window.open_lookup()
        for ch in "chung thuc":
            window.lookup.type(ch)
        shot("lookup")
        window.open_procedure(catalog.procedures[0])
        shot("procedure")
        if "scan" in window.screens:
            scan = window.screens["scan"]
            window.show_screen("scan")
            wait_for(scan.worker.frame if scan.worker else ctl.snapshot_changed, 5_000)  # type: ignore[attr-defined]
            shot("scan")
            window.go_home()
        window.t.toggle()
        window.show_screen("home", remember=False)
        shot("home-english")
        window.t.toggle()
        ctl._set_online(False)
        window.show_screen("home", remember=False)
        shot("offline")
        window.close()
    for path in saved:
        print(path)
    return 0
