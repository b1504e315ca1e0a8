"""Linux menu entries and desktop icons (app/shortcuts.py, `python -m app install-shortcuts`, the wizard's Hoàn tất):
each file passes desktop-file-validate (freedesktop's own checker), opens the right program, lands in the folders
the user's desktop names, and goes away with uninstall-shortcuts."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app import shortcuts
from app.setup import boot

ROOT = Path(__file__).resolve().parents[2]
needs_validator = pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                                     reason="desktop-file-utils (dev.py installs it)")  # fmt: skip


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user whose desktop folder is Vietnamese, as user-dirs.dirs names it on a Vietnamese Ubuntu."""
    folder = tmp_path / "home"
    (folder / "Màn hình nền").mkdir(parents=True)
    (folder / ".config").mkdir()
    (folder / ".config" / "user-dirs.dirs").write_text(
        '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/Màn hình nền"\nXDG_DOWNLOAD_DIR="$HOME/Tải về"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return folder


def keys(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def exec_words(value: str) -> list[str]:
    """Exec= read back as the Desktop Entry Specification says: the string's own escapes first (a doubled
    backslash), then the quoting (inside "…" a backslash escapes " ` $ and itself), then %% is a literal %."""
    text, words, word, quoted, i = value.replace("\\\\", "\\"), [], "", False, 0
    started = False
    while i < len(text):
        c = text[i]
        if quoted and c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            word, i = word + text[i + 1], i + 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c.isspace() and not quoted:
            if started:
                words.append(word)
            word, started = "", False
        else:
            word, started = word + c, True
        i += 1
    if started:
        words.append(word)
    return [w.replace("%%", "%") for w in words]


@needs_validator
def test_every_entry_is_valid_and_opens_its_program(tmp_path: Path) -> None:
    for key, shortcut in shortcuts.SHORTCUTS.items():
        path = tmp_path / shortcut.file_name
        path.write_text(shortcuts.desktop_entry(shortcut), encoding="utf-8")
        checked = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, (key, checked.stdout, checked.stderr)
        assert not checked.stdout.strip(), (key, checked.stdout)  # not even a warning
        found = keys(path)
        assert exec_words(found["Exec"]) == [sys.executable, "-m", *shortcut.module]
        assert found["Path"] == str(ROOT)  # `-m kiosk` finds the project from its folder
        assert Path(found["Icon"]).is_file()
    assert keys(tmp_path / "motcua-counter.desktop")["Name"] == "Quầy"


@needs_validator
def test_an_argument_with_spaces_quotes_and_percent_survives(tmp_path: Path) -> None:
    word = 'C:/Một Cửa/"thử" 100% $HOME\\x'
    path = tmp_path / "odd.desktop"
    path.write_text(f"[Desktop Entry]\nType=Application\nName=Thử\nExec=prog {shortcuts.exec_quote(word)}\n",
                    encoding="utf-8")  # fmt: skip
    checked = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout
    assert shortcuts.exec_quote("/opt/motcua/motcua-counter") == "/opt/motcua/motcua-counter"  # plain stays plain
    assert exec_words(keys(path)["Exec"]) == ["prog", word]


def test_a_counter_pc_gets_quay_in_the_menu_and_on_the_vietnamese_desktop(home: Path) -> None:
    written = shortcuts.install("counter")
    menu = home / ".local" / "share" / "applications"
    desktop = home / "Màn hình nền"
    assert {(w.path, w.on_desktop) for w in written} == {
        (menu / "motcua-counter.desktop", False), (desktop / "motcua-counter.desktop", True),
        (menu / "motcua-setup.desktop", False),
    }  # fmt: skip
    assert stat.S_IMODE((desktop / "motcua-counter.desktop").stat().st_mode) & 0o100  # opens with a double-click
    assert keys(desktop / "motcua-counter.desktop")["Name"] == "Quầy"
    assert not (desktop / "motcua-setup.desktop").exists()  # the wizard stays in the menu only
    removed = shortcuts.uninstall()
    assert set(removed) == {w.path for w in written}
    assert not any(w.path.exists() for w in written)


def test_without_a_desktop_folder_only_the_menu(home: Path) -> None:
    shutil.rmtree(home / "Màn hình nền")
    written = shortcuts.install("director")
    assert [w.path.name for w in written] == ["motcua-dashboard.desktop", "motcua-setup.desktop"]
    assert not any(w.on_desktop for w in written)
    assert keys(written[0].path)["Name"] == "Lãnh đạo"


def test_every_wizard_role_has_its_app() -> None:
    from app.config import ROLES

    assert set(shortcuts.ROLE_APPS) == set(ROLES)


def test_the_wizard_says_what_it_made_and_a_dry_run_writes_nothing(home: Path) -> None:
    assert boot.make_shortcuts("display", windows=True) == ""  # the Windows installer made Start-menu entries
    assert boot.make_shortcuts("display", dry_run=True, windows=False).endswith("chạy thử, chưa tạo.")
    assert not (home / ".local").exists()
    line = boot.make_shortcuts("display", windows=False)
    assert line == "Đã tạo biểu tượng “Màn hình sảnh” và “Cài đặt ban đầu (Một Cửa)” trong menu và trên màn hình nền."
    assert (home / "Màn hình nền" / "motcua-display.desktop").is_file()


def test_the_wizard_says_what_to_type_when_it_cannot_write(home: Path) -> None:
    (home / ".local").write_text("not a folder", encoding="utf-8")  # the menu folder cannot be made
    line = boot.make_shortcuts("counter", windows=False)
    assert line.startswith("Chưa tạo được biểu tượng “Quầy”")
    assert line.endswith("Gõ lệnh: python -m app install-shortcuts --role counter")


def test_the_commands(home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "app"]
    dry = subprocess.run([*run, "install-shortcuts", "--role", "rating", "--dry-run"], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=60, check=False)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "Name=Đánh giá" in dry.stdout
    assert "(menu và màn hình nền)" in dry.stdout
    assert not (home / ".local").exists()
    made = subprocess.run([*run, "install-shortcuts", "--role", "rating"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60, check=False)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.count("Đã tạo ") == 3
    gone = subprocess.run([*run, "uninstall-shortcuts"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60, check=False)  # fmt: skip
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.count("Đã xóa ") == 3
    assert list((home / "Màn hình nền").iterdir()) == []
