"""The outbox cursors: per destination and dossier, what was delivered, when to try again and why it failed.

Every dossier change already has its `changes` row (written with the change); a dossier is pending for a
destination while the revision delivered in full is below the dossier's revision. Failures push the next try
back (exponential, with jitter); a permanent refusal parks the dossier until it changes or the clerk retries.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.clock import from_iso, to_iso
from app.store.dossier_store import DossierStore
from app.store.writer import Tx

BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 600.0


@dataclass(frozen=True)
class DeliveryState:
    revision: int
    steps: int
    files: frozenset[str]
    remote_status: int | None


@dataclass(frozen=True)
class PendingItem:
    """One dossier not yet fully at a destination, as the sync view lists it."""

    dest: str
    code: str
    revision: int  # the dossier's current revision
    delivered: int  # the revision delivered in full (0: never)
    waiting_since: datetime  # the first change not yet delivered
    attempts: int
    last_error: str
    rejected: bool
    remote_message: str
    next_try_at: datetime | None


def backoff_s(attempts: int, rng: random.Random | None = None) -> float:
    """2 s, 4 s, 8 s … up to 10 minutes, each ±50 %: counters that lost the WAN together do not retry together."""
    delay: float = min(BACKOFF_BASE_S * 2.0 ** max(0, attempts - 1), BACKOFF_MAX_S)
    draw: float = (rng or random.Random()).random()  # noqa: S311 - jitter, not security
    return delay * (0.5 + draw)


_PENDING = """
    SELECT d.code, d.revision, COALESCE(s.complete_revision, 0), COALESCE(s.attempts, 0),
           COALESCE(s.last_error, ''), s.rejected_revision, COALESCE(s.remote_message, ''), s.next_try_at,
           (SELECT MIN(c.at) FROM changes c WHERE c.code = d.code AND c.revision > COALESCE(s.complete_revision, 0))
    FROM dossiers d LEFT JOIN sync_state s ON s.code = d.code AND s.dest = ?
    WHERE COALESCE(s.complete_revision, 0) < d.revision
"""


def summarise(items: list[PendingItem], now: datetime) -> tuple[int, int, timedelta | None]:
    """(waiting, rejected, age of the oldest waiting) of one destination's pending items: the status-bar line."""
    waiting = [p for p in items if not p.rejected]
    oldest = min((p.waiting_since for p in waiting), default=None)
    return len(waiting), len(items) - len(waiting), (now - oldest) if oldest else None


