"""A counter process killed with SIGKILL mid-burst loses no dossier it had acknowledged, and reuses no number."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from app.core.catalog import Catalog
from app.core.clock import ManualClock
from app.core.dossier import Citizen, Dossier, Fee, ReceptionDraft, is_lookup_key
from app.core.reception import build_dossier, check_draft, checklist, statutory_of
from app.core.vn_holidays import vn_calendar
from app.core.workcalendar import WorkCalendar
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.dossier_store import DossierStore

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # 08:00 on Tuesday 10/11/2026 in Hà Nội
UNIT = "000.00.12.H48"
COUNTER = 1
PROCEDURES = ("1.001193", "1.004873")  # same-day birth registration, 3-working-day marital status
WANTED = 20  # acknowledged dossiers before the kill
WAIT = 60  # seconds any single wait may take before the test fails
# Numbers counter 1 hands out with no centre block, in order: its fallback, then its overflow.
SEQUENCE = [*range(8001, 8100), *range(11001, 12000)]

# The counter process: saves dossier i at START + i seconds and says so only once `receive` has returned.
CHILD = """
import sys
from datetime import timedelta
from pathlib import Path

from app.core.clock import ManualClock
from tests.e2e.test_dossier_crash import COUNTER, START, UNIT, build_for
from app.store.dossier_store import DossierStore

clock = ManualClock(START)
store = DossierStore(Path(sys.argv[1]), clock)
print("ready", flush=True)
i = 0
while True:
    clock.current = START + timedelta(seconds=i)
    saved = store.receive(UNIT, COUNTER, build_for(i))
    print("saved", saved.code, flush=True)
    i += 1
"""


@cache
def _reference() -> tuple[Catalog, WorkCalendar]:
    return load_catalog_file(default_catalog_path()), vn_calendar()


def build_for(i: int) -> Callable[[str, datetime], Dossier]:
    """Dossier i of the burst; every field depends on i so a mixed-up row would show."""
    catalog, cal = _reference()
    procedure = next(p for p in catalog.procedures if p.code == PROCEDURES[i % 2])
    who = Citizen("034186012345", "Nguyễn Thị Ánh Tuyết", date(1986, 3, 5), "Nữ", f"Số {i + 1}, thôn Đông, Vũ Thư")
    draft = ReceptionDraft(
        procedure.code,
        who,
        tuple(c for c in checklist(procedure) if c.required),
        statutory_of(procedure),
        fees=(Fee("Lệ phí", 1000 * i),),
        note=f"Hồ sơ thứ {i}",
        sets=1 + i % 3,
        ticket=f"A{i % 1000:03d}",
    )
    check_draft(draft, catalog, START.date())

    def build(code: str, at: datetime) -> Dossier:
        return build_dossier(draft, procedure, code=code, at=at, clerk="canbo1", counter=COUNTER, calendar=cal)

    return build


def number_of(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def test_sigkill_mid_burst_keeps_every_acknowledged_dossier(tmp_path: Path) -> None:
    folder = tmp_path / "counter"
    stderr_path = tmp_path / "child.stderr"
    lines: queue.Queue[str | None] = queue.Queue()
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)  # end of output: the process is gone

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    printed: list[str] = []
    try:
        seen_ready = False
        while len(printed) < WANTED:
            try:
                line = lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"the counter process printed nothing for {WAIT} s") from None
            assert line is not None, f"the counter process ended early: {stderr_path.read_text()}"
            if line == "ready\n":
                seen_ready = True
            elif line.startswith("saved "):
                assert seen_ready
                printed.append(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)  # mid-burst: the next receive is in flight
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=WAIT)
        reader.join(timeout=WAIT)
        if proc.stdout is not None and not reader.is_alive():
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert not reader.is_alive()
    # Whatever the process printed before it died was acknowledged too (a torn last line was not).
    while (line := lines.get_nowait()) is not None:
        if line.startswith("saved ") and line.endswith("\n"):
            printed.append(line.split()[1])
    assert len(printed) >= WANTED
    assert len(set(printed)) == len(printed)

    store = DossierStore(folder, ManualClock(START + timedelta(days=0, seconds=len(printed) + 100)))
    try:
        for i, code in enumerate(printed):
            expected = build_for(i)(code, START + timedelta(seconds=i))
            kept = store.get(code)
            assert is_lookup_key(kept.lookup_key), f"dossier {i} ({code}) has no status-page key"
            # the key is random (drawn by the store): everything else is exactly what was built
            assert replace(kept, lookup_key="") == expected, f"dossier {i} ({code}) was lost or changed"
        outbox = store.changes_after(0, limit=100_000)
        assert len({(c[1], c[2]) for c in outbox}) == len(outbox)
        created = {(code, revision) for _id, code, revision, kind in outbox if kind == "created"}
        for code in printed:
            assert (code, 1) in created, f"no outbox row for {code}"

        # Nothing half-written: every saved dossier has its outbox row, and the numbers have no holes.
        saved = sorted((d.code for d in store.between(START.date(), START.date())), key=number_of)
        assert {c for c, _rev in created} == set(saved)
        assert len(saved) in (len(printed), len(printed) + 1)  # at most one commit beat its "saved" line
        assert [number_of(c) for c in saved] == SEQUENCE[: len(saved)]

        # After the restart the counter goes on: no printed (or saved) number comes back.
        after = store.receive(UNIT, COUNTER, build_for(len(saved)))
        assert after.code not in saved
        assert number_of(after.code) not in {number_of(c) for c in printed}
        assert number_of(after.code) == SEQUENCE[len(saved)]
        assert store.get(after.code) == after
    finally:
        store.close()
