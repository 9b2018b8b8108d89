"""The journal's connection, transactions and forward-only schema migrations.

The journal is the user's history: it is migrated forward, a newer schema is
refused with a clear message, and nothing here ever suggests deleting it.
WAL mode and a busy timeout let the daemon and a CLI command write at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from outreach.base.errors import JournalError
from outreach.store.filelock import ExclusiveFileLock

BUSY_TIMEOUT_SECONDS = 30.0

SCHEMA_V1 = """
CREATE TABLE touches (
    id             INTEGER PRIMARY KEY,
    contact_id     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('reply', 'sent', 'share', 'intro', 'feedback',
                                                 'meeting', 'promotion', 'note')),
    direction      TEXT NOT NULL DEFAULT 'none' CHECK (direction IN ('in', 'out', 'none')),
    at             TEXT NOT NULL,            -- UTC, 'YYYY-MM-DDTHH:MM:SSZ', sortable as text
    message_id     TEXT,
    source         TEXT NOT NULL DEFAULT 'manual',
    detail         TEXT NOT NULL DEFAULT '',
    self_promotion INTEGER NOT NULL DEFAULT 0,
    recorded_at    TEXT NOT NULL
);
-- The same message is one touch per contact and kind, however often it is seen.
CREATE UNIQUE INDEX touches_once_per_message
    ON touches (message_id, contact_id, kind) WHERE message_id IS NOT NULL;
CREATE INDEX touches_by_contact ON touches (contact_id, at);
CREATE INDEX touches_by_time ON touches (at, kind);

-- Derived from touches by trigger, so "who is overdue" reads one row per
-- contact instead of scanning a million touches. MAX() keeps each date from
-- ever moving backwards.
CREATE TABLE contact_state (
    contact_id        TEXT PRIMARY KEY,
    last_touch_at     TEXT,
    last_touch_kind   TEXT,
    last_support_at   TEXT,
    last_support_kind TEXT
) WITHOUT ROWID;

CREATE TRIGGER touches_update_state AFTER INSERT ON touches
BEGIN
    INSERT INTO contact_state (contact_id) VALUES (NEW.contact_id)
        ON CONFLICT (contact_id) DO NOTHING;
    UPDATE contact_state
       SET last_touch_at = NEW.at, last_touch_kind = NEW.kind
     WHERE contact_id = NEW.contact_id
       AND (last_touch_at IS NULL OR last_touch_at < NEW.at);
    UPDATE contact_state
       SET last_support_at = NEW.at, last_support_kind = NEW.kind
     WHERE contact_id = NEW.contact_id
       AND NEW.kind IN ('share', 'intro', 'feedback', 'meeting', 'promotion')
       AND NEW.self_promotion = 0
       AND (last_support_at IS NULL OR last_support_at < NEW.at);
END;

-- Every message the sync has decided about, whatever the verdict, keyed by
-- its identity (Message-ID, or a hash of its headers): a rescan after a
-- UIDVALIDITY change, or the same reply in two folders, counts once.
CREATE TABLE seen_messages (
    mailbox    TEXT NOT NULL,
    identity   TEXT NOT NULL,
    verdict    TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (mailbox, identity)
) WITHOUT ROWID;

-- Incremental IMAP sync: the last UID processed per folder, valid only for
-- the UIDVALIDITY it was recorded under.
CREATE TABLE imap_cursors (
    mailbox     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (mailbox, folder)
) WITHOUT ROWID;

-- Incremental Maildir sync: file keys already processed per folder.
CREATE TABLE maildir_seen (
    mailbox TEXT NOT NULL,
    folder  TEXT NOT NULL,
    key     TEXT NOT NULL,
    PRIMARY KEY (mailbox, folder, key)
) WITHOUT ROWID;

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,               -- share_event, intro, intro_ask, check_in, report…
    status      TEXT NOT NULL DEFAULT 'drafted'
                CHECK (status IN ('drafted', 'pushed', 'sent', 'discarded', 'replied')),
    subject     TEXT NOT NULL,
    path        TEXT NOT NULL,               -- relative to the workspace
    event_id    TEXT,
    intro_id    INTEGER REFERENCES intros (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    pushed_uid  INTEGER,
    sent_at     TEXT
);
CREATE TABLE draft_recipients (
    draft_id   INTEGER NOT NULL REFERENCES drafts (id),
    contact_id TEXT NOT NULL,
    PRIMARY KEY (draft_id, contact_id)
) WITHOUT ROWID;
-- The support a draft gives once it is sent (by SMTP, or seen in the Sent
-- folder): turned into touches then, never before.
CREATE TABLE draft_support (
    draft_id       INTEGER NOT NULL REFERENCES drafts (id),
    contact_id     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    self_promotion INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (draft_id, contact_id, kind)
) WITHOUT ROWID;
-- An event goes to a person once, across every run.
CREATE TABLE event_shares (
    event_id   TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    draft_id   INTEGER NOT NULL REFERENCES drafts (id),
    PRIMARY KEY (event_id, contact_id)
) WITHOUT ROWID;
-- Replies that answer one of our drafts (In-Reply-To/References hold its Message-ID).
CREATE TABLE draft_replies (
    draft_id   INTEGER NOT NULL REFERENCES drafts (id),
    contact_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (draft_id, contact_id)
) WITHOUT ROWID;

