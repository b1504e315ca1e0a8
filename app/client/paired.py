"""Where an app finds the centre service: --service/--token-file/--ca-file as given, else this PC's pairing
(app/client/credentials.py: address, device token, the centre's CA), else the service's mDNS announcement.

One function for every app (kiosk, counter, display, dashboard, rating): each calls `paired_client` with its own
client class instead of choosing between an address and discovery itself.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from app.client.credentials import load_pairing, relocate_pairing
from app.client.queue_client import QueueClient, ServiceError

log = logging.getLogger(__name__)

C = TypeVar("C", bound=QueueClient)


@dataclass(frozen=True)
class Endpoint:
    url: str | None  # None: find the service by mDNS
    token: str | None
    ca_file: Path | None
    paired: bool  # from this PC's pairing


def endpoint(args: argparse.Namespace) -> Endpoint:
    """What the command line says; without --service and --token-file, this PC's pairing when it has one."""
    service = getattr(args, "service", None)
    token_file: Path | None = getattr(args, "token_file", None)
    ca_file: Path | None = getattr(args, "ca_file", None)
    if not service and not token_file:
        pairing = load_pairing()
        if pairing is not None:
            log.info("using this PC's pairing with %s (%s)", pairing.url, pairing.role)
            return Endpoint(pairing.url, pairing.token, ca_file or pairing.ca_file, True)
    token = token_file.read_text(encoding="utf-8").strip() if token_file else None
    return Endpoint(service or None, token, ca_file, False)


def paired_client(cls: type[C], args: argparse.Namespace, *, with_token: bool = True, request_timeout: float = 5.0,
                  discovery_timeout: float = 5.0, found: Endpoint | None = None) -> C:  # fmt: skip
    """A `cls` (QueueClient or a subclass) for the service `endpoint(args)` names, or the one mDNS finds.
    `with_token=False`: the app signs people in and needs the address and the CA only (the counter). `found`:
    endpoint(args) when the caller has read it already."""
    found = found or endpoint(args)
    token = found.token if with_token else None
    if found.url and found.paired and found.ca_file is not None:
        moved = _moved_service(cls, found, discovery_timeout)
        if moved is not None:
            found = Endpoint(moved, found.token, found.ca_file, True)
    if found.url:
        return cls(found.url, token, ca_file=found.ca_file, timeout=request_timeout)
    client = cls.from_discovery(discovery_timeout, token, ca_file=found.ca_file, request_timeout=request_timeout)
    return cast(C, client)  # from_discovery builds `cls`


def has_token(args: argparse.Namespace) -> bool:
    """Whether the app will run with a device token (--token-file, or this PC's pairing) rather than a sign-in."""
    return endpoint(args).token is not None


def _moved_service(cls: type[C], found: Endpoint, discovery_timeout: float) -> str | None:
    """The paired service's new address when the stored one does not answer and mDNS finds a service whose
    certificate the pinned CA verifies (the same centre; another centre's service fails TLS and is skipped).
    None: the stored address answers, or nothing better was found (the app starts offline and retries it)."""
    assert found.url is not None
    try:
        with cls(found.url, None, ca_file=found.ca_file, timeout=2.0, attempts=1) as probe:
            probe.health()
        return None
    except ServiceError:
        pass
    from app.client import discovery

    try:
        candidates = discovery.discover(discovery_timeout, want=1, accept=lambda f: f.url.startswith("https://"))
    except OSError:
        return None
    for candidate in candidates:
        if candidate.url == found.url:
            continue
        try:
            with cls(candidate.url, None, ca_file=found.ca_file, timeout=2.0, attempts=1) as probe:
                probe.health()
        except ServiceError:
            continue
        log.info("paired service not at %s; found it at %s", found.url, candidate.url)
        relocate_pairing(candidate.url)
        return candidate.url
    return None
