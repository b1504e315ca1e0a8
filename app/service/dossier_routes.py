"""The dossier mirror's API: counters push records and files, any counter or the director looks them up.

Everything here is personal data, so no route answers without a token (401) and kiosk or display tokens are
refused (403). Pushes are idempotent (record by code + revision, file by SHA-256) because the counter's
outbox resends whatever it is not sure arrived. A file is accepted only when the stored record refers to it:
the endpoint must not become a free file store on the LAN.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.params import Depends
from fastapi.responses import FileResponse, JSONResponse

from app.core.errors import Conflict, DomainError, NotFound
from app.service.errors import BAD_JSON_MESSAGE, error_body
from app.store.dossier_mirror import FILES_FOLDER, SHA256_RE, DossierMirror, InvalidContent
from app.store.queue_store import QueueStore

MAX_RECORD_BYTES = 2 * 1024 * 1024  # a record is a few KB; anything near this is not a dossier
MAX_FILE_BYTES = 50 * 1024 * 1024  # a long component scanned in colour; G4 pages are ~50 KB each
_PDF_MAGIC = b"%PDF-"
_PRIVATE = {"Cache-Control": "private, no-store"}  # citizens' papers: no cache on the way, none on disk

_RECORD_BODY = {
    "requestBody": {
        "required": True,
        "description": "Hồ sơ theo dạng dossier_to_dict (app/core/dossier_codec.py)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": f"Tệp PDF của thành phần hồ sơ, tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class PayloadTooLarge(DomainError):
    code = "too_large"


def mirror_for(store: QueueStore) -> DossierMirror:
    """The mirror beside the queue database: files in `<data folder>/dossier-files`."""
    return DossierMirror(store.writer, store.reader, store.path.parent / FILES_FOLDER, store.clock)


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    """The body, refused as soon as it passes `limit` (not after holding all of it in memory)."""
    too_large = PayloadTooLarge(
        f"{what} vượt quá giới hạn {limit // (1024 * 1024)} MB mà máy chủ Trung tâm nhận.", limit_bytes=limit
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _check_sha(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise InvalidContent(
            "Mã băm SHA-256 trong đường dẫn không hợp lệ (cần 64 ký tự 0-9, a-f).", code="invalid_sha256"
        )
    return sha256


def install_dossier_mirror(app: FastAPI, store: QueueStore, write: Depends, read: Depends) -> DossierMirror:
    """Mount /api/dossiers…; `write` lets counters (and admin) push, `read` lets counters, director, admin look."""
    mirror = mirror_for(store)
    app.state.dossier_mirror = mirror

    @app.exception_handler(InvalidContent)
    async def invalid_content(_: Request, exc: InvalidContent) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=422)

    @app.exception_handler(PayloadTooLarge)
    async def payload_too_large(_: Request, exc: PayloadTooLarge) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=413)

    def unknown(code: str) -> NotFound:
        return NotFound(f"Máy chủ Trung tâm chưa có hồ sơ {code}.", code="unknown_dossier")

    # max_body_size: above the service-wide 64 KB cap (app/service/limits.py), which reads it before the body
    @app.put("/api/dossiers/{code}", dependencies=[write], openapi_extra=_RECORD_BODY, max_body_size=MAX_RECORD_BYTES)
    async def put_dossier(code: str, request: Request) -> dict[str, Any]:
        """Keep the record when its revision is newer; `files_missing`: files of the kept record still to send."""
        raw = await _read_body(request, MAX_RECORD_BYTES, "Hồ sơ gửi lên")
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):  # bad syntax, not UTF-8, nested too deep
            raise InvalidContent(BAD_JSON_MESSAGE, code="bad_json") from None
        if not isinstance(record, dict):
            raise InvalidContent("Nội dung gửi lên phải là một hồ sơ (đối tượng JSON).", code="invalid_request")
        if record.get("code") != code:
            raise InvalidContent(
                "Mã hồ sơ trong đường dẫn khác với mã hồ sơ trong nội dung gửi lên.", code="code_mismatch"
            )
        revision, accepted = await run_in_threadpool(mirror.put, record)
        missing = await run_in_threadpool(mirror.missing_files, code)
        return {"code": code, "revision": revision, "accepted": accepted, "files_missing": missing}

    @app.put(
        "/api/dossiers/{code}/files/{sha256}",
        dependencies=[write],
        openapi_extra=_FILE_BODY,
        max_body_size=MAX_FILE_BYTES,
    )
    async def put_dossier_file(code: str, sha256: str, request: Request) -> dict[str, Any]:
        _check_sha(sha256)
        wanted = await run_in_threadpool(mirror.files_of, code)
        if wanted is None:
            raise unknown(code)
        if sha256 not in wanted:
            raise Conflict("Tệp không thuộc hồ sơ này.", code="file_not_in_dossier")
        body = await _read_body(request, MAX_FILE_BYTES, "Tệp bản số hóa")
        if _PDF_MAGIC not in body[:1024]:
            raise InvalidContent("Tệp gửi lên không phải tệp PDF.", code="not_pdf")
        await run_in_threadpool(mirror.put_file, sha256, body)
        return {"sha256": sha256, "stored": True}

    @app.get("/api/dossiers", dependencies=[read])
    def find_dossiers(q: Annotated[str, Query(max_length=64)] = "") -> list[dict[str, Any]]:
        """Summaries by dossier code or 12-digit CCCD number (at most 50); no `q`: the latest changed."""
        return mirror.find(q)

    @app.get("/api/dossiers/{code}", dependencies=[read])
    def get_dossier(code: str) -> JSONResponse:
        return JSONResponse(mirror.record(code), headers=_PRIVATE)

    @app.get(
        "/api/dossiers/{code}/files/{sha256}",
        dependencies=[read],
        response_class=FileResponse,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    def get_dossier_file(code: str, sha256: str) -> FileResponse:
        _check_sha(sha256)
        wanted = mirror.files_of(code)
        if wanted is None:
            raise unknown(code)
        if sha256 not in wanted or not mirror.has_file(sha256):
            raise NotFound("Máy chủ Trung tâm chưa có tệp này của hồ sơ.", code="unknown_file")
        return FileResponse(
            mirror.file_path(sha256),
            media_type="application/pdf",
            filename=f"{code}-{sha256[:12]}.pdf",
            headers=_PRIVATE,
        )

    return mirror
