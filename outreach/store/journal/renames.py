"""Move a contact's history to a new id, in one transaction; and find history nobody owns.

The journal keys everything by contact id: touches, the per-contact state,
draft recipients and support, event shares, replies to drafts, intros and
answers to them, followed feeds with their posts and events, and the message
index's address pairs. A rename moves every row; a row the new
id already holds for the same thing (the same message's touch, the same
draft) is the same history and stays once. Nothing else is ever deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from outreach.store.journal.store import Journal

# Tables whose rows belong to one contact: (table, the contact column).
_OWNED = (
    ("touches", "contact_id"),
    ("draft_recipients", "contact_id"),
    ("draft_support", "contact_id"),
    ("event_shares", "contact_id"),
    ("draft_replies", "contact_id"),
    ("intro_answers", "contact_id"),
    ("feeds", "contact_id"),
    ("posts", "contact_id"),
    ("feed_events", "contact_id"),
    ("feed_events", "host"),
    # Last: the index's address pairs say what was matched, not history of its own.
    ("indexed_addresses", "contact_id"),
)
_SUPPORT_KINDS = "('share', 'intro', 'feedback', 'meeting', 'promotion')"


@dataclass(frozen=True, slots=True)
class Moved:
    touches: int
    drafts: int
    intros: int


def move_history(journal: Journal, old: str, new: str) -> Moved:
    """Give `new` everything the journal holds for `old`; returns what was moved."""
    counts: dict[str, int] = {}
    with journal.transaction() as db:
        for table, column in _OWNED:
            moved = db.execute(
                f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (new, old)
            ).rowcount
            # What is left collided with a row `new` already has: the same history.
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", (old,))
            counts[table] = moved
        intros = 0
        for column, other in (("contact_a", "contact_b"), ("contact_b", "contact_a")):
            # contact_a < contact_b holds for every pair: reorder as the new id sorts.
            intros += db.execute(
                f"UPDATE intros SET contact_a = MIN(?1, {other}), contact_b = MAX(?1, {other})"
                f" WHERE {column} = ?2 AND {other} != ?1",
                (new, old),
            ).rowcount
        _recompute_state(db, old, new)
    return Moved(counts["touches"], counts["draft_recipients"], intros)


def _recompute_state(db: sqlite3.Connection, old: str, new: str) -> None:
    """contact_state is kept by trigger on INSERT only: rebuild both ids' rows from touches."""
    db.execute("DELETE FROM contact_state WHERE contact_id IN (?, ?)", (old, new))
    db.execute(
        "INSERT INTO contact_state"
        " (contact_id, last_touch_at, last_touch_kind, last_support_at, last_support_kind)"
        " SELECT ?1,"
        " (SELECT at FROM touches WHERE contact_id = ?1 ORDER BY at DESC LIMIT 1),"
        " (SELECT kind FROM touches WHERE contact_id = ?1 ORDER BY at DESC LIMIT 1),"
        f" (SELECT at FROM touches WHERE contact_id = ?1 AND kind IN {_SUPPORT_KINDS}"
        "   AND self_promotion = 0 ORDER BY at DESC LIMIT 1),"
        f" (SELECT kind FROM touches WHERE contact_id = ?1 AND kind IN {_SUPPORT_KINDS}"
        "   AND self_promotion = 0 ORDER BY at DESC LIMIT 1)"
        " WHERE EXISTS (SELECT 1 FROM touches WHERE contact_id = ?1)",
        (new,),
    )


def has_history(journal: Journal, contact_id: str) -> bool:
    db = journal.connection
    for table, column in (*_OWNED[:-1], ("intros", "contact_a"), ("intros", "contact_b")):
        found = db.execute(f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1", (contact_id,))
        if found.fetchone() is not None:
            return True
    return False


def ids_with_history(journal: Journal) -> set[str]:
    """Every contact id the journal holds history for."""
    db = journal.connection
    found: set[str] = set()
    for table, column in (*_OWNED[:-1], ("intros", "contact_a"), ("intros", "contact_b")):
        found.update(str(r[0]) for r in db.execute(f"SELECT DISTINCT {column} FROM {table}"))
    return found


def addresses_of(journal: Journal, contact_id: str) -> list[str]:
    """The addresses the message index last knew `contact_id` by."""
    rows = journal.connection.execute(
        "SELECT address FROM indexed_addresses WHERE contact_id = ? ORDER BY address",
        (contact_id,),
    )
    return [str(r[0]) for r in rows]


__all__ = ["Moved", "addresses_of", "has_history", "ids_with_history", "move_history"]
