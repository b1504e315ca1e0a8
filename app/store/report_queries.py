"""What the period report reads from the centre service's data folder, read-only.

`DIR/queue.db` holds the centre's configuration, the tickets with their state intervals, the staff names, the
dossier mirror the counters sync to, and (once the rating screen adds it) a `ratings` table. The file is opened
read-only and never migrated: a report beside a running service neither blocks nor changes it (WAL readers see
one committed state inside one read transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.core.catalog import Catalog, CatalogError
from app.core.centre import Centre
from app.core.centre_codec import centre_from_dict
from app.core.clock import from_iso, to_iso
from app.core.dossier import Dossier
from app.core.dossier_codec import dossier_from_dict
from app.core.errors import DomainError
from app.core.rating import DEFAULT_SCALE, Rating, RatingScale
from app.core.report import ReportPeriod
from app.core.ticket import Ticket
from app.store.catalog_file import CENTRE_CATALOG, load_catalog_file
from app.store.ratings import scale_in
from app.store.rows import load_tickets

QUEUE_DB = "queue.db"
# Two ranges of the closed_day index (open; closed in or after the period), never one OR that SQLite may scan.
# INDEXED BY: without statistics the planner would rather walk the day index to skip the sort, which reads every
# old dossier. ?1: the period's last day, ?2: its first.
PERIOD_DOSSIERS = (
    "SELECT day, code, data FROM dossier_mirror INDEXED BY dossier_mirror_closed WHERE closed_day IS NULL "
    "AND day <= ?1 UNION ALL SELECT day, code, data FROM dossier_mirror INDEXED BY dossier_mirror_closed "
    "WHERE closed_day >= ?2 AND day <= ?1 ORDER BY 1, 2"
)
RATING_COLUMNS = ("ticket_id", "counter", "clerk", "dossier_code", "level", "reason", "at")


class ReportDataError(DomainError):
    """The data folder cannot give a report (no database, an unreadable or foreign file)."""

    code = "report_data"


@dataclass(frozen=True)
class ReportData:
    centre: Centre
    tickets: list[Ticket]  # issued in the period, with their intervals
    dossiers: list[Dossier]  # received before the period ended
    ratings: list[Rating] | None  # given in the period; None: no ratings table in this database
    clerk_names: dict[str, str]  # username → display name
    field_names: dict[str, str]  # field code → name, in the catalogue's order
    skipped_dossiers: int  # mirror records that could not be read (reported, not fatal)
    skipped_ratings: int  # rating rows that could not be read
    rating_scale: RatingScale = DEFAULT_SCALE  # the centre's 3- or 5-level scale, as the rating screen asks it


def open_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ReportDataError(f"Không có tệp dữ liệu {path}.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30)
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA query_only=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise ReportDataError(f"Không mở được {path.name} để đọc: {exc}.") from None
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _centre(conn: sqlite3.Connection) -> Centre:
    row = conn.execute("SELECT value FROM config WHERE key='centre'").fetchone()
    if row is None:
        raise ReportDataError("Cơ sở dữ liệu chưa có cấu hình Trung tâm (dịch vụ trung tâm chưa chạy lần nào).")
    try:
        return centre_from_dict(json.loads(row[0]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ReportDataError("Cấu hình Trung tâm trong cơ sở dữ liệu bị hỏng, không đọc được.") from None


def period_dossiers(conn: sqlite3.Connection, first: date, last: date) -> tuple[list[Dossier], int]:
    """The dossiers the period can show: received by its end and not closed before it starts (the rest are in no
    column, app/core/report_dossiers.py). A database from before `closed_day` (read-only here, never migrated) is
    read whole."""
    found: list[Dossier] = []
    skipped = 0
    columns = {r[1] for r in conn.execute("PRAGMA table_info(dossier_mirror)")}
    if "closed_day" in columns:
        rows = conn.execute(PERIOD_DOSSIERS, (last.isoformat(), first.isoformat()))
    else:
        rows = conn.execute("SELECT day, code, data FROM dossier_mirror WHERE day <= ? ORDER BY day, code",
                            (last.isoformat(),))  # fmt: skip
    for _day, _code, data in rows:
        try:
            found.append(dossier_from_dict(json.loads(data)))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            skipped += 1
    return found, skipped


def _ratings(conn: sqlite3.Connection, period: ReportPeriod) -> tuple[list[Rating], int]:
    """The ratings given in the period. Times are compared as instants, not as text: a row written with another
    offset than UTC still falls in the right local day."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(ratings)")}
    missing = [c for c in RATING_COLUMNS if c not in columns]
    if missing:
        raise ReportDataError(f"Bảng đánh giá (ratings) thiếu cột {', '.join(missing)}.")
    found: list[Rating] = []
    skipped = 0
    # A day's margin on the text: rows are UTC ISO text, but one written with another offset still sorts within a
    # day of its instant; the exact test is below. The ratings_at index then reads the period, not every year.
    low, high = to_iso(period.start - timedelta(days=1)), to_iso(period.end + timedelta(days=1))
    for ticket_id, counter, clerk, code, level, reason, at in conn.execute(
        f"SELECT {', '.join(RATING_COLUMNS)} FROM ratings WHERE at >= ? AND at < ? ORDER BY at", (low, high)
    ):
        try:
            rating = Rating(
                int(ticket_id) if ticket_id is not None else None,
                int(counter) if counter is not None else None,
                str(clerk) if clerk else None,
                str(code) if code else None,
                int(level),
                str(reason) if reason else None,
                from_iso(str(at)),
            )
        except (ValueError, TypeError):
            skipped += 1
            continue
        if period.start <= rating.at < period.end:
            found.append(rating)
    return found, skipped


def _catalog(folder: Path, fallback: Callable[[], Path]) -> Catalog | None:
    own = folder / CENTRE_CATALOG
    try:
        return load_catalog_file(own if own.exists() else fallback())
    except (CatalogError, OSError):
        return None  # names then come from the service groups


def load_report_data(folder: Path, period: ReportPeriod, *, catalog_path: Callable[[], Path]) -> ReportData:
    """Everything the report of `period` needs from a centre service's data folder `folder`.

    `catalog_path` gives the bundled catalogue (used when the centre has no edited copy) for the field names."""
    first, last = period.first, period.last
    conn = open_read_only(folder / QUEUE_DB)
    try:
        conn.execute("BEGIN")  # one state of the database for every read below
        try:
            tables = _tables(conn)
            if not {"config", "tickets", "intervals"} <= tables:
                raise ReportDataError(f"{QUEUE_DB} trong {folder} không phải cơ sở dữ liệu của dịch vụ trung tâm.")
            centre = _centre(conn)
            tickets = load_tickets(conn, "day BETWEEN ? AND ?", [first.isoformat(), last.isoformat()])
            names = dict(conn.execute("SELECT username, display_name FROM users")) if "users" in tables else {}
            dossiers, skipped = period_dossiers(conn, first, last) if "dossier_mirror" in tables else ([], 0)
            ratings, bad_ratings = _ratings(conn, period) if "ratings" in tables else (None, 0)
            scale = scale_in(conn)
        finally:
            conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise ReportDataError(f"Không đọc được dữ liệu trong {QUEUE_DB}: {exc}.") from None
    finally:
        conn.close()
    catalog = _catalog(folder, catalog_path)
    fields = {f.code: f.name for f in catalog.fields} if catalog else {}
    return ReportData(centre, tickets, dossiers, ratings, names, fields, skipped, bad_ratings, scale)
