"""Files that appear whole or not at all, private to the app: a crash or a full disk mid-write never leaves
a torn file over the good one, and a rename survives a power cut."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

PRIVATE_MODE = 0o600  # personal data and the centre's own settings: the service account only


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (POSIX; Windows cannot open a folder and needs no fsync)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def write_atomic(path: Path, data: bytes, mode: int = PRIVATE_MODE) -> None:
    """Write to a temp file beside `path`, fsync, rename over it: readers see the old file or the new one."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)
