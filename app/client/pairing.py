"""Pair this PC with the centre service: find it (mDNS, or an address typed in), prove the 6-digit code without
sending it, check the service's answer, keep the token and the centre's CA (app/client/credentials.py).

The claim travels on one TLS connection whose certificate is hashed into the proof: the connection is opened
without verification (nothing is trusted yet), only so its certificate can be hashed; the CA that comes back is
trusted only after the service proved it knows the code too, and after it is checked to have issued that very
certificate. app/core/pairing.py says what this protects against and what it does not.
"""

from __future__ import annotations

import hmac
import http.client
import json
import logging
import secrets
import ssl
from typing import Any
from urllib.parse import urlsplit

from app.client.credentials import Pairing, forget_pairing, save_pairing
from app.client.queue_client import NOT_ON_LAN_MESSAGE, QueueClient, ServiceError, ServiceUnavailable
from app.core.pairing import NONCE_BYTES, cert_hash, client_proof, is_code, server_proof, short_fingerprint
from app.version import user_agent

log = logging.getLogger(__name__)

BAD_CODE_FORMAT = "Mã ghép gồm đúng 6 chữ số, như hiện trên máy chủ Trung tâm (ví dụ 482913)."
PLAIN_LAN = (
    "Máy chủ Trung tâm {url} chưa bật kết nối bảo mật (https), nên mã thiết bị sẽ đi trên mạng không mã hóa. "
    "Hãy chạy máy chủ với --tls auto hoặc on rồi ghép lại."
)
FORGED = (
    "Câu trả lời không đến từ máy chủ Trung tâm đã cấp mã (có máy lạ xen giữa trong mạng?). Không lưu gì. "
    "Hãy lấy mã mới trên máy chủ và ghép lại; nếu vẫn lỗi, báo cán bộ CNTT."
)
UNREACHABLE = "Không kết nối được máy chủ Trung tâm {url}. Kiểm tra địa chỉ và mạng rồi thử lại."
CHECK_FAILED = "Đã nhận mã nhưng không kết nối lại được máy chủ qua kết nối bảo mật ({why}). Hãy ghép lại."


def pair(code: str, role: str, name: str, counter: int | None = None, service_url: str | None = None,
         timeout: float = 5.0) -> Pairing:  # fmt: skip
    """Pair this PC as `role` (`counter` for counter and rating) with the service at `service_url`, or the one found
    by mDNS. Returns the saved pairing; ServiceError (Vietnamese `message`, `code`) when refused,
    ServiceUnavailable when no service answers. Blocks (mDNS for up to `timeout` s, then the network): call it on a
    worker thread, never a GUI's."""
    digits = "".join(ch for ch in code if not ch.isspace() and ch != "-")
    if not is_code(digits):
        raise ServiceError(BAD_CODE_FORMAT, code="bad_code_format")
    if service_url:
        return _pair_with(service_url.rstrip("/"), digits, role, name, counter, timeout)
    tried: set[str] = set()
    refusal: ServiceError | None = None
    for _round in range(2):  # the first service to answer, then every other one this LAN announces
        for url in _discover(timeout, tried, want=1 if not tried else 16):
            tried.add(url)
            try:
                return _pair_with(url, digits, role, name, counter, timeout)
            except ServiceError as exc:
                if exc.code != "no_pairing_code":  # another centre on this LAN: its own codes were not touched
                    raise
                refusal = exc
    assert refusal is not None
    raise refusal


def _discover(timeout: float, tried: set[str], *, want: int) -> list[str]:
    from app.client import discovery  # zeroconf loads only when needed

    try:
        found = discovery.discover(timeout, want=want, accept=lambda f: f.url not in tried)
    except OSError as exc:
        raise ServiceUnavailable(NOT_ON_LAN_MESSAGE, code="not_found", details={"cause": repr(exc)}) from exc
    if not found:
        raise ServiceUnavailable(NOT_ON_LAN_MESSAGE, code="not_found", details={"timeout_s": timeout})
    return sorted((f.url for f in found), key=lambda url: not url.startswith("https:"))  # a TLS service first


