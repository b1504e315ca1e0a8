"""The centre's staff (clerks, directors, admins) and their sign-in sessions, in the queue database.

Secrets (a PIN of at least 6 digits that follows no pattern, or a password of at least 8 characters: see
`check_secret`) are stored only as scrypt hashes (`scrypt$n$r$p$salt_b64$hash_b64`) and compared in constant
time. A session token is 256 random bits, stored as its SHA-256 like device tokens, and ends at the next local
midnight: a clerk signs in each working day. Failed sign-ins are kept in the database, so a restart keeps a
lock, and are limited per username and source address, per username and per address (see
`UserStore.authenticate`); the answer never tells whether the username exists. Nothing here logs a secret or a
hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from app.core.accounts import (
    COMMON_PINS,
    PASSWORD_MIN,
    PIN_MIN,
    ROLE_NAMES,
    ROLES,
    SECRET_MAX,
    USERNAME,
    check_display_name,
    check_secret,
    check_username,
    trivial_pin,
)
from app.core.clock import LOCAL_TZ, Clock, from_iso, local_day, to_iso
from app.core.errors import Conflict, DomainError
from app.store.devices import token_hash
from app.store.writer import Tx, Writer

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
_MAX_MEM = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """`after` failed sign-ins within `window_s` seconds lock the scope for `lock_s` seconds."""

    scope: str  # pair: one username from one address | user: one username from anywhere | address: any username
    after: int
    window_s: int
    lock_s: int


PAIR_LIMIT = Limit("pair", after=5, window_s=5 * 60, lock_s=5 * 60)
USER_LIMIT = Limit("user", after=15, window_s=15 * 60, lock_s=15 * 60)
ADDRESS_LIMIT = Limit("address", after=20, window_s=10 * 60, lock_s=10 * 60)
LIMITS = (PAIR_LIMIT, USER_LIMIT, ADDRESS_LIMIT)
LOCK_AFTER, LOCK_S = PAIR_LIMIT.after, PAIR_LIMIT.lock_s  # what a clerk who mistypes meets
_KEEP_S = max(limit.window_s for limit in LIMITS)  # failures older than this count for nothing: pruned
_KEY_MAX = 64  # stored usernames and addresses are cut to this length

BAD_CREDENTIALS = "Tên đăng nhập hoặc mã PIN/mật khẩu không đúng. Kiểm tra lại rồi đăng nhập lại."


class SignInRefused(DomainError):
    """Wrong username or secret (the same answer for both), or a disabled account: HTTP 401."""

    code = "bad_credentials"


class LockedOut(SignInRefused):
    """Too many failures (`details["scope"]`: pair, user or address): HTTP 429 until `details["retry_at"]`."""

    code = "locked_out"


# --- secrets ---------------------------------------------------------------------------------------


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


class UserStore:
    def __init__(self, writer: Writer, clock: Clock) -> None:
        self._writer = writer
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._writer.run(self._load_sessions)

    # --- accounts -------------------------------------------------------------------------------

    def create(self, username: str, display_name: str, role: str, secret: str) -> dict[str, Any]:
        username = check_username(username)
        name = check_display_name(display_name)
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

    def authenticate(self, username: str, secret: str, address: str | None = None) -> dict[str, Any]:
        """The account for these credentials, or SignInRefused / LockedOut (the same answers whether or not the
        username exists). `address` is the client's IP address as the socket saw it, never a header.

        Failures are kept in the database (a restart keeps a lock) and limited at three scopes:

        - pair (`PAIR_LIMIT`): 5 failures for one username from one address within 5 minutes lock that
          username *from that address* for 5 minutes. This is the lock a clerk who mistypes meets. It is not a
          lock of the username alone because usernames are easy to learn (the door, the counter screen, the
          statistics): such a lock lets anyone on the LAN keep every clerk out of work by typing five wrong PINs
          for each name. Per pair, the attacker locks only their own machine; the clerk still signs in from the
          counter PC.
        - user (`USER_LIMIT`): 15 failures for one username within 15 minutes, each address counting for at most
          5 of them, lock the username from every address for 15 minutes. This caps guessing one account's PIN
          from many machines. Triggering it takes at least three addresses, so one stray PC cannot keep a clerk
          out; this is the trade-off kept on purpose: someone with three machines on the LAN can lock a clerk
          for 15 minutes at a time (an admin sees it and acts) rather than guess without limit.
        - address (`ADDRESS_LIMIT`): 20 failures from one address within 10 minutes, whatever the usernames,
          lock that address for 10 minutes, so one machine cannot spray guesses over every username (four names
          at five guesses each, then it is locked).

        An attempt counts as a failure from the moment it starts until its secret is verified, so parallel
        requests cannot run past a limit while scrypt runs. A success deletes its pair's failures (the clerk's
        own typos), not those other addresses made against the name. Attempts refused by a lock are not counted,
        so a lock ends on time even while someone keeps trying; failures from before a scope's last lock ended do
        not count again towards that scope.
        """
        key, source = username.strip().casefold()[:_KEY_MAX], (address or "")[:_KEY_MAX]
        lock: _Lock | None = self._writer.run(lambda tx: _begin_attempt(tx.conn, key, source, self._clock.now()))
        if lock is not None:
            raise _locked(lock, self._clock.now())
        row: tuple[Any, ...] | None = None
        if USERNAME.match(username.strip()) and len(secret) <= SECRET_MAX:
            row = self._writer.run(
                lambda tx: tx.conn.execute(
                    "SELECT id, username, display_name, role, pw_hash, active FROM users WHERE username = ?",
                    (username.strip(),),
                ).fetchone()
            )
        ok = verify_secret(secret[:SECRET_MAX], str(row[4]) if row else _DUMMY_HASH)
        if row is None or not ok or not row[5]:
            lock = self._writer.run(lambda tx: _failed_attempt(tx.conn, key, source, self._clock.now()))
            if lock is not None:
                raise _locked(lock, self._clock.now())
            raise SignInRefused(BAD_CREDENTIALS)
        self._writer.run(lambda tx: _forget_failures(tx.conn, key, source))
        return {"id": int(row[0]), "username": str(row[1]), "display_name": str(row[2]), "role": str(row[3])}

    def sign_in(
        self, username: str, secret: str, counter: int | None = None, *, address: str | None = None
    ) -> tuple[str, Session]:
        """A new session token (shown once) for valid credentials sent from `address` (the client's IP)."""
        user = self.authenticate(username, secret, address)
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


# --- sign-in failures and locks (the rules are in UserStore.authenticate) ---------------------------


@dataclass(frozen=True)
class _Lock:
    scope: str
    until: datetime


_COUNT_SQL = {
    "pair": "SELECT COUNT(*) FROM sign_in_failures "
    "WHERE username = :user AND address = :address AND at > :start AND at >= :mark",
    "user": "SELECT COALESCE(SUM(MIN(n, :cap)), 0) FROM (SELECT COUNT(*) AS n FROM sign_in_failures "
    "WHERE username = :user AND at > :start AND at >= :mark GROUP BY address)",
    "address": "SELECT COUNT(*) FROM sign_in_failures WHERE address = :address AND at > :start AND at >= :mark",
}


def _lock_rows(conn: sqlite3.Connection, key: str, source: str) -> dict[str, str]:
    """scope → the end of its latest lock (ISO, maybe past) for this username and address."""
    rows = conn.execute(
        "SELECT scope, until FROM sign_in_locks WHERE (scope = 'pair' AND username = ? AND address = ?) "
        "OR (scope = 'user' AND username = ? AND address = '') "
        "OR (scope = 'address' AND username = '' AND address = ?)",
        (key, source, key, source),
    ).fetchall()
    return {str(scope): str(until) for scope, until in rows}


def _active_lock(conn: sqlite3.Connection, key: str, source: str, now: datetime) -> _Lock | None:
    """The lock that ends last among those in force now, or None."""
    ends = [(from_iso(until), scope) for scope, until in _lock_rows(conn, key, source).items()]
    live = sorted((until, scope) for until, scope in ends if until > now)
    return _Lock(live[-1][1], live[-1][0]) if live else None


def _lock_reached_limits(conn: sqlite3.Connection, key: str, source: str, now: datetime) -> None:
    """Lock every scope whose failures reached its limit (and that is not locked already)."""
    marks = _lock_rows(conn, key, source)
    for limit in LIMITS:
        mark = marks.get(limit.scope, "")
        if mark and from_iso(mark) > now:
            continue
        params = {"user": key, "address": source, "cap": PAIR_LIMIT.after, "mark": mark,
                  "start": to_iso(now - timedelta(seconds=limit.window_s))}  # fmt: skip
        if int(conn.execute(_COUNT_SQL[limit.scope], params).fetchone()[0]) >= limit.after:
            conn.execute(
                "INSERT OR REPLACE INTO sign_in_locks (scope, username, address, until) VALUES (?, ?, ?, ?)",
                (limit.scope, "" if limit.scope == "address" else key, "" if limit.scope == "user" else source,
                 to_iso(now + timedelta(seconds=limit.lock_s))),
            )  # fmt: skip


def _begin_attempt(conn: sqlite3.Connection, key: str, source: str, now: datetime) -> _Lock | None:
    """The lock that refuses this attempt, or None after recording it as a failure until it proves right."""
    keep = to_iso(now - timedelta(seconds=_KEEP_S))
    conn.execute("DELETE FROM sign_in_failures WHERE at <= ?", (keep,))
    conn.execute("DELETE FROM sign_in_locks WHERE until <= ?", (keep,))
    lock = _active_lock(conn, key, source, now)
    if lock is None:
        _lock_reached_limits(conn, key, source, now)  # attempts still being checked count too
        lock = _active_lock(conn, key, source, now)
    if lock is None:
        conn.execute(
            "INSERT INTO sign_in_failures (username, address, at) VALUES (?, ?, ?)", (key, source, to_iso(now))
        )
    return lock


def _failed_attempt(conn: sqlite3.Connection, key: str, source: str, now: datetime) -> _Lock | None:
    """The attempt stays a failure; the lock it completed (or one set meanwhile), if any."""
    _lock_reached_limits(conn, key, source, now)
    return _active_lock(conn, key, source, now)


def _forget_failures(conn: sqlite3.Connection, key: str, source: str) -> None:
    """A success: the pair's earlier failures were typos of the person who now got it right."""
    conn.execute("DELETE FROM sign_in_failures WHERE username = ? AND address = ?", (key, source))


def _locked(lock: _Lock, now: datetime) -> LockedOut:
    at = lock.until.astimezone(LOCAL_TZ).strftime("%H:%M")
    seconds = max(1, math.ceil((lock.until - now).total_seconds()))
    wait = f"Vui lòng thử lại sau {at} (khoảng {max(1, math.ceil(seconds / 60))} phút nữa)."
    if lock.scope == "address":
        text = f"Máy này đã đăng nhập sai quá nhiều lần nên tạm thời không đăng nhập được bằng tên nào. {wait}"
    elif lock.scope == "user":
        text = (
            "Tên đăng nhập này bị nhập sai nhiều lần từ nhiều máy nên tạm bị khóa trên mọi máy. "
            f"{wait} Nếu không phải bạn nhập sai, hãy báo quản trị viên."
        )
    else:
        text = (
            f"Đăng nhập sai {LOCK_AFTER} lần trong {PAIR_LIMIT.window_s // 60} phút từ máy này nên tên đăng nhập "
            f"này tạm bị khóa trên máy này. {wait}"
        )
    return LockedOut(text, retry_at=to_iso(lock.until), retry_after_s=seconds, scope=lock.scope)


__all__ = [  # the account rules live in app.core.accounts (the wizard applies them too); re-exported here
    "COMMON_PINS",
    "LIMITS",
    "PASSWORD_MIN",
    "PIN_MIN",
    "ROLES",
    "ROLE_NAMES",
    "SECRET_MAX",
    "LockedOut",
    "Session",
    "SignInRefused",
    "UserStore",
    "check_secret",
    "hash_secret",
    "trivial_pin",
    "verify_secret",
]
