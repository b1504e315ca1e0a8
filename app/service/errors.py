"""Every error leaves the API as JSON with a Vietnamese message, never as a traceback."""

from __future__ import annotations

import errno
import json
import logging
import sqlite3

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.websockets import WebSocketState

from app.core.errors import DomainError, status_error, status_of
from app.core.request_rules import INVALID_REQUEST, field_name, invalid_field, invalid_request_message

log = logging.getLogger(__name__)

BAD_JSON_MESSAGE = (
    "Nội dung gửi lên không phải JSON hợp lệ (sai cú pháp, không phải UTF-8 hoặc lồng nhau quá sâu). "
    "Hãy gửi một đối tượng JSON."
)
DISK_FULL_MESSAGE = (
    "Ổ đĩa của máy chủ Trung tâm đã đầy nên không lưu được thao tác này. "
    "Hãy báo cán bộ CNTT giải phóng dung lượng ổ đĩa; các số đã cấp vẫn được giữ nguyên."
)
BAD_SINCE_MESSAGE = "Tham số since phải là số thứ tự sự kiện (số nguyên từ 0 trở lên). Hãy kết nối lại không kèm since."


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": code, "message": message, "details": details}


def http_error_response(status: int, headers: dict[str, str] | None = None, **details: object) -> JSONResponse:
    """The answer for a bare HTTP status (no route, wrong method, no token, too large…), in the documented shape."""
    code, message = status_error(status)
    return JSONResponse(error_body(code, message, **details), status_code=status, headers=headers)


class BodyTooLarge(StarletteHTTPException):
    """Raised while a body streams in, as soon as it passes the route's limit (see app/service/limits.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL or the OS's ENOSPC: the centre's disk has no room left."""
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def _is_body_parse_error(exc: StarletteHTTPException) -> bool:
    """FastAPI's own 400 for a body it could not decode (invalid UTF-8, nesting too deep for the parser)."""
    return exc.status_code == 400 and (
        isinstance(exc.__cause__, ValueError | RecursionError) or exc.detail == "There was an error parsing the body"
    )


def _describe_validation(exc: RequestValidationError) -> str:
    problems = []
    for err in exc.errors():
        kind = err.get("type", "")
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        if kind == "json_invalid":
            return "Nội dung gửi lên không phải JSON hợp lệ. Hãy gửi một đối tượng JSON."
        if not loc:
            problems.append("nội dung phải là một đối tượng JSON")
            continue
        if kind == "missing":
            problems.append(f"thiếu trường “{field_name(loc[-1])}”")
        elif kind == "extra_forbidden":
            problems.append(f"trường “{loc[-1]}” không được hỗ trợ")
        else:
            problems.append(invalid_field(loc[-1]))
    return invalid_request_message(problems)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return JSONResponse(error_body("bad_json", BAD_JSON_MESSAGE), status_code=422)
        # Field names only: a body may carry personal data, so values are not echoed or logged.
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
        return JSONResponse(error_body(INVALID_REQUEST, _describe_validation(exc), fields=fields), status_code=422)

    @app.exception_handler(WebSocketRequestValidationError)
    async def websocket_validation_error(ws: WebSocket, exc: WebSocketRequestValidationError) -> None:
        # Accept, say what was wrong in the documented shape, then close with 1008 (policy violation):
        # a refusal before accepting would reach the client as a bare HTTP 403 with no explanation.
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
        if ws.client_state == WebSocketState.CONNECTING:
            await ws.accept()
        await ws.send_text(dumps(error_body("invalid_request", BAD_SINCE_MESSAGE, fields=fields)))
        await ws.close(code=1008, reason="invalid query parameter")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if _is_body_parse_error(exc):
            return JSONResponse(error_body("bad_json", BAD_JSON_MESSAGE), status_code=422)
        details: dict[str, object] = {"limit_bytes": exc.limit} if isinstance(exc, BodyTooLarge) else {}
        return http_error_response(exc.status_code, getattr(exc, "headers", None), **details)

    async def disk_full(request: Request, exc: Exception) -> JSONResponse:
        if not is_disk_full(exc):
            raise exc  # not ours: the catch-all below answers 500 and logs it
        log.critical(
            "DISK FULL on %s %s: %s — free space in the data folder's disk now, the centre cannot save anything",
            request.method,
            request.url.path,
            exc,
        )
        return JSONResponse(error_body("disk_full", DISK_FULL_MESSAGE), status_code=507)

    app.add_exception_handler(sqlite3.OperationalError, disk_full)
    app.add_exception_handler(OSError, disk_full)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse(
            error_body("internal", status_error(500)[1]),
            status_code=500,
        )


def dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False)
