"""Backup archives of a data folder and their restore: what goes in, what is checked, nothing half written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.clock import ManualClock
from app.service.server import open_store
from app.store import backup as backup_module
from app.store.backup import MANIFEST, BackupError, write_backup
from app.store.dossier_store import DossierStore
from app.store.queue_store import QueueStore
from app.store.restore import check_archive, folder_in_use, restore

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[Path, QueueStore]]:
    """A centre's data folder with a few tickets, its keys, a TLS folder and a mirrored dossier file; the store open."""
    data = tmp_path / "centre"
    store, _devices = open_store(data, ManualClock())
    for group in ("HT", "CT", "HT"):
        store.issue(group)
    (data / "follow.key").write_bytes(b"k" * 32)
    (data / "tls").mkdir(mode=0o700)
    (data / "tls" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (data / "dossier-files").mkdir(mode=0o700, exist_ok=True)
    (data / "dossier-files" / ("ab" * 32 + ".pdf")).write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 40)
    (data / ".catalog.json.0123.tmp").write_text("half")  # an atomic write in flight: never a finished file
    yield data, store
    store.close()


def tickets(db: Path) -> list[tuple[int, str]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT id, display FROM tickets ORDER BY id").fetchall()


def test_an_archive_holds_an_online_copy_of_each_database_and_every_file(centre, tmp_path: Path) -> None:
    data, store = centre
    assert (data / "queue.db-wal").exists(), "the service has it open in WAL mode"
    result = write_backup(data, tmp_path / "b.zip", now=NOW, version="0.1.0")
    assert stat.S_IMODE((tmp_path / "b.zip").stat().st_mode) == 0o600
    assert result.databases == ("queue.db",)
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read(MANIFEST))
    assert names == {MANIFEST, "queue.db", "admin.token", "kiosk.token", "follow.key", "tls/ca.pem",
                     f"dossier-files/{'ab' * 32}.pdf"}  # fmt: skip
    assert manifest["format"] == "motcua-backup"
    assert manifest["software_version"] == "0.1.0"
    assert manifest["created_at"] == "2026-11-23T01:30:00.000000+00:00"
    assert {m["name"]: m["kind"] for m in manifest["members"]}["queue.db"] == "database"
    assert all(len(m["sha256"]) == 64 for m in manifest["members"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no temp file or folder is left"
    store.issue("HT")  # the service goes on


def test_restore_into_a_new_folder_gives_the_same_data(centre, tmp_path: Path) -> None:
    data, _store = centre
    write_backup(data, tmp_path / "b.zip", now=NOW, version="0.1.0")
    restored = restore(tmp_path / "b.zip", tmp_path / "again", now=NOW)
    assert restored.before is None
    again = tmp_path / "again"
    assert tickets(again / "queue.db") == tickets(data / "queue.db")
    assert (again / "admin.token").read_bytes() == (data / "admin.token").read_bytes()
    assert (again / "tls" / "ca.pem").read_text() == "-----BEGIN CERTIFICATE-----\n"
    assert stat.S_IMODE(again.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in again.rglob("*") if p.is_file())
    assert not (again / "queue.db-wal").exists()
    store, _devices = open_store(again, ManualClock())  # the service opens it as its own
    try:
        assert store.issue("HT")["id"] == 4  # numbering goes on after the restored tickets
    finally:
        store.close()


def test_restore_over_a_folder_keeps_the_old_one_aside(centre, tmp_path: Path) -> None:
    data, store = centre
    write_backup(data, tmp_path / "b.zip", now=NOW, version="0.1.0")
    store.issue("CT")  # after the backup: not in it
    store.close()
    before_count = len(tickets(data / "queue.db"))
    restored = restore(tmp_path / "b.zip", data, now=NOW)
    assert restored.before == tmp_path / "centre.before-restore-20261123-083000"
    assert len(tickets(restored.before / "queue.db")) == before_count
    assert len(tickets(data / "queue.db")) == before_count - 1
    second = restore(tmp_path / "b.zip", data, now=NOW)  # the same second again: another name, nothing lost
    assert second.before == tmp_path / "centre.before-restore-20261123-083000-2"


def test_a_folder_whose_database_is_open_is_never_replaced(centre, tmp_path: Path) -> None:
    data, store = centre
    write_backup(data, tmp_path / "b.zip", now=NOW, version="0.1.0")
    assert folder_in_use(data) == ["queue.db"]
    with pytest.raises(BackupError, match="đang được dùng"):
        restore(tmp_path / "b.zip", data, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "centre"], "no temp folder, nothing moved aside"
    store.issue("HT")  # the service never noticed
    store.close()
    assert folder_in_use(data) == []


def test_a_counters_folder_is_backed_up_too(tmp_path: Path) -> None:
    desk = DossierStore(tmp_path / "counter", ManualClock())
    try:
        result = write_backup(tmp_path / "counter", tmp_path / "c.zip", now=NOW, version="0.1.0")
    finally:
        desk.close()
    assert result.databases == ("dossiers.db",)
    assert check_archive(tmp_path / "c.zip").databases == ("dossiers.db",)


def _rewrite(source: Path, target: Path, change) -> None:  # type: ignore[no-untyped-def]
    """A copy of the archive `source` with `change(name, data) -> (name, data) | None` applied to each member."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            changed = change(info.filename, zin.read(info))
            if changed is not None:
                zout.writestr(changed[0], changed[1])


def _manifest_edit(edit):  # type: ignore[no-untyped-def]
    def change(name: str, data: bytes) -> tuple[str, bytes]:
        return (name, json.dumps(edit(json.loads(data))).encode()) if name == MANIFEST else (name, data)

    return change


def _flip_token(name: str, data: bytes) -> tuple[str, bytes]:
    return (name, b"x" + data[1:]) if name == "admin.token" else (name, data)


def _replace_member(source: Path, target: Path, member: str, blob: bytes) -> None:
    """`member` replaced by `blob`, and the manifest made to agree (a backup taken of a damaged file)."""

    def fix(manifest: dict) -> dict:  # type: ignore[type-arg]
        entry = {"sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob)}
        return {**manifest, "members": [{**m, **entry} if m["name"] == member else m for m in manifest["members"]]}

    def change(name: str, data: bytes) -> tuple[str, bytes]:
        return _manifest_edit(fix)(name, blob if name == member else data)

    _rewrite(source, target, change)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (_flip_token, "admin.token không khớp mã kiểm tra SHA-256"),
        (lambda n, d: None if n == MANIFEST else (n, d), "không có manifest.json"),
        (lambda n, d: None if n == "follow.key" else (n, d), "thiếu tệp follow.key"),
        (lambda n, d: ("../evil", d) if n == "follow.key" else (n, d), "tệp không ghi trong manifest"),
        (_manifest_edit(lambda m: {**m, "format": "other"}), "không phải bản sao lưu Một Cửa"),
        (
            _manifest_edit(lambda m: {**m, "members": [*m["members"], {**m["members"][0], "name": "../../etc/x"}]}),
            "tên không hợp lệ",
        ),
    ],
)
def test_an_archive_that_fails_a_check_is_refused_and_nothing_changes(centre, tmp_path: Path, change, fragment) -> None:
    data, store = centre
    store.close()
    write_backup(data, tmp_path / "good.zip", now=NOW, version="0.1.0")
    _rewrite(tmp_path / "good.zip", tmp_path / "bad.zip", change)
    before = tickets(data / "queue.db")
    with pytest.raises(BackupError, match=fragment):
        restore(tmp_path / "bad.zip", data, now=NOW)
    assert tickets(data / "queue.db") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip", "centre", "good.zip"]
    assert not (tmp_path.parent / "etc").exists()


def test_a_damaged_database_fails_its_integrity_check(centre, tmp_path: Path) -> None:
    data, store = centre
    for n in range(400):  # enough rows for several pages
        store.issue(("HT", "CT", "DD")[n % 3])
    store.close()
    write_backup(data, tmp_path / "good.zip", now=NOW, version="0.1.0")
    with zipfile.ZipFile(tmp_path / "good.zip") as zf:
        db = zf.read("queue.db")
    page = 4096
    _replace_member(
        tmp_path / "good.zip", tmp_path / "damaged.zip", "queue.db", db[:page] + b"\xff" * page + db[2 * page :]
    )
    with pytest.raises(BackupError, match=r"queue\.db trong damaged\.zip bị hỏng"):
        check_archive(tmp_path / "damaged.zip")
    with pytest.raises(BackupError, match="bị hỏng"):
        restore(tmp_path / "damaged.zip", data, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["centre", "damaged.zip", "good.zip"]


def test_a_torn_or_foreign_file_is_refused(tmp_path: Path, centre) -> None:
    data, _store = centre
    write_backup(data, tmp_path / "good.zip", now=NOW, version="0.1.0")
    whole = (tmp_path / "good.zip").read_bytes()
    (tmp_path / "torn.zip").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BackupError, match="không đọc được như một bản sao lưu"):
        check_archive(tmp_path / "torn.zip")
    (tmp_path / "notes.zip").write_text("hello")
    with pytest.raises(BackupError, match="không đọc được như một bản sao lưu"):
        check_archive(tmp_path / "notes.zip")
    with pytest.raises(BackupError, match="Không có tệp sao lưu"):
        check_archive(tmp_path / "missing.zip")


def test_a_bad_output_is_refused_before_writing(centre, tmp_path: Path) -> None:
    data, _store = centre
    with pytest.raises(BackupError, match="nằm trong chính thư mục dữ liệu"):
        write_backup(data, data / "b.zip", now=NOW, version="0.1.0")
    with pytest.raises(BackupError, match="ổ USB chưa cắm"):
        write_backup(data, tmp_path / "usb" / "b.zip", now=NOW, version="0.1.0")
    with pytest.raises(BackupError, match="Không có thư mục dữ liệu"):
        write_backup(tmp_path / "nothing", tmp_path / "b.zip", now=NOW, version="0.1.0")


def test_a_disk_failure_midway_leaves_no_archive_and_no_temp(centre, tmp_path: Path, monkeypatch) -> None:
    data, _store = centre
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.zip").write_bytes(b"yesterday's good archive")
    real_add = backup_module._add
    calls = []

    def failing_add(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, os.strerror(28))
        return real_add(*args, **kwargs)

    monkeypatch.setattr(backup_module, "_add", failing_add)
    with pytest.raises(OSError, match=os.strerror(28)):
        write_backup(data, out / "b.zip", now=NOW, version="0.1.0")
    assert [p.name for p in out.iterdir()] == ["b.zip"]
    assert (out / "b.zip").read_bytes() == b"yesterday's good archive"
