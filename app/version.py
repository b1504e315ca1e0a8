"""The bundle's version, the oldest client the centre service still serves, and how the two are compared.

Every app shows `__version__` (its About corner, `--version`), the service says it in `GET /api/health` with
`min_client_version`, and every client names itself in its `User-Agent` (`motcua-kiosk/0.1.0`). A kiosk, counter
or screen older than `MIN_CLIENT_VERSION` is told so in plain Vietnamese (`outdated_message`) instead of meeting
answers it does not understand; the service refuses its writes with 426 `client_outdated` (client_version.py).

`VERSION` is kept equal to `[project] version` in pyproject.toml (tests/unit/test_version.py); an installed
distribution's own metadata wins when there is one (a wheel built from another commit says its own version).
Raise `MIN_CLIENT_VERSION` only when a change of the API would make older apps misbehave.
"""

from __future__ import annotations

import re
from importlib import metadata

VERSION = "0.1.0"
MIN_CLIENT_VERSION = "0.1.0"
DISTRIBUTION = "motcua"
AGENT_PREFIX = "motcua-"

_NUMBERS = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")
_AGENT = re.compile(r"(?:^|\s)motcua-([a-z][a-z0-9_-]*)/(\S+)", re.IGNORECASE)

OUTDATED_MESSAGE = (
    "Phần mềm trên máy này (phiên bản {own}) cũ hơn phiên bản tối thiểu dịch vụ trung tâm yêu cầu ({minimum}). "
    "Vui lòng cập nhật."
)


def _installed_version() -> str | None:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from the source tree or a frozen bundle without metadata
        return None


__version__ = _installed_version() or VERSION


def version_key(text: str) -> tuple[int, ...] | None:
    """`"0.10.2"` → (0, 10, 2), trailing zeros dropped so 1.0 == 1.0.0; a suffix (rc1, .dev3, +local) is ignored;
    None when `text` does not start with a number."""
    match = _NUMBERS.match(text or "")
    if match is None:
        return None
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def is_older(version: str, minimum: str) -> bool:
    """Whether `version` is below `minimum`; an unreadable version on either side is never called older."""
    own, least = version_key(version), version_key(minimum)
    return own is not None and least is not None and own < least


def outdated_message(own: str, minimum: str) -> str:
    return OUTDATED_MESSAGE.format(own=own, minimum=minimum)


def outdated_for(health: object, own: str = __version__) -> str | None:
    """The Vietnamese message when the service whose `/api/health` answer is `health` no longer serves a client of
    version `own`; None when it does (or says nothing about it: an older service)."""
    minimum = health.get("min_client_version") if isinstance(health, dict) else None
    if isinstance(minimum, str) and is_older(own, minimum):
        return outdated_message(own, minimum)
    return None


_app_name = ["client"]  # this process's app, as its User-Agent names it (set_app_name)


def set_app_name(name: str) -> None:
    """Which app this process is (`kiosk`, `counter`, `display`…): every Qt app says so at start-up
    (app/qtbridge/apps.py), so its QueueClient's User-Agent names it."""
    _app_name[0] = re.sub(r"[^a-z0-9_-]", "", name.lower()) or "client"


def user_agent(app: str | None = None) -> str:
    """`motcua-kiosk/0.1.0`: what a client sends so the service knows which app and version is calling."""
    return f"{AGENT_PREFIX}{app or _app_name[0]}/{__version__}"


def agent_version(header: str | None) -> tuple[str, str] | None:
    """(app, version) from a `User-Agent` one of our clients sent; None for anything else (curl, a browser)."""
    match = _AGENT.search(header or "")
    return (match.group(1).lower(), match.group(2)) if match else None


def about_line(app_title: str) -> str:
    """One line for an About corner and for `--version`."""
    return f"{app_title} – Một Cửa phiên bản {__version__}"
