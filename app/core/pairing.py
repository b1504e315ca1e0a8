"""Pairing a new PC with the centre service: the proofs both sides compute from the 6-digit code.

The code never crosses the LAN. The new PC opens TLS to the service without trusting anything yet, hashes the
certificate the service showed on that very connection, and sends `client_proof = HMAC-SHA256(code, nonce ||
cert_hash)`. The service checks it against its own certificate and every live code; on success it answers the
device token, the centre's CA and `server_proof = HMAC-SHA256(code, "server" || nonce || cert_hash || token)`, which
the PC checks before it trusts the CA it was given. Pure functions: the service (app/store/pairing_codes.py) and the
client (app/client/pairing.py) both use these, so they cannot drift apart.

What this protects against, honestly:
- a passive listener on the LAN: everything travels inside TLS; the proof is not the code, and a code that has
  been used is dead, so even an exchange read later is worth nothing;
- a proof replayed to another server or through a relay: the proof names the certificate the client saw, so a
  man-in-the-middle who terminates TLS with his own certificate cannot forward it to the real service;
- online guessing: 5 wrong tries kill a code, a code lives 5 minutes, claims are rate-limited.
What it does NOT fully protect against: an active man-in-the-middle who intercepts the claim itself (ARP or mDNS
spoofing during the 5 minutes) gets one proof over his own certificate and may try every code offline. The proofs'
key is the code stretched by scrypt (32 MB, ~80 ms a try here), so the 10^6 codes cost about 22 hours of one core
(with plain HMAC it was 1.6 s): he must bring ~300 cores to finish within the code's 5 minutes. Only a PAKE (SPAKE2,
CPace) would make each guess cost an online try; we accept the rest of the risk for a LAN in a commune office and
reduce it: `pair` and `pair-code` both print the server certificate's short fingerprint for a person to compare,
and the director sees every paired PC in the dashboard and can unpair one at once.
"""

from __future__ import annotations

import hashlib
import hmac

CODE_DIGITS = 6
CODE_TTL_S = 300  # 5 minutes
MAX_WRONG_TRIES = 5
NONCE_BYTES = 16
SCRYPT_N = 2**15  # with r=8: 32 MB and ~80 ms per code tried, on the PC and the service alike
NO_CERTIFICATE = hashlib.sha256(b"").digest()  # the "certificate" of a plain-HTTP service (loopback, --tls off)


def cert_hash(cert_der: bytes | None) -> bytes:
    """SHA-256 of the server certificate (DER) as seen on the connection; a fixed value for plain HTTP."""
    return hashlib.sha256(cert_der).digest() if cert_der else NO_CERTIFICATE


def code_key(code: str, nonce: bytes, certificate_hash: bytes) -> bytes:
    """The key both proofs are made with: the code stretched by scrypt, salted with this claim's nonce and the
    certificate, so every guess of the 6 digits costs ~80 ms and 32 MB (measured here) instead of a microsecond."""
    return hashlib.scrypt(code.encode("ascii"), salt=b"motcua-pairing" + nonce + certificate_hash, n=SCRYPT_N, r=8,
                          p=1, maxmem=64 * 1024 * 1024, dklen=32)  # fmt: skip


def client_proof(code: str, nonce: bytes, certificate_hash: bytes) -> bytes:
    key = code_key(code, nonce, certificate_hash)
    return hmac.new(key, b"client" + nonce + certificate_hash, hashlib.sha256).digest()


def server_proof(code: str, nonce: bytes, certificate_hash: bytes, token: str) -> bytes:
    key = code_key(code, nonce, certificate_hash)
    return hmac.new(key, b"server" + nonce + certificate_hash + token.encode(), hashlib.sha256).digest()


def is_code(text: str) -> bool:
    return len(text) == CODE_DIGITS and text.isascii() and text.isdigit()


def short_fingerprint(cert_der: bytes) -> str:
    """What a person compares on two screens: the first 8 hex digits of the certificate's SHA-256, as ABCD-1234."""
    digest = hashlib.sha256(cert_der).hexdigest()[:8].upper()
    return f"{digest[:4]}-{digest[4:]}"


# One sentence for an unpaired PC, whether an API call or its event stream learns it (401 / close 4401).
UNPAIRED = ("Máy này đã bị gỡ ghép khỏi Trung tâm. Nhờ lãnh đạo tạo mã ghép mới (màn hình lãnh đạo, thẻ Thiết bị) "
            "rồi chạy lại phần Cài đặt ban đầu trên máy này.")  # fmt: skip

# What the service answers a refused claim with (codes for programs, Vietnamese for people).
WRONG_CODE = "Mã ghép không đúng. Còn {left} lần thử; kiểm tra lại 6 chữ số trên máy chủ."
CODE_LOCKED = "Mã ghép đã bị khóa vì nhập sai {tries} lần. Hãy lấy mã mới trên máy chủ."
CODE_EXPIRED = "Mã ghép đã hết hạn, hãy lấy mã mới trên máy chủ."
CODE_USED = "Mã ghép này đã được dùng cho một máy khác. Hãy lấy mã mới trên máy chủ."
NO_LIVE_CODE = "Máy chủ không có mã ghép nào đang chờ. Hãy lấy mã mới trên máy chủ (mã có hiệu lực 5 phút)."
