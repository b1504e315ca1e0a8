"""`user add` on the service PC's data folder seeds a fresh one from config.toml as `serve` would (the first-run
wizard creates the accounts before the service ever ran), and says "already there" with an exit code of its own."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.__main__ import USER_EXISTS, main
from app.config import Config, save
from app.service.server import open_store
from app.setup.accounts import USER_EXISTS as WIZARD_USER_EXISTS
from app.store.users import UserStore

PIN = "582914"


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg"


def service_config(data: Path) -> Config:
    c = Config()
    c.set("pc", "role", "service-kiosk")
    c.set("centre", "commune", "Đông Hưng")
    c.set("centre", "unit_code", "000.00.12.H48")
    c.set("centre", "counters", 2)
    c.set("centre", "groups", ["HT", "CT"])
    c.set("centre", "data_dir", str(data))
    return c


def user_add(monkeypatch: pytest.MonkeyPatch, data: Path, username: str, secret: str = PIN) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    return main(["user", "add", "--data", str(data), "--username", username, "--name", "Nguyễn Văn An",
                 "--role", "director", "--secret-stdin"])  # fmt: skip


def centre_of(data: Path) -> tuple[int, list[str], str, str]:
    store, _devices = open_store(data)  # no seed here: what the folder holds
    try:
        users = [u["username"] for u in UserStore(store.writer, store.clock).list_users()]
        assert users, "the account was written"
        c = store.centre
        return len(c.counters), sorted(g.code for g in c.groups), c.unit_code, c.commune
    finally:
        store.close()


def test_the_configs_data_folder_is_seeded_from_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "centre"
    save(service_config(data))
    # the same folder spelled otherwise (as typed, or relative): still the config's folder
    (tmp_path / "elsewhere").mkdir()
    assert user_add(monkeypatch, tmp_path / "elsewhere" / ".." / "centre", "lanh.dao") == 0
    assert centre_of(data) == (2, ["CT", "HT"], "000.00.12.H48", "xã Đông Hưng")


def test_another_folder_is_not_seeded_from_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save(service_config(tmp_path / "centre"))
    other = tmp_path / "other"
    assert user_add(monkeypatch, other, "lanh.dao") == 0
    counters, groups, unit_code, commune = centre_of(other)
    assert (counters, unit_code, commune) == (4, "000.00.00.X00", "")  # the catalogue's defaults, unnamed
    assert len(groups) > 2


def test_a_counter_pcs_config_seeds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "centre"
    config = service_config(data)
    config.set("pc", "role", "counter")
    save(config)
    assert user_add(monkeypatch, data, "lanh.dao") == 0
    assert centre_of(data)[0] == 4


def test_an_existing_account_has_its_own_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    data = tmp_path / "centre"
    save(service_config(data))
    assert user_add(monkeypatch, data, "lanh.dao") == 0
    assert user_add(monkeypatch, data, "LANH.DAO", "905127") == USER_EXISTS == WIZARD_USER_EXISTS
    assert "đã có người dùng" in capsys.readouterr().err
    assert user_add(monkeypatch, data, "binh", "8264") == 2  # any other refusal stays 2
