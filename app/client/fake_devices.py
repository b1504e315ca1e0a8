"""The pairing and device calls of the in-process fake (app/client/fake.py), on the real registry and codes.

A mixin so fake.py stays one screen's worth shorter: `FakeQueueClient` inherits it and gives it `store`, `clock`,
`_allowed` and `_run`. Who may call is app/core/access.py's Permission.DEVICES, as at the service; the rules of a
code and of unpairing are the store's own (app/store/pairing_codes.py, app/store/devices.py).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from app.core.access import Permission
from app.core.errors import DomainError, NotFound
from app.store.devices import DeviceRegistry
from app.store.pairing_codes import PairingCodes

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.client.fake import FakeQueueClient
    from app.core.clock import Clock
    from app.store.queue_store import QueueStore

PAIRABLE_ROLES = ("kiosk", "counter", "display", "director", "rating")  # as app/service/pairing_routes.py
_WHO = "fake (admin)"


class FakeDevices:
    if TYPE_CHECKING:  # what FakeQueueClient gives its mixin
        store: QueueStore
        clock: Clock

        def _allowed(self, permission: Permission, *, change: bool = False) -> str: ...
        def _dict(self, job: Callable[[], Any]) -> dict[str, Any]: ...
        def _list(self, job: Callable[[], Any]) -> list[dict[str, Any]]: ...

    @cached_property
    def _registry(self) -> DeviceRegistry:
        return DeviceRegistry(self.store.writer, self.clock)

    @cached_property
    def _codes(self) -> PairingCodes:
        return PairingCodes(self.clock)

    def pairing_code(self, role: str, name: str | None = None,
                     counter: int | None = None) -> dict[str, Any]:  # fmt: skip
        self._allowed(Permission.DEVICES, change=True)

        def issue() -> dict[str, Any]:
            if role not in PAIRABLE_ROLES:
                raise DomainError(f"Vai trò “{role}” không ghép được. Chọn: {', '.join(PAIRABLE_ROLES)}.",
                                  code="bad_role")  # fmt: skip
            if role == "rating" and counter is None:
                raise DomainError("Màn hình đánh giá (rating) phải gắn với một quầy: chọn số quầy.", code="bad_counter")
            if counter is not None and self.store.centre.counter(counter) is None:
                raise NotFound(f"Trung tâm không có quầy số {counter}.", code="unknown_counter")
            label = (name or "").strip() or (f"{role} {counter}" if counter is not None else role)
            return {**self._codes.issue(role, label, counter, _WHO).view(), "server_fingerprint": None}

        return self._dict(issue)

    def pairing_code_status(self, code_id: str) -> str:
        self._allowed(Permission.DEVICES)
        status = self._codes.status(code_id)
        if status is None:
            raise self._refused(NotFound("Không có mã ghép này. Hãy lấy mã mới.", code="unknown_code"))
        return status

    def devices(self) -> list[dict[str, Any]]:
        self._allowed(Permission.DEVICES)
        return self._list(self._registry.list_devices)

    def unpair_device(self, device_id: int) -> dict[str, Any]:
        self._allowed(Permission.DEVICES, change=True)
        return self._dict(lambda: self._registry.revoke(device_id, self.clock.now(), _WHO))

    def _refused(self, exc: DomainError) -> Exception:
        from app.client.fake import _refusal

        return _refusal(exc)


def seed_demo_devices(fake: FakeQueueClient) -> None:
    """The devices of the sample centre: a kiosk, the hall TV, two counters, a rating screen, one PC unpaired."""
    registry: DeviceRegistry = fake._registry
    now = fake.clock.now()
    sample = (("Máy tính quầy cũ", "counter", 4, 40), ("Kiosk sảnh", "kiosk", None, 30),
              ("TV sảnh chờ", "display", None, 30), ("Quầy 1", "counter", 1, 29), ("Quầy 2", "counter", 2, 29),
              ("Đánh giá quầy 1", "rating", 1, 12))  # fmt: skip
    made = [registry.create(name, role, now - timedelta(days=days), counter, who=_WHO)
            for name, role, counter, days in sample]  # fmt: skip
    registry.revoke(int(made[0]["id"]), now - timedelta(days=3), _WHO)
    for device in made[1:4]:
        registry.device_of(str(device["token"]))  # seen today: the list shows when
