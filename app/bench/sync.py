"""`python -m app bench sync`: how fast the outbox drains to the province, and that faults lose nothing.

Run 1: `dossiers` synthetic dossiers (app.dossier_cli.load_dossiers, the real domain code; one in ten with a
digitised PDF, one in seven marked done so it has a second step) drained by one Drain → ProvincialSink →
the provincial simulator (a child process on loopback) with no faults: `drain_per_s`.

Run 2: `fault_dossiers` fresh dossiers, the simulator failing 20 % of API calls with all its fault kinds
(500, HTML 502, drop, applied-then-dropped, and a late answer past a short read timeout), drained until
nothing is pending (bounded). Backoff is skipped by moving the drain's clock, not by waiting. Then every
local dossier is compared with what the simulator holds:
- lost: missing there, at an older revision, with fewer steps, or a file missing or not matching its hash;
- duplicated: more steps there than here, a file there the dossier does not have, or a dossier there that
  this counter never made.

Progress goes to stderr; the last line on stdout is one JSON object. Exit 0 when nothing was lost or
duplicated and everything drained, 1 otherwise.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from app.core.clock import ManualClock, SystemClock
from app.core.dossier import ComponentFile, Dossier, attach_files, mark_done
from app.dossier_cli import load_dossiers
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.dossier_store import DossierStore
from app.store.sync_state import BACKOFF_MAX_S, SyncState
from app.sync.gateway import ProvincialSink
from app.sync.gateway_config import GatewayConfig
from app.sync.simulator import SimulatorProcess
from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME
from app.sync.sink import wanted_files
from app.sync.worker import Drain

UNIT = "000.00.00.X00"
DEST = "province"
FAULT_RATE = 0.2
SLOW_S = 0.25  # the simulator's "timeout" fault answers this late (and applies the call late) …
READ_TIMEOUT_S = 0.1  # … past what the bench's gateway waits
FILE_EVERY = 10
DONE_EVERY = 7
PASS_LIMIT = 1000  # dossiers per run_once call: progress is printed between calls
DRAIN_DEADLINE_S = 900.0
FAULT_DEADLINE_S = 600.0
MAX_CALLS = 10_000  # run_once calls per drain, whatever happens


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _make(folder: Path, count: int, seed: int) -> tuple[list[str], float, float]:
    """Synthetic dossiers with some files and second steps: (codes, seconds to load, seconds to change)."""
    started = time.perf_counter()
    made = load_dossiers(folder / "counter", count, seed=seed, counter=1, unit_code=UNIT,
                         catalog=load_catalog_file(default_catalog_path()))  # fmt: skip
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    pdfs = folder / "pdf"
    pdfs.mkdir(parents=True, exist_ok=True)
    store = DossierStore(folder / "counter", SystemClock())
    try:
        for i, d in enumerate(made):
            if i % FILE_EVERY == 0:
                body = b"%PDF-1.4\n" + f"% bench {d.code}\n".encode() + b"0" * 4000
                path = pdfs / f"{i}.pdf"
                path.write_bytes(body)
                store.change(d.code, "files", _attacher(ComponentFile(str(path), hashlib.sha256(body).hexdigest(), 1)))
            if i % DONE_EVERY == 3:
                store.change(d.code, "done", lambda x, at: mark_done(x, at=at, clerk="bench"))
    finally:
        store.close()
    return [d.code for d in made], loaded, time.perf_counter() - started


def _attacher(file: ComponentFile) -> Callable[[Dossier, datetime], Dossier]:
    def apply(d: Dossier, at: datetime) -> Dossier:
        return attach_files(d, at=at, clerk="bench", component=0, files=(file,))

    return apply


def _gateway(url: str, read_timeout: float) -> tuple[ProvincialSink, requests.Session]:
    session = requests.Session()
    session.trust_env = False  # loopback: never through a proxy
    config = GatewayConfig(base_url=url, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, unit_code=UNIT,
                           connect_timeout=2.0, read_timeout=read_timeout)  # fmt: skip
    return ProvincialSink(config, session), session


def _drain(store: DossierStore, sink: ProvincialSink, total: int, deadline_s: float) -> dict[str, int]:
    """run_once until nothing is pending (or the deadline): counts of sent, failed and rejected attempts."""
    clock = ManualClock(datetime.now(UTC))
    drain = Drain(store, sink, clock)
    state = SyncState(store)
    counts = {"sent": 0, "failed": 0, "rejected": 0, "passes": 1}
    deadline = time.monotonic() + deadline_s
    for _ in range(MAX_CALLS):
        if time.monotonic() > deadline:
            _say(f"  hết giờ ({deadline_s:.0f} s) khi còn hồ sơ chờ")
            break
        result = drain.run_once(limit=PASS_LIMIT)
        counts["sent"] += result.sent
        counts["failed"] += result.failed
        counts["rejected"] += result.rejected
        if result.sent + result.failed + result.rejected:
            _say(f"  đã gửi xong {counts['sent']}/{total}, lần lỗi {counts['failed']}")
            continue
        if not [p for p in state.pending(DEST) if not p.rejected]:
            break
        clock.advance(BACKOFF_MAX_S * 2)  # every failed dossier is due again: no real waiting in a bench
        counts["passes"] += 1
    return counts


def _compare(store: DossierStore, codes: list[str], sim: SimulatorProcess) -> tuple[int, int]:
    """(lost, duplicated) between the counter's dossiers and what the simulator holds."""
    held: dict[str, dict[str, Any]] = {}
    duplicated = 0
    for found in sim.dossiers():
        if found["MaHoSo"] in held:
            duplicated += 1
        held[found["MaHoSo"]] = found
    duplicated += len(set(held) - set(codes))
    lost = 0
    for code in codes:
        d: Dossier = store.get(code)
        remote: dict[str, Any] | None = held.get(code)
        wanted = wanted_files(d)
        if remote is None:
            lost += 1
            continue
        there = list(remote["files"])
        intact = all(_file_ok(sim.data / "files" / sha, sha) for sha in wanted & set(there))
        if remote["revision"] < d.revision or remote["steps"] < len(d.steps) or not wanted <= set(there) or not intact:
            lost += 1
        if remote["steps"] > len(d.steps) or set(there) - wanted or len(there) != len(set(there)):
            duplicated += 1
    return lost, duplicated


