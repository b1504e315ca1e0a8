"""Menu entries and desktop icons on Linux (freedesktop .desktop files): what the Windows installer's Start-menu
entries are on Windows (build_spec/motcua.iss). A clerk opens "Quầy" with a click, not with a command.

The wizard (app/setup/boot.py) runs `install-shortcuts --role R` for the PC's role: the role's app and
"Cài đặt ban đầu" go into the user's menu ($XDG_DATA_HOME/applications), the role's app also onto the desktop (the
folder user-dirs.dirs names, e.g. ~/Màn hình nền on a Vietnamese Ubuntu). Per user, no root needed.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.child_process import ROOT, program
from app.paths import icon_path


@dataclass(frozen=True)
class Shortcut:
    key: str  # the file's name: motcua-KEY.desktop
    name: str  # what the menu shows
    comment: str
    module: tuple[str, ...]  # for app.child_process.program

    @property
    def file_name(self) -> str:
        return f"motcua-{self.key}.desktop"


SHORTCUTS = {
    "kiosk": Shortcut("kiosk", "Kiosk lấy số", "Màn hình cảm ứng lấy số thứ tự", ("kiosk",)),
    "counter": Shortcut("counter", "Quầy", "Phần mềm quầy: gọi số, tiếp nhận hồ sơ", ("counter",)),
    "display": Shortcut("display", "Màn hình sảnh", "Màn hình gọi số trên TV ở sảnh", ("app", "display")),
    "dashboard": Shortcut(
        "dashboard", "Lãnh đạo", "Màn hình lãnh đạo: sảnh, số liệu, thiết bị, cài đặt", ("app", "dashboard")
    ),
    "rating": Shortcut("rating", "Đánh giá", "Màn hình đánh giá mức độ hài lòng đặt tại quầy", ("app", "rating")),
    "setup": Shortcut(
        "setup", "Cài đặt ban đầu (Một Cửa)", "Vai trò của máy, thông tin Trung tâm, máy in, ghép nối", ("app", "setup")
    ),
}
# The wizard's roles (app/config ROLE_NAMES) → the app its PC opens.
ROLE_APPS = {"service-kiosk": "kiosk", "counter": "counter", "display": "display", "director": "dashboard",
             "rating": "rating"}  # fmt: skip


def exec_quote(word: str) -> str:
    """One Exec= argument as the Desktop Entry Specification reads it: quoted when it has a reserved character,
    with `"`, `` ` ``, `$` and `\\` escaped inside the quotes; a literal `%` is `%%` either way."""
    word = word.replace("%", "%%")
    if word and not re.search(r"[\s\"'\\><~|&;$*?#()`]", word):
        return word
    escaped = re.sub(r'(["`$\\])', r"\\\1", word)
    return '"' + escaped.replace("\\", "\\\\") + '"'  # the file's own string escaping doubles each backslash


def desktop_entry(shortcut: Shortcut) -> str:
    command = program(*shortcut.module)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        f"Name={shortcut.name}",
        f"Comment={shortcut.comment}",
        "Exec=" + " ".join(exec_quote(word) for word in command),
        # from source `-m kiosk` finds the project in the working folder; frozen: the bundle's folder
        f"Path={Path(command[0]).parent if getattr(sys, 'frozen', False) else ROOT}",
        f"Icon={icon_path()}",
        "Terminal=false",
        "Categories=Office;",
        "StartupNotify=true",
        "",
    ]
    return "\n".join(lines)


def menu_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "applications"


def desktop_dir() -> Path | None:
    """The desktop folder of this user (XDG_DESKTOP_DIR in user-dirs.dirs, localized on a Vietnamese desktop), or
    None when the user has none."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "user-dirs.dirs"
    found: Path | None = None
    try:
        for line in config.read_text(encoding="utf-8").splitlines():
            if line.startswith("XDG_DESKTOP_DIR="):
                value = line.split("=", 1)[1].strip().strip('"')
                found = Path(value.replace("$HOME", str(Path.home())))
    except OSError:
        pass
    found = found or Path.home() / "Desktop"
    return found if found.is_dir() and found != Path.home() else None


@dataclass(frozen=True)
class Written:
    path: Path
    on_desktop: bool


def shortcuts_for(role: str) -> list[tuple[Shortcut, bool]]:
    """(shortcut, also on the desktop) for a wizard role: its app (menu and desktop) and the wizard (menu)."""
    return [(SHORTCUTS[ROLE_APPS[role]], True), (SHORTCUTS["setup"], False)]


def install(role: str) -> list[Written]:
    written: list[Written] = []
    desktop = desktop_dir()
    for shortcut, with_icon in shortcuts_for(role):
        text = desktop_entry(shortcut)
        targets = [(menu_dir() / shortcut.file_name, False)]
        if with_icon and desktop is not None:
            targets.append((desktop / shortcut.file_name, True))
        for path, on_desktop in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            path.chmod(0o755)  # a launcher on the desktop must be executable to open with a double-click
            if on_desktop:
                _trust(path)
            written.append(Written(path, on_desktop))
    return written


def uninstall(keys: Sequence[str] = tuple(SHORTCUTS)) -> list[Path]:
    folders = [folder for folder in (menu_dir(), desktop_dir()) if folder is not None]
    removed = [folder / SHORTCUTS[key].file_name for key in keys for folder in folders
               if (folder / SHORTCUTS[key].file_name).exists()]  # fmt: skip
    for path in removed:
        path.unlink()
    return removed


def _trust(path: Path) -> None:
    """GNOME opens a desktop launcher only once marked trusted; elsewhere (or without gio) nothing to do."""
    command = ["gio", "set", str(path), "metadata::trusted", "true"]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(command, capture_output=True, timeout=10, check=False)  # noqa: S603 - a fixed command
