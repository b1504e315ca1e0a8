"""A data folder in one archive file, consistent while the service keeps writing (restore: restore.py).

The archive is a zip, written as a temp file beside its name, fsynced and renamed (mode 0600: it holds tokens,
keys and citizens' papers), so a crash, a full disk or an unplugged USB disk never leaves a torn archive under a
good name. It holds:

- every SQLite database of the folder (found by its header, `queue.db`, a counter's `dossiers.db`…) as an online
  backup (the SQLite backup API in one step, from a connection of its own): one consistent moment of the database,
  taken beside the service's writer, which is not blocked (WAL). Each copy passes `PRAGMA integrity_check` before it
  goes in; `-wal`, `-shm` and `-journal` files are never copied, the copy already holds what they held;
- every other file as it is (admin.token, follow.key, tls/, catalog.json, dossier-files/, a counter's page spool);
  a file that disappears while the archive is written (a temp file renamed away) is left out;
- `manifest.json`, written last: format, the software version, the time, and each member's name, kind
  ("database" | "file"), size and SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.atomic_file import PRIVATE_MODE, fsync_dir
from app.core.clock import to_iso

log = logging.getLogger(__name__)

FORMAT = "motcua-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's own companions: the online copy already holds their content
_ALREADY_COMPRESSED = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".zip", ".gz", ".wav", ".ogg"})
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or a restore that cannot be done; `message` is Vietnamese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Member:
    name: str  # the path inside the data folder, with "/"
    kind: str  # "database" | "file"
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    members: tuple[Member, ...]
    size: int  # of the archive, bytes

    @property
    def databases(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members if m.kind == "database")


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def integrity_problems(path: Path) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong with the database file at `path` ([] = sound)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:  # not a database at all, or its first page is unreadable
        return [str(exc)]
    finally:
        conn.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def online_copy(source: Path, target: Path) -> None:
    """A consistent copy of the live database `source` into the new file `target` (rollback journal mode, no
    companions), checked with integrity_check. FileNotFoundError when `source` is gone; BackupError when the copy
    is not sound (then the live database is damaged: the message says so)."""
    if not source.exists():
        raise FileNotFoundError(source)
    # mode=rw: never create an empty database where the real one just vanished.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=30)
    try:
        dst = sqlite3.connect(target, isolation_level=None)
        try:
            # One step (pages=-1) reads one snapshot: the service's commits after it started are not in it, and it
            # never restarts however busy the writer is.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    problems = integrity_problems(target)
    if problems:
        raise BackupError(
            f"Cơ sở dữ liệu {source.name} bị hỏng ({'; '.join(problems[:3])}). Bản sao lưu KHÔNG được ghi. "
            "Báo ngay cán bộ CNTT; khôi phục từ bản sao lưu gần nhất còn tốt."
        )


def folder_files(data: Path, skip: Path | None = None) -> Iterator[Path]:
    """The regular files of a data folder, in a stable order, without SQLite's companions, symbolic links, our
    own temp files (`.name.*.tmp`) and `skip`."""
    for root, dirs, files in os.walk(data):
        dirs[:] = sorted(d for d in dirs if not Path(root, d).is_symlink() and not _is_temp(d))
        for name in sorted(files):
            path = Path(root, name)
            if name.endswith(SIDE_FILES) or _is_temp(name) or path.is_symlink() or path == skip:
                continue
            yield path


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")  # atomic_file's and ours: never a finished file


def write_backup(data: Path, out: Path, *, now: datetime, version: str) -> BackupResult:
    """Write the archive of `data` to `out` (see the module doc). BackupError with a Vietnamese message for a
    missing folder, an output inside the folder or a damaged database; OSError (disk full, USB disk gone) after
    removing what was half written."""
    data, out = data.resolve(), out.absolute()
    if not data.is_dir():
        raise BackupError(f"Không có thư mục dữ liệu {data}.")
    if out.resolve().is_relative_to(data):
        raise BackupError(f"Tệp sao lưu {out} nằm trong chính thư mục dữ liệu: hãy ghi ra ổ đĩa hoặc thư mục khác.")
    if not out.parent.is_dir():
        raise BackupError(f"Không có thư mục {out.parent} để ghi bản sao lưu (ổ USB chưa cắm hoặc sai đường dẫn?).")
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=".motcua-backup-") as stage:
            members = _write_archive(data, partial, Path(stage), now=now, version=version)
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    fsync_dir(out.parent)
    return BackupResult(out, members, out.stat().st_size)


def _write_archive(data: Path, target: Path, stage: Path, *, now: datetime, version: str) -> tuple[Member, ...]:
    members: list[Member] = []
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_MODE)
    with os.fdopen(fd, "wb") as raw:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in folder_files(data):
                name = path.relative_to(data).as_posix()
                try:
                    if is_sqlite(path):
                        copy = stage / f"{len(members)}.db"
                        online_copy(path, copy)
                        members.append(_add(archive, copy, name, "database", path))
                        copy.unlink()
                    else:
                        members.append(_add(archive, path, name, "file", path))
                except FileNotFoundError:
                    log.info("backup: %s disappeared while the archive was written; left out", name)
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "software_version": version,
                        "created_at": to_iso(now), "folder": data.name,
                        "members": [m.to_dict() for m in members]}  # fmt: skip
            info = zipfile.ZipInfo(MANIFEST, _zip_time(time.time()))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, PRIVATE_MODE << 16
            archive.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1))
        raw.flush()
        os.fsync(raw.fileno())
    return tuple(members)


def _add(archive: zipfile.ZipFile, source: Path, name: str, kind: str, original: Path) -> Member:
    info = zipfile.ZipInfo(name, _zip_time(original.stat().st_mtime))
    info.external_attr = PRIVATE_MODE << 16
    stored = kind == "file" and original.suffix.lower() in _ALREADY_COMPRESSED
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, archive.open(info, "w", force_zip64=True) as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return Member(name, kind, size, digest.hexdigest())


def _zip_time(stamp: float) -> tuple[int, int, int, int, int, int]:
    t = time.localtime(max(stamp, 315_532_800))  # zip cannot say a time before 1980
    return (max(t.tm_year, 1980), t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
