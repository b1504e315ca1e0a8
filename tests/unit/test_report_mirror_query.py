"""The period report reads only the mirror's dossiers a period can show (received by its end, not closed before it
starts), through the `closed_day` index, and its figures stay those of reading every dossier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from app.core.dossier import mark_done
from app.core.dossier_codec import dossier_to_dict
from app.core.report import ReportPeriod
from app.core.report_dossiers import dossier_section
from app.store.dossier_mirror import DossierMirror, fill_closed_days
from app.store.report_queries import PERIOD_DOSSIERS, period_dossiers
from tests.unit.test_dossier_mirror import START, code_of, make_dossier, mirror  # noqa: F401 - the fixture

TODAY = date(2026, 11, 10)  # START's day


def old(number: int, years_back: int, *, closed: bool) -> dict[str, object]:
    received = START - timedelta(days=365 * years_back)
    d = replace(make_dossier(number), received_at=received, due_at=received + timedelta(days=5))
    d = replace(d, steps=tuple(replace(s, at=received) for s in d.steps))
    return dossier_to_dict(mark_done(d, at=received + timedelta(days=3), clerk="canbo1") if closed else d)


def test_only_open_and_recent_dossiers_are_read_and_the_figures_do_not_change(mirror: DossierMirror) -> None:  # noqa: F811
    for n in range(1, 6):
        mirror.put(old(n, 2, closed=True))  # closed two years ago: in no column of today
    mirror.put(old(6, 1, closed=False))  # received a year ago, never closed: carried over, overdue
    mirror.put(dossier_to_dict(make_dossier(7)))  # received today
    done_today = make_dossier(8)
    mirror.put(dossier_to_dict(mark_done(done_today, at=START + timedelta(hours=2), clerk="canbo1")))
    conn = mirror._reader()
    period = ReportPeriod(TODAY, TODAY)
    loaded, skipped = period_dossiers(conn, TODAY, TODAY)
    assert skipped == 0
    assert sorted(d.code for d in loaded) == [code_of(6), code_of(7), code_of(8)]
    # what reading everything would have given (the closed ones fall in no column)
    conn.execute("UPDATE dossier_mirror SET closed_day = NULL")
    conn.commit()
    everything, _ = period_dossiers(conn, TODAY, TODAY)
    assert len(everything) == 8
    as_of = period.as_of(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    ours = dossier_section(loaded, period.start, as_of, {})
    assert ours == dossier_section(everything, period.start, as_of, {})
    assert (ours.total.carried, ours.total.overdue, ours.total.done) == (1, 1, 1)
    # the migration's fill gives back the days each was closed
    assert fill_closed_days(conn) == 6
    conn.commit()
    days = dict(conn.execute("SELECT code, closed_day FROM dossier_mirror").fetchall())
    assert days[code_of(8)] == TODAY.isoformat()
    assert days[code_of(6)] is None
    assert days[code_of(1)] == (START - timedelta(days=730) + timedelta(days=3)).date().isoformat()


def test_the_query_walks_the_index_not_the_table(mirror: DossierMirror) -> None:  # noqa: F811
    mirror.put(dossier_to_dict(make_dossier(1)))
    conn = mirror._reader()
    plan = " ".join(
        str(row[-1])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN " + PERIOD_DOSSIERS,
            ("2026-11-10", "2026-11-10"),
        )
    )
    assert plan.count("USING INDEX dossier_mirror_closed") == 2, plan
    assert "SCAN dossier_mirror" not in plan
    query = "EXPLAIN QUERY PLAN SELECT data FROM dossier_mirror WHERE day = ?"
    today = " ".join(str(r[-1]) for r in conn.execute(query, ("2026-11-10",)))
    assert "USING INDEX dossier_mirror_day" in today
