"""The counter's dossier database: its own file beside the counter app, never the centre's queue file."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

dossier_migrations = Migrations("motcua.dossiers")


@dossier_migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- dossier numbers this counter may use, per local day (see app/core/dossier_code.py)
        CREATE TABLE code_blocks (
            day TEXT NOT NULL,
            first INTEGER NOT NULL,
            last INTEGER NOT NULL,
            next INTEGER NOT NULL,
            source TEXT NOT NULL,            -- centre | fallback | overflow
            PRIMARY KEY (day, first)
        );
        CREATE TABLE dossiers (
            code TEXT PRIMARY KEY,
            revision INTEGER NOT NULL,
            status INTEGER NOT NULL,
            day TEXT NOT NULL,               -- local day received, yyyy-mm-dd
            received_at TEXT NOT NULL,
            id_number TEXT NOT NULL,         -- for "this citizen came before" (reuse) and lookup
            procedure_code TEXT NOT NULL,
            data TEXT NOT NULL               -- the whole dossier as JSON (app/core/dossier_codec.py)
        );
        CREATE INDEX dossiers_day ON dossiers (day);
        CREATE INDEX dossiers_citizen ON dossiers (id_number);
        -- every change, written in the same transaction as the change: the sync outbox reads it
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL REFERENCES dossiers(code),
            revision INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (code, revision)
        );
        -- the director's corrections to the holiday calendar (civil-service swaps, local closures)
        CREATE TABLE calendar_overrides (
            day TEXT PRIMARY KEY,
            working INTEGER NOT NULL,
            source TEXT NOT NULL,
            effective TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL
        );
        """
    )


@dossier_migrations()
def m002_sync_state(db: Database) -> None:
    # How far each destination has each dossier (the outbox cursors), and why the last try failed.
    db.executescript(
        """
        CREATE TABLE sync_state (
            dest TEXT NOT NULL,                      -- centre | province
            code TEXT NOT NULL REFERENCES dossiers(code),
            revision INTEGER NOT NULL DEFAULT 0,     -- the record's revision the destination holds
            steps INTEGER NOT NULL DEFAULT 0,
            files TEXT NOT NULL DEFAULT '[]',        -- SHA-256 of the files it has
            complete_revision INTEGER NOT NULL DEFAULT 0,  -- the latest revision delivered in full
            remote_status INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,     -- failures in a row (backoff)
            next_try_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            rejected_revision INTEGER,               -- refused for good at this revision (until it changes)
            remote_message TEXT NOT NULL DEFAULT '',
            updated_at TEXT,
            PRIMARY KEY (dest, code)
        );
        """
    )
