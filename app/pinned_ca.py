"""Clients pin the centre's own CA: an https:// or wss:// address is trusted through that CA and nothing else.

The centre service makes its CA at first start (app/service/tls.py) and serves HTTPS/WSS on the LAN; every
app that talks to it (kiosk, counter, hall display, `python -m app sync`) is given `--ca-file DATA/tls/ca.pem`.
Here: the `verify=` for requests, the `ssl.SSLContext` for websockets, and the Vietnamese messages for the
officer. There is no way to switch verification off: an https address without a CA file is refused with a
message saying what to pass. Shared by `app.client` and `app.sync` (siblings that may not import each other).
"""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import urlsplit

CA_FILE_REQUIRED_MESSAGE = (
    "Máy chủ Trung tâm dùng kết nối bảo mật (https) nên máy này cần tệp chứng chỉ gốc (CA) của Trung tâm. "
    "Hãy chép tệp tls/ca.pem trong thư mục dữ liệu của máy chủ Trung tâm sang máy này rồi chạy lại với "
    "--ca-file ĐƯỜNG_DẪN/ca.pem."
)
CA_FILE_UNREADABLE_MESSAGE = (
    "Không đọc được tệp chứng chỉ gốc “{path}” ({why}). Hãy chép lại tệp tls/ca.pem từ thư mục dữ liệu của "
    "máy chủ Trung tâm rồi chạy lại với --ca-file."
)
UNTRUSTED_MESSAGE = (
    "Chứng chỉ của máy chủ Trung tâm không khớp với tệp chứng chỉ gốc đã cài (--ca-file), hoặc địa chỉ máy chủ "
    "không đúng. Hãy chép lại tệp tls/ca.pem mới nhất từ máy chủ Trung tâm và kiểm tra địa chỉ."
)


class CaFileError(ValueError):
    """The CA needed for an https address is missing or unreadable; `message` is for the officer as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_tls(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("https", "wss")


def ssl_context(url: str, ca_file: Path | None) -> ssl.SSLContext | None:
    """A client context that trusts only `ca_file` (host names checked), or None for a plain address."""
    if not is_tls(url):
        return None
    if ca_file is None:
        raise CaFileError(CA_FILE_REQUIRED_MESSAGE)
    try:
        # With a cafile, create_default_context loads that CA only, not the system's store.
        return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        why = "không có tệp này" if isinstance(exc, FileNotFoundError) else "không phải tệp PEM hợp lệ"
        raise CaFileError(CA_FILE_UNREADABLE_MESSAGE.format(path=ca_file, why=why)) from exc


def requests_verify(url: str, ca_file: Path | None) -> str | bool:
    """`verify=` for requests: the CA file (checked now, so a bad one fails at start-up) for https, else True."""
    if ssl_context(url, ca_file) is None:
        return True
    return str(ca_file)


def is_untrusted(exc: BaseException) -> bool:
    """Whether a connection failed because the server's certificate did not verify against the pinned CA."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
