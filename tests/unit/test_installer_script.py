"""build_spec/motcua.iss, read as text (no Windows here to compile it): the Start-menu entries rely on this PC's
pairing and config.toml, the wizard opens after installing, and the boot-time service (SYSTEM, which cannot read a
user's config.toml) gets its data folder and commune on its command line."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (ROOT / "build_spec" / "motcua.iss").read_text(encoding="utf-8-sig")


def section(name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", SCRIPT, re.M | re.S)
    assert match, name
    return [line for line in match.group(1).splitlines() if line and not line.startswith(";")]


def entry(line: str) -> dict[str, str]:
    return {k.strip(): v.strip().strip('"') for k, v in re.findall(r'(\w+):\s*("[^"]*(?:""[^"]*)*"|[^;]*)', line)}


def test_every_role_has_a_start_menu_entry_without_token_or_ca_files(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("build_roles", ROOT / "build_spec" / "roles.py")
    assert spec is not None
    assert spec.loader is not None
    roles = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "build_roles", roles)  # its dataclass looks itself up there
    spec.loader.exec_module(roles)
    icons = {entry(line)["Name"].removeprefix("{group}\\"): entry(line) for line in section("Icons")}
    for role in roles.ROLES:
        assert icons[role.title]["Filename"] == f"{{app}}\\{role.exe}.exe"
    commands = [line for name in ("Icons", "Run") for line in section(name)]
    assert len(commands) > len(roles.ROLES)
    assert not any("--token-file" in line or "--ca-file" in line for line in commands)  # the pairing has them


def test_the_wizard_has_an_entry_and_opens_after_installing() -> None:
    icons = {entry(line)["Name"]: entry(line) for line in section("Icons")}
    wizard = icons["{group}\\Cài đặt ban đầu"]
    # its own windowed executable: no console window behind the wizard on Windows
    assert (wizard["Filename"], wizard["Parameters"]) == ("{app}\\motcua-wizard.exe", "{code:SetupParameters}")
    runs = [entry(line) for line in section("Run")]
    after = [run for run in runs if "postinstall" in run.get("Flags", "")]
    assert len(after) == 1
    assert (after[0]["Filename"], after[0]["Parameters"]) == ("{app}\\motcua-wizard.exe", "{code:SetupParameters}")
    assert "skipifsilent" in after[0]["Flags"]  # a silent install opens no window
    assert "runascurrentuser" not in after[0]["Flags"]  # as the user: config.toml and pairing are per user


def test_the_boot_time_service_gets_data_and_commune_on_its_command_line() -> None:
    service = next(entry(line) for line in section("Run") if "install-service" in line)
    assert service["Parameters"] == "install-service {code:ServiceParameters}"
    assert service["Tasks"] == "autostart"
    body = SCRIPT[SCRIPT.index("function ServiceParameters") :]
    body = body[: body.index("end;\n\n")]
    assert "'--data \"' + ExpandConstant('{#Shared}') + '\\data\"" in body
    assert "--commune" in body
    assert '#define Shared "{commonappdata}\\MotCua"' in SCRIPT  # C:\ProgramData\MotCua\data
