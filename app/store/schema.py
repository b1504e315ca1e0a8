"""The queue database schema, as ordered migrations (sqlite-utils `Migrations`)."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

queue_migrations = Migrations("motcua.queue")


@queue_migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,               -- local service day, yyyy-mm-dd
            issue_group TEXT NOT NULL,       -- the group whose numbering issued it
            grp TEXT NOT NULL,               -- the group it waits in now (changes on transfer)
            number INTEGER NOT NULL,
            display TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            channel TEXT NOT NULL,
            priority TEXT,
            priority_granted_by TEXT,
            state TEXT NOT NULL,
            outcome TEXT,
            call_count INTEGER NOT NULL DEFAULT 0,
            counter INTEGER,
            transfers INTEGER NOT NULL DEFAULT 0,
            UNIQUE (day, issue_group, number)
        );
        -- the head of each group's queue, priority and normal apart, is one index seek
        CREATE INDEX tickets_queue ON tickets (state, day, grp, priority IS NULL, issued_at, id);
        CREATE INDEX tickets_counter ON tickets (counter, state);
        CREATE TABLE intervals (
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            idx INTEGER NOT NULL,
            state TEXT NOT NULL,
            grp TEXT NOT NULL,
            counter INTEGER,
            clerk TEXT,
            start TEXT NOT NULL,
            "end" TEXT,
            PRIMARY KEY (ticket_id, idx)
        );
        CREATE INDEX intervals_finished ON intervals (state, grp, "end");
        CREATE TABLE day_counters (
            day TEXT NOT NULL,
            grp TEXT NOT NULL,
            last_number INTEGER,
            issued INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, grp)
        );
        CREATE TABLE counter_state (
            counter INTEGER PRIMARY KEY,
            status TEXT NOT NULL,            -- closed | open | paused
            reason TEXT,
            clerk TEXT,
            priority_streak INTEGER NOT NULL DEFAULT 0,
            since TEXT NOT NULL
        );
        CREATE TABLE counter_intervals (
            id INTEGER PRIMARY KEY,
            counter INTEGER NOT NULL,
            status TEXT NOT NULL,
            reason TEXT,
            start TEXT NOT NULL,
            "end" TEXT
        );
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE requests (              -- idempotency keys: a retried request is answered, not redone
            key TEXT PRIMARY KEY,
            status INTEGER NOT NULL,
            body TEXT NOT NULL,
            at TEXT NOT NULL
        );
        """
    )


