"""Check a backup archive (backup.py) and bring it back as a data folder, all or nothing.

`extract_checked` refuses an archive before anything is kept: not a zip or a torn one, no manifest or another
format, a member name that would land outside the folder, a member missing, extra or altered (size and SHA-256
against the manifest, zip's own CRC), a database that fails `PRAGMA integrity_check`.

`restore` extracts and checks into a temp folder beside the data folder (same disk, so the swap is a rename), then,
when nothing has the folder's databases open (`folder_in_use`), moves the old folder aside as
`DIR.before-restore-YYYYMMDD-HHMMSS` and renames the new one into place. A failure at any step leaves the old
folder as it was and removes the temp folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from app.atomic_file import PRIVATE_MODE, fsync_dir
from app.core.clock import LOCAL_TZ
from app.store.backup import (
    FORMAT,
    MANIFEST,
    SIDE_FILES,
    BackupError,
    Member,
    folder_files,
    integrity_problems,
    is_sqlite,
)

_CHUNK = 1 << 20
FOLDER_MODE = 0o700


@dataclass(frozen=True)
class Manifest:
    software_version: str
    created_at: str
    folder: str
    members: tuple[Member, ...]

    @property
    def databases(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members if m.kind == "database")


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    data: Path
    before: Path | None  # where the folder that was there went (None: there was none, or it was empty)


def read_manifest(archive: zipfile.ZipFile, label: str) -> Manifest:
    try:
        raw: Any = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{label} không có {MANIFEST}: không phải bản sao lưu Một Cửa.") from None
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{MANIFEST} trong {label} bị hỏng ({exc}).") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("members"), list):
        raise BackupError(f"{label} không phải bản sao lưu Một Cửa (manifest không đúng định dạng).")
    members: list[Member] = []
    for item in raw["members"]:
        try:
            member = Member(str(item["name"]), str(item["kind"]), int(item["size"]), str(item["sha256"]))
        except (KeyError, TypeError, ValueError):
            raise BackupError(f"{MANIFEST} trong {label} có một mục không đúng định dạng.") from None
        if member.kind not in ("database", "file") or not _safe_name(member.name):
            raise BackupError(f"{label} có tệp tên không hợp lệ «{member.name}»: không khôi phục.")
        members.append(member)
    if len({m.name for m in members}) != len(members):
        raise BackupError(f"{MANIFEST} trong {label} ghi một tệp hai lần.")
    return Manifest(str(raw.get("software_version", "?")), str(raw.get("created_at", "?")),
                    str(raw.get("folder", "")), tuple(members))  # fmt: skip


def _safe_name(name: str) -> bool:
    """A relative path inside the folder: no absolute path, drive, `..`, backslash or SQLite companion file."""
    path = PurePosixPath(name)
    return (
        bool(name) and "\\" not in name and ":" not in name and "\x00" not in name and not path.is_absolute()
        and all(part not in ("", ".", "..") for part in name.split("/"))
        and name != MANIFEST and not name.endswith(SIDE_FILES)
    )  # fmt: skip


def extract_checked(archive_path: Path, into: Path) -> Manifest:
    """Extract every member into the empty folder `into`, checking each (module doc); BackupError on the first
    problem, in Vietnamese (the caller removes `into`)."""
    label = f"Tệp {archive_path.name}"
    try:
        archive = zipfile.ZipFile(archive_path)
    except FileNotFoundError:
        raise BackupError(f"Không có tệp sao lưu {archive_path}.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(
            f"{label} không đọc được như một bản sao lưu (hỏng, bị cắt hoặc không phải zip: {exc})."
        ) from None
    with archive:
        manifest = read_manifest(archive, label)
        listed = {m.name for m in manifest.members}
        present = {i.filename for i in archive.infolist() if not i.is_dir()} - {MANIFEST}
        if present - listed:
            raise BackupError(
                f"{label} có tệp không ghi trong manifest ({sorted(present - listed)[0]}): không khôi phục."
            )
        for member in manifest.members:
            if member.name not in present:
                raise BackupError(f"{label} thiếu tệp {member.name}: bản sao lưu không đầy đủ.")
            _extract(archive, member, into, label)
    for name in manifest.databases:
        problems = integrity_problems(into / name)
        if problems:
            raise BackupError(f"Cơ sở dữ liệu {name} trong {archive_path.name} bị hỏng ({'; '.join(problems[:3])}).")
        for side in SIDE_FILES:  # opening it to check may leave companions behind
            with contextlib.suppress(FileNotFoundError):
                (into / (name + side)).unlink()
    return manifest


def _extract(archive: zipfile.ZipFile, member: Member, into: Path, label: str) -> None:
    target = into.joinpath(*member.name.split("/"))
    target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_MODE)
        with archive.open(member.name) as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:  # a CRC mismatch, a torn member, a bad header
        raise BackupError(f"{label}: tệp {member.name} bị hỏng ({exc}).") from None
    if size != member.size or digest.hexdigest() != member.sha256:
        raise BackupError(
            f"{label}: tệp {member.name} không khớp mã kiểm tra SHA-256 trong manifest (đã bị sửa hoặc hỏng)."
        )
    if member.kind == "database" and not is_sqlite(target):
        raise BackupError(f"{label}: {member.name} không phải cơ sở dữ liệu SQLite.")


def check_archive(archive_path: Path) -> Manifest:
    """Everything `restore` checks, in a temp folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="motcua-check-") as scratch:
        return extract_checked(archive_path, Path(scratch))


