"""The journal's connection, transactions and forward-only schema migrations.

The journal is the user's history: it is migrated forward, a newer schema is
refused with a clear message, and nothing here ever suggests deleting it.
WAL mode and a busy timeout let the daemon and a CLI command write at once.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from types import TracebackType

from outreach.base.errors import JournalError
from outreach.store.filelock import ExclusiveFileLock
from outreach.store.journal.guarded import (
    GuardedConnection,
    create_private,
    disk_failure,
    has_content,
    journal_failure,
)

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

# Following people's work (`outreach follow`): each feed's HTTP validators and
# back-off, the posts read from feeds, and the events read from calendar feeds.
FEEDS_AND_POSTS = """
CREATE TABLE IF NOT EXISTS feeds (
    contact_id      TEXT NOT NULL,
    url             TEXT NOT NULL,               -- as written in roster.toml
    kind            TEXT,                        -- rss | atom | json | calendar, once read
    etag            TEXT,
    last_modified   TEXT,
    last_checked_at TEXT,
    last_ok_at      TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,  -- in a row; 0 after a good read
    retry_after     TEXT,                        -- back-off: not fetched before this
    last_error      TEXT,
    PRIMARY KEY (contact_id, url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS posts (
    id            INTEGER PRIMARY KEY,
    contact_id    TEXT NOT NULL,
    feed_url      TEXT NOT NULL,
    guid          TEXT NOT NULL,
    title         TEXT NOT NULL,
    link          TEXT,
    published_at  TEXT NOT NULL,                 -- the entry's date, else first seen
    categories    TEXT NOT NULL DEFAULT '',      -- lower case, one per line
    summary       TEXT NOT NULL DEFAULT '',      -- plain text
    first_seen_at TEXT NOT NULL,
    UNIQUE (contact_id, guid)
);
CREATE INDEX IF NOT EXISTS posts_by_time ON posts (published_at);
CREATE TABLE IF NOT EXISTS feed_events (
    event_id      TEXT PRIMARY KEY,              -- '<contact>.<slug>-<date>'
    contact_id    TEXT NOT NULL,
    feed_url      TEXT NOT NULL,
    host          TEXT NOT NULL,
    title         TEXT NOT NULL,
    start_at      TEXT NOT NULL,
    end_at        TEXT,
    timezone      TEXT,                          -- the zone its times are shown in
    url           TEXT,
    location      TEXT,
    description   TEXT,
    tags          TEXT NOT NULL DEFAULT '',
    first_seen_at TEXT NOT NULL,
    withdrawn_at  TEXT,                          -- gone from its calendar (cancelled, moved)
    all_day       INTEGER NOT NULL DEFAULT 0     -- a date: start is midnight in timezone
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS feed_events_by_time ON feed_events (start_at);
"""

# Consent and sending. A send intent is committed before the SMTP transaction
# starts and settled after the server's answer: one left open means the
# process died while the message may have gone, so it is never sent again
# without the user's word. Intro answers are each person's yes, no or unclear,
# read from their reply or recorded by hand; the latest one counts.
CONSENT_AND_SENDING = """
CREATE TABLE IF NOT EXISTS send_intents (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id),
    started_at  TEXT NOT NULL,
    outcome     TEXT CHECK (outcome IN ('sent', 'not_sent', 'resend')),
    settled_at  TEXT
);
CREATE INDEX IF NOT EXISTS send_intents_open ON send_intents (draft_id) WHERE outcome IS NULL;

CREATE TABLE IF NOT EXISTS intro_answers (
    id          INTEGER PRIMARY KEY,
    intro_id    INTEGER NOT NULL REFERENCES intros (id),
    contact_id  TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'unclear')),
    at          TEXT NOT NULL,            -- the reply's date, or when decided by hand
    message_id  TEXT,                     -- the reply; NULL for a decision by hand
    excerpt     TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL CHECK (source IN ('mail', 'manual')),
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS intro_answers_once
    ON intro_answers (intro_id, contact_id, message_id) WHERE message_id IS NOT NULL;

-- Replies linked to asks before answers were read were taken as yeses. They
-- are not consent: each becomes an unclear answer for the user to decide.
INSERT OR IGNORE INTO intro_answers
    (intro_id, contact_id, answer, at, message_id, excerpt, source, recorded_at)
SELECT d.intro_id, r.contact_id, 'unclear', r.at, r.message_id,
       '(a reply from before answers were read)', 'mail', r.at
  FROM draft_replies r
  JOIN drafts d ON d.id = r.draft_id
  JOIN intros i ON i.id = d.intro_id
 WHERE d.kind = 'intro_ask' AND i.status IN ('asked', 'ready');
UPDATE intros SET status = 'asked' WHERE mode = 'double_opt_in' AND status = 'ready';
"""

# The message index: what sync learned of each message it read, kept with its
# verdict so that a contact (or an address) added to the roster later gets the
# touches of mail already read, without fetching anything again. Compact on
# purpose: the folder's role as a small integer (0 inbox, 1 sent, 2 other),
# the date as Unix seconds, and the correspondents (address_key form, space
# separated) and subject only for mail a person wrote; NULL for machine mail.
# indexed_addresses holds every (address, contact) pair the index has been
# matched against: a pair not in it is new, and a contact id whose pairs now
# belong to another id names a likely rename.
MESSAGE_INDEX = """
ALTER TABLE seen_messages ADD COLUMN role INTEGER;
ALTER TABLE seen_messages ADD COLUMN at INTEGER;
ALTER TABLE seen_messages ADD COLUMN addrs TEXT;
ALTER TABLE seen_messages ADD COLUMN subject TEXT;
CREATE TABLE IF NOT EXISTS indexed_addresses (
    address    TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (address, contact_id)
) WITHOUT ROWID;
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
SUPPORT_NOT_VOLUME = """
ALTER TABLE touches ADD COLUMN item TEXT;
ALTER TABLE draft_support ADD COLUMN item TEXT;
ALTER TABLE draft_support ADD COLUMN needs_line INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE old_share_drafts AS
SELECT d.id AS draft_id, d.message_id, d.event_id FROM drafts d WHERE d.event_id IS NOT NULL;

UPDATE touches
   SET item = 'event:' || (SELECT s.event_id FROM old_share_drafts s
                            WHERE s.message_id = touches.message_id)
 WHERE kind = 'share' AND message_id IN (SELECT message_id FROM old_share_drafts)
   AND (self_promotion = 1 OR contact_id NOT IN (
        SELECT r.contact_id FROM draft_recipients r JOIN old_share_drafts s
            ON s.draft_id = r.draft_id WHERE s.message_id = touches.message_id));

UPDATE touches
   SET kind = 'note',
       detail = 'received a share' || CASE WHEN detail = '' THEN '' ELSE ' (' || detail || ')' END
 WHERE kind = 'share' AND self_promotion = 0 AND item IS NULL
   AND message_id IN (SELECT message_id FROM old_share_drafts);

UPDATE draft_support
   SET item = 'event:' || (SELECT s.event_id FROM old_share_drafts s
                            WHERE s.draft_id = draft_support.draft_id)
 WHERE kind = 'share' AND draft_id IN (SELECT draft_id FROM old_share_drafts)
   AND (self_promotion = 1 OR contact_id NOT IN (
        SELECT r.contact_id FROM draft_recipients r WHERE r.draft_id = draft_support.draft_id));
UPDATE draft_support SET needs_line = 1
 WHERE kind = 'share' AND self_promotion = 0 AND item IS NULL
   AND draft_id IN (SELECT draft_id FROM old_share_drafts);
DROP TABLE old_share_drafts;

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


MIGRATIONS: list[str] = [
    SCHEMA_V1,
    UNKNOWN_SENDERS_V2,
    REPORT_INDEXES_V3,
    FEEDS_AND_POSTS,
    CONSENT_AND_SENDING,
    MESSAGE_INDEX,
    SUPPORT_NOT_VOLUME,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _setup_lock(path: str) -> ExclusiveFileLock:
    """One process at a time creates or migrates a journal (a lock file beside it)."""
    try:
        return ExclusiveFileLock(path)
    except OSError as exc:
        raise disk_failure(exc, path, "cannot lock the journal to set it up") from exc


class Journal:
    """An open journal. Use as a context manager, or call `close()`."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> Journal:
        """Open (creating if needed) and migrate the journal at `path`."""
        location = str(path)
        if not has_content(location):
            # Created (owner-only) and set up under the setup lock, so that a
            # second process never mistakes a journal being born for an
            # empty file it must refuse.
            with _setup_lock(f"{location}-setup.lock"):
                created = create_private(Path(location))
                return cls._open(location, created=created, locked=True)
        return cls._open(location, created=False, locked=False)

    @classmethod
    def _open(cls, location: str, *, created: bool, locked: bool) -> Journal:
        try:
            # isolation_level=None: transactions are explicit (`transaction()`), so a
            # batch of touches and its sync cursor commit together or not at all.
            connection = sqlite3.connect(
                location,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
                factory=GuardedConnection,
            )
        except sqlite3.Error as exc:
            raise journal_failure(exc, location) or JournalError(
                f"{location}: cannot open the journal: {exc}"
            ) from exc
        assert isinstance(connection, GuardedConnection)
        connection.journal_path = location
        journal = cls(connection, location)
        try:
            journal._refuse_foreign_database()
            if journal._needs_setup():
                # Two commands creating or upgrading the journal at once would
                # both switch it to WAL and both run the migrations: one
                # failed with "database is locked" or "table already exists".
                with nullcontext() if locked else _setup_lock(f"{location}-setup.lock"):
                    if journal._needs_setup():
                        journal._migrate()  # refuses a journal newer than this outreach
                        connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            journal._probe_tables()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise JournalError(f"{location}: cannot use the journal: {exc}") from exc
        except JournalError:
            connection.close()
            if created:  # ours, still empty: leave no file that the next run must refuse
                with suppress(OSError):
                    if os.path.getsize(location) == 0:
                        os.unlink(location)
            raise
        return journal

    @classmethod
    def memory(cls) -> Journal:
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        journal = cls(connection, ":memory:")
        journal._migrate()
        return journal

    def _refuse_foreign_database(self) -> None:
        """Never build a journal inside someone else's SQLite database."""
        if self.schema_version != 0:
            return
        tables = self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1"
        ).fetchone()
        if tables is not None:
            raise JournalError(
                f"{self.path}: an SQLite database but not an outreach journal"
                f" (it has a table '{tables[0]}'); nothing was changed",
                hint="check [paths] journal in outreach.toml; outreach will not add to the file",
            )

    def _probe_tables(self) -> None:
        """Read the first row of every table: a damaged root page fails here, in one line.

        A command reads only the tables it needs, so `report` could otherwise
        succeed on a journal whose touches table is gone. A full check
        (`PRAGMA quick_check`) takes seconds on a large journal; this takes
        well under a millisecond and catches the damage that loses a table.
        """
        names = self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for (name,) in names:
            quoted = '"' + str(name).replace('"', '""') + '"'
            self.connection.execute(f"SELECT * FROM {quoted} NOT INDEXED LIMIT 1").fetchall()

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
            except (sqlite3.Error, JournalError):
                if self.connection.in_transaction:
                    with suppress(sqlite3.Error, JournalError):
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
            # On a damaged or vanished disk the rollback may fail too; the
            # first failure is the one to report.
            with suppress(sqlite3.Error, JournalError):
                self.connection.execute("ROLLBACK")
            raise
        else:
            try:
                self.connection.execute("COMMIT")
            except JournalError:
                with suppress(sqlite3.Error, JournalError):
                    self.connection.execute("ROLLBACK")
                raise
            except sqlite3.Error as exc:
                with suppress(sqlite3.Error, JournalError):
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
