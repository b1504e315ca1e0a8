"""Bearer tokens for devices (kiosk, counter, display, director, rating) and the admin; only hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.access import COUNTER_BOUND_ROLES, DEVICE_ROLES, RATING
from app.core.clock import Clock, SystemClock, to_iso
from app.core.errors import DomainError, NotFound
from app.store.last_seen import LastSeen
from app.store.writer import Tx, Writer

ROLES = DEVICE_ROLES  # what a device token may be made for (app/core/access.py)


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a plain hash is enough; a KDF is for guessable secrets.
    return hashlib.sha256(token.encode()).hexdigest()


HOSTED_KIOSK_KEPT = (
    "Đây là kiosk chạy trên chính máy chủ Trung tâm: gỡ ghép sẽ làm kiosk ở sảnh ngừng cấp số. Kiosk này không gỡ "
    "được ở đây. Muốn đổi mã của nó: xóa tệp kiosk.token trong thư mục dữ liệu, khởi động lại dịch vụ trung tâm, rồi "
    "gỡ ghép dòng “Kiosk trên máy chủ” cũ ở đây."
)


@dataclass(frozen=True)
class Device:
    id: int
    role: str
    counter: int | None  # a counter device acts for this counter only; a rating device rates its visits only


class DeviceRegistry:
    def __init__(self, writer: Writer, clock: Clock | None = None) -> None:
        self._writer = writer
        self._clock = clock or SystemClock()  # only for last_seen: every other time is passed in
        self._roles: dict[str, str] = {}
        self._devices: dict[str, Device] = {}
        self._unpaired: frozenset[str] = frozenset()  # hashes of device tokens an admin or director revoked
        self._last_seen = LastSeen(writer, self._clock)
        self._unpair_listeners: list[Callable[[int], None]] = []
        self.hosted_kiosk: int | None = None  # the service PC's own kiosk (app/service/server.py): never unpaired
        self._listeners_lock = threading.Lock()
        self._writer.run(self._load)

    def _load(self, tx: Tx) -> None:
        rows = tx.conn.execute("SELECT token_sha256, role, id, counter FROM devices WHERE revoked = 0").fetchall()
        self._roles = {h: r for h, r, _i, _c in rows}
        self._devices = {h: Device(int(i), str(r), int(c) if c is not None else None) for h, r, i, c in rows}
        gone = tx.conn.execute("SELECT token_sha256 FROM devices WHERE revoked = 1 AND role != 'admin'").fetchall()
        self._unpaired = frozenset(str(h) for (h,) in gone)

    def role_of(self, token: str) -> str | None:
        return self._roles.get(token_hash(token))

    def device_of(self, token: str) -> Device | None:
        """The device a request's token belongs to, noted as seen now."""
        device = self.find(token)
        if device is not None:
            self._last_seen.saw(device.id)  # written behind, at most once a minute (app/store/last_seen.py)
        return device

    def find(self, token: str) -> Device | None:
        """The device of `token`, without counting it as a request (the service's own start-up looks)."""
        return self._devices.get(token_hash(token))

    def flush_last_seen(self) -> None:
        """Write the last-seen times still only in memory (the service is stopping)."""
        self._last_seen.flush()

    def on_unpaired(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """Call `listener(device_id)` after each unpairing's commit (the event stream closes that PC's sockets);
        returns a function that removes it."""
        with self._listeners_lock:
            self._unpair_listeners.append(listener)

        def remove() -> None:
            with self._listeners_lock:
                if listener in self._unpair_listeners:
                    self._unpair_listeners.remove(listener)

        return remove

    def was_unpaired(self, token: str) -> bool:
        """A device token that was revoked (unpaired): its PC is told so instead of a bare 401."""
        return token_hash(token) in self._unpaired

    def list_devices(self) -> list[dict[str, Any]]:
        """Every device but the admin token, newest first, with its last request (kept across restarts); `kept`: the
        service PC's own kiosk, which cannot be unpaired."""

        def job(tx: Tx) -> list[tuple[Any, ...]]:
            return tx.conn.execute(
                "SELECT id, name, role, counter, created_at, revoked, last_seen FROM devices WHERE role != 'admin' "
                "ORDER BY id DESC"
            ).fetchall()

        seen = self._last_seen.latest()  # newer than the column by up to a minute
        return [{"id": int(i), "name": str(n), "role": str(r), "counter": c, "created_at": str(at),
                 "revoked": bool(rev), "last_seen": to_iso(seen[int(i)]) if int(i) in seen else stored,
                 "kept": int(i) == self.hosted_kiosk}
                for i, n, r, c, at, rev, stored in self._writer.run(job)]  # fmt: skip

    def revoke(self, device_id: int, now: datetime, who: str) -> dict[str, Any]:
        """Unpair a device: its token stops working at once (the admin token cannot be removed this way)."""

        def job(tx: Tx) -> dict[str, Any]:
            row = tx.conn.execute(
                "SELECT name, role, counter, revoked FROM devices WHERE id = ?", (device_id,)
            ).fetchone()
            if row is None or row[1] == "admin":
                raise NotFound(f"Không có thiết bị số {device_id} (mã quản trị không gỡ được ở đây).",
                               code="unknown_device")  # fmt: skip
            name, role, counter, revoked = row
            if device_id == self.hosted_kiosk:
                raise DomainError(HOSTED_KIOSK_KEPT, code="hosted_kiosk")
            if not revoked:
                tx.conn.execute("UPDATE devices SET revoked = 1 WHERE id = ?", (device_id,))
                _audit(tx, now, who, f"device.{device_id}", "Gỡ ghép thiết bị", _describe(name, role, counter), "đã gỡ")
                self._load(tx)
            return {"id": device_id, "name": name, "role": role, "counter": counter, "revoked": True}

        result: dict[str, Any] = self._writer.run(job)
        with self._listeners_lock:
            listeners = list(self._unpair_listeners)
        for listener in listeners:  # after the commit: a PC told it was unpaired must find it so on reconnecting
            listener(device_id)
        return result

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

    def create(self, name: str, role: str, now: datetime, counter: int | None = None, *,
               who: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A new device token (returned once, only its hash is kept); `who`: audited as a pairing by that person."""
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
            if who is not None:
                new = _describe(name.strip(), role, counter)
                _audit(tx, now, who, f"device.{cursor.lastrowid}", "Ghép thiết bị mới", "", new)
            self._load(tx)
            return int(cursor.lastrowid or 0)

        device_id = self._writer.run(job)
        return {"id": device_id, "name": name.strip(), "role": role, "counter": counter, "token": token}


def _describe(name: str, role: str, counter: int | None) -> str:
    return f"{name} ({role}{f', quầy {counter}' if counter is not None else ''})"


def _audit(tx: Tx, now: datetime, who: str, setting: str, label: str, old: str, new: str) -> None:
    # The settings audit the dashboard already lists: pairings and unpairings beside the director's other changes.
    tx.conn.execute(
        "INSERT INTO settings_audit (at, who, setting, label, old, new) VALUES (?, ?, ?, ?, ?, ?)",
        (to_iso(now), who, setting, label, old, new),
    )
