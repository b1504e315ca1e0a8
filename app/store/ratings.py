"""Citizens' ratings in the queue database (table `ratings`, migration m009), under app/core/rating.py's rules.

POST /api/ratings writes through `rate_job` on the queue's writer: the ticket, its visit and the clerk on it are
read in the same transaction as the insert, so what a rating is tied to (counter, clerk, dossier) comes from the
queue, never from the screen. UNIQUE (ticket_id) keeps one rating per ticket: a second one for the same ticket is
answered with the first (`already_rated`), changing nothing. The period report reads the same table on its own
(app/store/report_queries.py); `list_ratings` is what GET /api/ratings shows the director.

The centre's scale (3 or 5 levels) is a setting in the config table; changing it is recorded in the settings
audit beside the director's other settings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from app.core.clock import from_iso, local_day, to_iso
from app.core.errors import NotFound
from app.core.rating import (
    DEFAULT_SCALE,
    RATE_WINDOW_S,
    REASONS,
    SCALES,
    Rating,
    RatingScale,
    Visit,
    check_open,
    check_rating,
    check_reason,
    finished_visit,
    rateable_visit,
    scale_of,
)
from app.core.report import ReportPeriod
from app.store.queue_store import QueueStore
from app.store.rows import load_tickets
from app.store.writer import Tx

LEVELS_SETTING = "rating_levels"  # config key setting:rating_levels: "3" or "5"
_COLUMNS = "ticket_id, counter, clerk, dossier_code, level, reason, at, channel"


def scale_in(conn: sqlite3.Connection) -> RatingScale:
    """The centre's rating scale as kept in a queue database (any connection, a read-only one too; the period
    report reads it so: a centre on five levels must not have its 4s and 5s counted as off the scale)."""
    row = conn.execute("SELECT value FROM config WHERE key = ?", (f"setting:{LEVELS_SETTING}",)).fetchone()
    kept = str(row[0]) if row else ""
    return SCALES.get(int(kept), DEFAULT_SCALE) if kept.isdigit() else DEFAULT_SCALE


def scale_view(scale: RatingScale) -> dict[str, Any]:
    return {"levels": len(scale.labels), "labels": list(scale.labels), "satisfied_from": scale.satisfied_from}


class RatingStore:
    """Ratings beside one `QueueStore` (its writer, readers and clock); the service and the fake client share it."""

    def __init__(self, store: QueueStore, window_s: float = RATE_WINDOW_S) -> None:
        self.store = store
        self.window_s = window_s

    # --- the scale -------------------------------------------------------------------------------------

    def scale(self) -> RatingScale:
        return scale_in(self.store.reader())

    def set_scale_job(self, levels: int, who: str) -> Callable[[Tx], dict[str, Any]]:
        """Choose the 3- or 5-level scale; the change goes into the settings audit when the database has one."""
        new = scale_of(levels)

        def job(tx: Tx) -> dict[str, Any]:
            old = self.scale()
            tx.conn.execute(
                "INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (f"setting:{LEVELS_SETTING}", str(levels)),
            )
            if old != new and _has_table(tx.conn, "settings_audit"):
                tx.conn.execute(
                    "INSERT INTO settings_audit (at, who, setting, label, old, new) VALUES (?, ?, ?, ?, ?, ?)",
                    (to_iso(self.store.clock.now()), who, LEVELS_SETTING, "Thang đánh giá của người dân",
                     _scale_text(old), _scale_text(new)),
                )  # fmt: skip
            return scale_view(new)

        return job

    # --- what the rating screen asks now ---------------------------------------------------------------

    def prompt(self, counter: int) -> dict[str, Any]:
        """The visit the rating screen of `counter` should ask about: the latest one its counter finished within
        the window and nobody rated yet (None when there is none), with the scale and the reasons to offer."""
        conn = self.store.reader()
        now = self.store.clock.now()
        since = now - timedelta(seconds=self.window_s)
        days = sorted({local_day(since).isoformat(), local_day(now).isoformat()})  # the window may span midnight
        # the day's finished tickets by the queue index (state, day), then their intervals by key: a cost that
        # stays flat over the years the database keeps
        ids = [r[0] for r in conn.execute(
            f"SELECT DISTINCT t.id FROM tickets t JOIN intervals i ON i.ticket_id = t.id "
            f"WHERE t.state = 'done' AND t.day IN ({','.join('?' * len(days))}) AND t.counter = ? "
            "AND i.state = 'serving' AND i.counter = ? AND i.\"end\" >= ?",
            (*days, counter, counter, to_iso(since)),
        )]  # fmt: skip
        visits = []
        for ticket in load_tickets(conn, f"id IN ({','.join('?' * len(ids))})", ids) if ids else []:
            visit = finished_visit(ticket)
            if visit is not None and visit.counter == counter and now <= visit.open_until(self.window_s):
                visits.append(visit)
        rated = _rated(conn, [v.ticket_id for v in visits])
        open_visits = sorted((v for v in visits if v.ticket_id not in rated), key=lambda v: v.finished_at)
        visit = open_visits[-1] if open_visits else None
        return {
            "counter": counter,
            "scale": scale_view(self.scale()),
            "reasons": list(REASONS),
            "window_s": self.window_s,
            "visit": self._visit_view(conn, visit) if visit is not None else None,
        }

    def _visit_view(self, conn: sqlite3.Connection, visit: Visit) -> dict[str, Any]:
        return {
            "ticket_id": visit.ticket_id,
            "number": visit.number,
            "counter": visit.counter,
            "clerk": visit.clerk,
            "clerk_name": _display_name(conn, visit.clerk),
            "finished_at": to_iso(visit.finished_at),
            "open_until": to_iso(visit.open_until(self.window_s)),
        }

    # --- a rating ----------------------------------------------------------------------------------------

    def rate_job(self, ticket_id: int, level: int, reason: str | None, *, counter: int | None,
                 any_counter: bool = False, device: int | None = None) -> Callable[[Tx], dict[str, Any]]:  # fmt: skip
        """The writer job of one rating (app/core/rating.py's rules; `counter`: the device's, `any_counter`: the
        admin). Its answer is the rating kept: this one, or the first one when the ticket was already rated."""
        scale = self.scale()
        reason = check_reason(reason)
        check_rating(Rating(ticket_id, counter, None, None, level, reason, self.store.clock.now()), scale)

        def job(tx: Tx) -> dict[str, Any]:
            now = self.store.clock.now()
            found = load_tickets(tx.conn, "id = ?", [ticket_id])
            if not found:
                raise NotFound(f"Không có số thứ tự mã {ticket_id}.", code="unknown_ticket")
            visit = rateable_visit(found[0], counter, any_counter=any_counter)
            first = tx.conn.execute(f"SELECT {_COLUMNS} FROM ratings WHERE ticket_id = ?", (ticket_id,)).fetchone()
            if first is not None:  # a second tap, a retry without its key, another screen: the first one stands
                return {**self._rating_view(tx.conn, first, visit.number, scale), "already_rated": True}
            check_open(visit, now, self.window_s)
            code = _dossier_of_visit(tx.conn, found[0].day.isoformat(), visit)
            row = (ticket_id, visit.counter, visit.clerk, code, level, reason, to_iso(now), "screen")
            tx.conn.execute(
                "INSERT INTO ratings (ticket_id, counter, clerk, dossier_code, level, reason, at, channel, device) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, device),
            )
            return {**self._rating_view(tx.conn, row, visit.number, scale), "already_rated": False}

        return job

    def _rating_view(self, conn: sqlite3.Connection, row: tuple[Any, ...], number: str | None,
                     scale: RatingScale) -> dict[str, Any]:  # fmt: skip
        ticket_id, counter, clerk, code, level, reason, at, channel = row
        return {"ticket_id": ticket_id, "number": number, "counter": counter, "clerk": clerk,
                "clerk_name": _display_name(conn, clerk), "dossier_code": code, "level": int(level),
                "label": scale.label(int(level)), "reason": reason or None, "at": at, "channel": channel}  # fmt: skip

    # --- the director's list -------------------------------------------------------------------------------

    def list_ratings(self, period: ReportPeriod) -> dict[str, Any]:
        """The ratings given in `period` (local days), oldest first, with the ticket number and the clerk's name."""
        conn = self.store.reader()
        scale = self.scale()
        start, end = period.start, period.end
        rows = conn.execute(
            f"SELECT r.{_COLUMNS.replace(', ', ', r.')}, t.display FROM ratings r "
            "LEFT JOIN tickets t ON t.id = r.ticket_id WHERE r.at >= ? AND r.at < ? ORDER BY r.at, r.id",
            (to_iso(start - timedelta(days=1)), to_iso(end + timedelta(days=1))),  # any offset; exact below
        ).fetchall()
        found = [self._rating_view(conn, r[:-1], r[-1], scale) for r in rows if _within(r[6], start, end)]
        return {"from": period.first.isoformat(), "to": period.last.isoformat(), "scale": scale_view(scale),
                "reasons": list(REASONS), "count": len(found), "ratings": found}  # fmt: skip


