"""The settings a director owns, kept in the centre's configuration with an audit row per change.

A change is one writer transaction: the day's issued counts (per group and per priority category) are read inside
it (a cap is checked against what was really issued, a category in use today is not removed, whatever a kiosk
issued a moment before), the new configuration, the holiday override table and the audit rows are written, and a
`centre.changed` event tells every screen to fetch the queue again (and counters their calendar). The store's
`centre` is swapped on the writer thread before the commit, so the next command already issues and calls by the
new rules.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.catalog import CatalogError
from app.core.centre import DEFAULT_NOTICE
from app.core.centre_codec import centre_from_dict, centre_to_dict
from app.core.centre_settings import (
    SettingChange,
    SettingsInvalid,
    apply_calendar,
    apply_settings,
    notice_of,
    override_view,
    setting_changes,
    settings_view,
)
from app.core.clock import local_day, to_iso
from app.core.group_settings import GroupsToday
from app.core.workcalendar import DayOverride
from app.paths import default_catalog_path
from app.store.catalog_file import CENTRE_CATALOG, load_catalog_file
from app.store.queue_store import QueueStore
from app.store.writer import Tx

AUDIT_LIMIT = 200
NOTICE_KEY = "setting:display_notice"  # QueueStore.setting("display_notice"): the hall board's line (display_page.py)


def issued_today(conn: sqlite3.Connection, day: date) -> dict[str, int]:
    return {str(g): int(n) for g, n in conn.execute("SELECT grp, issued FROM day_counters WHERE day=?",
                                                     [day.isoformat()])}  # fmt: skip


def priorities_today(conn: sqlite3.Connection, day: date) -> dict[str, int]:
    """Priority code → tickets of that category issued on `day`."""
    rows = conn.execute("SELECT priority, COUNT(*) FROM tickets WHERE day=? AND priority IS NOT NULL GROUP BY 1",
                        [day.isoformat()])  # fmt: skip
    return {str(code): int(n) for code, n in rows}


def groups_today(conn: sqlite3.Connection, day: date) -> GroupsToday:
    """Today's numbers per issuing group, tickets still open per group, and the letters printed today: what a
    group's letter, range or removal must respect (app/core/group_settings.py)."""
    iso = day.isoformat()
    numbers = {str(g): (int(lo), int(hi)) for g, lo, hi in conn.execute(
        "SELECT issue_group, MIN(number), MAX(number) FROM tickets WHERE day=? GROUP BY 1", [iso])}  # fmt: skip
    still = {str(g): int(n) for g, n in conn.execute(
        "SELECT grp, COUNT(*) FROM tickets WHERE day=? AND state != 'done' GROUP BY 1", [iso])}  # fmt: skip
    letters = {str(p) for (p,) in conn.execute(
        "SELECT DISTINCT rtrim(display, '0123456789') FROM tickets WHERE day=?", [iso])}  # fmt: skip
    return GroupsToday(numbers=numbers, open=still, letters=frozenset(letters))


def calendar_overrides(conn: sqlite3.Connection) -> dict[date, DayOverride]:
    """The centre's holiday override table."""
    rows = conn.execute("SELECT day, working, source, effective, note FROM calendar_overrides ORDER BY day")
    found = (
        DayOverride(date.fromisoformat(d), bool(w), src, date.fromisoformat(eff), note) for d, w, src, eff, note in rows
    )
    return {o.day: o for o in found}


