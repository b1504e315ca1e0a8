"""The centre's mirror of every counter's dossiers: the latest record of each and its digitised files.

Counters push here through their outbox (DESIGN.md §1), so a push may arrive twice or out of order: a record
is kept only when its revision is higher than the stored one, and a file is named by its SHA-256, so sending
either again changes nothing. Files live beside the queue database as `<sha256>.pdf` (folder 0700, files
0600: they are citizens' papers), written atomically so a power cut never leaves half a PDF under a good name.

`public_status` is the one read that needs no token: the citizen's status page (`/h/{code}-{key}`), given the
dossier's random lookup key, gets the status and dates only, never a person's data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.atomic_file import write_atomic
from app.core.clock import Clock, SystemClock, local_day, to_iso
from app.core.dossier import LOOKUP_KEY_LENGTH, STATUS_NAMES, Dossier, Status, is_lookup_key
from app.core.dossier_codec import dossier_from_dict, dossier_to_dict
from app.core.errors import DomainError, NotFound
from app.core.report_dossiers import closing
from app.store.writer import Tx, Writer

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
ID_NUMBER_RE = re.compile(r"^\d{12}$")
CODE_MAX = 64
FIND_LIMIT = 50
FILES_FOLDER = "dossier-files"


class InvalidContent(DomainError):
    """What was sent cannot be kept as it is (a malformed record, a file that does not match its hash): 422."""

    code = "invalid_content"


def parse_record(record: Mapping[str, Any]) -> Dossier:
    """The dossier a pushed record describes, or InvalidContent saying in Vietnamese what is wrong with it."""
    try:
        dossier = dossier_from_dict(record)
    except KeyError as exc:
        raise InvalidContent(
            f"Hồ sơ gửi lên thiếu trường “{exc.args[0]}”.", code="invalid_dossier", field=str(exc.args[0])
        ) from None
    except (ValueError, TypeError, AttributeError, IndexError):
        # No detail from the exception: it may quote a value, and values here are personal data.
        raise InvalidContent(
            "Hồ sơ gửi lên không đúng định dạng (có trường sai kiểu hoặc sai giá trị).", code="invalid_dossier"
        ) from None
    if not dossier.code.strip() or len(dossier.code) > CODE_MAX or "/" in dossier.code:
        raise InvalidContent("Mã hồ sơ không hợp lệ.", code="invalid_dossier", field="code")
    if dossier.revision < 1:
        raise InvalidContent("Số phiên bản của hồ sơ phải từ 1 trở lên.", code="invalid_dossier", field="revision")
    if dossier.lookup_key and not is_lookup_key(dossier.lookup_key):
        raise InvalidContent(
            "Khóa tra cứu của hồ sơ không hợp lệ (12–64 chữ cái hoặc chữ số).",
            code="invalid_dossier",
            field="lookup_key",
        )
    for component in dossier.components:
        for f in component.files:
            if not SHA256_RE.match(f.sha256):
                raise InvalidContent(
                    f"Tệp của thành phần “{component.name[:80]}” có mã băm SHA-256 không hợp lệ.",
                    code="invalid_dossier",
                    field="components.files.sha256",
                )
    return dossier


def closed_day_of(dossier: Dossier) -> str | None:
    """The local day the dossier was closed (its first closing step, as the report reads it); None while open.
    Kept in its own indexed column: a period's report reads only the dossiers not closed before it starts."""
    closed = closing(dossier)
    return None if closed is None else local_day(closed[1]).isoformat()


def fill_closed_days(conn: sqlite3.Connection) -> int:
    """Set `closed_day` of the rows written before it existed (the migration); how many were closed. A record that
    cannot be read stays NULL: the report then still reads it and counts it as skipped."""
    closed: list[tuple[str, str]] = []
    for code, data in conn.execute("SELECT code, data FROM dossier_mirror WHERE closed_day IS NULL").fetchall():
        try:
            day = closed_day_of(dossier_from_dict(json.loads(data)))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            continue
        if day is not None:
            closed.append((day, code))
    conn.executemany("UPDATE dossier_mirror SET closed_day = ? WHERE code = ?", closed)
    return len(closed)


def referenced_files(data: Mapping[str, Any]) -> frozenset[str]:
    """SHA-256 of every file the stored record's components point at."""
    return frozenset(str(f["sha256"]) for c in data.get("components", ()) for f in c.get("files", ()))


def summary_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a search result shows: enough to pick the right dossier, not the whole record."""
    status = int(data["status"])
    return {
        "code": data["code"],
        "revision": data["revision"],
        "status": status,
        "status_name": STATUS_NAMES[Status(status)],
        "procedure_name": data["procedure"]["name"],
        "citizen_name": data["citizen"]["name"],
        "received_at": data["received_at"],
        "due_at": data.get("due_at"),
    }


@dataclass(frozen=True)
class PublicStatus:
    """What a citizen's status page may show: no name, number, address, phone, document or file."""

    code: str
    procedure_name: str
    status: Status
    received_at: datetime
    due_at: datetime | None  # None while paused for a supplement
    paused: bool
    returned_at: datetime | None
    updated_at: datetime  # the dossier's last recorded change


def public_status_of(d: Dossier) -> PublicStatus:
    return PublicStatus(
        code=d.code,
        procedure_name=d.procedure_name,
        status=d.status,
        received_at=d.received_at,
        due_at=d.due_at,
        paused=d.open_pause is not None,
        returned_at=d.returned_at,
        updated_at=d.steps[-1].at if d.steps else d.received_at,
    )