def _within(text: str, start: datetime, end: datetime) -> bool:
    """Whether a stored instant (ISO with its offset) falls in [start, end); an unreadable one does not."""
    try:
        return start <= from_iso(str(text)) < end
    except ValueError:
        return False


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def _rated(conn: sqlite3.Connection, ticket_ids: list[int]) -> set[int]:
    if not ticket_ids:
        return set()
    marks = ",".join("?" * len(ticket_ids))
    return {int(r[0]) for r in conn.execute(f"SELECT ticket_id FROM ratings WHERE ticket_id IN ({marks})", ticket_ids)}


def _display_name(conn: sqlite3.Connection, username: str | None) -> str | None:
    if not username:
        return None
    row = conn.execute("SELECT display_name FROM users WHERE username = ?", (username,)).fetchone()
    return str(row[0]) if row else None


def _dossier_of_visit(conn: sqlite3.Connection, day: str, visit: Visit) -> str | None:
    """A dossier the counter received for this ticket (the number on the dossier, the same day and counter), as
    far as the counter has pushed it to the centre's mirror by now; None otherwise."""
    row = conn.execute(
        "SELECT code FROM dossier_mirror WHERE day = ? AND counter = ? AND json_extract(data, '$.ticket') = ? "
        "ORDER BY code LIMIT 1",
        (day, visit.counter, visit.number),
    ).fetchone()
    return str(row[0]) if row else None


def _scale_text(scale: RatingScale) -> str:
    return f"{len(scale.labels)} mức: {', '.join(reversed(scale.labels))}"


__all__ = ["LEVELS_SETTING", "RatingStore", "scale_in", "scale_view"]
