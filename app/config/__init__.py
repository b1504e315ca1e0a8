"""This PC's configuration: config.toml under the platform's data folder, read and validated (Vietnamese errors).

The file is written by the first-run wizard (`python -m app setup`, app/setup/) and may be edited by hand: every key
is documented in the file itself (`render`). Reading collects every problem at once, each naming the file, the line,
the section and the key (`config.toml, dòng 7: [printer] width phải là 384 hoặc 576`). Command-line options win over
the file: apps feed it to argparse as defaults (`parser_defaults`). No secrets here: the provincial gateway's password
lives in the OS keyring or a 0600 file beside this one (`save_province_password`), and the device token from pairing
where app/client/credentials.py keeps it.
"""

from app.config.apps import APP_OPTIONS, app_defaults, parser_defaults, seed_layout
from app.config.file import Config, ConfigError, Problem, load, parse, render, save
from app.config.passwords import province_password, save_province_password
from app.config.paths import APP_DIR_NAME, CONFIG_FILE, config_dir, config_path, default_data_dir
from app.config.schema import (
    DEFAULT_PORT,
    ROLE_NAMES,
    ROLES,
    ROLL_WIDTHS,
    SCHEMA,
    SECTIONS,
    Key,
    check_value,
)

__all__ = [
    "APP_DIR_NAME", "APP_OPTIONS", "CONFIG_FILE", "DEFAULT_PORT", "ROLES", "ROLE_NAMES", "ROLL_WIDTHS", "SCHEMA",
    "SECTIONS", "Config", "ConfigError", "Key", "Problem", "app_defaults", "check_value", "config_dir", "config_path",
    "default_data_dir", "load", "parse", "parser_defaults", "province_password", "render", "save",
    "save_province_password", "seed_layout",
]  # fmt: skip