class DossierMirror:
    """Records in `dossier_mirror`, files in `folder`; every change goes through the queue's single writer."""

    def __init__(
        self,
        writer: Writer,
        reader_factory: Callable[[], sqlite3.Connection],
        folder: Path,
        clock: Clock | None = None,
    ) -> None:
        self._writer = writer
        self._reader = reader_factory
        self.folder = folder
        self.clock = clock or SystemClock()
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)

    # --- records -------------------------------------------------------------------------------

    def put(self, record: Mapping[str, Any]) -> tuple[int, bool]:
        """Keep `record` when it is newer than what is stored; (the revision now stored, whether it was kept)."""
        dossier = parse_record(record)
        # The normalised form, not the bytes sent: the mirror keeps dossiers, not whatever JSON came along.
        data = json.dumps(dossier_to_dict(dossier), ensure_ascii=False)
        now = to_iso(self.clock.now())

        def job(tx: Tx) -> tuple[int, bool]:
            row = tx.conn.execute("SELECT revision FROM dossier_mirror WHERE code=?", (dossier.code,)).fetchone()
            if row is not None and int(row[0]) >= dossier.revision:
                return int(row[0]), False
            tx.conn.execute(
                "INSERT INTO dossier_mirror (code, revision, status, counter, day, id_number, data, updated_at, "
                "closed_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                "revision=excluded.revision, status=excluded.status, counter=excluded.counter, day=excluded.day, "
                "id_number=excluded.id_number, data=excluded.data, updated_at=excluded.updated_at, "
                "closed_day=excluded.closed_day",
                (
                    dossier.code,
                    dossier.revision,
                    int(dossier.status),
                    dossier.counter,
                    local_day(dossier.received_at).isoformat(),
                    dossier.citizen.id_number,
                    data,
                    now,
                    closed_day_of(dossier),
                ),
            )
            return dossier.revision, True

        return self._writer.run(job)

    def get(self, code: str) -> dict[str, Any] | None:
        row = self._reader().execute("SELECT data FROM dossier_mirror WHERE code=?", (code,)).fetchone()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row[0])
        return data

    def record(self, code: str) -> dict[str, Any]:
        """The record of `code`; NotFound (unknown_dossier) when the centre has none: the service's GET answer."""
        data = self.get(code)
        if data is None:
            raise NotFound(f"Không tìm thấy hồ sơ {code} trên máy chủ Trung tâm.", code="unknown_dossier")
        return data

    def public_status(self, code: str, key: str) -> PublicStatus | None:
        """The status of `code` when `key` is its lookup key; None alike for an unknown code, a dossier without a
        key and a wrong key, so the page never tells them apart."""
        data = self.get(code) if code and len(code) <= CODE_MAX else None
        expected = str(data.get("lookup_key") or "") if data is not None else ""
        # compare_digest even when there is nothing to compare with: the same work for every wrong guess
        matches = hmac.compare_digest((expected or "-" * LOOKUP_KEY_LENGTH).encode(), key.encode())
        if data is None or not expected or not matches:
            return None
        return public_status_of(dossier_from_dict(data))

    def find(self, query: str = "", limit: int = FIND_LIMIT) -> list[dict[str, Any]]:
        """Summaries by dossier code or 12-digit CCCD number, newest first; no query: the latest changed."""
        q = query.strip()
        limit = max(1, min(limit, FIND_LIMIT))
        params: tuple[object, ...]
        if not q:
            sql, params = "ORDER BY updated_at DESC, code LIMIT ?", (limit,)
        elif ID_NUMBER_RE.match(q):
            sql, params = "WHERE id_number=? ORDER BY day DESC, code DESC LIMIT ?", (q, limit)
        else:
            # Codes are printed upper-case on the receipt; a clerk typing one may not bother (both use the key).
            sql, params = "WHERE code IN (?, ?) LIMIT ?", (q, q.upper(), limit)
        rows = self._reader().execute(f"SELECT data FROM dossier_mirror {sql}", params).fetchall()
        return [summary_of(json.loads(r[0])) for r in rows]

    def files_of(self, code: str) -> frozenset[str] | None:
        """The files the stored record of `code` refers to (None: no such dossier here)."""
        data = self.get(code)
        return None if data is None else referenced_files(data)

    def missing_files(self, code: str) -> list[str]:
        """Files the stored record refers to that the mirror does not have yet, sorted."""
        return sorted(sha for sha in self.files_of(code) or () if not self.has_file(sha))

    # --- files ---------------------------------------------------------------------------------

    def file_path(self, sha256: str) -> Path:
        if not SHA256_RE.match(sha256):  # never let a path parameter walk out of the folder
            raise InvalidContent("Mã băm SHA-256 không hợp lệ.", code="invalid_sha256")
        return self.folder / f"{sha256}.pdf"

    def has_file(self, sha256: str) -> bool:
        path = self.file_path(sha256)
        row = self._reader().execute("SELECT 1 FROM mirror_files WHERE sha256=?", (sha256,)).fetchone()
        return row is not None and path.is_file()

    def put_file(self, sha256: str, body: bytes) -> bool:
        """Store a file under its hash (checked); True when it was new, False when it was already here."""
        path = self.file_path(sha256)
        if hashlib.sha256(body).hexdigest() != sha256:
            raise InvalidContent(
                "Tệp không khớp mã băm: nội dung nhận được khác với tệp đã số hóa. Máy quầy sẽ gửi lại.",
                code="hash_mismatch",
            )
        if self.has_file(sha256):
            return False
        # The file first, then its row: a row always means a whole file on disk.
        write_atomic(path, body)
        now = to_iso(self.clock.now())

        def job(tx: Tx) -> None:
            tx.conn.execute(
                "INSERT OR IGNORE INTO mirror_files (sha256, size, stored_at) VALUES (?, ?, ?)",
                (sha256, len(body), now),
            )

        self._writer.run(job)
        return True
