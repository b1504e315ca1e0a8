"""Every error leaves the API as JSON with a Vietnamese message, never as a traceback."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import Conflict, DomainError, IssueClosed, NotFound

log = logging.getLogger(__name__)

_STATUS_MESSAGES = {
    401: "Thiếu hoặc sai mã xác thực thiết bị.",
    403: "Thiết bị này không có quyền thực hiện thao tác này.",
    404: "Không có địa chỉ này trên máy chủ trung tâm.",
    405: "Phương thức không được hỗ trợ cho địa chỉ này.",
}

_FIELD_NAMES = {"group": "nhóm dịch vụ", "priority": "đối tượng ưu tiên", "channel": "kênh",
                "reason": "lý do", "clerk": "cán bộ", "name": "tên", "role": "vai trò"}  # fmt: skip


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": code, "message": message, "details": details}


def _status_for(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict | IssueClosed):
        return 409
    return 400


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
        field = _FIELD_NAMES.get(loc[-1], loc[-1])
        if kind == "missing":
            problems.append(f"thiếu trường “{field}”")
        elif kind == "extra_forbidden":
            problems.append(f"trường “{loc[-1]}” không được hỗ trợ")
        else:
            problems.append(f"trường “{field}” không hợp lệ")
    return "Dữ liệu gửi lên không hợp lệ: " + "; ".join(problems) + "."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, **exc.details), status_code=_status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Field names only: a body may carry personal data, so values are not echoed or logged.
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
        return JSONResponse(error_body("invalid_request", _describe_validation(exc), fields=fields), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
        headers = getattr(exc, "headers", None)
        return JSONResponse(
            error_body(f"http_{exc.status_code}", message),
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse(
            error_body(
                "internal",
                "Máy chủ trung tâm gặp lỗi ngoài dự kiến. Thử lại; nếu vẫn lỗi, báo cán bộ CNTT.",
            ),
            status_code=500,
        )


def dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False)
