"""Where this PC keeps its configuration: the platform's per-user data folder (MOTCUA_CONFIG_DIR overrides it)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "MotCua"
CONFIG_FILE = "config.toml"


def config_dir() -> Path:
    """Where this PC keeps config.toml, the pairing (service address, the centre's CA) and, where there is no OS
    keyring, the device token: the platform's per-user data folder, or MOTCUA_CONFIG_DIR (tests, portable use)."""
    override = os.environ.get("MOTCUA_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_data_path(APP_DIR_NAME, appauthor=False)


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def default_data_dir() -> Path:
    """The centre service's data folder when [centre] data_dir is left empty."""
    return config_dir() / "centre"
