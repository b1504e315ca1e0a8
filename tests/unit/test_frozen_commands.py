"""In the bundle there is no `python -m`: the demo opens the apps through their own executables, and the messages
that tell a person what to type name the executable they started (sys.frozen monkeypatched, nothing built)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app import demo_apps
from app.child_process import program, shown_command, shown_program
from app.service.server import serve

EXE = ".exe" if os.name == "nt" else ""


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    bundle = tmp_path / "motcua"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / f"motcua-service{EXE}"))
    return bundle


def test_each_app_command_has_its_executable(frozen: Path) -> None:
    assert program("app", "display", "--digits") == [str(frozen / f"motcua-display{EXE}"), "--digits"]
    assert program("app", "dashboard") == [str(frozen / f"motcua-dashboard{EXE}")]
    assert program("app", "rating") == [str(frozen / f"motcua-rating{EXE}")]
    assert program("app", "setup", "--role", "kiosk") == [str(frozen / f"motcua-wizard{EXE}"), "--role", "kiosk"]
    assert program("app", "serve", "--data", "D") == [str(frozen / f"motcua-service{EXE}"), "serve", "--data", "D"]
    assert program("app", "demo") == [str(frozen / f"motcua-service{EXE}"), "demo"]


def test_from_source_every_command_is_python_dash_m() -> None:
    assert program("app", "display") == [sys.executable, "-m", "app", "display"]
    assert shown_command("app", "serve") == "python -m app serve"
    assert shown_program("kiosk") == ["python", "-m", "kiosk"]


def test_the_shown_command_is_the_executables_name(frozen: Path) -> None:
    assert shown_command("app", "serve") == f"motcua-service{EXE} serve"
    assert shown_command("app", "restore") == f"motcua-service{EXE} restore"
    assert shown_program("app") == [f"motcua-service{EXE}"]


def test_the_frozen_demo_opens_the_apps_through_their_executables(frozen: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    started: list[list[str]] = []
    monkeypatch.setattr(demo_apps, "_spawn", lambda cmd: started.append(cmd))
    monkeypatch.setattr(demo_apps, "device_token", lambda *a, **k: tmp_path / "t.token")
    monkeypatch.setattr(demo_apps, "demo_user", lambda *a: None)
    monkeypatch.setattr(demo_apps, "demo_camera", lambda folder: folder / "cam")
    monkeypatch.setattr(demo_apps, "demo_cards", lambda folder: folder / "cards")
    monkeypatch.setattr(demo_apps, "demo_desk", lambda folder: folder / "desk")
    server: Any = SimpleNamespace(url="http://127.0.0.1:8710", local_url="http://127.0.0.1:8710", ca_file=None)
    demo_apps.start_display(server)
    demo_apps.start_dashboard(server)
    demo_apps.start_rating(server, tmp_path, 1)
    demo_apps.start_kiosk(server, tmp_path, "tcp:127.0.0.1:9100")
    demo_apps.start_counter(server, 1, tmp_path, "tcp:127.0.0.1:9100", "http://127.0.0.1:1/eSCL", "")
    firsts = [Path(cmd[0]).name for cmd in started]
    assert firsts == [f"motcua-{role}{EXE}" for role in ("display", "dashboard", "rating", "kiosk", "counter")]
    assert all(Path(cmd[0]).parent == frozen for cmd in started)
    assert not any("-m" in cmd for cmd in started)
    assert started[2][1:3] == ["--counter", "1"]  # the rating's own options follow its executable


def test_the_missing_commune_message_names_the_executable(frozen: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    data = tmp_path / "fresh"
    assert serve(data, port=0, mdns=False) == 2
    err = capsys.readouterr().err
    assert f'motcua-service{EXE} serve --data {data} --commune "Đông Hưng"' in err
    assert "python -m" not in err


def test_usage_lines_name_the_executable(frozen: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["no-such-command"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: motcua-service{EXE} ")
    assert "python -m" not in err


def test_the_pairing_hints_name_the_executable(frozen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app import pairing_cli
    from app.client import queue_client

    class Answering:  # the service PC's answer to `pair-code`, without a service
        def __init__(self, *_a: object, **_k: object) -> None: ...
        def __enter__(self) -> Answering:
            return self

        def __exit__(self, *_exc: object) -> None: ...
        def pairing_code(self, role: str, name: str | None, counter: int | None) -> dict[str, Any]:
            return {"code": "123456", "expires_at": "2030-01-01T00:00:00+07:00", "name": name, "counter": counter}

    monkeypatch.setattr(queue_client, "QueueClient", Answering)
    (tmp_path / "admin.token").write_text("t", encoding="utf-8")
    args = SimpleNamespace(data=tmp_path, service="http://127.0.0.1:1", port=8710, role="counter", name="Quầy 3",
                           counter=3)  # fmt: skip
    assert pairing_cli._pair_code(args) == 0  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert f"motcua-service{EXE} pair --code 123456 --role counter --counter 3" in out
    assert "Cài đặt ban đầu" in out
    assert "python -m" not in out


def test_the_rating_screen_without_a_pairing_names_the_executable(frozen: Path) -> None:
    from app.rating.app import make_client

    with pytest.raises(ValueError, match=f"motcua-service{EXE} pair") as refused:
        make_client(SimpleNamespace(demo=False, service=None, token_file=None, ca_file=None))  # type: ignore[arg-type]
    assert "python -m" not in str(refused.value)


def test_the_dashboards_pairing_dialog_names_the_executable(frozen: Path, qtbot: Any) -> None:
    from app.dashboard.devices_tab import PairDialog

    dialog = PairDialog(None)  # type: ignore[arg-type]  # show_code only: no client asked
    qtbot.addWidget(dialog)
    dialog.show_code({"code": "654321", "name": "Quầy 2", "role": "counter", "counter": 2})
    assert f"motcua-service{EXE} pair --code 654321 --role counter --counter 2." in dialog.how.text()
    assert "python -m" not in dialog.how.text()


def test_config_toml_names_the_wizard_as_it_is_run_here(frozen: Path, tmp_path: Path) -> None:
    from app.config import Config, render, save

    counter_pc = Config()
    counter_pc.set("pc", "role", "counter")
    assert "(python -m app setup)" in render(counter_pc)  # from source, and the default
    path = save(counter_pc, tmp_path / "config.toml", setup_command=shown_command("app", "setup"))
    assert f"(motcua-wizard{EXE})" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "name"), [("kiosk.app", "kiosk"), ("counter.app", "counter"), ("app.display.app", "display"),
                         ("app.dashboard.app", "dashboard"), ("app.rating.app", "rating")],
)  # fmt: skip
def test_each_apps_usage_names_its_executable_and_its_user_agent_stays(
    frozen: Path, capsys: pytest.CaptureFixture[str], module: str, name: str
) -> None:
    import importlib

    from app.version import user_agent

    app = importlib.import_module(module)
    with pytest.raises(SystemExit):
        app.parse_args(["--help"])
    assert capsys.readouterr().out.startswith(f"usage: motcua-{name}{EXE} ")
    assert user_agent().startswith(f"motcua-{name}/")  # the service still sees "kiosk", not "motcua-kiosk"
