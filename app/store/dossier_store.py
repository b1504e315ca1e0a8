"""The counter's own dossiers: one SQLite file (WAL, synchronous=FULL, 0600), one writer under BEGIN IMMEDIATE.

Reception never waits on the LAN or the WAN: a save allocates the dossier number, writes the dossier and its
`changes` row (the sync outbox) in one transaction, and returns only after the commit is on disk. A new dossier
gets its random `lookup_key` here (the key of the citizen's status page; app/core/dossier.py).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from app.core.clock import Clock, local_day, to_iso
from app.core.dossier import LOOKUP_KEY_ALPHABET, LOOKUP_KEY_LENGTH, Dossier
from app.core.dossier_code import CodeBlock, fallback_block, format_code, overflow_block
from app.core.dossier_codec import dossier_from_dict, dossier_to_dict
from app.core.errors import Conflict, NotFound
from app.core.workcalendar import DayOverride
from app.store.database import Readers, open_database
from app.store.dossier_schema import dossier_migrations
from app.store.writer import Tx, Writer

DB_NAME = "dossiers.db"


class DossierStore:
    def __init__(self, folder: Path, clock: Clock) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)  # scanned pages and the database hold personal data
        self.folder = folder
        self.path = folder / DB_NAME
        self.clock = clock
        self._db = open_database(self.path, dossier_migrations)
        self._readers = Readers(self.path)
        self.writer = Writer(self._db.conn)

    def close(self) -> None:
        self.writer.close()
        self._db.conn.close()

    def reader(self) -> sqlite3.Connection:
        return self._readers.get()

    # --- settings (unit code, printer choice, …) -------------------------------------------------

    def setting(self, key: str, default: str = "") -> str:
        row = self.reader().execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_setting(self, key: str, value: str) -> None:
        def job(tx: Tx) -> None:
            tx.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

        self.writer.run(job)

    # --- dossier numbers ---------------------------------------------------------------------------

    def add_block(self, block: CodeBlock) -> None:
        """A block the centre service handed out (idempotent: the same block twice is kept once)."""

        def job(tx: Tx) -> None:
            tx.conn.execute(
                "INSERT OR IGNORE INTO code_blocks (day, first, last, next, source) VALUES (?, ?, ?, ?, ?)",
                (block.day.isoformat(), block.first, block.last, block.first, block.source),
            )

        self.writer.run(job)

    def numbers_left(self, day: date, source: str = "centre") -> int:
        row = (
            self.reader()
            .execute(
                "SELECT COALESCE(SUM(last - next + 1), 0) FROM code_blocks WHERE day=? AND source=? AND next <= last",
                (day.isoformat(), source),
            )
            .fetchone()
        )
        return int(row[0])

    def _take_number(self, tx: Tx, day: date, counter: int) -> int:
        """The next free number of the day: centre blocks first, then the counter's own ranges."""
        for attempt in range(3):
            row = tx.conn.execute(
                "SELECT first, next FROM code_blocks WHERE day=? AND next <= last "
                "ORDER BY CASE source WHEN 'centre' THEN 0 WHEN 'fallback' THEN 1 ELSE 2 END, first LIMIT 1",
                (day.isoformat(),),
            ).fetchone()
            if row is not None:
                tx.conn.execute(
                    "UPDATE code_blocks SET next = next + 1 WHERE day=? AND first=?", (day.isoformat(), row[0])
                )
                return int(row[1])
            own = fallback_block(day, counter) if attempt == 0 else overflow_block(day, counter)
            tx.conn.execute(
                "INSERT OR IGNORE INTO code_blocks (day, first, last, next, source) VALUES (?, ?, ?, ?, ?)",
                (day.isoformat(), own.first, own.last, own.first, own.source),
            )
        raise Conflict("Hết số hồ sơ dự phòng của quầy trong ngày. Kết nối lại mạng LAN để lấy thêm số.")

    # --- dossiers ------------------------------------------------------------------------------------

    def receive(self, unit_code: str, counter: int, build: Callable[[str, datetime], Dossier]) -> Dossier:
        """Number, build and save a new dossier in one transaction; durable when this returns."""

        def job(tx: Tx) -> Dossier:
            now = self.clock.now()
            day = local_day(now)
            code = format_code(unit_code, day, self._take_number(tx, day, counter))
            dossier = build(code, now)
            if not dossier.lookup_key:
                dossier = replace(dossier, lookup_key=new_lookup_key())
            _insert(tx, dossier)
            self._record(tx, dossier, "created")
            return dossier

        return self.writer.run(job)

    def adopt(self, dossier: Dossier) -> Dossier:
        """A dossier received at another counter, taken from the centre's mirror to act on here (a return).

        Kept as it is (same code and revision); if this counter already has it, its own copy wins."""

        def job(tx: Tx) -> Dossier:
            row = tx.conn.execute("SELECT data FROM dossiers WHERE code=?", (dossier.code,)).fetchone()
            if row is not None:
                return dossier_from_dict(json.loads(row[0]))
            _insert(tx, dossier)
            self._record(tx, dossier, "adopted")
            return dossier

        return self.writer.run(job)

    def change(self, code: str, kind: str, apply: Callable[[Dossier, datetime], Dossier]) -> Dossier:
        """Load, apply a domain change, save with the next revision, record it for sync: all or nothing."""

        code = code.strip().upper()

        def job(tx: Tx) -> Dossier:
            before = _load(tx.conn, code)
            after = apply(before, self.clock.now())
            printed = (after.code, after.lookup_key) == (before.code, before.lookup_key)  # on Mẫu 01: they stay
            if after.revision != before.revision + 1 or not printed:
                raise Conflict("Thay đổi hồ sơ không hợp lệ (sai số phiên bản).")
            tx.conn.execute(
                "UPDATE dossiers SET revision=?, status=?, data=? WHERE code=? AND revision=?",
                (after.revision, int(after.status), _json(after), code, before.revision),
            )
            self._record(tx, after, kind)
            return after

        return self.writer.run(job)

    def _record(self, tx: Tx, dossier: Dossier, kind: str) -> None:
        tx.conn.execute(
            "INSERT INTO changes (code, revision, kind, at) VALUES (?, ?, ?, ?)",
            (dossier.code, dossier.revision, kind, to_iso(self.clock.now())),
        )

    def get(self, code: str) -> Dossier:
        return _load(self.reader(), code.strip().upper())

    def of_citizen(self, id_number: str) -> list[Dossier]:
        rows = (
            self.reader()
            .execute("SELECT data FROM dossiers WHERE id_number=? ORDER BY received_at DESC", (id_number,))
            .fetchall()
        )
        return [dossier_from_dict(json.loads(r[0])) for r in rows]

    def between(self, first: date, last: date) -> list[Dossier]:
        rows = (
            self.reader()
            .execute(
                "SELECT data FROM dossiers WHERE day BETWEEN ? AND ? ORDER BY received_at",
                (first.isoformat(), last.isoformat()),
            )
            .fetchall()
        )
        return [dossier_from_dict(json.loads(r[0])) for r in rows]

    def recent(self, limit: int = 50) -> list[Dossier]:
        rows = self.reader().execute("SELECT data FROM dossiers ORDER BY received_at DESC LIMIT ?", (limit,))
        return [dossier_from_dict(json.loads(r[0])) for r in rows.fetchall()]

    def count(self) -> int:
        return int(self.reader().execute("SELECT COUNT(*) FROM dossiers").fetchone()[0])

    def changes_after(self, change_id: int, limit: int = 500) -> list[tuple[int, str, int, str]]:
        """The outbox seam for sync: (id, code, revision, kind) in commit order."""
        rows = (
            self.reader()
            .execute(
                "SELECT id, code, revision, kind FROM changes WHERE id > ? ORDER BY id LIMIT ?", (change_id, limit)
            )
            .fetchall()
        )
        return [(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]

    # --- calendar overrides ------------------------------------------------------------------------

    def overrides(self) -> list[DayOverride]:
        rows = self.reader().execute(
            "SELECT day, working, source, effective, note FROM calendar_overrides ORDER BY day"
        )
        return [
            DayOverride(date.fromisoformat(r[0]), bool(r[1]), str(r[2]), date.fromisoformat(r[3]), str(r[4]))
            for r in rows.fetchall()
        ]

    def set_override(self, override: DayOverride) -> None:
        def job(tx: Tx) -> None:
            tx.conn.execute(
                "INSERT OR REPLACE INTO calendar_overrides (day, working, source, effective, note, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    override.day.isoformat(),
                    int(override.working),
                    override.source,
                    override.effective.isoformat(),
                    override.note,
                    to_iso(self.clock.now()),
                ),
            )

        self.writer.run(job)

    def replace_overrides(self, overrides: list[DayOverride]) -> bool:
        """Make the table exactly `overrides` (the centre's, GET /api/calendar); whether anything changed."""

        def job(tx: Tx) -> bool:
            rows = tx.conn.execute("SELECT day, working, source, effective, note FROM calendar_overrides").fetchall()
            have = {(str(d), bool(w), str(s), str(e), str(n)) for d, w, s, e, n in rows}
            want = {(o.day.isoformat(), o.working, o.source, o.effective.isoformat(), o.note) for o in overrides}
            if have == want:
                return False
            tx.conn.execute("DELETE FROM calendar_overrides")
            now = to_iso(self.clock.now())
            tx.conn.executemany(
                "INSERT INTO calendar_overrides (day, working, source, effective, note, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(d, int(w), s, e, n, now) for d, w, s, e, n in sorted(want)],
            )
            return True

        return self.writer.run(job)

    def remove_override(self, day: date) -> bool:
        def job(tx: Tx) -> bool:
            return tx.conn.execute("DELETE FROM calendar_overrides WHERE day=?", (day.isoformat(),)).rowcount > 0

        return self.writer.run(job)


def new_lookup_key() -> str:
    """A fresh key for a dossier's status page: random, from the OS's secure source."""
    return "".join(secrets.choice(LOOKUP_KEY_ALPHABET) for _ in range(LOOKUP_KEY_LENGTH))


def _insert(tx: Tx, dossier: Dossier) -> None:
    tx.conn.execute(
        "INSERT INTO dossiers (code, revision, status, day, received_at, id_number, procedure_code, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (dossier.code, dossier.revision, int(dossier.status), local_day(dossier.received_at).isoformat(),
         to_iso(dossier.received_at), dossier.citizen.id_number, dossier.procedure_code, _json(dossier)),
    )  # fmt: skip


def _json(dossier: Dossier) -> str:
    return json.dumps(dossier_to_dict(dossier), ensure_ascii=False)


def _load(conn: sqlite3.Connection, code: str) -> Dossier:
    row = conn.execute("SELECT data FROM dossiers WHERE code=?", (code,)).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã {code} tại quầy này.", code="dossier_not_found")
    return dossier_from_dict(json.loads(row[0]))
