"""The centre service over HTTP: what the kiosk, counter and hall display call, from worker threads.

Commands carry an Idempotency-Key and are retried with that same key when the answer is lost (connection
dropped, timeout, 502–504): the service answers a repeated key with its first answer, so a retry never
issues a second ticket or calls a second citizen. Callers only ever see `ServiceError` (a refusal, with the
service's Vietnamese message) or `ServiceUnavailable` (the service cannot be reached), never a `requests`
exception.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from app.client.api import OnConnection, OnEvent, OnSnapshot, OnUnpaired, QueueApi, TokenSource
from app.client.events import EventStream
from app.pinned_ca import UNTRUSTED_MESSAGE, CaFileError, is_untrusted, requests_verify
from app.version import user_agent

if TYPE_CHECKING:
    from app.client.discovery import FoundService

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "Không kết nối được máy chủ Trung tâm. Đang thử kết nối lại…"
TIMEOUT_MESSAGE = "Máy chủ Trung tâm không trả lời kịp. Đang thử kết nối lại…"
SERVER_FAULT_MESSAGE = "Máy chủ Trung tâm đang gặp sự cố (mã {status}). Đang thử kết nối lại…"
REFUSED_MESSAGE = "Máy chủ Trung tâm từ chối yêu cầu (mã {status}). Thử lại; nếu vẫn lỗi, báo cán bộ CNTT."
BAD_ANSWER_MESSAGE = "Máy chủ Trung tâm trả lời không đúng định dạng. Kiểm tra địa chỉ máy chủ hoặc báo cán bộ CNTT."
NOT_ON_LAN_MESSAGE = (
    "Không tìm thấy máy chủ Trung tâm trong mạng nội bộ. Kiểm tra máy chủ đã bật và máy này cùng mạng với máy chủ."
)

_RETRY_STATUS = frozenset({502, 503, 504})  # a proxy or a restarting server: the request may not have run
# Transport failures after which the request may or may not have run: safe to retry with the same key.
_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class ServiceError(Exception):
    """The service refused a request. `message` is Vietnamese and meant for the user as is.

    `status` is the HTTP status (None when no answer came), `code` the service's stable error code
    (e.g. "unknown_group", "counter_busy", "http_401"), `details` its details, `attempts` how many
    times the client sent the request."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "error",
                 details: dict[str, Any] | None = None, attempts: int = 1) -> None:  # fmt: skip
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details: dict[str, Any] = details or {}
        self.attempts = attempts

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class ServiceUnavailable(ServiceError):
    """The service could not be reached or failed (connection refused, timeout, 5xx). Show the offline
    banner and try again later; the technical cause is in `__cause__` and `details["cause"]`."""


