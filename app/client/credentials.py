"""This PC's pairing with the centre service: where it is, the centre's CA and the device token.

pairing.json (config_dir(), 0600) keeps the service address, the CA's path (config_dir()/centre-ca.pem, 0600), the
role, counter, device name and id. The token goes to the OS keyring (service "MotCua", user = the service address)
and is then never in pairing.json; where no keyring works (headless Linux: keyring's fail backend or an error from
it) it goes to config_dir()/device.token, 0600. MOTCUA_TOKEN_STORE=file forces the file (tests, portable use).
Nothing here logs a token.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.atomic_file import write_atomic
from app.config import config_dir

log = logging.getLogger(__name__)

KEYRING_SERVICE = "MotCua"
PAIRING_FILE = "pairing.json"
CA_FILE = "centre-ca.pem"
TOKEN_FILE = "device.token"  # noqa: S105 - a file name
FORCE_FILE_ENV = "MOTCUA_TOKEN_STORE"  # "file": never the OS keyring


@dataclass(frozen=True)
class Pairing:
    url: str
    token: str = ""
    ca_file: Path | None = None
    role: str = ""
    counter: int | None = None
    name: str = ""
    device_id: int | None = None
    service_name: str = ""
    kept_in: str = "file"  # where the token is: keyring | file

    def __repr__(self) -> str:  # a Pairing may end up in a log line: never with its token
        return f"Pairing(url={self.url!r}, role={self.role!r}, counter={self.counter}, device_id={self.device_id})"


def save_pairing(url: str, token: str, ca_pem: str | None, *, role: str, counter: int | None, name: str,
                 device_id: int | None, service_name: str = "",
                 use_keyring: bool | None = None) -> Pairing:  # fmt: skip
    """Keep a fresh pairing (replacing an older one). `use_keyring`: None = the OS keyring when one works."""
    folder = config_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    forget_pairing()  # an old token must not outlive the pairing that replaces it
    ca_file: Path | None = None
    if ca_pem:
        ca_file = folder / CA_FILE
        write_atomic(ca_file, ca_pem.encode())
    store = "keyring" if (use_keyring if use_keyring is not None else keyring_usable()) and _keyring_set(url, token) \
        else "file"  # fmt: skip
    if store == "file":
        write_atomic(folder / TOKEN_FILE, token.encode())
    record = {"url": url, "ca_file": str(ca_file) if ca_file else None, "role": role, "counter": counter,
              "name": name, "device_id": device_id, "service_name": service_name, "kept_in": store}  # fmt: skip
    write_atomic(folder / PAIRING_FILE, json.dumps(record, ensure_ascii=False, indent=2).encode())
    log.info("paired with %s as %s (token in the %s)", url, role, store)
    return Pairing(url, token, ca_file, role, counter, name, device_id, service_name, store)


def load_pairing() -> Pairing | None:
    """This PC's pairing, or None when there is none (or its token is gone: pair again)."""
    folder = config_dir()
    try:
        record: dict[str, Any] = json.loads((folder / PAIRING_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = str(record.get("url") or "")
    store = str(record.get("kept_in") or "file")
    token = _keyring_get(url) if store == "keyring" else _read(folder / TOKEN_FILE)
    if not url or not token:
        return None
    ca = record.get("ca_file")
    counter = record.get("counter")
    device_id = record.get("device_id")
    return Pairing(url, token, Path(ca) if ca else None, str(record.get("role") or ""),
                   int(counter) if counter is not None else None, str(record.get("name") or ""),
                   int(device_id) if device_id is not None else None, str(record.get("service_name") or ""),
                   store)  # fmt: skip


def relocate_pairing(new_url: str) -> Pairing | None:
    """The service PC got a new address (DHCP): keep the pairing, under `new_url` (the keyring's entry moves too).
    Only for a service whose certificate the pinned CA verified: the caller checked that before."""
    old = load_pairing()
    if old is None or old.url == new_url:
        return old
    folder = config_dir()
    record: dict[str, Any] = json.loads((folder / PAIRING_FILE).read_text(encoding="utf-8"))
    if old.kept_in == "keyring":
        if not _keyring_set(new_url, old.token):
            return old
        _keyring_delete(old.url)
    record["url"] = new_url
    write_atomic(folder / PAIRING_FILE, json.dumps(record, ensure_ascii=False, indent=2).encode())
    log.info("the centre service moved from %s to %s; pairing kept", old.url, new_url)
    return load_pairing()


def forget_pairing() -> bool:
    """Remove this PC's pairing (token, CA, pairing.json); whether there was one."""
    folder = config_dir()
    had = (folder / PAIRING_FILE).exists()
    with contextlib.suppress(OSError, ValueError):
        record = json.loads((folder / PAIRING_FILE).read_text(encoding="utf-8"))
        if record.get("kept_in") == "keyring" and record.get("url"):
            _keyring_delete(str(record["url"]))
    for name in (TOKEN_FILE, CA_FILE, PAIRING_FILE):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
    return had


def keyring_usable() -> bool:
    """Whether the OS keyring has a backend that keeps secrets (not keyring's fail backend, not forced off)."""
    if os.environ.get(FORCE_FILE_ENV, "").lower() == "file":
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and float(getattr(backend, "priority", 1)) > 0
    except Exception:  # a broken keyring installation is no keyring
        return False


def _keyring_set(url: str, token: str) -> bool:
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, url, token)
        return True
    except Exception as exc:  # NoKeyringError, a locked or absent Secret Service: the 0600 file instead
        log.warning("OS keyring unusable (%s); the device token goes to a private file", type(exc).__name__)
        return False


def _keyring_get(url: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, url)
    except Exception as exc:
        log.warning("cannot read the device token from the OS keyring (%s)", type(exc).__name__)
        return None


def _keyring_delete(url: str) -> None:
    with contextlib.suppress(Exception):
        import keyring

        keyring.delete_password(KEYRING_SERVICE, url)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
