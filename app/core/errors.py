"""Errors the domain raises: a stable code for programs and a Vietnamese message for people.

Also the HTTP status each one is answered with, and what a bare status (no token, no such route…) says to people:
the centre service answers with these and the in-process fake client raises the same (app/client/fake.py).
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. `message` is shown to the user as is."""

    code: str = "domain_error"
    http_status: int | None = None  # an error that knows its own status (e.g. 422 key reused); see `status_of`

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state does not allow it."""

    code = "conflict"


class IssueClosed(DomainError):
    """A group is not issuing tickets now (window or daily cap)."""

    code = "group_closed"


def status_of(exc: DomainError) -> int:
    """The HTTP status a refusal is answered with: its own, else 404 not found, 409 conflict, 400 the rest."""
    if exc.http_status is not None:
        return exc.http_status
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict | IssueClosed):
        return 409
    return 400


# What a bare HTTP status says to people when no rule of the domain refused (no token, no such route…).
STATUS_MESSAGES = {
    401: "Thiếu hoặc sai mã xác thực thiết bị.",
    403: "Thiết bị này không có quyền thực hiện thao tác này.",
    404: "Không có địa chỉ này trên máy chủ trung tâm.",
    405: "Phương thức không được hỗ trợ cho địa chỉ này.",
    413: "Nội dung gửi lên quá lớn so với giới hạn máy chủ Trung tâm nhận.",
    429: "Thiết bị này gửi quá nhiều yêu cầu. Đợi một chút rồi thử lại.",
}
# Codes other than http_<status> for statuses that have a name of their own in the API.
STATUS_CODES = {413: "too_large", 429: "rate_limited"}
GENERIC_4XX = "Yêu cầu gửi lên máy chủ Trung tâm không hợp lệ."
GENERIC_5XX = "Máy chủ trung tâm gặp lỗi ngoài dự kiến. Thử lại; nếu vẫn lỗi, báo cán bộ CNTT."


def status_error(status: int) -> tuple[str, str]:
    """The (code, Vietnamese message) of a bare HTTP status."""
    message = STATUS_MESSAGES.get(status, GENERIC_5XX if status >= 500 else GENERIC_4XX)
    return STATUS_CODES.get(status, f"http_{status}"), message
