"""Opening the SQLite file: WAL, full fsync on commit, migrations applied."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlite_utils import Database, Migrations

from app.store.schema import queue_migrations


def connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; check_same_thread off because the
    # writer thread owns its connection but is created elsewhere.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged ticket survives power loss, not just a process crash.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def open_database(path: Path, migrations: Migrations = queue_migrations) -> Database:
    """Open (creating if needed) and migrate a database: the queue's by default, or the counter's dossiers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(connect(path))
    migrations.apply(db)
    _make_private(path)
    return db


def _make_private(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            candidate.chmod(0o600)


class Readers:
    """One read connection per thread (WAL lets them read beside the single writer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
        return conn
