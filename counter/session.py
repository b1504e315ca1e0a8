"""Signing a clerk in and out of the centre service.

`CounterClient` is the queue client plus the session routes (app/client/sessions.py, shared with the dashboard):
after `sign_in` the app installs the session token with `set_token`, and every counter action then runs as that
clerk (the service records the username on the queue's intervals). The secret goes to the service once, over the
LAN, and is never kept or logged.
"""

from __future__ import annotations

from app.client.sessions import SessionApi, SessionClient


class CounterClient(SessionClient):
    """The counter's client: a session client (sign-in with the counter the clerk sits at)."""


__all__ = ["CounterClient", "SessionApi"]
