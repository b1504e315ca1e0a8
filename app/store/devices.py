"""Bearer tokens for devices (kiosk, counter, display, director, rating) and the admin; only hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.access import COUNTER_BOUND_ROLES, DEVICE_ROLES, RATING
from app.core.clock import to_iso
from app.core.errors import DomainError
from app.store.writer import Tx, Writer

ROLES = DEVICE_ROLES  # what a device token may be made for (app/core/access.py)


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a plain hash is enough; a KDF is for guessable secrets.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Device:
    id: int
    role: str
    counter: int | None  # a counter device acts for this counter only; a rating device rates its visits only


class DeviceRegistry:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._roles: dict[str, str] = {}
        self._devices: dict[str, Device] = {}
        self._writer.run(self._load)

    def _load(self, tx: Tx) -> None:
        rows = tx.conn.execute("SELECT token_sha256, role, id, counter FROM devices WHERE revoked = 0").fetchall()
        self._roles = {h: r for h, r, _i, _c in rows}
        self._devices = {h: Device(int(i), str(r), int(c) if c is not None else None) for h, r, i, c in rows}

    def role_of(self, token: str) -> str | None:
        return self._roles.get(token_hash(token))

    def device_of(self, token: str) -> Device | None:
        return self._devices.get(token_hash(token))

    def has_admin(self) -> bool:
        return "admin" in self._roles.values()

    def replace_admin(self, token: str, now: datetime) -> None:
        """Make `token` the only admin token (first start, or the token file was lost)."""

        def job(tx: Tx) -> None:
            tx.conn.execute("UPDATE devices SET revoked = 1 WHERE role = 'admin'")
            tx.conn.execute(
                "INSERT INTO devices (name, role, token_sha256, created_at) VALUES ('admin', 'admin', ?, ?)",
                (token_hash(token), to_iso(now)),
            )
            self._load(tx)

        self._writer.run(job)

    def create(self, name: str, role: str, now: datetime, counter: int | None = None) -> dict[str, Any]:
        if role not in ROLES:
            raise DomainError(f"Vai trò “{role}” không hợp lệ. Chọn: {', '.join(ROLES)}.", code="bad_role")
        if counter is not None and role not in COUNTER_BOUND_ROLES:
            raise DomainError("Chỉ thiết bị vai trò counter hoặc rating mới gắn với một quầy.", code="bad_counter")
        if role == RATING and counter is None:
            raise DomainError(
                "Màn hình đánh giá (vai trò rating) phải gắn với một quầy: gửi kèm “counter”: số quầy.",
                code="bad_counter",
            )
        if not name.strip():
            raise DomainError("Tên thiết bị không được để trống.", code="bad_name")
        token = secrets.token_urlsafe(32)

        def job(tx: Tx) -> int:
            cursor = tx.conn.execute(
                "INSERT INTO devices (name, role, token_sha256, created_at, counter) VALUES (?, ?, ?, ?, ?)",
                (name.strip(), role, token_hash(token), to_iso(now), counter),
            )
            self._load(tx)
            return int(cursor.lastrowid or 0)

        device_id = self._writer.run(job)
        return {"id": device_id, "name": name.strip(), "role": role, "counter": counter, "token": token}
