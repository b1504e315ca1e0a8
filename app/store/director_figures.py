"""The figures of the director's dashboard, as GET /api/report answers them and the in-process fake gives them.

The report's own figures come from the report's own functions on the report's own reading of the data folder
(app/store/report_queries.py → app/core/report.py build_report), so the dashboard and `python -m app report` never
disagree; the charts from app/core/report_charts.py on the same tickets and dossiers. Beside them, what only the
live hall has: each counter's status and the clerk who last worked it, and today's dossiers in the centre's mirror
whose digitised files have all arrived or not yet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.core.report import ReportPeriod, build_report
from app.core.report_charts import chart_figures, charts_to_dict
from app.core.report_codec import report_to_dict
from app.store.dossier_mirror import referenced_files
from app.store.queue_store import QueueStore
from app.store.report_queries import load_report_data


def report_figures(store: QueueStore, first: date, last: date, *, catalog_path: Callable[[], Path]) -> dict[str, Any]:
    """{"report", "charts", "live"} for the whole local days first…last (DomainError for a bad period)."""
    period = ReportPeriod(first, last)
    now = store.clock.now()
    loaded = load_report_data(store.path.parent, period, catalog_path=catalog_path)
    report = build_report(
        loaded.centre, period, now, loaded.tickets, loaded.dossiers, ratings=loaded.ratings,
        scale=loaded.rating_scale, clerk_names=loaded.clerk_names, field_names=loaded.field_names,
    )  # fmt: skip
    today = store.today()
    return {
        "report": report_to_dict(report),
        "charts": charts_to_dict(chart_figures(loaded.tickets, loaded.dossiers, period, now)),
        "live": {
            "day": today.isoformat(),
            "counters": counters_now(store),
            "mirror_today": mirror_files_today(store, today),
            "skipped": {"dossiers": loaded.skipped_dossiers, "ratings": loaded.skipped_ratings},
        },
    }


def counters_now(store: QueueStore) -> list[dict[str, Any]]:
    """Each counter's status, why it is paused and the clerk who last worked it (signed-in name as recorded)."""
    found = store.reader().execute("SELECT counter, status, reason, clerk, since FROM counter_state")
    rows = {int(r[0]): r for r in found}
    views = []
    for c in store.centre.counters:
        row = rows.get(c.id)
        views.append({"id": c.id, "name": c.name, "status": row[1] if row else "closed",
                      "reason": row[2] if row else None, "clerk": row[3] if row else None,
                      "since": row[4] if row else None})  # fmt: skip
    return views


def mirror_files_today(store: QueueStore, day: date) -> dict[str, int]:
    """Today's dossiers in the centre's mirror: how many have every digitised file here and how many still wait for
    some (the counter's outbox is still sending them)."""
    conn = store.reader()
    complete = missing = 0
    for (data,) in conn.execute("SELECT data FROM dossier_mirror WHERE day = ?", [day.isoformat()]).fetchall():
        try:
            wanted = sorted(referenced_files(json.loads(data)))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        marks = ",".join("?" * len(wanted))
        have = conn.execute(f"SELECT count(*) FROM mirror_files WHERE sha256 IN ({marks})", wanted).fetchone()[0]
        if have == len(wanted):
            complete += 1
        else:
            missing += 1
    return {"complete": complete, "files_missing": missing}
