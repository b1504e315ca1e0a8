"""The centre's staff (clerks, directors, admins) and their sign-in sessions, in the queue database.

Secrets (a PIN of at least 4 digits or a password of at least 8 characters) are stored only as scrypt
hashes (`scrypt$n$r$p$salt_b64$hash_b64`) and compared in constant time. A session token is 256 random
bits, stored as its SHA-256 like device tokens, and ends at the next local midnight: a clerk signs in
each working day. Failed sign-ins are counted per username, known or not, and five in a row lock that
name for five minutes; the answer never tells whether the username exists. Nothing here logs a secret
or a hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, NoReturn

from app.core.clock import LOCAL_TZ, Clock, from_iso, local_day, to_iso
from app.core.errors import Conflict, DomainError
from app.store.devices import token_hash
from app.store.writer import Tx, Writer

ROLES = ("clerk", "director", "admin")
ROLE_NAMES = {"clerk": "cán bộ quầy", "director": "lãnh đạo", "admin": "quản trị"}

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
_MAX_MEM = 64 * 1024 * 1024

PIN_MIN, PASSWORD_MIN, SECRET_MAX = 4, 8, 128
LOCK_AFTER = 5  # failed sign-ins in a row …
LOCK_S = 300  # … lock the username this long
_FAILURE_WINDOW_S = 15 * 60  # failures further apart than this do not add up
_TRACKED_MAX = 10_000  # usernames with failures kept in memory; the stalest are forgotten first

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")

BAD_CREDENTIALS = "Tên đăng nhập hoặc mã PIN/mật khẩu không đúng. Kiểm tra lại rồi đăng nhập lại."


class SignInRefused(DomainError):
    """Wrong username or secret (the same answer for both), or a disabled account: HTTP 401."""

    code = "bad_credentials"


class LockedOut(SignInRefused):
    """Too many failures for this username: HTTP 429 until `details["retry_at"]`."""

    code = "locked_out"


# --- secrets ---------------------------------------------------------------------------------------


def check_secret(secret: str) -> None:
    """A PIN (digits only) of at least 4 digits, or a password of at least 8 characters."""
    if len(secret) > SECRET_MAX:
        raise DomainError(f"Mã PIN hoặc mật khẩu dài quá {SECRET_MAX} ký tự.", code="bad_secret")
    if secret.isascii() and secret.isdigit():
        if len(secret) < PIN_MIN:
            raise DomainError(f"Mã PIN phải có ít nhất {PIN_MIN} chữ số.", code="bad_secret")
        return
    if len(secret) < PASSWORD_MIN:
        raise DomainError(
            f"Mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự (hoặc dùng mã PIN gồm ít nhất {PIN_MIN} chữ số).",
            code="bad_secret",
        )
    if not secret.strip():
        raise DomainError("Mật khẩu không được chỉ gồm dấu cách.", code="bad_secret")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAX_MEM, dklen=KEY_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Constant-time check of `secret` against a stored hash; False for anything malformed."""
    try:
        scheme, n_text, r_text, p_text, salt_text, key_text = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, expected = base64.b64decode(salt_text, validate=True), base64.b64decode(key_text, validate=True)
    except ValueError:
        return False
    if scheme != "scrypt" or not (2 <= n <= 2**17 and 1 <= r <= 32 and 1 <= p <= 16) or not expected:
        return False
    try:
        key = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=len(expected))
    except ValueError:  # n not a power of two, or more memory than allowed
        return False
    return hmac.compare_digest(key, expected)


# A hash of nothing anyone can type: an unknown username costs the same scrypt as a known one.
_DUMMY_HASH = hash_secret(secrets.token_urlsafe(24))


def session_end(now: datetime) -> datetime:
    """The next local midnight: sessions last until the end of the service day."""
    tomorrow = local_day(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=LOCAL_TZ)


