"""Errors the domain raises: a stable code for programs and a Vietnamese message for people."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. `message` is shown to the user as is."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state does not allow it."""

    code = "conflict"


class IssueClosed(DomainError):
    """A group is not issuing tickets now (window or daily cap)."""

    code = "group_closed"