class QueueClient:
    """HTTP client of the centre service, a `QueueApi` (app/client/api.py). One instance may be shared by worker
    threads (one pooled `requests.Session`); every call has a timeout and blocks, so never call it on the Qt GUI
    thread."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 5.0,
                 attempts: int = 3, backoff: float = 0.2, ca_file: Path | None = None,
                 adapter: BaseAdapter | None = None) -> None:  # fmt: skip
        """`ca_file`: the centre's CA (DATA/tls/ca.pem on the service PC), needed for an https address; an https
        address without one is refused with a ServiceError (code `ca_file_required`) saying what to pass.
        `adapter`: the transport, a pooled HTTP connection by default (tests pass one to the service in-process)."""
        self.base_url = base_url.rstrip("/")
        self.ca_file = ca_file
        try:
            verify = requests_verify(self.base_url, ca_file)
        except CaFileError as exc:
            raise ServiceError(exc.message, code="ca_file_required", details={"url": self.base_url}) from exc
        self.timeout = timeout
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._session = requests.Session()
        # The service is on the LAN: a proxy configured for the provincial network must not sit in between.
        self._session.trust_env = False
        self._session.verify = verify  # the pinned CA only, never the system's store (pinned_ca.py)
        adapter = adapter or HTTPAdapter(pool_connections=1, pool_maxsize=8, max_retries=0)  # retries are ours, keyed
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["Accept"] = "application/json"
        # motcua-kiosk/0.1.0: a service that no longer serves this version refuses writes with 426 client_outdated
        # and its Vietnamese message (app/service/client_version.py), which reaches the user as any refusal does.
        self._session.headers["User-Agent"] = user_agent()
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def from_discovery(cls, timeout: float = 5.0, token: str | None = None, *,
                       accept: Callable[[FoundService], bool] | None = None,
                       request_timeout: float = 5.0, ca_file: Path | None = None) -> QueueClient:  # fmt: skip
        """Find the service by its mDNS announcement (waiting up to `timeout` s) and connect to the first (https
        when it announces TLS, which needs `ca_file`)."""
        from app.client import discovery  # zeroconf loads only when discovery is wanted

        try:
            found = discovery.discover(timeout, accept=accept)
        except OSError as exc:  # no usable network interface
            raise ServiceUnavailable(NOT_ON_LAN_MESSAGE, code="not_found", details={"cause": repr(exc)}) from exc
        if not found:
            raise ServiceUnavailable(NOT_ON_LAN_MESSAGE, code="not_found", details={"timeout_s": timeout})
        log.info("centre service found at %s (%s)", found[0].url, found[0].name)
        return cls(found[0].url, token, timeout=request_timeout, ca_file=ca_file)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> QueueClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()

    # --- reads ---------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/api/health")
        return result

    def groups(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._request("GET", "/api/groups")
        return result

    def counters(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._request("GET", "/api/counters")
        return result

    def priorities(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._request("GET", "/api/priorities")
        return result

    def catalog(self) -> dict[str, Any]:
        """The centre's own catalogue (public facts), in the JSON form `parse_catalog` reads."""
        result: dict[str, Any] = self._request("GET", "/api/catalog")
        return result

    def queue(self) -> dict[str, Any]:
        """The day's snapshot: groups, counters with their current ticket, waiting tickets, and `seq`."""
        result: dict[str, Any] = self._request("GET", "/api/queue")
        return result

    def stats_today(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/api/stats/today")
        return result

    def display_notice(self) -> str:
        """The hall board's scrolling line ("" = none)."""
        answer = self._request("GET", "/api/display/notice")
        return str(answer.get("text", "")) if isinstance(answer, dict) else ""

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", f"/api/tickets/{int(ticket_id)}")
        return result

    # --- commands ------------------------------------------------------------------------------

    def issue(self, group: str, priority: str | None = None, *, channel: str | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A new ticket, with `people_ahead` and `estimated_wait_s`."""
        body: dict[str, Any] = {"group": group}
        if priority is not None:
            body["priority"] = priority
        if channel is not None:
            body["channel"] = channel
        result: dict[str, Any] = self._command("/api/tickets", body, idempotency_key)
        return result

    def call_next(self, counter_id: int, clerk: str | None = None, *,
                  idempotency_key: str | None = None) -> dict[str, Any] | None:  # fmt: skip
        """The ticket called to the counter, or None when nobody waits (the service answers 204)."""
        body = {"clerk": clerk} if clerk is not None else None
        result: dict[str, Any] | None = self._command(self._counter(counter_id, "call-next"), body, idempotency_key)
        return result

    def recall(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, "recall", idempotency_key)

    def start(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, "start", idempotency_key)

    def finish(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, "finish", idempotency_key)

    def no_show(self, counter_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._act(counter_id, "no-show", idempotency_key)

    def transfer(self, counter_id: int, group: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._command(self._counter(counter_id, "transfer"), {"group": group}, idempotency_key)
        return result

    def pause(self, counter_id: int, reason: str, clerk: str | None = None) -> dict[str, Any]:
        """reason: break | back_office | meeting. Pausing twice is harmless, so a retry is too."""
        body: dict[str, Any] = {"reason": reason}
        if clerk is not None:
            body["clerk"] = clerk
        result: dict[str, Any] = self._command(self._counter(counter_id, "pause"), body, None)
        return result

    def resume(self, counter_id: int, clerk: str | None = None) -> dict[str, Any]:
        body = {"clerk": clerk} if clerk is not None else None
        result: dict[str, Any] = self._command(self._counter(counter_id, "resume"), body, None)
        return result

    def cancel(self, ticket_id: int) -> dict[str, Any]:
        path = f"/api/tickets/{int(ticket_id)}/cancel"
        try:
            result: dict[str, Any] = self._command(path, None, None)
        except ServiceError as exc:
            # The service keeps no key for cancel: if our first try went through but its answer was lost,
            # the retry meets "already done". The ticket left the queue, which is what was asked.
            if exc.status == 409 and exc.attempts > 1:
                ticket = self.ticket(ticket_id)
                if ticket.get("outcome") == "left":
                    return ticket
            raise
        return result

    # --- dossiers ------------------------------------------------------------------------------

    def dossier_codes(self) -> dict[str, Any]:
        """A block of today's dossier numbers: `{unit_code, day, first, last}`."""
        result: dict[str, Any] = self._request("POST", "/api/dossier-codes")
        return result

    def centre_dossier(self, code: str) -> dict[str, Any]:
        """A dossier from the centre's mirror (received at any counter): the dict of dossier_to_dict."""
        result: dict[str, Any] = self._request("GET", f"/api/dossiers/{quote(code.strip().upper(), safe='')}")
        return result

    # --- the director ---------------------------------------------------------------------------

    def report(self, date_from: date, date_to: date) -> dict[str, Any]:
        """The centre's figures for whole local days: `{"report", "charts", "live"}` (director or admin)."""
        result: dict[str, Any] = self._request(
            "GET", f"/api/report?from={date_from.isoformat()}&to={date_to.isoformat()}"
        )
        return result

    def settings(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/api/settings")
        return result

    def change_settings(self, change: dict[str, Any]) -> dict[str, Any]:
        """PUT /api/settings; sending the same change again changes nothing, so a retry is harmless."""
        result: dict[str, Any] = self._request("PUT", "/api/settings", body=change)
        return result

    def settings_audit(self, limit: int = 200) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._request("GET", f"/api/settings/audit?limit={int(limit)}")
        return result

    def calendar(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._request("GET", "/api/calendar")
        return result

    # --- citizens' ratings ----------------------------------------------------------------------

    def rating_prompt(self, counter_id: int | None = None) -> dict[str, Any]:
        """What the rating screen asks about now (`visit` or None), with the centre's scale and the reasons."""
        query = f"?counter={int(counter_id)}" if counter_id is not None else ""
        result: dict[str, Any] = self._request("GET", f"/api/ratings/prompt{query}")
        return result

    def rate(self, ticket_id: int, level: int, reason: str | None = None, *,
             idempotency_key: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Rate a visit; retried with its key. A ticket rated already is answered with its first rating
        (`already_rated`), not refused: the screen never shows an error for a double tap."""
        body: dict[str, Any] = {"ticket_id": int(ticket_id), "level": int(level)}
        if reason is not None:
            body["reason"] = reason
        result: dict[str, Any] = self._command("/api/ratings", body, idempotency_key)
        return result

    def ratings(self, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
        """The ratings of whole local days (default today), for the director or the admin."""
        query = "&".join(f"{name}={day.isoformat()}" for name, day in (("from", date_from), ("to", date_to)) if day)
        result: dict[str, Any] = self._request("GET", "/api/ratings" + (f"?{query}" if query else ""))
        return result

    # --- pairing and devices (the admin, a director: app/service/pairing_routes.py) --------------

    def pairing_code(self, role: str, name: str | None = None, counter: int | None = None) -> dict[str, Any]:
        """A 6-digit code that pairs one new PC as `role`: `{id, code, role, name, counter, expires_at, ttl_s,
        server_fingerprint}`."""
        body: dict[str, Any] = {"role": role, **({"name": name} if name else {}),
                                **({"counter": counter} if counter is not None else {})}  # fmt: skip
        result: dict[str, Any] = self._request("POST", "/api/pairing/codes", body=body)
        return result

    def pairing_code_status(self, code_id: str) -> str:
        """live | used | locked | expired."""
        return str(self._request("GET", f"/api/pairing/codes/{quote(code_id, safe='')}")["status"])

    def devices(self) -> list[dict[str, Any]]:
        """The paired devices, newest first: `{id, name, role, counter, created_at, last_seen, revoked}`."""
        result: list[dict[str, Any]] = self._request("GET", "/api/devices")
        return result

    def unpair_device(self, device_id: int) -> dict[str, Any]:
        """Revoke a device's token now (its PC's next request is told it was unpaired)."""
        result: dict[str, Any] = self._request("DELETE", f"/api/devices/{int(device_id)}")
        return result

    # --- events --------------------------------------------------------------------------------

    def event_stream(self, *, on_snapshot: OnSnapshot, on_event: OnEvent, on_connection: OnConnection,
                     token: TokenSource | None = None, reconnect_delay: tuple[float, float] = (0.2, 5.0),
                     on_unpaired: OnUnpaired | None = None) -> EventStream:  # fmt: skip
        """The WebSocket stream of this service (not started), pinning the same CA as the requests."""
        return EventStream(self.base_url, on_snapshot=on_snapshot, on_event=on_event, on_connection=on_connection,
                           on_unpaired=on_unpaired, reconnect_delay=reconnect_delay, token=token,
                           ca_file=self.ca_file)  # fmt: skip

    # --- plumbing ------------------------------------------------------------------------------

    @staticmethod
    def _counter(counter_id: int, action: str) -> str:
        return f"/api/counters/{int(counter_id)}/{action}"

    def _act(self, counter_id: int, action: str, key: str | None) -> dict[str, Any]:
        result: dict[str, Any] = self._command(self._counter(counter_id, action), None, key)
        return result

    def _command(self, path: str, body: dict[str, Any] | None, key: str | None) -> Any:
        # One key for every attempt of this command: that is what makes the retry safe.
        return self._request("POST", path, body=body, key=key or str(uuid.uuid4()))

    def _request(self, method: str, path: str, *, body: dict[str, Any] | None = None, key: str | None = None) -> Any:
        url = self.base_url + path
        headers = {"Idempotency-Key": key} if key else None
        failure: requests.RequestException | None = None
        for attempt in range(1, self._attempts + 1):
            if attempt > 1:
                time.sleep(self._backoff * 2 ** (attempt - 2))  # a worker thread waits; the GUI never does
            try:
                response = self._session.request(method, url, json=body, headers=headers, timeout=self.timeout)
            except requests.exceptions.SSLError as exc:
                if not is_untrusted(exc):  # a handshake cut short (a restart): like any lost connection
                    log.info("%s %s: attempt %d failed: %s", method, path, attempt, exc)
                    failure = exc
                    continue
                # Another CA's certificate, or an address the certificate does not name: retrying cannot help.
                raise ServiceUnavailable(
                    UNTRUSTED_MESSAGE, code="tls_untrusted", details={"cause": repr(exc), "url": url}, attempts=attempt
                ) from exc
            except _TRANSPORT_ERRORS as exc:
                log.info("%s %s: attempt %d failed: %s", method, path, attempt, exc)
                failure = exc
                continue
            except requests.RequestException as exc:  # a malformed address: retrying will not help
                raise ServiceUnavailable(UNAVAILABLE_MESSAGE, code="unavailable",
                                         details={"cause": repr(exc), "url": url}) from exc  # fmt: skip
            with response:
                if response.status_code in _RETRY_STATUS and attempt < self._attempts:
                    log.info("%s %s: attempt %d got %d", method, path, attempt, response.status_code)
                    continue
                return _answer(response, attempt)
        assert failure is not None
        timed_out = isinstance(failure, requests.Timeout)
        raise ServiceUnavailable(
            TIMEOUT_MESSAGE if timed_out else UNAVAILABLE_MESSAGE,
            code="timeout" if timed_out else "unavailable",
            details={"cause": f"{type(failure).__name__}: {failure}", "url": url},
            attempts=self._attempts,
        ) from failure


_NO_JSON = object()


def _answer(response: requests.Response, attempts: int) -> Any:
    """The JSON of a success, or the service's refusal as a ServiceError."""
    status = response.status_code
    if status == 204:
        return None
    try:
        data: Any = response.json()
    except ValueError:
        data = _NO_JSON
    if status < 400:
        if data is _NO_JSON:
            raise ServiceError(BAD_ANSWER_MESSAGE, status=status, code="bad_response", attempts=attempts)
        return data
    body = data if isinstance(data, dict) else {}
    code = str(body["error"]) if isinstance(body.get("error"), str) else f"http_{status}"
    message = body.get("message") if isinstance(body.get("message"), str) else None
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    if status >= 500:
        raise ServiceUnavailable(message or SERVER_FAULT_MESSAGE.format(status=status), status=status, code=code,
                                 details=details, attempts=attempts)  # fmt: skip
    raise ServiceError(message or REFUSED_MESSAGE.format(status=status), status=status, code=code,
                       details=details, attempts=attempts)  # fmt: skip


__all__ = ["QueueApi", "QueueClient", "ServiceError", "ServiceUnavailable"]
