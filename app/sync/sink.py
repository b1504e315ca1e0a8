"""What the outbox worker asks of a destination (the centre service, the provincial system).

A sink sends the *latest* state of a dossier, picking up where the last delivery stopped: the record is
created or updated, then the steps not yet delivered, then the files not yet delivered. Every part is
idempotent on the far side (the record by dossier code + revision, steps by their key, files by SHA-256), so a
request that landed but whose answer was lost does no harm when it is sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.core.dossier import Dossier


@dataclass(frozen=True)
class Delivered:
    """How far a destination has a dossier: stored by the worker after each attempt, success or not."""

    revision: int = 0  # the record's revision the destination holds (0: never sent)
    steps: int = 0  # how many of the dossier's steps it has, in order
    files: frozenset[str] = field(default_factory=frozenset)  # SHA-256 of the files it has
    remote_status: int | None = None  # the status the destination reports back (province), if any

    def complete(self, d: Dossier) -> bool:
        return self.revision >= d.revision and self.steps >= len(d.steps) and self.files >= wanted_files(d)


def wanted_files(d: Dossier) -> frozenset[str]:
    return frozenset(f.sha256 for c in d.components for f in c.files)


class SyncError(Exception):
    """A failed delivery. `message` is Vietnamese for the clerk; `delivered` is what did get through before."""

    def __init__(self, message: str, *, delivered: Delivered | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.delivered = delivered
        self.detail = detail  # technical detail for the log (never personal data)


class TransientError(SyncError):
    """Network down, timeout, 5xx, a broken answer: try again later with backoff."""


class PermanentError(SyncError):
    """The destination refuses the record itself (validation): retrying changes nothing until the clerk fixes it.

    `remote_message` is the destination's own words, shown to the clerk as they are."""

    def __init__(self, message: str, *, remote_message: str = "", delivered: Delivered | None = None) -> None:
        super().__init__(message, delivered=delivered)
        self.remote_message = remote_message


class Sink(Protocol):
    name: str  # "centre" | "province"

    def send(self, dossier: Dossier, files: Mapping[str, Path], already: Delivered) -> Delivered:
        """Deliver what `already` lacks; return the new state. `files` maps SHA-256 → the local PDF."""
        ...

    def status(self, code: str) -> int | None:
        """The dossier's status code as the destination knows it (None: not known / not supported)."""
        ...

    def close(self) -> None: ...
