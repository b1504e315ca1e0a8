"""Shared test setup: Qt renders offscreen; nothing here talks to a display or the network."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# This PC's own config.toml and pairing never leak into a test (apps take their defaults from it): an empty folder,
# inherited by every subprocess; tests that need one point MOTCUA_CONFIG_DIR at their own tmp_path.
os.environ.setdefault("MOTCUA_CONFIG_DIR", tempfile.mkdtemp(prefix="motcua-tests-config-"))
# The wizard's Hoàn tất registers autostart (systemd units, scheduled tasks) on the PC it runs on: in tests it only
# prints them (app/setup/boot.py), wherever a test forgets to say so.
os.environ.setdefault("MOTCUA_AUTOSTART", "dry-run")
