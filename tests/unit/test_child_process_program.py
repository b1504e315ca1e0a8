"""How our own programs are started: `python -m MODULE` from source, the bundle's executable when frozen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.child_process import program


def test_from_source_it_is_this_interpreter_with_dash_m() -> None:
    assert program("app") == [sys.executable, "-m", "app"]


def test_in_the_bundle_it_is_the_executable_beside_the_running_one(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    exe = ".exe" if os.name == "nt" else ""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / f"motcua-kiosk{exe}"))
    assert program("app") == [str(tmp_path / f"motcua-service{exe}")]  # the service runs every `python -m app` command
    assert program("counter") == [str(tmp_path / f"motcua-counter{exe}")]
