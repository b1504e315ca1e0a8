"""The dossier mirror's API in process: who may push and read, malformed pushes, limits, the round trip."""

from __future__ import annotations

import hashlib
import json
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.core.dossier import ComponentFile, mark_done
from app.core.dossier_codec import dossier_to_dict
from app.service import dossier_routes
from tests.unit.test_api import assert_vietnamese_error
from tests.unit.test_dossier_mirror import ID, NAME, OTHER_ID, code_of, make_dossier, pdf_bytes, with_files


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def device(client, auth, role: str) -> dict[str, str]:
    answer = client.post("/api/devices", json={"name": f"Máy {role}", "role": role}, headers=auth)
    assert answer.status_code == 201, answer.text
    return bearer(answer.json()["token"])


def person(client, auth, role: str, counter: int | None = None) -> dict[str, str]:
    username = f"{role}{counter or ''}"
    made = client.post(
        "/api/users", json={"username": username, "display_name": "Lê Văn Cán", "role": role, "secret": "482913"},
        headers=auth,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    body: dict[str, object] = {"username": username, "secret": "482913"}
    if counter is not None:
        body["counter"] = counter
    signed = client.post("/api/sessions", json=body)
    assert signed.status_code == 201, signed.text
    return bearer(signed.json()["token"])


def put_record(client, headers, dossier):
    return client.put(f"/api/dossiers/{dossier.code}", json=dossier_to_dict(dossier), headers=headers)


def put_file(client, headers, code: str, sha: str, body: bytes):
    return client.put(
        f"/api/dossiers/{code}/files/{sha}", content=body, headers={**headers, "Content-Type": "application/pdf"}
    )


def test_round_trip_record_and_files(env, tmp_path: Path) -> None:
    client, auth, _ = env
    counter = device(client, auth, "counter")
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    answer = put_record(client, counter, dossier)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"code": dossier.code, "revision": 2, "accepted": True, "files_missing": sorted(files)}
    for sha, path in files.items():
        stored = put_file(client, counter, dossier.code, sha, path.read_bytes())
        assert stored.status_code == 200, stored.text
        assert stored.json() == {"sha256": sha, "stored": True}
        on_disk = tmp_path / "data" / "dossier-files" / f"{sha}.pdf"
        assert on_disk.read_bytes() == path.read_bytes()
        assert stat.S_IMODE(on_disk.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data" / "dossier-files").stat().st_mode) == 0o700
    # Sending the record again: nothing kept, nothing missing.
    again = put_record(client, counter, dossier).json()
    assert again == {"code": dossier.code, "revision": 2, "accepted": False, "files_missing": []}
    got = client.get(f"/api/dossiers/{dossier.code}", headers=counter)
    assert got.status_code == 200
    assert got.json() == dossier_to_dict(dossier)
    assert "no-store" in got.headers["cache-control"]
    sha = sorted(files)[0]
    pdf = client.get(f"/api/dossiers/{dossier.code}/files/{sha}", headers=counter)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == files[sha].read_bytes()
    found = client.get("/api/dossiers", params={"q": ID}, headers=counter).json()
    assert [(s["code"], s["citizen_name"], s["revision"]) for s in found] == [(dossier.code, NAME, 2)]
    assert set(found[0]) == {"code", "revision", "status", "status_name", "procedure_name", "citizen_name",
                             "received_at", "due_at"}  # fmt: skip


def test_newer_revision_replaces_older_is_ignored(env) -> None:
    client, auth, _ = env
    counter = device(client, auth, "counter")
    first = make_dossier()
    done = mark_done(first, at=first.received_at, clerk="canbo1")
    assert put_record(client, counter, done).json()["accepted"] is True
    late = put_record(client, counter, first)
    assert late.status_code == 200
    assert late.json() == {"code": first.code, "revision": 2, "accepted": False, "files_missing": []}
    assert client.get(f"/api/dossiers/{first.code}", headers=auth).json()["status"] == 9


def test_auth_matrix(env, tmp_path: Path) -> None:
    client, auth, _ = env
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    sha = sorted(files)[0]
    body = files[sha].read_bytes()
    assert put_record(client, auth, dossier).status_code == 200
    assert put_file(client, auth, dossier.code, sha, body).status_code == 200
    reads = [
        f"/api/dossiers/{dossier.code}",
        f"/api/dossiers?q={ID}",
        f"/api/dossiers/{dossier.code}/files/{sha}",
    ]
    kiosk, display = device(client, auth, "kiosk"), device(client, auth, "display")
    director = person(client, auth, "director")
    clerk = person(client, auth, "clerk", counter=1)
    counter = device(client, auth, "counter")
    for url in reads:
        assert_vietnamese_error(client.get(url), 401)
        assert_vietnamese_error(client.get(url, headers=bearer("wrong")), 401)
        assert_vietnamese_error(client.get(url, headers=kiosk), 403)
        assert_vietnamese_error(client.get(url, headers=display), 403)
        for allowed in (auth, director, clerk, counter):
            assert client.get(url, headers=allowed).status_code == 200, url
    for headers, status in (({}, 401), (kiosk, 403), (display, 403), (director, 403)):
        assert_vietnamese_error(put_record(client, headers, dossier), status)
        assert_vietnamese_error(put_file(client, headers, dossier.code, sha, body), status)
    assert put_record(client, clerk, dossier).status_code == 200
    assert put_file(client, counter, dossier.code, sha, body).status_code == 200


@pytest.mark.parametrize(
    ("mangle", "fragment"),
    [
        (lambda r: json.dumps(r)[:-5], "JSON"),
        (lambda r: "[1, 2]", "đối tượng JSON"),
        (lambda r: json.dumps({**r, "code": "KHAC"}), "Mã hồ sơ trong đường dẫn"),
        (lambda r: json.dumps({k: v for k, v in r.items() if k != "procedure"}), "thiếu trường “procedure”"),
        (lambda r: json.dumps({**r, "status": "đã xong"}), "không đúng định dạng"),
        (lambda r: json.dumps({**r, "citizen": None}), "không đúng định dạng"),
        (lambda r: json.dumps({**r, "statutory": {"value": "ba", "unit": "days"}}), "không đúng định dạng"),
        (lambda r: json.dumps({**r, "revision": -1}), "phiên bản"),
        (lambda r: b"\xff\xfe", "JSON"),
    ],
)
def test_malformed_records_are_422_in_vietnamese(env, mangle, fragment: str) -> None:
    client, auth, _ = env
    record = dossier_to_dict(make_dossier())
    answer = client.put(
        f"/api/dossiers/{record['code']}", content=mangle(record), headers={**auth, "Content-Type": "application/json"}
    )
    body = assert_vietnamese_error(answer, 422)
    assert fragment in body["message"]
    assert NAME not in answer.text  # values are never echoed back
    assert client.get(f"/api/dossiers/{record['code']}", headers=auth).status_code == 404


def test_file_checks(env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, auth, _ = env
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    sha = sorted(files)[0]
    body = files[sha].read_bytes()
    stranger = pdf_bytes("a file nobody asked for")
    stranger_sha = hashlib.sha256(stranger).hexdigest()
    # No record yet: the file has nothing to belong to.
    assert_vietnamese_error(put_file(client, auth, dossier.code, sha, body), 404, "unknown_dossier")
    put_record(client, auth, dossier)
    body409 = assert_vietnamese_error(put_file(client, auth, dossier.code, stranger_sha, stranger), 409)
    assert body409["message"] == "Tệp không thuộc hồ sơ này."
    mismatch = assert_vietnamese_error(put_file(client, auth, dossier.code, sha, body + b"x"), 422, "hash_mismatch")
    assert "Tệp không khớp mã băm" in mismatch["message"]
    assert_vietnamese_error(put_file(client, auth, dossier.code, "ABC", body), 422, "invalid_sha256")
    assert_vietnamese_error(put_file(client, auth, dossier.code, sha.upper(), body), 422, "invalid_sha256")
    monkeypatch.setattr(dossier_routes, "MAX_FILE_BYTES", len(body) - 1)
    too_big = assert_vietnamese_error(put_file(client, auth, dossier.code, sha, body), 413, "too_large")
    assert "MB" in too_big["message"]
    monkeypatch.undo()
    assert put_file(client, auth, dossier.code, sha, body).status_code == 200
    assert put_file(client, auth, dossier.code, sha, body).status_code == 200  # idempotent
    # Not a PDF, though referenced and matching its hash: refused.
    text = b"just text"
    text_sha = hashlib.sha256(text).hexdigest()
    first = replace(dossier.components[0], files=(ComponentFile("x.txt", text_sha, 1),))
    odd = replace(dossier, components=(first, *dossier.components[1:]), revision=dossier.revision + 1)
    assert put_record(client, auth, odd).json()["accepted"] is True
    assert_vietnamese_error(put_file(client, auth, dossier.code, text_sha, text), 422, "not_pdf")


def test_record_size_limit(env, monkeypatch: pytest.MonkeyPatch) -> None:
    client, auth, _ = env
    dossier = make_dossier()
    monkeypatch.setattr(dossier_routes, "MAX_RECORD_BYTES", 100)
    assert_vietnamese_error(put_record(client, auth, dossier), 413, "too_large")


def test_reads_of_unknown_dossiers_and_files_are_404(env, tmp_path: Path) -> None:
    client, auth, _ = env
    body = assert_vietnamese_error(client.get(f"/api/dossiers/{code_of(9)}", headers=auth), 404, "unknown_dossier")
    assert code_of(9) in body["message"]
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    put_record(client, auth, dossier)
    sha = sorted(files)[0]
    # Referenced but not uploaded yet.
    assert_vietnamese_error(client.get(f"/api/dossiers/{dossier.code}/files/{sha}", headers=auth), 404, "unknown_file")
    other = hashlib.sha256(b"other").hexdigest()
    assert_vietnamese_error(client.get(f"/api/dossiers/{dossier.code}/files/{other}", headers=auth), 404)
    # A file stored for one dossier is not served through another's address.
    another = make_dossier(2)
    put_record(client, auth, another)
    put_file(client, auth, dossier.code, sha, files[sha].read_bytes())
    assert client.get(f"/api/dossiers/{dossier.code}/files/{sha}", headers=auth).status_code == 200
    assert_vietnamese_error(client.get(f"/api/dossiers/{another.code}/files/{sha}", headers=auth), 404)


def test_search(env) -> None:
    client, auth, _ = env
    for n in (1, 2):
        put_record(client, auth, make_dossier(n))
    put_record(client, auth, make_dossier(3, OTHER_ID, "Trần Văn Bình", date(1990, 7, 1), "Nam"))
    assert [s["code"] for s in client.get("/api/dossiers", params={"q": ID}, headers=auth).json()] == [
        code_of(2),
        code_of(1),
    ]
    assert [s["code"] for s in client.get("/api/dossiers", params={"q": code_of(3)}, headers=auth).json()] == [
        code_of(3)
    ]
    assert client.get("/api/dossiers", params={"q": "nothing"}, headers=auth).json() == []
    assert len(client.get("/api/dossiers", headers=auth).json()) == 3
    assert_vietnamese_error(client.get("/api/dossiers", params={"q": "x" * 65}, headers=auth), 422)


def test_openapi_lists_the_dossier_routes(env) -> None:
    client, _, _ = env
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/dossiers/{code}"]) == {"get", "put"}
    assert "application/pdf" in paths["/api/dossiers/{code}/files/{sha256}"]["put"]["requestBody"]["content"]