@queue_migrations()
def m002_users_sessions(db: Database) -> None:
    # Clerks, directors and admins of the centre; sessions hold only the SHA-256 of their random token.
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('clerk', 'director', 'admin')),
            pw_hash TEXT NOT NULL,           -- scrypt$n$r$p$salt_b64$hash_b64
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_sha256 TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            counter INTEGER,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX sessions_user ON sessions (user_id);
        """
    )


@queue_migrations()
def m003_dossier_code_blocks(db: Database) -> None:
    # The last dossier number the service handed to a counter each local day (app/core/dossier_code.py).
    db.executescript("CREATE TABLE dossier_code_blocks (day TEXT PRIMARY KEY, last_given INTEGER NOT NULL);")


@queue_migrations()
def m004_dossier_mirror(db: Database) -> None:
    # The centre's copy of every counter's dossiers (app/store/dossier_mirror.py): the latest record of each,
    # searchable by code and CCCD number, and the digitised files it holds (the PDFs sit beside the database).
    db.executescript(
        """
        CREATE TABLE dossier_mirror (
            code TEXT PRIMARY KEY,
            revision INTEGER NOT NULL,
            status INTEGER NOT NULL,
            counter INTEGER,
            day TEXT NOT NULL,               -- local day of reception, yyyy-mm-dd
            id_number TEXT NOT NULL,         -- the citizen's CCCD number, for look-up at any counter
            data TEXT NOT NULL,              -- the record as JSON (app/core/dossier_codec.py)
            updated_at TEXT NOT NULL
        );
        CREATE INDEX dossier_mirror_id_number ON dossier_mirror (id_number, day);
        CREATE INDEX dossier_mirror_updated ON dossier_mirror (updated_at);
        CREATE TABLE mirror_files (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            stored_at TEXT NOT NULL
        );
        """
    )


@queue_migrations()
def m007_device_counter(db: Database) -> None:
    # A counter device acts for one counter only (issue 11, finding 2).
    db.executescript("ALTER TABLE devices ADD COLUMN counter INTEGER;")


@queue_migrations()
def m005_sign_in_failures(db: Database) -> None:
    # Failed sign-ins (and ones still being checked) and the locks they caused, kept through a restart
    # (app/store/users.py; issue 11, finding 4). Rows older than the longest window are pruned as new ones come.
    db.executescript(
        """
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,          -- as typed, trimmed and case-folded: known or not
            address TEXT NOT NULL,           -- the client's IP address, '' when the caller gave none
            at TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_user ON sign_in_failures (username, at);
        CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
        CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
        CREATE TABLE sign_in_locks (
            scope TEXT NOT NULL CHECK (scope IN ('pair', 'user', 'address')),
            username TEXT NOT NULL,          -- '' for an address lock
            address TEXT NOT NULL,           -- '' for a username lock
            until TEXT NOT NULL,             -- failures before this no longer count for this scope
            PRIMARY KEY (scope, username, address)
        );
        """
    )


@queue_migrations()
def m006_queue_indexes(db: Database) -> None:
    # The cost of issuing and calling must not grow with the number waiting (issue 11, "cost flat as the day
    # grows"): how many wait in each group's two lines is kept as a counter, by triggers in the same transaction
    # as every ticket write, so people-ahead and the boards' counts are one row read instead of a count over
    # the waiting tickets. A day's rows are dropped at the day roll (app/store/queue_store.py).
    db.executescript(
        """
        CREATE TABLE waiting_counts (
            day TEXT NOT NULL,
            grp TEXT NOT NULL,
            priority INTEGER NOT NULL,       -- 1: the priority line, 0: the normal line
            n INTEGER NOT NULL,
            PRIMARY KEY (day, grp, priority)
        ) WITHOUT ROWID;
        INSERT INTO waiting_counts (day, grp, priority, n)
            SELECT day, grp, priority IS NOT NULL, count(*) FROM tickets WHERE state = 'waiting' GROUP BY 1, 2, 3;
        CREATE TRIGGER waiting_counts_insert AFTER INSERT ON tickets WHEN NEW.state = 'waiting' BEGIN
            INSERT INTO waiting_counts (day, grp, priority, n) VALUES (NEW.day, NEW.grp, NEW.priority IS NOT NULL, 1)
                ON CONFLICT (day, grp, priority) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER waiting_counts_leave AFTER UPDATE ON tickets
        WHEN OLD.state = 'waiting' AND NOT (NEW.state = 'waiting' AND NEW.day = OLD.day AND NEW.grp = OLD.grp
                                            AND (NEW.priority IS NULL) = (OLD.priority IS NULL)) BEGIN
            UPDATE waiting_counts SET n = n - 1
                WHERE day = OLD.day AND grp = OLD.grp AND priority = (OLD.priority IS NOT NULL);
        END;
        CREATE TRIGGER waiting_counts_join AFTER UPDATE ON tickets
        WHEN NEW.state = 'waiting' AND NOT (OLD.state = 'waiting' AND NEW.day = OLD.day AND NEW.grp = OLD.grp
                                            AND (NEW.priority IS NULL) = (OLD.priority IS NULL)) BEGIN
            INSERT INTO waiting_counts (day, grp, priority, n) VALUES (NEW.day, NEW.grp, NEW.priority IS NOT NULL, 1)
                ON CONFLICT (day, grp, priority) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER waiting_counts_delete AFTER DELETE ON tickets WHEN OLD.state = 'waiting' BEGIN
            UPDATE waiting_counts SET n = n - 1
                WHERE day = OLD.day AND grp = OLD.grp AND priority = (OLD.priority IS NOT NULL);
        END;
        -- the day roll drops yesterday's events by time
        CREATE INDEX events_at ON events (at);
        """
    )


@queue_migrations()
def m008_settings_audit(db: Database) -> None:
    # Who changed which setting a director owns (wait target, daily caps, issuing windows, counters' groups…), when,
    # and from what to what (app/store/settings_store.py). Rows are never changed or deleted.
    db.executescript(
        """
        CREATE TABLE settings_audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,               -- "giamdoc (Trần Văn Giám)", or "thiết bị #3 (director)"
            setting TEXT NOT NULL,           -- wait_target_s | group.HT.daily_cap | group.HT.windows | counter.1.groups
            label TEXT NOT NULL,             -- the setting in Vietnamese, as the dashboard lists it
            old TEXT NOT NULL,
            new TEXT NOT NULL
        );
        CREATE INDEX settings_audit_at ON settings_audit (at);
        """
    )


@queue_migrations()
def m009_ratings(db: Database) -> None:
    # Citizens' ratings of their visit (issue 13; app/store/ratings.py writes them, app/store/report_queries.py reads
    # them). UNIQUE (ticket_id): one rating per ticket, whatever reaches the service twice.
    db.executescript(
        """
        CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER UNIQUE REFERENCES tickets(id),
            counter INTEGER,                 -- where the visit was served (its last serving interval)
            clerk TEXT,                      -- the username on that interval, never one the screen sent
            dossier_code TEXT,               -- a dossier received during the visit, when the mirror has it
            level INTEGER NOT NULL,          -- 1 (the worst) … the scale's length (app/core/rating.py)
            reason TEXT,                     -- one of app/core/rating.py REASONS, or NULL
            at TEXT NOT NULL,                -- ISO instant with its offset
            device INTEGER,                  -- the rating device that sent it (devices.id); NULL: the admin
            channel TEXT NOT NULL DEFAULT 'screen'
        );
        CREATE INDEX ratings_at ON ratings (at);
        """
    )


@queue_migrations()
def m010_centre_calendar(db: Database) -> None:
    # The centre's holiday override table (app/store/settings_store.py): the days a director declared off or
    # working, with the document behind each. Counters read it over GET /api/calendar for their due dates.
    db.executescript(
        """
        CREATE TABLE calendar_overrides (
            day TEXT PRIMARY KEY,            -- local yyyy-mm-dd
            working INTEGER NOT NULL,        -- 1: a working day (a make-up Saturday), 0: a day off
            source TEXT NOT NULL,            -- the document, "TB 9441/TB-BNV"
            effective TEXT NOT NULL,         -- when the decision took effect
            note TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL
        );
        """
    )


@queue_migrations()
def m011_dossier_mirror_closed_day(db: Database) -> None:
    # After a few years the mirror holds tens of thousands of dossiers, nearly all closed long ago; the live tab asks
    # for today's report every 30 s. A period's report needs only the dossiers not closed before it starts
    # (app/core/report_dossiers.py classify): the local day each was closed, indexed, lets it read just those, and
    # the day index serves today's files count (app/store/director_figures.py).
    from app.store.dossier_mirror import fill_closed_days  # the same reading of the record as every later write

    db.executescript(
        """
        ALTER TABLE dossier_mirror ADD COLUMN closed_day TEXT;  -- local yyyy-mm-dd it was closed; NULL: open
        CREATE INDEX dossier_mirror_closed ON dossier_mirror (closed_day, day);
        CREATE INDEX dossier_mirror_day ON dossier_mirror (day);
        """
    )
    fill_closed_days(db.conn)


@queue_migrations()
def m012_device_last_seen(db: Database) -> None:
    # When each PC last spoke to the service, kept across restarts so the dashboard can tell a lost PC from one
    # that was only switched off overnight. Written behind, at most once a minute per device (app/store/devices.py).
    db.executescript("ALTER TABLE devices ADD COLUMN last_seen TEXT;  -- ISO UTC; NULL: never seen since pairing")
