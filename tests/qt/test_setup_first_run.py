"""Any app started with no configuration runs the wizard first (`python -m app setup --role …`), then reads the
config it wrote; an address, a demo, a token, a smoke test or screenshots on the command line skip it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.config import Config, save
from app.qtbridge.apps import first_run


@pytest.fixture
def wizard_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A screen a person could answer on, no config yet; the wizard replaced by one that records its command line
    and writes what a clerk would have chosen."""
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")  # read by wants_setup only: no window is opened here
    runs: list[list[str]] = []

    def fake_wizard(command: list[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        runs.append(command)
        if "--role" in command and command[command.index("--role") + 1] == "counter":
            config = Config()
            config.set("pc", "role", "counter")
            config.set("counter", "number", 4)
            save(config)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", fake_wizard)
    return runs


def test_a_first_run_opens_the_wizard_then_uses_what_it_wrote(wizard_runs: list[list[str]]) -> None:
    from counter.app import parse_args

    args = first_run(parse_args, [], "counter")
    assert wizard_runs[0][-4:] == ["app", "setup", "--role", "counter"]
    assert args.counter == 4
    assert first_run(parse_args, [], "counter").counter == 4  # configured now: no second wizard
    assert len(wizard_runs) == 1


def test_closing_the_wizard_stops_the_app_saying_why(wizard_runs: list[list[str]],
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app.display.app import parse_args

    with pytest.raises(SystemExit) as stopped:
        first_run(parse_args, [], "display")
    assert stopped.value.code == 1
    assert "chưa được cài đặt" in capsys.readouterr().err


@pytest.mark.parametrize("given", [["--service", "https://10.0.0.2:8710"], ["--demo"], ["--smoke-test"],
                                   ["--screenshot", "shots"], ["--token-file", "t.token"]])  # fmt: skip
def test_the_command_line_can_say_where_to_go_instead(wizard_runs: list[list[str]], given: list[str]) -> None:
    from app.display.app import parse_args

    first_run(parse_args, given, "display")
    assert wizard_runs == []


def test_the_kiosk_hosting_the_service_needs_no_wizard(wizard_runs: list[list[str]], tmp_path: Path) -> None:
    from kiosk.app import parse_args

    first_run(parse_args, ["--host-service", str(tmp_path / "data")], "service-kiosk")
    assert wizard_runs == []


def test_never_on_the_offscreen_platform(wizard_runs: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.display.app import parse_args

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    first_run(parse_args, [], "display")
    assert wizard_runs == []


def test_the_rating_screen_takes_its_counter_from_the_wizard(wizard_runs: list[list[str]],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from app.rating.app import parse_args

    def rating_wizard(command: list[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        config = Config()
        config.set("pc", "role", "rating")
        config.set("rating", "counter", 3)
        save(config)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", rating_wizard)
    assert first_run(parse_args, [], "rating").counter == 3  # --counter no longer needed on the command line
    assert first_run(parse_args, ["--counter", "5"], "rating").counter == 5