def _file_ok(path: Path, sha: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha
    except OSError:
        return False


def _run(root: Path, name: str, count: int, *, seed: int, fail_rate: float, read_timeout: float,
         deadline_s: float) -> dict[str, Any]:  # fmt: skip
    folder = root / name
    _say(f"{name}: tạo {count} hồ sơ mẫu…")
    codes, load_s, change_s = _make(folder, count, seed)
    rate = count / max(load_s, 1e-9)
    _say(f"{name}: tạo hồ sơ {load_s:.1f} s ({rate:.0f} hồ sơ/s), thêm tệp và bước {change_s:.1f} s")
    sim = SimulatorProcess.start(folder / "sim", fail_rate=fail_rate, seed=seed, slow_seconds=SLOW_S)
    sink, session = _gateway(sim.url, read_timeout)
    store = DossierStore(folder / "counter", SystemClock())
    try:
        _say(f"{name}: gửi lên giả lập {sim.url} (tỉ lệ lỗi {fail_rate:.0%})…")
        started = time.perf_counter()
        counts = _drain(store, sink, count, deadline_s)
        drain_s = time.perf_counter() - started
        faults = sim.control(fail_rate=0.0)["faults"]
        lost, duplicated = _compare(store, codes, sim)
        waiting = len(SyncState(store).pending(DEST))
    finally:
        sink.close()
        session.close()
        store.close()
        sim.stop()
    _say(f"{name}: {drain_s:.1f} s, {counts['passes']} lượt, lỗi {counts['failed']}, còn chờ {waiting}, "
         f"mất {lost}, trùng {duplicated}, lỗi giả lập {faults}")  # fmt: skip
    return {"load_s": load_s, "change_s": change_s, "drain_s": drain_s, "waiting": waiting, "lost": lost,
            "duplicated": duplicated, "faults": faults, **counts}  # fmt: skip


def run_sync_bench(dossiers: int = 10_000, fault_dossiers: int = 1_000) -> int:
    if dossiers < 1 or fault_dossiers < 1:
        print("Lỗi: số hồ sơ phải từ 1 trở lên.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="motcua-bench-sync-") as tmp:
        root = Path(tmp)
        clean = _run(root, "khong-loi", dossiers, seed=1, fail_rate=0.0, read_timeout=10.0,
                     deadline_s=DRAIN_DEADLINE_S)  # fmt: skip
        faulty = _run(root, "co-loi", fault_dossiers, seed=2, fail_rate=FAULT_RATE, read_timeout=READ_TIMEOUT_S,
                      deadline_s=FAULT_DEADLINE_S)  # fmt: skip
    result = {
        "dossiers": dossiers,
        "drain_per_s": round(dossiers / clean["drain_s"], 1),
        "fault_dossiers": fault_dossiers,
        "fault_rate": FAULT_RATE,
        "lost": faulty["lost"],
        "duplicated": faulty["duplicated"],
        "fault_drain_s": round(faulty["drain_s"], 1),
        "drain_s": round(clean["drain_s"], 1),
        "load_s": round(clean["load_s"], 1),
        "load_per_s": round(dossiers / clean["load_s"], 1),
        "changes_s": round(clean["change_s"], 1),
        "clean_waiting": clean["waiting"],
        "clean_lost": clean["lost"],
        "clean_duplicated": clean["duplicated"],
        "fault_waiting": faulty["waiting"],
        "fault_passes": faulty["passes"],
        "fault_attempts_failed": faulty["failed"],
        "faults_injected": faulty["faults"],
    }
    print(json.dumps(result, ensure_ascii=False))
    bad = faulty["lost"] + faulty["duplicated"] + faulty["waiting"] + clean["lost"] + clean["duplicated"]
    return 0 if bad + clean["waiting"] == 0 else 1
