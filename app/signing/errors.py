"""One error type whose message a clerk can act on (Vietnamese); the technical cause stays chained for logs."""

from __future__ import annotations


class SigningError(Exception):
    """Signing or verification could not go ahead; `str(error)` is the Vietnamese message to show."""


class TokenGoneError(SigningError):
    """The token stopped answering mid-batch (pulled out, locked): files already signed stay, the rest wait."""


class WrongPinError(SigningError):
    """The token or the PKCS#12 file refused the PIN / password."""


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Vietnamese (the OS says it in English)."""
    if isinstance(exc, FileNotFoundError):
        return "không có tệp hoặc thư mục này"
    if isinstance(exc, PermissionError):
        return "không có quyền đọc/ghi"
    if exc.errno == 28:  # ENOSPC
        return "ổ đĩa đã đầy"
    return f"lỗi hệ điều hành {exc.errno}"
