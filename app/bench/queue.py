"""`python -m app bench queue`: the centre service as a subprocess on loopback, driven by
concurrent clients; the last line printed is one JSON object.

With `--waiting N` a second service runs beside the first on a data folder that already holds N waiting
tickets, and `issue_per_s_waiting` / `call_next_per_s_waiting` are printed beside the fresh figures: the
cost of a command must not grow with the queue. Both then use the bench's own centre (the catalogue's
groups with numbers up to 99,999 instead of the default 999 a day, so N plus the measured issues fit); the
N tickets are put in through the store's own issue command on its single writer, before the service
starts, spread over every group, one in ten a priority ticket.

The two services are driven in alternating rounds (fresh then waiting, then waiting then fresh, …) and
each figure sums its own rounds, so whatever else loads the machine meanwhile weighs on both alike: run
one after the other, a shared 2-core box moved the ratio between 0.6 and 2.3. Where /proc exists the
services' CPU time per request is printed too (`*_cpu_us`): the work itself, which noise barely moves.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
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
from app.service.launcher import ServerProcess, start_server
from app.store.catalog_file import load_catalog_file
from app.store.queue_store import QueueStore

GROUPS = ("HT", "CT", "DD", "KD", "BTXH")
ROUNDS = 10  # rounds per phase, alternating between the services
COUNTERS = 4  # the default centre's counters
BENCH_NUMBER_END = 99_999  # the bench centre's last number of a day, per group (the default is 999)


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


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass
class _Target:
    """One service under test and what its rounds measured."""

    server: ServerProcess
    clients: list[BenchClient]
    issues: int
    event_ms: list[float] = dataclasses.field(default_factory=list)
    issue_ms: list[float] = dataclasses.field(default_factory=list)
    issue_s: float = 0.0
    call_ms: list[float] = dataclasses.field(default_factory=list)
    call_s: float = 0.0
    cpu: dict[str, float | None] = dataclasses.field(default_factory=lambda: {"issue": 0.0, "call": 0.0})
    watcher: threading.Thread | None = None

    def watch_events(self) -> None:
        ready = threading.Event()
        self.watcher = threading.Thread(target=self._watch, args=(ready,), daemon=True)
        self.watcher.start()
        ready.wait(30)

    def _watch(self, ready: threading.Event) -> None:
        # max_size=None: the first message is the day's snapshot, a few MB with thousands waiting
        url = self.server.url.replace("http://", "ws://") + "/api/events"
        with connect(url, open_timeout=30, max_size=None) as ws:
            json.loads(ws.recv(timeout=30))  # the snapshot
            ready.set()
            while len(self.event_ms) < self.issues:
                event = json.loads(ws.recv(timeout=60))
                if event["kind"] == "ticket.issued":
                    at = datetime.fromisoformat(event["at"]).timestamp()
                    self.event_ms.append((time.time() - at) * 1000)

    def timed(self, phase: str, run: Callable[[], float]) -> float:
        before = _cpu_s(self.server.proc.pid)
        elapsed = run()
        after = _cpu_s(self.server.proc.pid)
        spent = self.cpu[phase]
        self.cpu[phase] = None if before is None or after is None or spent is None else spent + after - before
        return elapsed

    def issue_round(self, first: int, count: int) -> None:
        lock = threading.Lock()

        def issuer(worker: int) -> None:
            mine = []
            for i in range(first + worker, first + count, len(self.clients)):
                t0 = time.perf_counter()
                status, _ = self.clients[worker].post("/api/tickets", {"group": GROUPS[i % len(GROUPS)]})
                mine.append((time.perf_counter() - t0) * 1000)
                if status != 201:
                    raise RuntimeError(f"issue failed: {status}")
            with lock:
                self.issue_ms.extend(mine)

        self.issue_s += self.timed("issue", lambda: _parallel(len(self.clients), issuer))

    def call_round(self, count: int) -> None:
        lock = threading.Lock()
        done = [0]

        def counter(worker: int) -> None:
            client, counter_id, mine = self.clients[worker], worker + 1, []
            while True:
                with lock:
                    if done[0] >= count:
                        break
                    done[0] += 1
                t0 = time.perf_counter()
                status, _ = client.post(f"/api/counters/{counter_id}/call-next")
                mine.append((time.perf_counter() - t0) * 1000)
                if status == 204:
                    break
                client.post(f"/api/counters/{counter_id}/start")  # the next call-next finishes it
            with lock:
                self.call_ms.extend(mine)

        self.call_s += self.timed("call", lambda: _parallel(COUNTERS, counter))

    def figures(self) -> dict[str, Any]:
        call_only_s = sum(self.call_ms) / 1000 / COUNTERS
        calls = len(self.call_ms)
        return {
            "issue_per_s": round(self.issues / self.issue_s, 1),
            "issue_p95_ms": p95(self.issue_ms),
            "event_p95_ms": p95(self.event_ms),
            "events_received": len(self.event_ms),
            "calls": calls,
            "call_next_per_s": round(calls / call_only_s, 1) if calls else 0.0,
            "call_cycle_per_s": round(calls / self.call_s, 1) if calls else 0.0,
            "call_next_p95_ms": p95(self.call_ms),
            "issue_cpu_us": _per(self.cpu["issue"], self.issues),
            "call_cycle_cpu_us": _per(self.cpu["call"], calls),  # a call-next and a start
        }


def _per(cpu_s: float | None, count: int) -> float | None:
    return round(cpu_s / count * 1e6) if cpu_s is not None and count else None


def _shares(total: int, rounds: int) -> list[int]:
    return [total // rounds + (1 if r < total % rounds else 0) for r in range(rounds)]


def run_queue_bench(*, issues: int, calls: int, clients: int, waiting: int = 0) -> int:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        folders = [Path(tmp) / "fresh", *([Path(tmp) / "waiting"] if waiting else [])]
        if waiting:  # the same centre for both
            prefill(folders[0], 0)
            prefill(folders[1], waiting)
        servers = [start_server(folder) for folder in folders]
        try:
            targets = [_Target(s, [BenchClient(s.url, s.admin_token) for _ in range(clients)], issues) for s in servers]
            _drive(targets, issues, calls)
        finally:
            for server in servers:
                server.stop()
    result: dict[str, Any] = {"issues": issues, "clients": clients, **targets[0].figures()}
    if waiting:
        fresh, loaded = result, targets[1].figures()
        result = {**fresh, "waiting": waiting, **{f"{k}_waiting": v for k, v in loaded.items() if k != "calls"}}
        result["issue_ratio_waiting"] = round(loaded["issue_per_s"] / fresh["issue_per_s"], 2)
        result["call_next_ratio_waiting"] = (
            round(loaded["call_next_per_s"] / fresh["call_next_per_s"], 2) if fresh["call_next_per_s"] else 0.0
        )
    print(json.dumps(result))
    return 0


def _drive(targets: list[_Target], issues: int, calls: int) -> None:
    for target in targets:
        target.watch_events()
    first = 0
    for r, count in enumerate(_shares(issues, ROUNDS)):
        for target in targets if r % 2 == 0 else targets[::-1]:
            target.issue_round(first, count)
        first += count
    for target in targets:
        if target.watcher is not None:
            target.watcher.join(60)
    for r, count in enumerate(_shares(calls, ROUNDS)):
        for target in targets if r % 2 == 0 else targets[::-1]:
            target.call_round(count)
