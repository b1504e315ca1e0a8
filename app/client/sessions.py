"""Signing a person in and out of the centre service (POST /api/sessions), for the counter app and the dashboard.

`SessionClient` is the queue client plus the session routes: after `sign_in` the app installs the session token
with `set_token` (in memory only), and every call then runs as that person (the service records the username on
the queue's intervals and in the settings audit). The secret goes to the service once, over the LAN, and is never
kept or logged.
"""

from __future__ import annotations

from typing import Any, Protocol

from requests.structures import CaseInsensitiveDict

from app.client.queue_client import QueueClient


class SessionApi(Protocol):
    def sign_in(self, username: str, secret: str, counter: int | None) -> dict[str, Any]: ...
    def revoke(self, token: str) -> None: ...
    def set_token(self, token: str | None) -> None: ...


class SessionClient(QueueClient):
    def sign_in(self, username: str, secret: str, counter: int | None = None) -> dict[str, Any]:
        """`{token, user: {username, display_name, role}, counter, expires_at}`; ServiceError with the
        service's Vietnamese message when refused (wrong credentials, locked, unknown counter)."""
        body: dict[str, Any] = {"username": username, "secret": secret}
        if counter is not None:
            body["counter"] = counter
        result: dict[str, Any] = self._request("POST", "/api/sessions", body=body)
        return result

    def revoke(self, token: str) -> None:
        """Sign a session out (best effort: an expired one is already gone)."""
        response = self._session.delete(
            f"{self.base_url}/api/sessions/current", headers={"Authorization": f"Bearer {token}"}, timeout=self.timeout
        )
        response.close()

    def set_token(self, token: str | None) -> None:
        # Replace the headers as a whole: a worker thread may be reading the old ones right now.
        headers = CaseInsensitiveDict(self._session.headers)
        headers.pop("Authorization", None)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._session.headers = headers

    @property
    def token(self) -> str | None:
        value = self._session.headers.get("Authorization")
        return str(value).removeprefix("Bearer ") if value else None


__all__ = ["SessionApi", "SessionClient"]
