"""Where and how to reach the provincial one-stop system: one JSON file an administrator fills in.

Each province's data gateway has its own paths and spelling (gov_rules.md §1), so everything that differs is
here and the adapter stays thin. Example:

    {
      "base_url": "https://motcua.tinh.gov.vn",
      "username": "xa_vu_thu",
      "password_env": "MOTCUA_TINH_PASSWORD",
      "unit_code": "000.00.12.H48",
      "ca_bundle": "ca-tinh.pem",
      "create_path": "/api/dossiers/create",
      "progress_chunk": 10,
      "mapping": {"PhienBan": "Version"}
    }

`password_env` names an environment variable holding the password, so it need not be stored in clear;
`password` works too. A relative `ca_bundle` is read beside the config file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class GatewayConfigError(ValueError):
    """The config file cannot be used; `message` is Vietnamese, for the administrator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class GatewayConfig:
    base_url: str
    username: str
    password: str = field(repr=False)  # never in a repr, so never in a log line
    unit_code: str
    auth_path: str = "/api/auth/token"
    create_path: str = "/api/dossiers/create"
    update_path: str = "/api/dossiers/update"
    progress_path: str = "/api/dossiers/progress"
    upload_path: str = "/api/dossiers/files"
    status_path: str = "/api/dossiers/status"
    ca_bundle: Path | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    progress_chunk: int = 10  # TD pushes QuaTrinhXuLy ten at a time
    mapping: dict[str, str] = field(default_factory=dict)
    max_response_bytes: int = 1024 * 1024

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


_PATHS = ("auth_path", "create_path", "update_path", "progress_path", "upload_path", "status_path")
_NUMBERS = {"connect_timeout": float, "read_timeout": float, "progress_chunk": int, "max_response_bytes": int}
_KNOWN = {f.name for f in fields(GatewayConfig)} | {"password_env"}


def _text(raw: dict[str, Any], key: str, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise GatewayConfigError(f"Mục “{key}” trong tệp cấu hình phải là chuỗi ký tự.")
    if required and not value.strip():
        raise GatewayConfigError(f"Tệp cấu hình kết nối tỉnh thiếu mục “{key}”.")
    return value.strip()


def _password(raw: dict[str, Any]) -> str:
    env_name = raw.get("password_env")
    if env_name is not None:
        if not isinstance(env_name, str) or not env_name.strip():
            raise GatewayConfigError("Mục “password_env” phải là tên một biến môi trường.")
        value = os.environ.get(env_name.strip(), "")
        if not value:
            raise GatewayConfigError(
                f"Chưa đặt biến môi trường {env_name.strip()} chứa mật khẩu kết nối hệ thống một cửa của tỉnh."
            )
        return value
    if "password" not in raw:
        raise GatewayConfigError("Tệp cấu hình kết nối tỉnh thiếu mật khẩu (“password” hoặc “password_env”).")
    return _text(raw, "password")


def config_from_dict(raw: dict[str, Any], base_dir: Path | None = None) -> GatewayConfig:
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:  # a typo would otherwise silently fall back to a default path
        raise GatewayConfigError(f"Tệp cấu hình có mục không biết: {', '.join(unknown)}.")
    base_url = _text(raw, "base_url")
    if not base_url.startswith(("https://", "http://")):
        raise GatewayConfigError("Mục “base_url” phải bắt đầu bằng https:// (hoặc http:// khi thử nghiệm).")
    values: dict[str, Any] = {
        "base_url": base_url,
        "username": _text(raw, "username"),
        "password": _password(raw),
        "unit_code": _text(raw, "unit_code"),
    }
    for key in _PATHS:
        if key in raw:
            path = _text(raw, key)
            if not path.startswith("/"):
                raise GatewayConfigError(f"Mục “{key}” phải bắt đầu bằng dấu /.")
            values[key] = path
    for key, kind in _NUMBERS.items():
        if key in raw:
            number = raw[key]
            if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
                raise GatewayConfigError(f"Mục “{key}” phải là một số dương.")
            if kind is int and number != int(number):
                raise GatewayConfigError(f"Mục “{key}” phải là số nguyên.")
            values[key] = kind(number)
    if raw.get("ca_bundle"):
        ca = Path(_text(raw, "ca_bundle"))
        if not ca.is_absolute() and base_dir is not None:
            ca = base_dir / ca
        if not ca.is_file():
            raise GatewayConfigError(f"Không tìm thấy tệp chứng chỉ của tỉnh: {ca}.")
        values["ca_bundle"] = ca
    mapping = raw.get("mapping", {})
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise GatewayConfigError('Mục “mapping” phải là bảng đổi tên trường: {"TênCủaTa": "TênCủaTỉnh"}.')
    values["mapping"] = dict(mapping)
    return GatewayConfig(**values)


def load_gateway_config(path: Path) -> GatewayConfig:
    """Read the config file; GatewayConfigError (Vietnamese) when it is missing, not JSON or incomplete."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad on Windows saves a BOM
    except FileNotFoundError:
        raise GatewayConfigError(f"Không tìm thấy tệp cấu hình kết nối tỉnh: {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GatewayConfigError(f"Không đọc được tệp cấu hình kết nối tỉnh {path}: {exc}.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GatewayConfigError(
            f"Tệp cấu hình kết nối tỉnh {path} không đúng định dạng JSON (dòng {exc.lineno}, cột {exc.colno})."
        ) from None
    if not isinstance(raw, dict):
        raise GatewayConfigError(f"Tệp cấu hình kết nối tỉnh {path} phải là một đối tượng JSON {{…}}.")
    return config_from_dict(raw, path.parent)


def config_for_url(base_url: str, unit_code: str) -> GatewayConfig:
    """`--provincial URL`: the default paths, the account from MOTCUA_TINH_USER / MOTCUA_TINH_PASSWORD, or else
    the provincial simulator's test account (a real province is configured with a file: load_gateway_config)."""
    import os

    from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME

    return GatewayConfig(
        base_url=base_url,
        username=os.environ.get("MOTCUA_TINH_USER", DEFAULT_USERNAME),
        password=os.environ.get("MOTCUA_TINH_PASSWORD", DEFAULT_PASSWORD),
        unit_code=unit_code,
    )
