"""Log files that rotate under the data folder and never hold personal data in clear.

    setup_logging(DATA / "logs", "service")          # the centre service: DATA/logs/service.log
    setup_logging(config_dir() / "logs", "kiosk")    # a Qt app (app/qtbridge/apps.py): …/logs/kiosk.log

Every record passes `Redact` before any handler writes it: citizen ID numbers (12-digit CCCD, 9-digit CMND), phone
numbers, bearer tokens and Authorization headers, PINs/passwords/tokens written as `key=value` or JSON, long
random tokens, query strings, the lookup keys in `/h/CODE-KEY` and `/t/KEY` paths (reduced to the route template),
and whatever the code marks with `personal(value)` or `extra={"personal": True}`. A name cannot be told from other
words, so code that logs one must mark it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path
from typing import Any

MAX_BYTES = 5 * 2**20  # a file; with BACKUPS older ones, ≈ 30 MB at most per app: weeks of a busy centre
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "[ẩn]"

_NAMES_OF_SECRETS = "token|pin|password|passwd|secret|api_key|key|pairing_code"  # as a key: `pin=…`, "token": …
_KEYED = rf"(?i)\b((?:[a-z_]*_)?(?:{_NAMES_OF_SECRETS})[\"']?\s*[:=]\s*[\"']?)"
# Order matters: paths and tokens first, then the bare numbers they could contain.
_RULES: list[tuple[re.Pattern[str], str]] = [
    # the route template instead of a page's key: /h/{code}-{key} (dossier status), /t/{follow} (ticket page)
    (re.compile(r"/h/[^\s\"'?#]+"), "/h/{code}-{key}"),
    (re.compile(r"/t/[^\s\"'?#/]+?(\.json)?(?=[\s\"'?#]|$)"), r"/t/{follow}\1"),
    (re.compile(r"(/api/dossiers/)[^\s\"'?#/]+"), r"\1{code}"),
    # a query string can carry a token or a lookup key: only its existence is kept
    (re.compile(r"(/[^\s\"'?#]*)\?[^\s\"'#]+"), r"\1?…"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {HIDDEN}"),
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b|basic\b)[^\s,\"'}]+"), rf"\1{HIDDEN}"),
    # key = value, key: value, "key": "value" for anything secret
    (re.compile(_KEYED + r"[^\s,&\"'}]+"), rf"\1{HIDDEN}"),
    (re.compile(r"(?i)\b(mã pin|mật khẩu|mã ghép nối)(\s*[:=]\s*)\S+"), rf"\1\2{HIDDEN}"),
    (re.compile(r"(?i)\b(pin|mã pin|mã ghép nối|mã)(\s+)\d{4,8}\b"), rf"\1\2{HIDDEN}"),
    # random tokens (secrets.token_urlsafe(24/32) and the like): long, letters and digits mixed
    (re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}"), HIDDEN),
    # Vietnamese phone numbers: 0xx… or +84/0084, 9–11 digits, single spaces, dots or dashes between groups
    (re.compile(r"(?<![\w+])(?:\+84|0084|0)(?:[ .-]?\d){8,10}(?![\d])"), "[số điện thoại]"),
    # citizen ID numbers: CCCD (12 digits), CMND (9 digits)
    (re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)"), "[số giấy tờ]"),
]


class Personal:
    """A value the code marks as personal (a citizen's name, an address): written as [ẩn] wherever it goes."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return HIDDEN

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return HIDDEN


def personal(value: object) -> Personal:
    """`log.info("nhận hồ sơ của %s", personal(name))` → "nhận hồ sơ của [ẩn]"."""
    return Personal(value)


def redact(text: str) -> str:
    """`text` with every kind of personal data and secret this module knows replaced."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class Redact(logging.Filter):
    """Formats a record's message once, redacted, so that no handler sees its arguments (nor its traceback's text)
    in clear; a record marked `extra={"personal": True}` keeps only its template."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):  # handlers of parent loggers see the same record
            return True
        if getattr(record, "personal", False):
            message = str(record.msg)
            if record.args:
                message = re.sub(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]", HIDDEN, message)
        else:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a bad format: keep what there is, never its raw arguments
                message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True
        return True


class _NoAccessLog(logging.Filter):
    """The console gets no per-request lines (uvicorn's access log goes to the file only)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != "uvicorn.access"


def setup_logging(log_dir: Path, app_name: str, *, level: int = logging.INFO, console_level: int | None = None,
                  console_format: str = FORMAT, max_bytes: int = MAX_BYTES,
                  backups: int = BACKUPS) -> Path:  # fmt: skip
    """Send this process's logs to `log_dir/APP_NAME.log` (rotated at `max_bytes`, `backups` old files kept,
    UTF-8) and to stderr from `console_level` on (None: `level`) in `console_format`, both through `Redact`.
    Calling it again replaces what an earlier call installed. Returns the log file's path. When the folder cannot
    be written (a read-only disk), logs go to stderr only rather than stopping the program."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_motcua", False)]:
        root.removeHandler(handler)
        handler.close()
    path = log_dir / f"{app_name}.log"
    handlers: list[logging.Handler] = []
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        if os.name != "nt":
            log_dir.chmod(0o700)  # the logs say who used the centre when: not for other accounts on the PC
        file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups,
                                                            encoding="utf-8")  # fmt: skip
        file_handler.setLevel(level)
        handlers.append(file_handler)
    except OSError as exc:
        print(f"Không ghi được nhật ký vào {log_dir}: {exc}", file=sys.stderr)
    console = logging.StreamHandler()
    console.setLevel(level if console_level is None else console_level)
    console.addFilter(_NoAccessLog())
    handlers.append(console)
    console.setFormatter(logging.Formatter(console_format))
    for handler in handlers:
        handler.addFilter(Redact())
        if handler is not console:
            handler.setFormatter(logging.Formatter(FORMAT))
        handler._motcua = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(min(level, root.level) if root.level != logging.NOTSET else level)
    logging.captureWarnings(True)
    return path


def log_file_of(handlers: list[Any] | None = None) -> Path | None:
    """The file setup_logging writes to in this process, if any."""
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        if getattr(handler, "_motcua", False) and isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None
