"""The message index in the journal: what sync read of each message, and the roster it matched.

Rows live in seen_messages (see MESSAGE_INDEX in store.py): one per message and
mailbox, written with the batch that decided it. Nothing here decides what a
message means or reads a mailbox; the backfill that turns index rows into
touches for new contacts is in app/backfill.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from outreach.base.clock import iso_utc
from outreach.store.journal.store import Journal

# seen_messages.role: small integers take one byte (0 and 1 none) in a SQLite record.
ROLE_CODES = {"inbox": 0, "sent": 1, "other": 2}


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One message as the index keeps it."""

    identity: str
    verdict: str
    role: str
    at: int | None  # Unix seconds: the message's date, else its delivery time
    addresses: tuple[str, ...]  # correspondents in address_key form; () for machine mail
    subject: str | None


def add_indexed(journal: Journal, mailbox: str, rows: Iterable[IndexRow], *, now: datetime) -> None:
    """Remember each message once per mailbox; the first sighting keeps its verdict."""
    stamp = iso_utc(now)
    with journal.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO seen_messages"
            " (mailbox, identity, verdict, seen_at, role, at, addrs, subject)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    mailbox,
                    r.identity,
                    r.verdict,
                    stamp,
                    ROLE_CODES[r.role],
                    r.at,
                    " ".join(r.addresses) if r.addresses else None,
                    r.subject,
                )
                for r in rows
            ),
        )


def rows_with_addresses(journal: Journal) -> Iterator[tuple[str, str, str, int | None, str, str]]:
    """(mailbox, identity, verdict, at, addrs, subject) of every message a person wrote."""
    rows = journal.connection.execute(
        "SELECT mailbox, identity, verdict, at, addrs, COALESCE(subject, '')"
        " FROM seen_messages WHERE addrs IS NOT NULL"
    )
    for mailbox, identity, verdict, at, addrs, subject in rows:
        yield str(mailbox), str(identity), str(verdict), at, str(addrs), str(subject)


def indexed_pairs(journal: Journal) -> set[tuple[str, str]]:
    """Every (address, contact id) pair the index has been matched against."""
    rows = journal.connection.execute("SELECT address, contact_id FROM indexed_addresses")
    return {(str(a), str(c)) for a, c in rows}


def add_indexed_pairs(journal: Journal, pairs: Iterable[tuple[str, str]]) -> None:
    with journal.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO indexed_addresses (address, contact_id) VALUES (?, ?)", pairs
        )


def index_size(journal: Journal) -> tuple[int, int]:
    """(messages, bytes) of the index: seen_messages' pages (SQLite's dbstat when available)."""
    db = journal.connection
    count = int(db.execute("SELECT COUNT(*) FROM seen_messages").fetchone()[0])
    try:
        size = db.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('seen_messages', 'indexed_addresses')"
        ).fetchone()[0]
    except Exception:
        size = None
    return count, int(size or 0)


__all__ = [
    "ROLE_CODES",
    "IndexRow",
    "add_indexed",
    "add_indexed_pairs",
    "index_size",
    "indexed_pairs",
    "rows_with_addresses",
]
