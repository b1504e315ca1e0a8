"""This PC's configuration: config.toml under the platform's data folder, read and validated (Vietnamese errors)."""

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
