"""The 6-digit pairing codes a director asks for on the service PC, kept in memory only (a restart ends them).

A code is one use, lives 5 minutes and dies after 5 wrong tries. A claim names no code (the new PC's person types
6 digits, nothing else), so the service checks the claim's proof against every live code; a proof that matches
none counts as a wrong try against each live code. Expired, used and locked codes are kept a while longer only to
say why a late claim failed. The proofs themselves are app/core/pairing.py's.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.core.clock import Clock
from app.core.errors import DomainError
from app.core.pairing import (
    CODE_DIGITS,
    CODE_EXPIRED,
    CODE_LOCKED,
    CODE_TTL_S,
    CODE_USED,
    MAX_WRONG_TRIES,
    NO_LIVE_CODE,
    WRONG_CODE,
    client_proof,
)

FORGET_AFTER = timedelta(hours=1)  # how long a dead code is kept to explain a late claim
# Each claim costs one scrypt (~80 ms) per code kept: the newest few are enough to explain a late or repeated claim,
# and a LAN host spamming claims cannot make the service PC spend seconds of CPU on each.
KEPT_CODES = 8


class PairingRefused(DomainError):
    http_status = 403


@dataclass
class PairingCode:
    code: str
    role: str
    name: str
    counter: int | None
    created_by: str
    expires_at: datetime
    id: str = field(default_factory=lambda: secrets.token_hex(4))
    wrong_tries: int = 0
    used: bool = False

    def live(self, now: datetime) -> bool:
        return not self.used and self.wrong_tries < MAX_WRONG_TRIES and now < self.expires_at

    def view(self) -> dict[str, object]:
        """What the director's screen shows (the code itself too: it is theirs to read out)."""
        return {"id": self.id, "code": self.code, "role": self.role, "name": self.name, "counter": self.counter,
                "expires_at": self.expires_at.isoformat(), "ttl_s": CODE_TTL_S}  # fmt: skip


class PairingCodes:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._codes: list[PairingCode] = []
        self._lock = threading.Lock()

    def issue(self, role: str, name: str, counter: int | None, created_by: str) -> PairingCode:
        now = self.clock.now()
        with self._lock:
            self._forget(now)
            taken = {c.code for c in self._codes}
            code = _new_code(taken)
            issued = PairingCode(code, role, name, counter, created_by, now + timedelta(seconds=CODE_TTL_S))
            self._codes.append(issued)
            self._forget(now)  # again, with the new one counted: at most KEPT_CODES dead or alive afterwards
            return issued

    def claim(self, nonce: bytes, proof: bytes, certificate_hash: bytes) -> PairingCode:
        """The code the proof was made with, now used; else PairingRefused saying why (a wrong try counted)."""
        now = self.clock.now()
        with self._lock:
            self._forget(now)
            matched = next((c for c in self._codes if _matches(c, nonce, proof, certificate_hash)), None)
            if matched is not None:
                if matched.used:
                    raise PairingRefused(CODE_USED, code="pairing_code_used")
                if matched.wrong_tries >= MAX_WRONG_TRIES:
                    raise PairingRefused(CODE_LOCKED.format(tries=MAX_WRONG_TRIES), code="pairing_code_locked")
                if now >= matched.expires_at:
                    raise PairingRefused(CODE_EXPIRED, code="pairing_code_expired")
                matched.used = True
                return matched
            live = [c for c in self._codes if c.live(now)]
            if not live:
                raise PairingRefused(NO_LIVE_CODE, code="no_pairing_code")
            for c in live:  # nothing names the code meant: every live one pays for a wrong guess
                c.wrong_tries += 1
            left = max(MAX_WRONG_TRIES - c.wrong_tries for c in live)
            if left == 0:
                raise PairingRefused(CODE_LOCKED.format(tries=MAX_WRONG_TRIES), code="pairing_code_locked")
            raise PairingRefused(WRONG_CODE.format(left=left), code="pairing_code_wrong", tries_left=left)

    def status(self, code_id: str) -> str | None:
        """live | used | locked | expired for the director's countdown; None for an unknown id."""
        now = self.clock.now()
        with self._lock:
            found = next((c for c in self._codes if c.id == code_id), None)
        if found is None:
            return None
        if found.used:
            return "used"
        if found.wrong_tries >= MAX_WRONG_TRIES:
            return "locked"
        return "live" if now < found.expires_at else "expired"

    def _forget(self, now: datetime) -> None:
        recent = [c for c in self._codes if now < c.expires_at + FORGET_AFTER]
        live = [c for c in recent if c.live(now)]
        dead = [c for c in recent if not c.live(now)]
        room = max(0, KEPT_CODES - len(live))  # every live code stays; the newest dead ones fill what is left
        self._codes = live + (dead[len(dead) - room :] if room else [])


def _new_code(taken: set[str]) -> str:
    while True:  # two live codes never share digits: a claim must name one code only
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if code not in taken:
            return code


def _matches(code: PairingCode, nonce: bytes, proof: bytes, certificate_hash: bytes) -> bool:
    return hmac.compare_digest(client_proof(code.code, nonce, certificate_hash), proof)
