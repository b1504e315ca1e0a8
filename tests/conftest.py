"""Shared test setup: Qt renders offscreen; the centre service as a real subprocess for the tests that ask for it
(`server`: plain HTTP on loopback, `tls_server`: HTTPS with the centre's own CA); nothing else here talks to a display
or the network."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.service.launcher import ServerProcess, start_server

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# This PC's own config.toml and pairing never leak into a test (apps take their defaults from it): an empty folder,
# inherited by every subprocess; tests that need one point MOTCUA_CONFIG_DIR at their own tmp_path.
os.environ.setdefault("MOTCUA_CONFIG_DIR", tempfile.mkdtemp(prefix="motcua-tests-config-"))
# The wizard's Hoàn tất registers autostart (systemd units, scheduled tasks) on the PC it runs on: in tests it only
# prints them (app/setup/boot.py), wherever a test forgets to say so.
os.environ.setdefault("MOTCUA_AUTOSTART", "dry-run")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path / "data")
    yield proc
    proc.stop()


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path / "data", tls="on")
    yield proc
    proc.stop()
