"""New contacts get their past: touches from mail already read, found in the message index.

Runs at the start of every sync: when the roster holds an (address, contact)
pair the index was never matched against (a contact added, an address
added, an id renamed by hand), the index rows of mail a person wrote to or
from that address become touches, as if the contact had been there all
along. Nothing is fetched again; when the roster has not changed this is one
small query.
"""

from __future__ import annotations

from datetime import UTC, datetime

from outreach.base.model import Direction, Roster, Touch, TouchKind, address_key
from outreach.core.match import Ignored
from outreach.store.journal.message_index import (
    add_indexed_pairs,
    indexed_pairs,
    rows_with_addresses,
)
from outreach.store.journal.store import Journal
from outreach.store.journal.touches import record_touches

# Verdicts of the index rows that carry correspondents, by direction.
_INBOUND = frozenset({TouchKind.REPLY.value, Ignored.UNKNOWN_SENDER.value})
_OUTBOUND = frozenset({TouchKind.SENT.value, Ignored.NO_CONTACT.value})


def roster_pairs(roster: Roster) -> set[tuple[str, str]]:
    return {(address_key(a), c.id) for c in roster for a in c.emails}


def backfill_new_contacts(journal: Journal, roster: Roster, *, now: datetime) -> tuple[Touch, ...]:
    """Record the touches that new (address, contact) pairs have in mail already read."""
    new = roster_pairs(roster) - indexed_pairs(journal)
    if not new:
        return ()
    owner = dict(new)  # the roster gives each address one contact
    touches: list[Touch] = []
    with journal.transaction():
        for mailbox, identity, verdict, at, addrs, subject in rows_with_addresses(journal):
            if at is None:
                continue
            hits = [a for a in addrs.split(" ") if a in owner]
            if not hits:
                continue
            if verdict in _INBOUND:
                kind, direction = TouchKind.REPLY, Direction.INBOUND
            elif verdict in _OUTBOUND:
                kind, direction = TouchKind.SENT, Direction.OUTBOUND
            else:
                continue
            when = datetime.fromtimestamp(at, UTC)
            touches.extend(
                Touch(
                    contact_id=contact,
                    kind=kind,
                    at=when,
                    direction=direction,
                    message_id=identity,
                    source=f"index:{mailbox}",
                    detail=subject,
                )
                for contact in dict.fromkeys(owner[a] for a in hits)
            )
        record_touches(journal, touches, now=now)
        add_indexed_pairs(journal, sorted(new))
    return tuple(touches)


__all__ = ["backfill_new_contacts", "roster_pairs"]
