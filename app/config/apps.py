"""The apps' side of config.toml: its values as argparse defaults (the command line still wins) and the seed of a
new centre."""

from __future__ import annotations

from typing import Any

from app.config.file import Config, ConfigError, load

# For each app, its argparse dest → (section, key); an empty or zero value is left to the app's own default.
APP_OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "kiosk": {"printer": ("printer", "spec"), "width": ("printer", "width"), "camera": ("camera", "source"),
              "port": ("centre", "port"), "commune": ("centre", "commune")},
    "counter": {"counter": ("counter", "number"), "printer": ("printer", "spec"), "width": ("printer", "width"),
                "camera": ("camera", "source"), "scanner": ("scanner", "source")},
    "rating": {"counter": ("rating", "counter")},
    "serve": {"port": ("centre", "port"), "commune": ("centre", "commune"), "centre_name": ("centre", "name")},
}  # fmt: skip


def app_defaults(app: str, config: Config | None) -> dict[str, Any]:
    """argparse defaults from the config for `app` (kiosk, counter, rating, serve): `parser.set_defaults(**…)`
    before parse_args, so whatever is typed on the command line still wins."""
    if config is None:
        return {}
    found: dict[str, Any] = {}
    for dest, (section, name) in APP_OPTIONS.get(app, {}).items():
        value = config.get(section, name)
        if value not in ("", 0, None):
            found[dest] = [value] if dest == "scanner" else value  # --scanner appends: the file's comes first
    service_pc = config.role == "service-kiosk"
    if app == "serve" and service_pc:
        found["data"] = config.data_dir()
        # the centre's service PC serves the hall's LAN (HTTPS with its own CA); `--host 127.0.0.1` still wins
        found["host"] = "0.0.0.0"  # noqa: S104
    if app == "kiosk" and service_pc:
        found["host_service"] = config.data_dir()  # the kiosk PC runs the centre service beside it
    return found


def seed_layout(config: Config | None) -> dict[str, Any]:
    """How a fresh centre is seeded (counters, groups, unit code) from the config; {} without one."""
    if config is None or config.role != "service-kiosk":
        return {}
    layout: dict[str, Any] = {"counters": config.get("centre", "counters"), "fields": config.get("centre", "groups")}
    if config.get("centre", "unit_code"):
        layout["unit_code"] = config.get("centre", "unit_code")
    return layout


def parser_defaults(parser: Any, app: str) -> None:
    """`app_defaults` from this PC's config.toml into `parser`; a broken file stops the app with its errors."""
    try:
        parser.set_defaults(**app_defaults(app, load()))
    except ConfigError as exc:
        parser.exit(2, "Lỗi trong tệp cấu hình:\n" + str(exc) + "\nSửa tệp rồi chạy lại, hoặc xóa tệp để cài lại.\n")
