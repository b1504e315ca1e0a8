"""`python -m app bench queue`: the centre service as a subprocess on loopback, driven by
concurrent clients; the last line printed is one JSON object.

With `--waiting N` the same run is repeated on a second data folder that already holds N waiting
tickets, and `issue_per_s_waiting` / `call_next_per_s_waiting` are printed beside the fresh figures:
the cost of a command must not grow with the queue. Both runs then use the bench's own centre (the
catalogue's groups with numbers up to 99,999 instead of the default 999 a day, so N plus the measured
issues fit); the N tickets are put in through the store's own issue command on its single writer,
before the service starts, spread over every group, one in ten a priority ticket.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import connect

from app.core.centre import Centre, default_centre
from app.core.clock import SystemClock
from app.paths import default_catalog_path
from app.service.launcher import start_server
from app.store.catalog_file import load_catalog_file
from app.store.queue_store import QueueStore

GROUPS = ("HT", "CT", "DD", "KD", "BTXH")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2) if ordered else 0.0


class BenchClient:
    """One keep-alive HTTP connection: the lightest client, so the bench measures the server."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        self.conn.request("POST", path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


def _parallel(workers: int, work: Callable[[int], None]) -> float:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def _watch_events(url: str, expected: int, arrivals: list[float], ready: threading.Event) -> None:
    # max_size=None: the first message is the day's snapshot, a few MB with thousands waiting
    with connect(url.replace("http://", "ws://") + "/api/events", open_timeout=30, max_size=None) as ws:
        json.loads(ws.recv(timeout=30))  # the snapshot
        ready.set()
        while len(arrivals) < expected:
            event = json.loads(ws.recv(timeout=60))
            if event["kind"] == "ticket.issued":
                at = datetime.fromisoformat(event["at"]).timestamp()
                arrivals.append((time.time() - at) * 1000)


BENCH_NUMBER_END = 99_999  # the bench centre's last number of a day, per group (the default is 999)


def bench_centre() -> Centre:
    centre = default_centre(load_catalog_file(default_catalog_path()))
    groups = tuple(dataclasses.replace(g, number_end=BENCH_NUMBER_END) for g in centre.groups)
    return dataclasses.replace(centre, groups=groups)


def prefill(data: Path, waiting: int) -> None:
    """Seed a data folder with the bench centre and `waiting` tickets waiting, through the store's issue job."""
    data.mkdir(parents=True, exist_ok=True)
    store = QueueStore(data / "queue.db", SystemClock(), bench_centre)
    try:
        groups = [g.code for g in store.centre.groups]
        priorities = [p.code for p in store.centre.priority_categories]
        jobs = [
            store.writer.submit(
                store.issue_job(
                    groups[i % len(groups)], priority=priorities[i % len(priorities)] if i % 10 == 0 else None
                )
            )
            for i in range(waiting)
        ]  # submitted together: the writer commits them in batches
        for job in jobs:
            job.result()
    finally:
        store.close()


def _measure(data: Path, issues: int, calls: int, clients: int) -> dict[str, Any]:
    server = start_server(data)
    try:
        return _drive(server.url, server.admin_token, issues, calls, clients)
    finally:
        server.stop()


def run_queue_bench(*, issues: int, calls: int, clients: int, waiting: int = 0) -> int:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        fresh, full = Path(tmp) / "fresh", Path(tmp) / "waiting"
        if waiting:
            prefill(fresh, 0)  # the same centre for both runs
        result = _measure(fresh, issues, calls, clients)
        if waiting:
            prefill(full, waiting)
            loaded = _measure(full, issues, calls, clients)
            result.update({
                "waiting": waiting,
                "issue_per_s_waiting": loaded["issue_per_s"],
                "issue_p95_ms_waiting": loaded["issue_p95_ms"],
                "call_next_per_s_waiting": loaded["call_next_per_s"],
                "call_next_p95_ms_waiting": loaded["call_next_p95_ms"],
                "issue_ratio_waiting": round(loaded["issue_per_s"] / result["issue_per_s"], 2),
                "call_next_ratio_waiting": round(loaded["call_next_per_s"] / result["call_next_per_s"], 2)
                if result["call_next_per_s"]
                else 0.0,
            })  # fmt: skip
    print(json.dumps(result))
    return 0


def _drive(url: str, token: str, issues: int, calls: int, clients: int) -> dict[str, Any]:
    event_ms: list[float] = []
    ready = threading.Event()
    watcher = threading.Thread(target=_watch_events, args=(url, issues, event_ms, ready), daemon=True)
    watcher.start()
    ready.wait(30)

    issue_ms: list[float] = []
    lock = threading.Lock()

    def issuer(worker: int) -> None:
        client = BenchClient(url, token)
        mine = []
        for i in range(worker, issues, clients):
            t0 = time.perf_counter()
            status, _ = client.post("/api/tickets", {"group": GROUPS[i % len(GROUPS)]})
            mine.append((time.perf_counter() - t0) * 1000)
            if status != 201:
                raise RuntimeError(f"issue failed: {status}")
        with lock:
            issue_ms.extend(mine)

    issue_s = _parallel(clients, issuer)
    watcher.join(60)

    call_ms: list[float] = []
    done = [0]

    def counter(worker: int) -> None:
        client = BenchClient(url, token)
        counter_id = worker + 1
        mine = []
        while True:
            with lock:
                if done[0] >= calls:
                    break
                done[0] += 1
            t0 = time.perf_counter()
            status, _ = client.post(f"/api/counters/{counter_id}/call-next")
            mine.append((time.perf_counter() - t0) * 1000)
            if status == 204:
                break
            client.post(f"/api/counters/{counter_id}/start")  # the next call-next finishes it
        with lock:
            call_ms.extend(mine)

    counters = 4  # the default centre's counters
    call_s = _parallel(counters, counter)
    call_only_s = sum(call_ms) / 1000 / counters
    return {
        "issues": issues,
        "clients": clients,
        "issue_per_s": round(issues / issue_s, 1),
        "issue_p95_ms": p95(issue_ms),
        "event_p95_ms": p95(event_ms),
        "events_received": len(event_ms),
        "calls": len(call_ms),
        "call_next_per_s": round(len(call_ms) / call_only_s, 1) if call_ms else 0.0,
        "call_cycle_per_s": round(len(call_ms) / call_s, 1) if call_ms else 0.0,
        "call_next_p95_ms": p95(call_ms),
    }
