"""`python -m app bench report [--dossiers 50000]`: the time of the dashboard's live figures (GET /api/report for
today, app/store/director_figures.py) when the centre's dossier mirror holds years of old dossiers.

A centre data folder is made with today's hall (a few tickets) and today's dossiers, then `dossiers` old ones
received over the last three years (the real domain code builds them; 97 % closed within days of reception, the rest
still open, so carried over and overdue), written straight into the mirror table. Today's report is computed
`repeat` times

- before: the mirror as it was before `closed_day` (the column and its indexes dropped): the report reads every
  dossier;
- after: the migration re-run (app/store/schema.py m011: the column, its indexes, filled from the records): the
  report reads the open dossiers and those received or closed today only.

Both reports must be equal (`same_figures`). Progress goes to stderr; the last line is one JSON object with the
times in ms (median, min), the dossiers read and the migration's fill time. No target: DESIGN §7 asks the live tab
to keep up with its 30 s refresh; this shows by how much.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.core.catalog import Catalog
from app.core.centre import default_centre
from app.core.clock import LOCAL_TZ, ManualClock, local_day
from app.core.dossier import Dossier, mark_done
from app.core.dossier_codec import dossier_to_dict
from app.core.reception import build_dossier, check_draft
from app.core.vn_holidays import vn_calendar
from app.dossier_cli import synthetic_draft
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.director_figures import report_figures
from app.store.dossier_mirror import DossierMirror, closed_day_of, fill_closed_days
from app.store.queue_store import QueueStore
from app.store.report_queries import QUEUE_DB, period_dossiers

UNIT = "000.00.00.X00"
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=LOCAL_TZ)  # a Monday morning
OPEN_EVERY = 33  # one old dossier in 33 never closed (~3 %)
YEARS = 3
TODAY_DOSSIERS = 25
INSERT = (
    "INSERT INTO dossier_mirror (code, revision, status, counter, day, id_number, data, updated_at, closed_day) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _templates(catalog: Catalog, rng: random.Random, count: int = 40) -> list[Dossier]:
    calendar = vn_calendar()
    made = []
    for i in range(count):
        procedure = catalog.procedures[i % len(catalog.procedures)]
        day = NOW.date()
        draft = synthetic_draft(rng, procedure, day)
        checked = check_draft(draft, catalog, day)
        made.append(build_dossier(draft, checked, code=f"{UNIT}-T-{i:04d}", at=NOW.astimezone(UTC),
                                  clerk="dulieu.mau", counter=1 + i % 4, calendar=calendar))  # fmt: skip
    return made


def _shifted(d: Dossier, code: str, delta: timedelta) -> Dossier:
    return replace(d, code=code, received_at=d.received_at + delta,
                   due_at=d.due_at + delta if d.due_at else None,
                   steps=tuple(replace(s, at=s.at + delta) for s in d.steps))  # fmt: skip


def _fill(store: QueueStore, mirror: DossierMirror, templates: list[Dossier], count: int, rng: random.Random) -> int:
    """Today's dossiers through the mirror's own put, `count` old ones straight into its table; how many old ones
    are still open."""
    for i in range(TODAY_DOSSIERS):
        d = _shifted(templates[i % len(templates)], f"{UNIT}-261123-{i + 1:04d}", -timedelta(minutes=5 * i))
        mirror.put(dossier_to_dict(mark_done(d, at=NOW.astimezone(UTC), clerk="canbo") if i % 5 == 0 else d))
    rows: list[tuple[Any, ...]] = []
    still_open = 0
    stamp = NOW.astimezone(UTC).isoformat()
    for i in range(count):
        delta = -timedelta(days=rng.randint(1, 365 * YEARS), minutes=rng.randint(0, 480))
        d = _shifted(templates[i % len(templates)], f"{UNIT}-OLD-{i:06d}", delta)
        if i % OPEN_EVERY:
            d = mark_done(d, at=d.received_at + timedelta(days=rng.randint(1, 12)), clerk="canbo")
        else:
            still_open += 1
        rows.append((d.code, d.revision, int(d.status), d.counter, local_day(d.received_at).isoformat(),
                     d.citizen.id_number, json.dumps(dossier_to_dict(d), ensure_ascii=False), stamp,
                     closed_day_of(d)))  # fmt: skip
    with sqlite3.connect(store.path, timeout=30) as conn:  # beside the idle writer: WAL lets it, and it is fast
        conn.executemany(INSERT, rows)
    return still_open


def _timed(store: QueueStore, repeat: int) -> tuple[list[float], dict[str, Any]]:
    times: list[float] = []
    figures: dict[str, Any] = {}
    day = NOW.date()
    for _ in range(repeat):
        started = time.perf_counter()
        figures = report_figures(store, day, day, catalog_path=default_catalog_path)
        times.append((time.perf_counter() - started) * 1000)
    return times, figures


def _read(store: QueueStore) -> int:
    return len(period_dossiers(store.reader(), NOW.date(), NOW.date())[0])


def _summary(times: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(times), 1), "min": round(min(times), 1)}


def run_report_bench(dossiers: int = 50_000, repeat: int = 5, seed: int = 1) -> int:
    rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible
    catalog = load_catalog_file(default_catalog_path())
    with tempfile.TemporaryDirectory(prefix="motcua-bench-report-") as folder:
        clock = ManualClock(NOW.astimezone(UTC))
        store = QueueStore(Path(folder) / QUEUE_DB, clock, lambda: default_centre(catalog, commune="Thử Nghiệm"))
        try:
            mirror = DossierMirror(store.writer, store.reader, Path(folder) / "dossier-files", clock)
            for group in ("HT", "CT", "DD", "HT", "CT"):
                store.issue(group)
            _say(f"making {dossiers} old dossiers…")
            started = time.perf_counter()
            still_open = _fill(store, mirror, _templates(catalog, rng), dossiers, rng)
            _say(f"made in {time.perf_counter() - started:.1f} s; {still_open} still open")
            conn = sqlite3.connect(store.path, timeout=30, isolation_level=None)
            after_read = _read(store)
            conn.executescript("DROP INDEX dossier_mirror_closed; DROP INDEX dossier_mirror_day; "
                               "ALTER TABLE dossier_mirror DROP COLUMN closed_day;")  # fmt: skip
            before_read = _read(store)
            _say("before: every dossier read…")
            before, old_figures = _timed(store, repeat)
            started = time.perf_counter()
            conn.executescript("ALTER TABLE dossier_mirror ADD COLUMN closed_day TEXT; CREATE INDEX "
                               "dossier_mirror_closed ON dossier_mirror (closed_day, day); CREATE INDEX "
                               "dossier_mirror_day ON dossier_mirror (day);")  # fmt: skip
            conn.execute("BEGIN")
            fill_closed_days(conn)
            conn.execute("COMMIT")
            conn.close()
            migration_s = time.perf_counter() - started
            _say("after: open and today's dossiers only…")
            after, new_figures = _timed(store, repeat)
        finally:
            store.close()
    result = {
        "bench": "report",
        "old_dossiers": dossiers,
        "old_still_open": still_open,
        "today_dossiers": TODAY_DOSSIERS,
        "dossiers_read": {"before": before_read, "after": after_read},
        "live_report_ms": {"before": _summary(before), "after": _summary(after)},
        "speedup": round(statistics.median(before) / statistics.median(after), 1),
        "migration_fill_s": round(migration_s, 2),
        "same_figures": old_figures["report"] == new_figures["report"]
        and old_figures["charts"] == new_figures["charts"],
        "repeat": repeat,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["same_figures"] else 1
