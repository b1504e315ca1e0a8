"""config.toml itself: the values, reading them with every problem named by file, line and key, and writing the
commented file atomically and private (0600)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.atomic_file import write_atomic
from app.config.paths import CONFIG_FILE, config_path, default_data_dir
from app.config.schema import KEYS, ROLES, SCHEMA, SECTIONS, check_value

SETUP_COMMAND = "python -m app setup"  # from source; the wizard passes the bundle's own (motcua-service setup)


@dataclass(frozen=True)
class Problem:
    line: int | None
    text: str  # "[printer] width phải là 384 hoặc 576"

    def where(self, file: str) -> str:
        return f"{file}, dòng {self.line}: {self.text}" if self.line else f"{file}: {self.text}"


class ConfigError(ValueError):
    """config.toml cannot be used: every problem, one Vietnamese line each."""

    def __init__(self, problems: list[Problem], file: str = CONFIG_FILE) -> None:
        self.problems = problems
        self.lines = [p.where(file) for p in problems]
        super().__init__("\n".join(self.lines))


class Config:
    """The values by section and key, every key present (defaults filled in)."""

    def __init__(self, values: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.values: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
        for key in SCHEMA:
            given = (values or {}).get(key.section, {}).get(key.name, key.default)
            self.values[key.section][key.name] = list(given) if key.kind is list else given

    def get(self, section: str, name: str) -> Any:
        return self.values[section][name]

    def set(self, section: str, name: str, value: Any) -> None:
        if (section, name) not in KEYS:
            raise KeyError(f"[{section}] {name}")
        self.values[section][name] = value

    @property
    def role(self) -> str:
        return str(self.get("pc", "role"))

    def data_dir(self) -> Path:
        text = str(self.get("centre", "data_dir")).strip()
        return Path(text).expanduser() if text else default_data_dir()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and other.values == self.values

    def __repr__(self) -> str:
        return f"Config({self.values!r})"


# --- reading ---------------------------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]")
_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _line_numbers(text: str) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Where each [section] and each key sits, for the messages (tomllib does not say)."""
    sections: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            current = header.group(1)
            sections.setdefault(current, number)
        elif assign := _ASSIGN.match(line):
            keys.setdefault((current, assign.group(1)), number)
    return sections, keys


def parse(text: str, file: str = CONFIG_FILE) -> Config:
    """The config in `text`; ConfigError listing every problem with its line."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _AT_LINE.search(str(exc))
        line = int(at.group(1)) if at else None
        why = _AT_LINE.sub("", str(exc)).strip()
        raise ConfigError([Problem(line, f"không đúng cú pháp TOML ({why}); giá trị chữ phải nằm trong dấu "
                                         'ngoặc kép, ví dụ name = "Quầy 1"')], file) from None  # fmt: skip
    sections, lines = _line_numbers(text)
    problems: list[Problem] = []
    for section, body in raw.items():
        if section not in SECTIONS or not isinstance(body, dict):
            problems.append(Problem(sections.get(section) or lines.get(("", section)),
                                    f"[{section}] không phải mục của tệp cấu hình (gõ nhầm?); các mục: "
                                    + ", ".join(f"[{s}]" for s in SECTIONS)))  # fmt: skip
            continue
        for name, value in body.items():
            key = KEYS.get((section, name))
            key_line = lines.get((section, name))
            if key is None:
                known = ", ".join(k.name for k in SCHEMA if k.section == section)
                problems.append(Problem(key_line, f"[{section}] {name} không có trong cấu hình (gõ nhầm?); mục này có: "
                                            f"{known}"))  # fmt: skip
                continue
            reason = check_value(section, name, value)
            if reason:
                problems.append(Problem(key_line, f"[{section}] {name} {reason}"))
    config = Config(raw)
    problems += _role_problems(config, sections, lines)
    if problems:
        raise ConfigError(problems, file)
    return config


def _role_problems(config: Config, sections: dict[str, int], lines: dict[tuple[str, str], int]) -> list[Problem]:
    """What a role needs that the file left out (each key alone may be fine)."""
    needs = {"service-kiosk": ("centre", "commune", "máy chủ cần tên xã (phường) của Trung tâm"),
             "counter": None, "rating": ("rating", "counter", "màn hình đánh giá cần số quầy (từ 1)")}  # fmt: skip
    need = needs.get(config.role)
    if need is None or config.role not in ROLES:
        return []
    section, name, why = need
    if config.get(section, name):
        return []
    line = lines.get((section, name)) or sections.get(section) or lines.get(("pc", "role"))
    return [Problem(line, f"[{section}] {name} đang trống: {why}")]


def load(path: Path | None = None) -> Config | None:
    """This PC's config; None when there is none yet (first run); ConfigError when it cannot be used."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad on Windows saves a BOM
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(None, f"không đọc được tệp ({exc})")], str(path)) from None
    return parse(text, str(path))


# --- writing ---------------------------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("no booleans in this config")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def render(config: Config, setup_command: str = SETUP_COMMAND) -> str:
    """The whole file: a header, then each section with every key and its Vietnamese comment. `setup_command`: how
    this installation runs the wizard (app.child_process.shown_command, a layer this package may not import)."""
    out = [
        "# Cấu hình máy này cho phần mềm Một Cửa (Trung tâm Phục vụ hành chính công).",
        f"# Tệp do trình cài đặt viết ({setup_command}); sửa tay được: lưu lại với mã UTF-8 rồi mở lại phần mềm.",
        "# Giá trị chữ nằm trong dấu ngoặc kép; số thì không. Tùy chọn trên dòng lệnh luôn thắng tệp này.",
    ]
    for section, title in SECTIONS.items():
        out += ["", f"# --- {title} ---", f"[{section}]"]
        for key in (k for k in SCHEMA if k.section == section):
            out += [f"# {line}" for line in _wrap(key.help)]
            out.append(f"{key.name} = {_toml_value(config.get(section, key.name))}")
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int = 110) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current]


def save(config: Config, path: Path | None = None, *, setup_command: str = SETUP_COMMAND) -> Path:
    """Check, then write atomically and private (0600); ConfigError if the values would not read back."""
    text = render(config, setup_command)
    parse(text)  # never write a file the apps would refuse
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    return path
