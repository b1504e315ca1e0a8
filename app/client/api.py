"""The one interface the apps program against: `QueueApi`, what the centre service answers, and `Stream`, its events.

`QueueClient` (HTTP, app/client/queue_client.py) and `FakeQueueClient` (in-process, app/client/fake.py) both are
a `QueueApi`; mypy checks it at the bottom of fake.py. Kiosk, counter and hall display take a `QueueApi` and never
ask which one they hold: what differs (the event stream's transport, the centre's address) is behind the methods.
Refusals are `ServiceError`, an unreachable service `ServiceUnavailable` (app/client/queue_client.py), for both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TypedDict

OnSnapshot = Callable[[dict[str, Any]], None]
OnEvent = Callable[[dict[str, Any]], None]
OnConnection = Callable[[bool], None]
OnUnpaired = Callable[[str], None]  # the Vietnamese message: this PC was unpaired, the stream has stopped
TokenSource = Callable[[], str | None]


class Stream(Protocol):
    """What `EventStream` and `FakeEventStream` both offer: a snapshot, then every event once, reconnecting."""

    @property
    def connected(self) -> bool: ...

    @property
    def last_seq(self) -> int | None: ...

    def start(self) -> None: ...

    def stop(self, timeout: float = 1.0) -> None: ...

    def reconnect(self) -> None: ...


class StreamCallbacks(TypedDict):
    on_snapshot: OnSnapshot
    on_event: OnEvent
    on_connection: OnConnection
    on_unpaired: OnUnpaired


class QueueApi(Protocol):
    """What screens need from the centre service. Every call blocks: run it on a worker thread, never the GUI's."""

    @property
    def base_url(self) -> str:
        """The service's address, as this client reaches it (the fake's is a placeholder nothing listens on)."""
        ...

    # reads
    def health(self) -> dict[str, Any]: ...
    def groups(self) -> list[dict[str, Any]]: ...
    def counters(self) -> list[dict[str, Any]]: ...
    def priorities(self) -> list[dict[str, Any]]: ...
    def catalog(self) -> dict[str, Any]: ...
    def queue(self) -> dict[str, Any]: ...
    def stats_today(self) -> dict[str, Any]: ...
    def display_notice(self) -> str: ...
    def ticket(self, ticket_id: int) -> dict[str, Any]: ...

    # commands
    def issue(self, group: str, priority: str | None = None, *, channel: str | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]: ...  # fmt: skip
    def call_next(self, counter_id: int, clerk: str | None = None, *,
                  idempotency_key: str | None = None) -> dict[str, Any] | None: ...  # fmt: skip
    def recall(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]: ...
    def start(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]: ...
    def finish(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]: ...
    def no_show(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]: ...
    def transfer(self, counter_id: int, group: str, *, idempotency_key: str | None = None) -> dict[str, Any]: ...
    def pause(self, counter_id: int, reason: str, clerk: str | None = None) -> dict[str, Any]: ...
    def resume(self, counter_id: int, clerk: str | None = None) -> dict[str, Any]: ...
    def cancel(self, ticket_id: int) -> dict[str, Any]: ...

    # dossiers (a counter's or the director's token)
    def dossier_codes(self) -> dict[str, Any]:
        """A block of today's dossier numbers for this counter: `{unit_code, day, first, last}`."""
        ...

    def centre_dossier(self, code: str) -> dict[str, Any]:
        """A dossier from the centre's mirror (received at any counter), as dossier_to_dict writes it."""
        ...

    # the director (a director's or the admin's token): the centre's figures and the settings a director owns
    def report(self, date_from: date, date_to: date) -> dict[str, Any]:
        """GET /api/report: `{"report", "charts", "live"}` for the whole local days date_from…date_to
        (app/store/director_figures.py; app/core/report_codec.py and report_charts.py read them back)."""
        ...

    def settings(self) -> dict[str, Any]:
        """GET /api/settings: wait target, groups' caps and issuing windows, counters' groups, the hall notice."""
        ...

    def change_settings(self, change: dict[str, Any]) -> dict[str, Any]:
        """PUT /api/settings (app/core/centre_settings.py; "notice" too): `{"changed": [...], "settings": {...}}`;
        ServiceError 422 `invalid_settings` with `details["errors"]` [{field, message}] when refused."""
        ...

    def settings_audit(self, limit: int = 200) -> list[dict[str, Any]]:
        """GET /api/settings/audit: who changed which setting when, the latest first."""
        ...

    def calendar(self) -> list[dict[str, Any]]:
        """GET /api/calendar (any token that reads): the centre's holiday overrides, {day, working, source,
        effective, note} by day (app/core/centre_settings.py override_of reads one back)."""
        ...

    # citizens' ratings (app/service/rating_routes.py)
    def rating_prompt(self, counter_id: int | None = None) -> dict[str, Any]:
        """GET /api/ratings/prompt (a rating screen's token; the admin names `counter_id`): `{"visit": {ticket_id,
        number, counter, clerk, clerk_name, finished_at, open_until} | None, "scale": {levels, labels,
        satisfied_from}, "reasons": [...], "window_s"}`."""
        ...

    def rate(self, ticket_id: int, level: int, reason: str | None = None, *,
             idempotency_key: str | None = None) -> dict[str, Any]:  # fmt: skip
        """POST /api/ratings: the rating kept, `already_rated` true when the ticket had one already (that one)."""
        ...

    def ratings(self, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
        """GET /api/ratings (director, admin): `{"from", "to", "scale", "reasons", "count", "ratings": [...]}`."""
        ...

    # pairing and devices (the admin, a director: app/service/pairing_routes.py)
    def pairing_code(self, role: str, name: str | None = None, counter: int | None = None) -> dict[str, Any]:
        """POST /api/pairing/codes: `{id, code, role, name, counter, expires_at, ttl_s, server_fingerprint}`."""
        ...

    def pairing_code_status(self, code_id: str) -> str:
        """GET /api/pairing/codes/{id}: live | used | locked | expired."""
        ...

    def devices(self) -> list[dict[str, Any]]:
        """GET /api/devices: `{id, name, role, counter, created_at, last_seen, revoked}`, newest first."""
        ...

    def unpair_device(self, device_id: int) -> dict[str, Any]:
        """DELETE /api/devices/{id}: the device's token stops working at once."""
        ...

    # events
    def event_stream(self, *, on_snapshot: OnSnapshot, on_event: OnEvent, on_connection: OnConnection,
                     token: TokenSource | None = None, reconnect_delay: tuple[float, float] = (0.2, 5.0),
                     on_unpaired: OnUnpaired | None = None) -> Stream:  # fmt: skip
        """A stream of the service's events (not started). `token`, asked at each connect, shows what a token
        may see (priority categories, clerks); without one the public board's view. `on_unpaired(message)`: the
        service refused this PC's token as unpaired and the stream stopped."""
        ...

    def close(self) -> None: ...


__all__ = [
    "OnConnection", "OnEvent", "OnSnapshot", "OnUnpaired", "QueueApi", "Stream", "StreamCallbacks", "TokenSource",
]  # fmt: skip
