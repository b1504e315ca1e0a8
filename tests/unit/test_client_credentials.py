"""Where this PC keeps its pairing (app/client/credentials.py): the token in the OS keyring and never in
pairing.json, or, with no usable keyring, in a 0600 file; forgetting removes both."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.client.credentials import forget_pairing, keyring_usable, load_pairing, save_pairing

TOKEN = "tok-" + "x" * 40  # a device token's shape; what must never reach pairing.json when a keyring works
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("MOTCUA_TOKEN_STORE", raising=False)
    return tmp_path / "cfg"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def save(**kw: object) -> None:
    save_pairing("https://10.0.0.2:8710", TOKEN, CA, role="counter", counter=2, name="Quầy 2", device_id=7,
                 service_name="Trung tâm", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_with_a_keyring_the_token_is_never_in_pairing_json(folder: Path, memory_keyring: MemoryKeyring) -> None:
    assert keyring_usable()
    save()
    text = (folder / "pairing.json").read_text(encoding="utf-8")
    assert TOKEN not in text
    assert json.loads(text)["kept_in"] == "keyring"
    assert not (folder / "device.token").exists()
    assert memory_keyring.secrets[("MotCua", "https://10.0.0.2:8710")] == TOKEN
    pairing = load_pairing()
    assert pairing is not None
    assert pairing.token == TOKEN
    assert (pairing.url, pairing.role, pairing.counter, pairing.device_id) == ("https://10.0.0.2:8710", "counter", 2, 7)
    assert pairing.ca_file == folder / "centre-ca.pem"
    assert TOKEN not in repr(pairing)
    assert forget_pairing()
    assert memory_keyring.secrets == {}
    assert load_pairing() is None


def test_without_a_usable_keyring_the_token_goes_to_a_0600_file(folder: Path) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # headless Linux: keyring's fail backend
    try:
        assert not keyring_usable()
        save()
    finally:
        keyring.set_keyring(before)
    token_file = folder / "device.token"
    assert token_file.read_text() == TOKEN
    for name in ("device.token", "centre-ca.pem", "pairing.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert json.loads((folder / "pairing.json").read_text())["kept_in"] == "file"
    pairing = load_pairing()
    assert pairing is not None
    assert pairing.token == TOKEN
    forget_pairing()
    assert not token_file.exists()


def test_the_file_can_be_forced_even_with_a_keyring(folder: Path, memory_keyring: MemoryKeyring,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("MOTCUA_TOKEN_STORE", "file")
    save()
    assert memory_keyring.secrets == {}
    assert (folder / "device.token").read_text() == TOKEN


def test_a_keyring_that_fails_on_write_falls_back_to_the_file(folder: Path, memory_keyring: MemoryKeyring,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    def locked(*_args: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    save()
    assert (folder / "device.token").read_text() == TOKEN
    assert json.loads((folder / "pairing.json").read_text())["kept_in"] == "file"


def test_no_pairing_and_a_lost_token_both_read_as_none(folder: Path) -> None:
    assert load_pairing() is None
    save(use_keyring=False)
    (folder / "device.token").unlink()
    assert load_pairing() is None
    assert forget_pairing()  # there was a pairing.json, now there is none
    assert not (folder / "pairing.json").exists()
