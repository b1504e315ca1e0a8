"""Signing in while the centre service is unreachable, so reception never stops with the LAN.

After each successful sign-in at the service, this counter PC keeps a scrypt verifier of that clerk's secret
(never the secret) in its own dossier database (0600). When the service cannot be reached, the same clerk can
sign in against that verifier for a dossier-only session: reception, lookup, return; no queue actions (they need
the service anyway). The verifier expires after `REMEMBER_DAYS`; five wrong secrets lock the name for five
minutes, as at the service.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from datetime import datetime, timedelta
from typing import Any

from app.client.queue_client import ServiceError, ServiceUnavailable
from app.core.clock import LOCAL_TZ, Clock, from_iso, to_iso
from app.store.dossier_store import DossierStore
from counter.session import SessionApi

REMEMBER_DAYS = 30
MAX_FAILURES = 5
LOCK_S = 300
_N, _R, _P = 2**14, 8, 1
NOT_REMEMBERED = (
    "Không kết nối được máy chủ Trung tâm, và tài khoản này chưa đăng nhập trên máy này trong {days} ngày qua "
    "nên chưa làm việc ngoại tuyến được. Kiểm tra mạng LAN hoặc báo cán bộ CNTT."
)
WRONG = "Sai tên đăng nhập hoặc mã PIN/mật khẩu (đăng nhập khi mất mạng)."
LOCKED = "Nhập sai quá nhiều lần. Thử lại sau 5 phút."


def _verifier(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


class OfflineSessions:
    """A SessionApi in front of the real one: remembers successful sign-ins, answers when the service is down."""

    def __init__(self, sessions: SessionApi, store: DossierStore, clock: Clock) -> None:
        self.sessions = sessions
        self.store = store
        self.clock = clock
        self._failures: dict[str, tuple[int, datetime]] = {}

    def sign_in(self, username: str, secret: str, counter: int | None) -> dict[str, Any]:
        try:
            session = self.sessions.sign_in(username, secret, counter)
        except ServiceUnavailable:
            return self._offline(username, secret, counter)
        if session.get("user", {}).get("role") == "clerk":
            self._remember(username, secret, session)
        return session

    def revoke(self, token: str) -> None:
        self.sessions.revoke(token)

    def set_token(self, token: str | None) -> None:
        self.sessions.set_token(token)

    @property
    def token(self) -> str | None:
        return getattr(self.sessions, "token", None)

    def remembered_counters(self) -> list[int]:
        """Counters someone signed in at on this PC: the choice offered while the service is unreachable."""
        found = {int(c) for c in json.loads(self.store.setting("offline.counters", "[]"))}
        return sorted(found)

    # --- inside ---------------------------------------------------------------------------------------------

    def _key(self, username: str) -> str:
        return f"offline.user.{username.strip().casefold()}"

    def _remember(self, username: str, secret: str, session: dict[str, Any]) -> None:
        salt = os.urandom(16)
        record = {
            "salt": base64.b64encode(salt).decode(),
            "verifier": base64.b64encode(_verifier(secret, salt)).decode(),
            "user": session["user"],
            "at": to_iso(self.clock.now()),
        }
        self.store.set_setting(self._key(username), json.dumps(record, ensure_ascii=False))
        if session.get("counter") is not None:
            counters = set(self.remembered_counters()) | {int(session["counter"])}
            self.store.set_setting("offline.counters", json.dumps(sorted(counters)))

    def _offline(self, username: str, secret: str, counter: int | None) -> dict[str, Any]:
        now = self.clock.now()
        key = self._key(username)
        count, since = self._failures.get(key, (0, now))
        if count >= MAX_FAILURES and now - since < timedelta(seconds=LOCK_S):
            raise ServiceError(LOCKED, status=429, code="locked")
        raw = self.store.setting(key)
        record = json.loads(raw) if raw else None
        if record is None or now - from_iso(record["at"]) > timedelta(days=REMEMBER_DAYS):
            raise ServiceUnavailable(NOT_REMEMBERED.format(days=REMEMBER_DAYS), code="offline_unknown")
        expected = base64.b64decode(record["verifier"])
        if not hmac.compare_digest(expected, _verifier(secret, base64.b64decode(record["salt"]))):
            self._failures[key] = (count + 1 if now - since < timedelta(seconds=LOCK_S) else 1, since)
            raise ServiceError(WRONG, status=401, code="sign_in_refused")
        self._failures.pop(key, None)
        midnight = datetime.combine(now.astimezone(LOCAL_TZ).date() + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
        return {"token": None, "user": record["user"], "counter": counter, "expires_at": to_iso(midnight),
                "offline": True}  # fmt: skip