# --- accounts and sessions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    user_id: int
    username: str
    display_name: str
    role: str
    counter: int | None
    expires_at: datetime

    def user_view(self) -> dict[str, str]:
        return {"username": self.username, "display_name": self.display_name, "role": self.role}


@dataclass
class _Failures:
    attempts: int = 0  # failed, or still being checked
    last: datetime | None = None
    locked_until: datetime | None = None


class UserStore:
    def __init__(self, writer: Writer, clock: Clock) -> None:
        self._writer = writer
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()
        self._writer.run(self._load_sessions)

    # --- accounts -------------------------------------------------------------------------------

    def create(self, username: str, display_name: str, role: str, secret: str) -> dict[str, Any]:
        username = username.strip()
        if not _USERNAME.match(username):
            raise DomainError(
                "Tên đăng nhập gồm 2–32 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới, "
                "bắt đầu bằng chữ cái hoặc chữ số.",
                code="bad_username",
            )
        name = " ".join(unicodedata.normalize("NFC", display_name).split())
        if not name or len(name) > 80:
            raise DomainError("Họ tên phải có từ 1 đến 80 ký tự.", code="bad_name")
        if role not in ROLES:
            raise DomainError(f"Vai trò “{role}” không hợp lệ. Chọn: {', '.join(ROLES)}.", code="bad_role")
        check_secret(secret)
        pw_hash = hash_secret(secret)  # slow on purpose: never on the writer thread
        now = to_iso(self._clock.now())

        def job(tx: Tx) -> dict[str, Any]:
            taken = tx.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
            if taken is not None:
                raise Conflict(f"Tên đăng nhập “{username}” đã có người dùng. Chọn tên khác.", code="user_exists")
            cursor = tx.conn.execute(
                "INSERT INTO users (username, display_name, role, pw_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (username, name, role, pw_hash, now),
            )
            return {"id": int(cursor.lastrowid or 0), "username": username, "display_name": name, "role": role,
                    "active": True, "created_at": now}  # fmt: skip

        result: dict[str, Any] = self._writer.run(job)
        return result

    def list_users(self) -> list[dict[str, Any]]:
        """Every account, without its hash."""

        def job(tx: Tx) -> list[dict[str, Any]]:
            rows = tx.conn.execute(
                "SELECT id, username, display_name, role, active, created_at FROM users ORDER BY username"
            ).fetchall()
            return [{"id": r[0], "username": r[1], "display_name": r[2], "role": r[3], "active": bool(r[4]),
                     "created_at": r[5]} for r in rows]  # fmt: skip

        result: list[dict[str, Any]] = self._writer.run(job)
        return result

    def has_users(self) -> bool:
        found: bool = self._writer.run(lambda tx: tx.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None)
        return found

    # --- signing in -------------------------------------------------------------------------------

    def authenticate(self, username: str, secret: str) -> dict[str, Any]:
        """The account for these credentials, or SignInRefused / LockedOut (same answer whether or not
        the username exists)."""
        key = username.strip().casefold()
        self._begin_attempt(key)
        row: tuple[Any, ...] | None = None
        if _USERNAME.match(username.strip()) and len(secret) <= SECRET_MAX:
            row = self._writer.run(
                lambda tx: tx.conn.execute(
                    "SELECT id, username, display_name, role, pw_hash, active FROM users WHERE username = ?",
                    (username.strip(),),
                ).fetchone()
            )
        ok = verify_secret(secret[:SECRET_MAX], str(row[4]) if row else _DUMMY_HASH)
        if row is None or not ok or not row[5]:
            self._failed(key)
        with self._lock:
            self._failures.pop(key, None)
        assert row is not None
        return {"id": int(row[0]), "username": str(row[1]), "display_name": str(row[2]), "role": str(row[3])}

    def _begin_attempt(self, key: str) -> None:
        now = self._clock.now()
        with self._lock:
            record = self._failures.get(key)
            if record is not None and record.locked_until is not None and now >= record.locked_until:
                record = None  # the lock is over: a clean slate
            elif (
                record is not None
                and record.locked_until is None
                and record.last is not None
                and (now - record.last).total_seconds() > _FAILURE_WINDOW_S
            ):
                record = None  # old failures do not add up with new ones
            if record is None:
                if len(self._failures) >= _TRACKED_MAX:
                    self._forget_stalest()
                record = self._failures[key] = _Failures()
            if record.locked_until is not None:
                raise _locked(record.locked_until, now)
            if record.attempts >= LOCK_AFTER:  # failures plus attempts still being checked
                record.locked_until = now + timedelta(seconds=LOCK_S)
                raise _locked(record.locked_until, now)
            record.attempts += 1
            record.last = now

    def _failed(self, key: str) -> NoReturn:
        now = self._clock.now()
        with self._lock:
            record = self._failures.setdefault(key, _Failures(attempts=1))
            record.last = now
            if record.attempts >= LOCK_AFTER:
                record.locked_until = record.locked_until or now + timedelta(seconds=LOCK_S)
                raise _locked(record.locked_until, now)
        raise SignInRefused(BAD_CREDENTIALS)

    def _forget_stalest(self) -> None:
        oldest = sorted(self._failures, key=lambda k: self._failures[k].last or datetime.min.replace(tzinfo=LOCAL_TZ))
        for k in oldest[: len(oldest) // 10 or 1]:
            del self._failures[k]

    def sign_in(self, username: str, secret: str, counter: int | None = None) -> tuple[str, Session]:
        """A new session token (shown once) for valid credentials."""
        user = self.authenticate(username, secret)
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        session = Session(user["id"], user["username"], user["display_name"], user["role"], counter, session_end(now))

        def job(tx: Tx) -> None:
            tx.conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (to_iso(now),))
            tx.conn.execute(
                "INSERT INTO sessions (token_sha256, user_id, counter, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), session.user_id, counter, to_iso(now), to_iso(session.expires_at)),
            )
            self._sessions = {h: s for h, s in self._sessions.items() if s.expires_at > now}
            self._sessions[token_hash(token)] = session

        self._writer.run(job)
        return token, session

    def session(self, token: str) -> Session | None:
        """The live session for a bearer token, or None (unknown, signed out or expired)."""
        found = self._sessions.get(token_hash(token))
        if found is None or found.expires_at <= self._clock.now():
            return None
        return found

    def revoke(self, token: str) -> bool:
        digest = token_hash(token)

        def job(tx: Tx) -> bool:
            cursor = tx.conn.execute("DELETE FROM sessions WHERE token_sha256 = ?", (digest,))
            self._sessions.pop(digest, None)
            return cursor.rowcount > 0

        revoked: bool = self._writer.run(job)
        return revoked

    def _load_sessions(self, tx: Tx) -> None:
        now = self._clock.now()
        rows = tx.conn.execute(
            "SELECT s.token_sha256, u.id, u.username, u.display_name, u.role, s.counter, s.expires_at "
            "FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.active = 1 AND s.expires_at > ?",
            (to_iso(now),),
        ).fetchall()
        self._sessions = {r[0]: Session(r[1], r[2], r[3], r[4], r[5], from_iso(r[6])) for r in rows}


def _locked(until: datetime, now: datetime) -> LockedOut:
    at = until.astimezone(LOCAL_TZ).strftime("%H:%M")
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return LockedOut(
        f"Đăng nhập sai {LOCK_AFTER} lần liên tiếp nên tên đăng nhập này tạm bị khóa. "
        f"Vui lòng thử lại sau {at} (khoảng {minutes} phút nữa).",
        retry_at=to_iso(until),
        retry_after_s=max(1, math.ceil((until - now).total_seconds())),
    )


__all__ = ["ROLES", "LockedOut", "Session", "SignInRefused", "UserStore", "hash_secret", "verify_secret"]