class SettingsStore:
    def __init__(self, store: QueueStore) -> None:
        self.store = store

    def catalog_fields(self) -> dict[str, str] | None:
        """The centre's catalogue's fields (code → name) that groups pick from; None when it cannot be read (the
        codes are then not checked, the rest of a change still is)."""
        own = self.store.path.parent / CENTRE_CATALOG
        try:
            catalog = load_catalog_file(own if own.exists() else default_catalog_path())
        except (CatalogError, OSError):
            return None
        return {f.code: f.name for f in catalog.fields}

    def view(self) -> dict[str, Any]:
        """The editable settings and today's issued counts (the lowest cap each group may get now), open tickets
        (a group with some is not removed) and the catalogue's fields to pick from."""
        today = self.store.today()
        notice = self.store.setting(NOTICE_KEY.removeprefix("setting:"))
        conn = self.store.reader()
        day = groups_today(conn, today)
        fields = self.catalog_fields() or {}
        return {**settings_view(self.store.centre), "issued_today": issued_today(conn, today),
                "open_today": dict(day.open), "numbers_today": {g: list(n) for g, n in day.numbers.items()},
                "catalog_fields": [{"code": c, "name": n} for c, n in fields.items()],
                "priorities_today": priorities_today(conn, today), "calendar": self.calendar(),
                "day": today.isoformat(), "notice": DEFAULT_NOTICE if notice is None else notice}  # fmt: skip

    def calendar(self) -> list[dict[str, Any]]:
        """The centre's holiday overrides, by day (GET /api/calendar: what the counters' due dates count with)."""
        return [override_view(o) for o in calendar_overrides(self.store.reader()).values()]

    def change(self, change: Mapping[str, Any], who: str) -> list[SettingChange]:
        """Apply `change` (app/core/centre_settings.py, the hall notice included) for `who`; the changes made (none:
        nothing written). SettingsInvalid when refused."""
        store = self.store
        notice = notice_of(change)
        fields = self.catalog_fields()

        def job(tx: Tx) -> list[SettingChange]:
            now = store.clock.now()
            old = store.centre
            day = local_day(now)
            errors: list[tuple[str, str]] = []  # every problem at once, the calendar's too
            try:
                new = apply_settings(old, change, issued_today(tx.conn, day), priorities_today(tx.conn, day),
                                     groups_today=groups_today(tx.conn, day), catalog_fields=fields)  # fmt: skip
            except SettingsInvalid as exc:
                errors, new = exc.errors, old
            changes = setting_changes(old, new, fields)
            if "calendar" in change:
                try:
                    changes += self._calendar(tx, change["calendar"], day, who, to_iso(now))
                except SettingsInvalid as exc:
                    errors += exc.errors
            if errors:
                raise SettingsInvalid(errors)
            row = tx.conn.execute("SELECT value FROM config WHERE key = ?", (NOTICE_KEY,)).fetchone()
            old_notice = DEFAULT_NOTICE if row is None else str(row[0])
            if notice is not None and notice != old_notice:
                changes.append(SettingChange("notice", "Dòng thông báo trên màn hình sảnh", old_notice, notice))
                tx.conn.execute(
                    "INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (NOTICE_KEY, notice),
                )
            if not changes:
                return []
            if new != old:
                value = json.dumps(centre_to_dict(new), ensure_ascii=False)
                tx.conn.execute("UPDATE config SET value = ? WHERE key = 'centre'", (value,))
            tx.conn.executemany(
                "INSERT INTO settings_audit (at, who, setting, label, old, new) VALUES (?, ?, ?, ?, ?, ?)",
                [(to_iso(now), who, c.key, c.label, c.old, c.new) for c in changes],
            )
            tx.emit("centre.changed", {"changed": [c.key for c in changes], "by": who}, now)
            store.centre = new
            return changes

        try:
            result: list[SettingChange] = store.command(job)
        except Exception:
            self._reload()  # a failed commit leaves the stored configuration: follow it, not the one swapped in
            raise
        return result

    @staticmethod
    def _calendar(tx: Tx, raw: Any, today: date, who: str, at: str) -> list[SettingChange]:
        """Apply the calendar part of a change to the override table; its audit lines."""
        current = calendar_overrides(tx.conn)
        table, changes = apply_calendar(current, raw, today)
        for day in set(current) - set(table):
            tx.conn.execute("DELETE FROM calendar_overrides WHERE day = ?", (day.isoformat(),))
        tx.conn.executemany(
            "INSERT OR REPLACE INTO calendar_overrides (day, working, source, effective, note, added_at, added_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(o.day.isoformat(), int(o.working), o.source, o.effective.isoformat(), o.note, at, who)
             for day, o in table.items() if current.get(day) != o],
        )  # fmt: skip
        return changes

    def _reload(self) -> None:
        row = self.store.reader().execute("SELECT value FROM config WHERE key='centre'").fetchone()
        if row is not None:
            self.store.centre = centre_from_dict(json.loads(row[0]))

    def audit(self, limit: int = AUDIT_LIMIT) -> list[dict[str, Any]]:
        """The latest changes first."""
        rows = self.store.reader().execute(
            "SELECT at, who, setting, label, old, new FROM settings_audit ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [{"at": at, "who": who, "setting": s, "label": label, "old": old, "new": new}
                for at, who, s, label, old, new in rows]  # fmt: skip
