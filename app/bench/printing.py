"""`python -m app bench print`: tap → ticket bytes at a TCP 9100 printer, the kiosk's whole path.

For each ticket: issue it through a real `serve` subprocess, render it at 80 mm, send it with the
printer status check to a virtual network printer. The last line printed is one JSON object."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from app.bench.queue import GROUPS, BenchClient, p95
from app.service.launcher import start_server
from printing.connection import ThermalPrinter
from printing.doc import ROLL_80_DOTS
from printing.layouts import ticket_document
from printing.raster import render_roll
from printing.tickets import ticket_print
from printing.virtual_printer import VirtualPrinter


def _get(client: BenchClient, path: str) -> Any:
    client.conn.request("GET", path, headers=client.headers)
    return json.loads(client.conn.getresponse().read())


def run_print_bench(tickets: int = 200) -> int:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp, VirtualPrinter() as printer:
        server = start_server(Path(tmp) / "data")
        try:
            result = _drive(server.url, server.admin_token, printer, tickets)
        finally:
            server.stop()
    print(json.dumps(result))
    return 0


def _drive(url: str, token: str, printer: VirtualPrinter, tickets: int) -> dict[str, Any]:
    client = BenchClient(url, token)
    groups, counters = _get(client, "/api/groups"), _get(client, "/api/counters")
    centre = _get(client, "/api/health")["centre"]
    thermal = ThermalPrinter(printer.url)
    render_ms: list[float] = []
    total_ms: list[float] = []
    sizes: list[int] = []
    for i in range(tickets):
        t0 = time.perf_counter()
        status, issued = client.post("/api/tickets", {"group": GROUPS[i % len(GROUPS)]})
        if status != 201:
            raise RuntimeError(f"issue failed: {status} {issued}")
        t1 = time.perf_counter()
        data = ticket_print(issued, centre_name=centre, groups=groups, counters=counters, base_url=url)
        image = render_roll(ticket_document(data, ROLL_80_DOTS).pages[0], ROLL_80_DOTS)
        t2 = time.perf_counter()
        thermal.print_image(image)
        t3 = time.perf_counter()
        render_ms.append((t2 - t1) * 1000)
        total_ms.append((t3 - t0) * 1000)
        sizes.append(image.height)
    printed = printer.wait_for_pages(tickets, timeout=60)
    return {
        "tickets": tickets,
        "printed": len(printed),
        "render_ms_p95": p95(render_ms),
        "tap_to_socket_ms_p95": p95(total_ms),
        "tap_to_socket_ms_max": round(max(total_ms), 2),
        "ticket_height_dots": max(sizes),
    }
