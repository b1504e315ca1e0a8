"""The provincial gateway's password, never in config.toml: the OS keyring, or a 0600 file beside it."""

from __future__ import annotations

import os

from app.atomic_file import write_atomic
from app.config.paths import config_dir

KEYRING_SERVICE = "MotCua"
SECRET_FILE = "province.secret"  # noqa: S105 - a file name, not a secret


def _secret_name(username: str) -> str:
    return f"province:{username}"


def save_province_password(username: str, password: str) -> str:
    """Keep the gateway password in the OS keyring, or in a 0600 file beside config.toml where there is no keyring
    (a bare Linux PC); says where, in Vietnamese, for the wizard's summary."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, _secret_name(username), password)
        return "kho mật khẩu của hệ điều hành"
    except KeyringError:
        path = config_dir() / SECRET_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, f"{username}\n{password}\n".encode())
        return f"tệp {path} (chỉ tài khoản này đọc được)"


def province_password(username: str) -> str | None:
    """The password saved for `username` (keyring, then the 0600 file), or MOTCUA_TINH_PASSWORD; None if none."""
    import keyring
    from keyring.errors import KeyringError

    try:
        found = keyring.get_password(KEYRING_SERVICE, _secret_name(username))
    except KeyringError:
        found = None
    if found is None:
        try:
            saved_user, _, rest = (config_dir() / SECRET_FILE).read_text(encoding="utf-8").partition("\n")
        except OSError:
            saved_user, rest = "", ""
        found = rest.rstrip("\n") if saved_user == username and rest else None
    return found or os.environ.get("MOTCUA_TINH_PASSWORD") or None