def folder_in_use(data: Path) -> list[str]:
    """The databases of `data` some process has open (the centre service, a counter app): a connection that asks
    for SQLite's exclusive lock without waiting is refused while any other connection holds the file."""
    busy: list[str] = []
    for path in folder_files(data):
        if not is_sqlite(path):
            continue
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=0)
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError:
            busy.append(path.relative_to(data).as_posix())
        finally:
            conn.close()
    return busy


def in_use_message(data: Path, busy: list[str]) -> str:
    return (
        f"Thư mục dữ liệu {data} đang được dùng ({', '.join(busy)} đang mở: dịch vụ trung tâm hoặc phần mềm quầy "
        "đang chạy trên thư mục này). Dừng dịch vụ (Ctrl+C, hoặc dừng dịch vụ của hệ điều hành) và tắt phần mềm "
        "quầy rồi chạy lại lệnh khôi phục. Chưa thay đổi gì."
    )


def restore(archive_path: Path, data: Path, *, now: datetime) -> Restored:
    """Bring the archive back as `data` (module doc). BackupError, in Vietnamese, when the archive fails a check,
    the folder is in use or is not a folder; OSError when the disk fails midway. Either way `data` is unchanged."""
    data = data.absolute()
    if data.exists() and not data.is_dir():
        raise BackupError(f"{data} không phải một thư mục.")
    if not data.parent.is_dir():
        raise BackupError(f"Không có thư mục {data.parent} để khôi phục vào.")
    stage = Path(tempfile.mkdtemp(dir=data.parent, prefix=f".{data.name}.restore-"))
    before: Path | None = None
    try:
        manifest = extract_checked(archive_path, stage)
        stage.chmod(FOLDER_MODE)
        if data.exists():
            busy = folder_in_use(data)
            if busy:
                raise BackupError(in_use_message(data, busy))
            if any(data.iterdir()):
                before = _aside(data, now)
                os.rename(data, before)
            else:
                data.rmdir()
        try:
            os.rename(stage, data)
        except OSError:
            if before is not None:
                os.rename(before, data)  # the old folder back where it was
                before = None
            raise
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    fsync_dir(data.parent)
    return Restored(manifest, data, before)


def _aside(data: Path, now: datetime) -> Path:
    stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    candidate, n = data.with_name(f"{data.name}.before-restore-{stamp}"), 1
    while candidate.exists():
        n += 1
        candidate = data.with_name(f"{data.name}.before-restore-{stamp}-{n}")
    return candidate