CREATE TABLE intros (
    id          INTEGER PRIMARY KEY,
    contact_a   TEXT NOT NULL,
    contact_b   TEXT NOT NULL,
    why         TEXT NOT NULL DEFAULT '',
    mode        TEXT NOT NULL CHECK (mode IN ('direct', 'double_opt_in')),
    status      TEXT NOT NULL CHECK (status IN ('asked', 'ready', 'introduced', 'declined')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (contact_a < contact_b)
);
CREATE INDEX intros_by_pair ON intros (contact_a, contact_b);

-- When each daemon job last ran, so cron mode runs a weekly job once.
CREATE TABLE job_runs (
    job        TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

# Each migration is an SQL script taking the schema from version N to N+1; it
# runs inside one transaction with the version bump. Append new ones; never
# edit a released one.
# Human senders outside the roster, counted once per message seen, for
# `outreach sync --unknown`: candidates to add to the roster.
UNKNOWN_SENDERS_V2 = """
CREATE TABLE unknown_senders (
    address  TEXT PRIMARY KEY,           -- address_key form
    name     TEXT NOT NULL DEFAULT '',   -- the latest display name seen
    messages INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at  TEXT NOT NULL
) WITHOUT ROWID;
"""

# The report's questions, answered from indexes alone (see
# journal/report_queries.py): the period's support and replies without
# visiting the table, and each contact's last support as of a past date in
# one seek. The IN lists must match the queries' text for the planner.
REPORT_INDEXES_V3 = """
CREATE INDEX touches_support_by_time
    ON touches (at, kind, self_promotion, contact_id, message_id)
    WHERE kind IN ('feedback', 'intro', 'meeting', 'promotion', 'share') OR self_promotion = 1;
CREATE INDEX touches_replies_by_time ON touches (at, kind, message_id) WHERE kind = 'reply';
CREATE INDEX touches_support_by_contact ON touches (contact_id, at)
    WHERE kind IN ('feedback', 'intro', 'meeting', 'promotion', 'share') AND self_promotion = 0;
"""

# Support, not volume (docs/report-json.md, "What counts as support"). A
# touch that promotes something names it in `item` ('event:ID', or
# 'touch:ROWID' for one recorded by hand), so the promotion ratio counts items
# promoted, not emails. Receiving a share supports the recipient only when
# the draft carried a written personal line: `draft_support.needs_line` marks
# that support, and `mark_sent` records it only then. Existing journals: a
# share drafted for an event promotes its host (or the user, for their own
# event) as that event; a recipient's share touch becomes a note, kept with
# its date and message, since no draft had a personal line then; and each
# contact's last touch and support are worked out again from the touches.
# `contacts_seen` remembers when each contact id was first seen.
SUPPORT_NOT_VOLUME_V4 = """
ALTER TABLE touches ADD COLUMN item TEXT;
ALTER TABLE draft_support ADD COLUMN item TEXT;
ALTER TABLE draft_support ADD COLUMN needs_line INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE v4_share_drafts AS
SELECT d.id AS draft_id, d.message_id, d.event_id FROM drafts d WHERE d.event_id IS NOT NULL;

UPDATE touches
   SET item = 'event:' || (SELECT s.event_id FROM v4_share_drafts s
                            WHERE s.message_id = touches.message_id)
 WHERE kind = 'share' AND message_id IN (SELECT message_id FROM v4_share_drafts)
   AND (self_promotion = 1 OR contact_id NOT IN (
        SELECT r.contact_id FROM draft_recipients r JOIN v4_share_drafts s
            ON s.draft_id = r.draft_id WHERE s.message_id = touches.message_id));

UPDATE touches
   SET kind = 'note',
       detail = 'received a share' || CASE WHEN detail = '' THEN '' ELSE ' (' || detail || ')' END
 WHERE kind = 'share' AND self_promotion = 0 AND item IS NULL
   AND message_id IN (SELECT message_id FROM v4_share_drafts);

UPDATE draft_support
   SET item = 'event:' || (SELECT s.event_id FROM v4_share_drafts s
                            WHERE s.draft_id = draft_support.draft_id)
 WHERE kind = 'share' AND draft_id IN (SELECT draft_id FROM v4_share_drafts)
   AND (self_promotion = 1 OR contact_id NOT IN (
        SELECT r.contact_id FROM draft_recipients r WHERE r.draft_id = draft_support.draft_id));
UPDATE draft_support SET needs_line = 1
 WHERE kind = 'share' AND self_promotion = 0 AND item IS NULL
   AND draft_id IN (SELECT draft_id FROM v4_share_drafts);
DROP TABLE v4_share_drafts;

UPDATE contact_state SET
    (last_touch_at, last_touch_kind) = (
        SELECT t.at, t.kind FROM touches t WHERE t.contact_id = contact_state.contact_id
        ORDER BY t.at DESC, t.id LIMIT 1),
    (last_support_at, last_support_kind) = (
        SELECT t.at, t.kind FROM touches t WHERE t.contact_id = contact_state.contact_id
           AND t.kind IN ('feedback', 'intro', 'meeting', 'promotion', 'share')
           AND t.self_promotion = 0
        ORDER BY t.at DESC, t.id LIMIT 1);

-- The first day the journal saw each contact id (its first touch, or the
-- first report that listed it): someone never supported ranks by how long
-- they have been waiting, not automatically first.
CREATE TABLE IF NOT EXISTS contacts_seen (
    contact_id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO contacts_seen (contact_id, first_seen)
    SELECT contact_id, MIN(at) FROM touches GROUP BY contact_id;

-- Each contact's last meeting (the "meet in person" step), from an index of
-- meetings alone rather than a scan of every touch.
CREATE INDEX IF NOT EXISTS touches_meetings ON touches (contact_id, at) WHERE kind = 'meeting';

-- Replies in a period, and now also whose they are (the "answer" step), from
-- the index alone.
DROP INDEX touches_replies_by_time;
CREATE INDEX touches_replies_by_time ON touches (at, kind, message_id, contact_id)
    WHERE kind = 'reply';

-- The period's promotions by item, still from the index alone.
DROP INDEX touches_support_by_time;
CREATE INDEX touches_support_by_time
    ON touches (at, kind, self_promotion, contact_id, message_id, item)
    WHERE kind IN ('feedback', 'intro', 'meeting', 'promotion', 'share') OR self_promotion = 1;
"""

MIGRATIONS: list[str] = [SCHEMA_V1, UNKNOWN_SENDERS_V2, REPORT_INDEXES_V3, SUPPORT_NOT_VOLUME_V4]
SCHEMA_VERSION = len(MIGRATIONS)


def _setup_lock(path: str) -> ExclusiveFileLock:
    """One process at a time creates or migrates a journal (a lock file beside it)."""
    try:
        return ExclusiveFileLock(path)
    except OSError as exc:
        raise JournalError(f"{path}: cannot lock the journal to set it up: {exc.strerror}") from exc


class Journal:
    """An open journal. Use as a context manager, or call `close()`."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> Journal:
        """Open (creating if needed) and migrate the journal at `path`."""
        location = str(path)
        try:
            # isolation_level=None: transactions are explicit (`transaction()`), so a
            # batch of touches and its sync cursor commit together or not at all.
            connection = sqlite3.connect(
                location,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise JournalError(f"{location}: cannot open the journal: {exc}") from exc
        journal = cls(connection, location)
        try:
            if journal._needs_setup():
                # Two commands creating or upgrading the journal at once would
                # both switch it to WAL and both run the migrations: one
                # failed with "database is locked" or "table already exists".
                with _setup_lock(f"{location}-setup.lock"):
                    if journal._needs_setup():
                        journal._migrate()  # refuses a journal newer than this outreach
                        connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise JournalError(
                f"{location}: cannot use the journal: {exc}",
                hint="the file may not be an outreach journal; check"
                " [paths] journal in outreach.toml",
            ) from exc
        except JournalError:
            connection.close()
            raise
        return journal

    @classmethod
    def memory(cls) -> Journal:
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        journal = cls(connection, ":memory:")
        journal._migrate()
        return journal

    def _needs_setup(self) -> bool:
        mode = str(self.connection.execute("PRAGMA journal_mode").fetchone()[0])
        return mode.lower() != "wal" or self.schema_version != SCHEMA_VERSION

    @property
    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{self.path}: the journal has schema version {version}, newer than this"
                f" outreach understands ({SCHEMA_VERSION})",
                hint="upgrade outreach (pip install -U outreach); the journal is left as it is",
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # executescript() would commit an open transaction first, so the
            # script carries its own BEGIN/COMMIT; target is an int we computed.
            try:
                self.connection.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[target - 1]}\n"
                    f"PRAGMA user_version = {target};\nCOMMIT;"
                )
            except sqlite3.Error:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all.

        BEGIN IMMEDIATE takes the write lock up front, so two writers queue on
        the busy timeout instead of failing halfway with SQLITE_BUSY.
        """
        if self.connection.in_transaction:
            yield self.connection  # nested: the outer transaction decides
            return
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise JournalError(f"{self.path}: the journal is busy: {exc}") from exc
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            try:
                self.connection.execute("COMMIT")
            except sqlite3.Error as exc:
                self.connection.execute("ROLLBACK")
                raise JournalError(f"{self.path}: could not commit: {exc}") from exc

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
