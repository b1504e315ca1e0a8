"""The centre's dossier mirror on a real SQLite file: revision order, idempotence, file hashes, modes, look-up."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest

from app.core.catalog import Catalog
from app.core.clock import ManualClock, to_iso
from app.core.dossier import Citizen, ComponentFile, Dossier, ReceptionDraft, Status, mark_done
from app.core.dossier_codec import dossier_from_dict, dossier_to_dict
from app.core.reception import build_dossier, check_draft, checklist, statutory_of
from app.core.vn_holidays import vn_calendar
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.database import connect, open_database
from app.store.dossier_mirror import DossierMirror, InvalidContent
from app.store.writer import Writer

START = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # 08:00 on Tuesday 10/11/2026 in Hà Nội
DAY = date(2026, 11, 10)
UNIT = "000.00.12.H48"
ID = "034186012345"
NAME = "Nguyễn Thị Ánh Tuyết"
OTHER_ID = "001090123456"  # Hà Nội, male born 1990
MARITAL = "1.004873"


@cache
def _catalog() -> Catalog:
    return load_catalog_file(default_catalog_path())


def code_of(n: int) -> str:
    return f"{UNIT}-261110-{n:04d}"


def make_dossier(
    number: int = 1, id_number: str = ID, name: str = NAME, born: date = date(1986, 3, 5), sex: str = "Nữ"
) -> Dossier:
    """A valid received dossier built the way the counter builds one (bundled catalogue, VN calendar)."""
    catalog = _catalog()
    procedure = next(p for p in catalog.procedures if p.code == MARITAL)
    who = Citizen(id_number, name, born, sex, "Thôn Đông, xã Vũ Thư, Thái Bình")
    components = tuple(c for c in checklist(procedure) if c.required)
    draft = ReceptionDraft(procedure.code, who, components, statutory_of(procedure))
    check_draft(draft, catalog, DAY)
    return build_dossier(
        draft, procedure, code=code_of(number), at=START, clerk="canbo1", counter=2, calendar=vn_calendar()
    )


def pdf_bytes(label: str) -> bytes:
    return b"%PDF-1.4\n% " + label.encode() + b"\n%%EOF\n"


def with_files(dossier: Dossier, folder: Path, count: int = 2) -> tuple[Dossier, dict[str, Path]]:
    """The dossier with one small PDF-like file on each of its first `count` components (files written)."""
    assert len(dossier.components) >= count, "the sample procedure needs enough components"
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    components = list(dossier.components)
    for i in range(count):
        body = pdf_bytes(f"{dossier.code} component {i} rev {dossier.revision}")
        sha = hashlib.sha256(body).hexdigest()
        path = folder / f"{sha}.pdf"
        path.write_bytes(body)
        files[sha] = path
        components[i] = replace(components[i], files=(ComponentFile(str(path), sha, 1),))
    return replace(dossier, components=tuple(components), revision=dossier.revision + 1), files


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[DossierMirror]:
    path = tmp_path / "data" / "queue.db"
    db = open_database(path)
    writer = Writer(db.conn)
    readers: list = []

    def reader():  # one connection for the test thread, as QueueStore.reader gives per thread
        if not readers:
            readers.append(connect(path))
        return readers[0]

    yield DossierMirror(writer, reader, tmp_path / "data" / "dossier-files", ManualClock(START))
    writer.close()
    for conn in readers:
        conn.close()
    db.conn.close()


def test_put_keeps_only_newer_revisions(mirror: DossierMirror) -> None:
    first = make_dossier()
    assert mirror.put(dossier_to_dict(first)) == (1, True)
    done = mark_done(first, at=START, clerk="canbo1")
    assert mirror.put(dossier_to_dict(done)) == (2, True)
    assert mirror.get(first.code)["status"] == int(Status.DONE)
    # An older revision arriving late (a retried request) changes nothing and says what is stored.
    assert mirror.put(dossier_to_dict(first)) == (2, False)
    assert mirror.get(first.code) == dossier_to_dict(done)
    # The same revision twice is the same: idempotent.
    assert mirror.put(dossier_to_dict(done)) == (2, False)
    assert dossier_from_dict(mirror.get(first.code)) == done


def test_record_is_stored_normalised_not_as_sent(mirror: DossierMirror) -> None:
    record = {**dossier_to_dict(make_dossier()), "junk": "x" * 100}
    mirror.put(record)
    assert "junk" not in mirror.get(record["code"])


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda r: r.pop("citizen"), "thiếu trường “citizen”"),
        (lambda r: r.update(status=42), "không đúng định dạng"),
        (lambda r: r.update(received_at="hôm qua"), "không đúng định dạng"),
        (lambda r: r.update(citizen="Nguyễn Văn A"), "không đúng định dạng"),
        (lambda r: r.update(revision=0), "phiên bản"),
        (lambda r: r.update(code=""), "Mã hồ sơ"),
        (lambda r: r["components"][0].update(files=[{"path": "a.pdf", "sha256": "../x", "pages": 1}]), "mã băm"),
    ],
)
def test_malformed_records_are_refused_without_echoing_values(mirror: DossierMirror, change, fragment: str) -> None:
    record = dossier_to_dict(make_dossier())
    change(record)
    with pytest.raises(InvalidContent) as caught:
        mirror.put(record)
    assert fragment in caught.value.message
    assert "Nguyễn Văn A" not in caught.value.message
    assert mirror.find() == []


def test_files_are_checked_against_their_hash_and_kept_once(mirror: DossierMirror, tmp_path: Path) -> None:
    body = pdf_bytes("giấy khai sinh")
    sha = hashlib.sha256(body).hexdigest()
    assert not mirror.has_file(sha)
    with pytest.raises(InvalidContent, match="Tệp không khớp mã băm"):
        mirror.put_file(sha, body + b"tampered")
    assert not mirror.has_file(sha)
    assert not mirror.file_path(sha).exists()
    assert mirror.put_file(sha, body) is True
    assert mirror.put_file(sha, body) is False  # idempotent
    assert mirror.has_file(sha)
    assert mirror.file_path(sha).read_bytes() == body
    assert mirror.file_path(sha) == tmp_path / "data" / "dossier-files" / f"{sha}.pdf"
    # No temporary file is left beside it.
    assert [p.name for p in mirror.folder.iterdir()] == [f"{sha}.pdf"]


def test_files_and_folder_are_private(mirror: DossierMirror) -> None:
    body = pdf_bytes("cccd")
    sha = hashlib.sha256(body).hexdigest()
    mirror.put_file(sha, body)
    assert stat.S_IMODE(mirror.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(mirror.file_path(sha).stat().st_mode) == 0o600


def test_a_file_deleted_from_disk_is_taken_again(mirror: DossierMirror) -> None:
    body = pdf_bytes("to khai")
    sha = hashlib.sha256(body).hexdigest()
    mirror.put_file(sha, body)
    mirror.file_path(sha).unlink()
    assert not mirror.has_file(sha)
    assert mirror.put_file(sha, body) is True
    assert mirror.has_file(sha)


def test_file_paths_never_leave_the_folder(mirror: DossierMirror) -> None:
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63, ""):
        with pytest.raises(InvalidContent):
            mirror.file_path(bad)


def test_missing_files_follow_the_stored_record(mirror: DossierMirror, tmp_path: Path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    mirror.put(dossier_to_dict(dossier))
    assert mirror.files_of(dossier.code) == frozenset(files)
    assert mirror.missing_files(dossier.code) == sorted(files)
    first = sorted(files)[0]
    mirror.put_file(first, files[first].read_bytes())
    assert mirror.missing_files(dossier.code) == sorted(files)[1:]
    assert mirror.files_of("nope") is None
    assert mirror.missing_files("nope") == []


def test_find_by_code_and_by_id_number(mirror: DossierMirror) -> None:
    mirror.put(dossier_to_dict(make_dossier(1)))
    mirror.put(dossier_to_dict(make_dossier(2)))
    mirror.put(dossier_to_dict(make_dossier(3, OTHER_ID, "Trần Văn Bình", date(1990, 7, 1), "Nam")))
    by_id = mirror.find(ID)
    assert [s["code"] for s in by_id] == [code_of(2), code_of(1)]
    assert by_id[0] == {
        "code": code_of(2),
        "revision": 1,
        "status": 2,
        "status_name": "Được tiếp nhận",
        "procedure_name": by_id[0]["procedure_name"],
        "citizen_name": NAME,
        "received_at": to_iso(START),
        "due_at": by_id[0]["due_at"],
    }
    assert by_id[0]["procedure_name"]
    assert by_id[0]["due_at"] is not None
    assert [s["citizen_name"] for s in mirror.find(f"  {code_of(3)} ")] == ["Trần Văn Bình"]
    assert [s["code"] for s in mirror.find(code_of(3).lower())] == [code_of(3)]
    assert mirror.find("034186") == []  # part of a number finds nothing: no fishing through citizens
    assert mirror.find("999999999999") == []
    assert len(mirror.find()) == 3


def test_find_is_limited(mirror: DossierMirror) -> None:
    for n in range(1, 56):
        mirror.put(dossier_to_dict(make_dossier(n)))
    assert len(mirror.find(ID)) == 50
    assert len(mirror.find(ID, limit=500)) == 50


def test_stored_row_columns(mirror: DossierMirror) -> None:
    dossier = make_dossier(7)
    mirror.put(dossier_to_dict(dossier))
    row = (
        mirror._reader()
        .execute("SELECT revision, status, counter, day, id_number, data, updated_at FROM dossier_mirror")
        .fetchone()
    )
    assert row[:5] == (1, 2, 2, DAY.isoformat(), ID)
    assert json.loads(row[5])["code"] == code_of(7)
    assert row[6].startswith("2026-11-10")