def _pair_with(url: str, code: str, role: str, name: str, counter: int | None, timeout: float) -> Pairing:
    nonce = secrets.token_bytes(NONCE_BYTES)
    body: dict[str, Any] = {"nonce": nonce.hex(), "role": role, "name": name}
    if counter is not None:
        body["counter"] = counter
    answer, certificate = _claim(url, timeout, lambda seen: {**body, "proof": client_proof(code, nonce, seen).hex()})
    seen = cert_hash(certificate)
    token = str(answer.get("token") or "")
    expected = server_proof(code, nonce, seen, token)
    if not token or not hmac.compare_digest(expected.hex(), str(answer.get("server_proof") or "")):
        raise ServiceError(FORGED, code="server_proof_wrong")
    ca_pem = answer.get("ca_pem")
    if certificate is not None and not _issued_by(certificate, str(ca_pem or "")):
        raise ServiceError(FORGED, code="ca_mismatch")
    saved = save_pairing(url, token, str(ca_pem) if ca_pem else None, role=str(answer.get("role") or role),
                         counter=answer.get("counter"), name=str(answer.get("name") or name),
                         device_id=answer.get("device_id"),
                         service_name=str(answer.get("service_name") or ""))  # fmt: skip
    try:  # from now on the CA is pinned: the address must verify through it
        with QueueClient(url, token, ca_file=saved.ca_file, timeout=timeout, attempts=1) as client:
            client.health()
    except ServiceError as exc:
        forget_pairing()
        raise ServiceError(CHECK_FAILED.format(why=exc.message), code="pinned_check_failed") from exc
    return saved


def server_fingerprint(url: str, timeout: float = 5.0) -> str | None:
    """The short fingerprint of the certificate the service shows (ABCD-1234), to compare with the one shown on the
    service PC; None for plain HTTP."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    der = _certificate(parts.hostname or "", parts.port or 443, timeout)
    return short_fingerprint(der)


def _claim(url: str, timeout: float, make_body: Any) -> tuple[dict[str, Any], bytes | None]:
    """POST the claim on one connection; the body is made once that connection's certificate is known."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, parts.port or 443, timeout=timeout, context=_unverified()
        )
    elif parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1"):
        conn = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
    elif parts.scheme == "http":
        raise ServiceError(PLAIN_LAN.format(url=url), code="pairing_needs_tls")
    else:
        raise ServiceError(UNREACHABLE.format(url=url), code="bad_url")
    try:
        conn.connect()
        sock = conn.sock
        certificate = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        payload = json.dumps(make_body(cert_hash(certificate))).encode()
        conn.request("POST", "/api/pairing/claim", body=payload, headers={
            "Content-Type": "application/json", "Accept": "application/json", "User-Agent": user_agent()})  # fmt: skip
        response = conn.getresponse()
        status, raw = response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise ServiceUnavailable(UNREACHABLE.format(url=url), code="unavailable",
                                 details={"cause": type(exc).__name__}) from exc  # fmt: skip
    finally:
        conn.close()
    try:
        answer: dict[str, Any] = json.loads(raw)
    except ValueError:
        answer = {}
    if status != 201:
        message = str(answer.get("message") or UNREACHABLE.format(url=url))
        details = answer.get("details") if isinstance(answer.get("details"), dict) else {}
        raise ServiceError(message, status=status, code=str(answer.get("error") or f"http_{status}"), details=details)
    return answer, certificate


def _unverified() -> ssl.SSLContext:
    # Nothing is trusted yet: the certificate is only hashed into the proof, then checked against the CA returned.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _certificate(host: str, port: int, timeout: float) -> bytes:
    import socket

    with socket.create_connection((host, port), timeout=timeout) as raw, \
            _unverified().wrap_socket(raw, server_hostname=host) as tls:  # fmt: skip
        der = tls.getpeercert(binary_form=True)
    return der or b""


def _issued_by(certificate: bytes, ca_pem: str) -> bool:
    """Whether the CA the service returned really signed the certificate it showed."""
    from cryptography import x509

    try:
        leaf = x509.load_der_x509_certificate(certificate)
        ca = x509.load_pem_x509_certificate(ca_pem.encode())
        leaf.verify_directly_issued_by(ca)
    except Exception:  # unparsable, wrong issuer, bad signature: all mean "not this CA"
        return False
    return True