class SyncState:
    def __init__(self, store: DossierStore) -> None:
        self.store = store

    # --- reading --------------------------------------------------------------------------------------

    def delivered(self, dest: str, code: str) -> DeliveryState:
        row = (
            self.store.reader()
            .execute(
                "SELECT revision, steps, files, remote_status FROM sync_state WHERE dest=? AND code=?", (dest, code)
            )
            .fetchone()
        )
        if row is None:
            return DeliveryState(0, 0, frozenset(), None)
        return DeliveryState(int(row[0]), int(row[1]), frozenset(json.loads(row[2])), row[3])

    def pending(self, dest: str) -> list[PendingItem]:
        """Everything not yet at `dest`, oldest first (rejected ones included, flagged)."""
        rows = self.store.reader().execute(_PENDING + " ORDER BY 9, d.code", (dest,)).fetchall()
        return [
            PendingItem(
                dest,
                str(r[0]),
                int(r[1]),
                int(r[2]),
                from_iso(str(r[8])),
                int(r[3]),
                str(r[4]),
                r[5] is not None and int(r[5]) >= int(r[1]),
                str(r[6]),
                from_iso(str(r[7])) if r[7] else None,
            )
            for r in rows
        ]

    def due(self, dest: str, now: datetime, limit: int = 50) -> tuple[list[str], datetime | None]:
        """Codes to try now (oldest change first) and, when none is due, when the next one will be."""
        parked = "(s.rejected_revision IS NOT NULL AND s.rejected_revision >= d.revision)"
        conn = self.store.reader()
        rows = conn.execute(
            f"""SELECT d.code FROM dossiers d LEFT JOIN sync_state s ON s.code = d.code AND s.dest = ?
                WHERE COALESCE(s.complete_revision, 0) < d.revision AND NOT COALESCE({parked}, 0)
                  AND (s.next_try_at IS NULL OR s.next_try_at <= ?)
                ORDER BY d.received_at LIMIT ?""",
            (dest, to_iso(now), limit),
        ).fetchall()
        if rows:
            return [str(r[0]) for r in rows], None
        later = conn.execute(
            f"""SELECT MIN(s.next_try_at) FROM dossiers d JOIN sync_state s ON s.code = d.code AND s.dest = ?
                WHERE s.complete_revision < d.revision AND NOT COALESCE({parked}, 0)""",
            (dest,),
        ).fetchone()
        return [], from_iso(str(later[0])) if later and later[0] else None

    # --- writing --------------------------------------------------------------------------------------

    def _upsert(self, tx: Tx, dest: str, code: str, **values: object) -> None:
        tx.conn.execute("INSERT OR IGNORE INTO sync_state (dest, code) VALUES (?, ?)", (dest, code))
        sets = ", ".join(f"{k}=?" for k in values)
        tx.conn.execute(f"UPDATE sync_state SET {sets} WHERE dest=? AND code=?", (*values.values(), dest, code))

    def record(self, dest: str, code: str, state: DeliveryState, *, complete: bool, now: datetime) -> None:
        """A delivery that went through (in full when `complete`): the failure count starts again."""

        def job(tx: Tx) -> None:
            values: dict[str, object] = {
                "revision": state.revision, "steps": state.steps, "files": json.dumps(sorted(state.files)),
                "remote_status": state.remote_status, "attempts": 0, "next_try_at": None, "last_error": "",
                "updated_at": to_iso(now),
            }  # fmt: skip
            if complete:
                values.update(complete_revision=state.revision, rejected_revision=None, remote_message="")
            self._upsert(tx, dest, code, **values)

        self.store.writer.run(job)

    def failed(self, dest: str, code: str, state: DeliveryState | None, message: str, now: datetime) -> None:
        """A transient failure: keep what got through, try again after the backoff."""

        def job(tx: Tx) -> None:
            row = tx.conn.execute("SELECT attempts FROM sync_state WHERE dest=? AND code=?", (dest, code)).fetchone()
            attempts = (int(row[0]) if row else 0) + 1
            values: dict[str, object] = {
                "attempts": attempts, "last_error": message[:500], "updated_at": to_iso(now),
                "next_try_at": to_iso(now + timedelta(seconds=backoff_s(attempts))),
            }  # fmt: skip
            if state is not None:
                values.update(revision=state.revision, steps=state.steps, files=json.dumps(sorted(state.files)))
            self._upsert(tx, dest, code, **values)

        self.store.writer.run(job)

    def rejected(self, dest: str, code: str, revision: int, state: DeliveryState | None, message: str,
                 remote_message: str, now: datetime) -> None:  # fmt: skip
        """Refused for good at `revision`: parked until the dossier changes or the clerk asks again."""

        def job(tx: Tx) -> None:
            values: dict[str, object] = {
                "rejected_revision": revision, "last_error": message[:500], "remote_message": remote_message[:500],
                "next_try_at": None, "updated_at": to_iso(now),
            }  # fmt: skip
            if state is not None:
                values.update(revision=state.revision, steps=state.steps, files=json.dumps(sorted(state.files)))
            self._upsert(tx, dest, code, **values)

        self.store.writer.run(job)

    def retry_now(self, dest: str, code: str | None = None) -> int:
        """ "Thử lại ngay": clear the wait (and a rejection) of one dossier, or of all."""

        def job(tx: Tx) -> int:
            where, args = ("dest=? AND code=?", (dest, code)) if code else ("dest=?", (dest,))
            cursor = tx.conn.execute(
                f"UPDATE sync_state SET next_try_at=NULL, rejected_revision=NULL, attempts=0 WHERE {where}", args
            )
            return int(cursor.rowcount)

        return self.store.writer.run(job)

    def set_remote_status(self, dest: str, code: str, status: int | None) -> None:
        def job(tx: Tx) -> None:
            self._upsert(tx, dest, code, remote_status=status)

        self.store.writer.run(job)
