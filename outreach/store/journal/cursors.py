"""Sync bookkeeping in the journal: IMAP cursors, Maildir keys, seen messages, unknown senders.

Writers join the caller's transaction when there is one, so a batch's
touches, seen messages and cursor commit together. Nothing here reads a
mailbox or decides what a message means.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.store.journal.store import Journal


@dataclass(frozen=True, slots=True)
class ImapCursor:
    """How far a folder has been read: valid only under its UIDVALIDITY."""

    uidvalidity: int
    last_uid: int


def imap_cursor(journal: Journal, mailbox: str, folder: str) -> ImapCursor | None:
    row = journal.connection.execute(
        "SELECT uidvalidity, last_uid FROM imap_cursors WHERE mailbox = ? AND folder = ?",
        (mailbox, folder),
    ).fetchone()
    return None if row is None else ImapCursor(int(row[0]), int(row[1]))


def save_imap_cursor(
    journal: Journal, mailbox: str, folder: str, cursor: ImapCursor, *, now: datetime
) -> None:
    with journal.transaction() as db:
        db.execute(
            "INSERT INTO imap_cursors (mailbox, folder, uidvalidity, last_uid, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (mailbox, folder) DO UPDATE SET"
            " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
            " updated_at = excluded.updated_at",
            (mailbox, folder, cursor.uidvalidity, cursor.last_uid, iso_utc(now)),
        )


def maildir_keys(journal: Journal, mailbox: str, folder: str) -> set[str]:
    """The Maildir file keys of `folder` already processed."""
    rows = journal.connection.execute(
        "SELECT key FROM maildir_seen WHERE mailbox = ? AND folder = ?", (mailbox, folder)
    )
    return {str(r[0]) for r in rows}


def add_maildir_keys(journal: Journal, mailbox: str, folder: str, keys: Iterable[str]) -> None:
    with journal.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO maildir_seen (mailbox, folder, key) VALUES (?, ?, ?)",
            ((mailbox, folder, k) for k in keys),
        )


def seen_identities(journal: Journal, mailbox: str, identities: Collection[str]) -> set[str]:
    """Which of `identities` the sync has already decided about in `mailbox`."""
    if not identities:
        return set()
    # One JSON parameter instead of thousands of `?`: no variable limit to chunk around.
    rows = journal.connection.execute(
        "SELECT identity FROM seen_messages WHERE mailbox = ?"
        " AND identity IN (SELECT value FROM json_each(?))",
        (mailbox, json.dumps(list(identities))),
    )
    return {str(r[0]) for r in rows}


def add_seen(
    journal: Journal, mailbox: str, verdicts: Iterable[tuple[str, str]], *, now: datetime
) -> None:
    """Remember (identity, verdict) pairs; an identity already seen keeps its first verdict."""
    stamp = iso_utc(now)
    with journal.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO seen_messages (mailbox, identity, verdict, seen_at)"
            " VALUES (?, ?, ?, ?)",
            ((mailbox, identity, verdict, stamp) for identity, verdict in verdicts),
        )


def count_seen(journal: Journal, mailbox: str | None = None) -> int:
    query = "SELECT COUNT(*) FROM seen_messages"
    params: tuple[str, ...] = ()
    if mailbox is not None:
        query += " WHERE mailbox = ?"
        params = (mailbox,)
    return int(journal.connection.execute(query, params).fetchone()[0])


@dataclass(frozen=True, slots=True)
class UnknownSender:
    address: str
    name: str
    messages: int
    last_at: datetime


def count_unknown_senders(journal: Journal, senders: Iterable[tuple[str, str, datetime]]) -> None:
    """Count one message for each (address_key, display name, date), one upsert per address.

    The name kept is the last non-empty one seen, in sync order.
    """
    tally: dict[str, tuple[str, int, datetime, datetime]] = {}
    for address, name, at in senders:
        known = tally.get(address)
        if known is None:
            tally[address] = (name, 1, at, at)
            continue
        old_name, count, first, last = known
        tally[address] = (name or old_name, count + 1, min(first, at), max(last, at))
    with journal.transaction() as db:
        db.executemany(
            "INSERT INTO unknown_senders (address, name, messages, first_at, last_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (address) DO UPDATE SET"
            " messages = messages + ?3,"
            " name = CASE WHEN ?2 != '' THEN ?2 ELSE name END,"
            " first_at = MIN(first_at, ?4), last_at = MAX(last_at, ?5)",
            (
                (address, name, count, iso_utc(first), iso_utc(last))
                for address, (name, count, first, last) in tally.items()
            ),
        )


def unknown_senders(
    journal: Journal, *, exclude: Collection[str] = (), limit: int | None = None
) -> list[UnknownSender]:
    """The most frequent unknown senders first; `exclude` holds address keys now in the roster."""
    found: list[UnknownSender] = []
    rows = journal.connection.execute(
        "SELECT address, name, messages, last_at FROM unknown_senders"
        " ORDER BY messages DESC, last_at DESC, address"
    )
    for address, name, messages, last_at in rows:
        if address in exclude:
            continue
        found.append(UnknownSender(address, name, int(messages), parse_iso_utc(last_at)))
        if limit is not None and len(found) >= limit:
            break
    return found


__all__ = [
    "ImapCursor",
    "UnknownSender",
    "add_maildir_keys",
    "add_seen",
    "count_seen",
    "count_unknown_senders",
    "imap_cursor",
    "maildir_keys",
    "save_imap_cursor",
    "seen_identities",
    "unknown_senders",
]
