"""Touches: recording them (idempotently) and asking for each contact's last ones.

A contact removed from the roster keeps its rows; an id that comes back finds
its history again, because nothing here deletes by roster membership.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.base.model import Direction, Touch, TouchKind
from outreach.store.journal.store import Journal

_INSERT = """
INSERT INTO touches (contact_id, kind, direction, at, message_id, source, detail,
                     self_promotion, recorded_at, item)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""


def _row(touch: Touch, recorded_at: str) -> tuple[object, ...]:
    return (
        touch.contact_id,
        touch.kind.value,
        touch.direction.value,
        iso_utc(touch.at),
        touch.message_id,
        touch.source,
        touch.detail,
        int(touch.self_promotion),
        recorded_at,
        touch.item,
    )


def record_touches(journal: Journal, touches: Iterable[Touch], *, now: datetime) -> int:
    """Record touches in one transaction; returns how many were new.

    A touch whose (Message-ID, contact, kind) is already recorded is skipped,
    so seeing the same message twice is a no-op.
    """
    recorded_at = iso_utc(now)
    with journal.transaction() as db:
        # rowcount counts only the rows this INSERT wrote, not the trigger's.
        cursor = db.executemany(_INSERT, (_row(t, recorded_at) for t in touches))
        return max(cursor.rowcount, 0)


def record_touch(journal: Journal, touch: Touch, *, now: datetime) -> bool:
    """Record one touch; False when the same message was already recorded."""
    with journal.transaction() as db:
        cursor = db.execute(_INSERT, _row(touch, iso_utc(now)))
        return cursor.rowcount == 1


@dataclass(frozen=True, slots=True)
class ContactActivity:
    """The latest touch and the latest support for one contact."""

    contact_id: str
    last_touch_at: datetime | None
    last_touch_kind: TouchKind | None
    last_support_at: datetime | None
    last_support_kind: TouchKind | None


def _activity(row: tuple[str, str | None, str | None, str | None, str | None]) -> ContactActivity:
    contact_id, touch_at, touch_kind, support_at, support_kind = row
    return ContactActivity(
        contact_id=contact_id,
        last_touch_at=parse_iso_utc(touch_at) if touch_at else None,
        last_touch_kind=TouchKind(touch_kind) if touch_kind else None,
        last_support_at=parse_iso_utc(support_at) if support_at else None,
        last_support_kind=TouchKind(support_kind) if support_kind else None,
    )


_ACTIVITY = (
    "SELECT contact_id, last_touch_at, last_touch_kind, last_support_at,"
    " last_support_kind FROM contact_state"
)


def all_activity(journal: Journal) -> dict[str, ContactActivity]:
    """Every contact's latest touch and support, keyed by contact id."""
    return {row[0]: _activity(row) for row in journal.connection.execute(_ACTIVITY)}


def contact_activity(journal: Journal, contact_id: str) -> ContactActivity:
    row = journal.connection.execute(_ACTIVITY + " WHERE contact_id = ?", (contact_id,)).fetchone()
    if row is None:
        return ContactActivity(contact_id, None, None, None, None)
    return _activity(row)


def touches_for(journal: Journal, contact_id: str, *, limit: int = 50) -> list[Touch]:
    """A contact's most recent touches, newest first."""
    rows = journal.connection.execute(
        "SELECT contact_id, kind, at, direction, message_id, source, detail, self_promotion, item"
        " FROM touches WHERE contact_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        (contact_id, limit),
    )
    return [
        Touch(
            contact_id=r[0],
            kind=TouchKind(r[1]),
            at=parse_iso_utc(r[2]),
            direction=Direction(r[3]),
            message_id=r[4],
            source=r[5],
            detail=r[6],
            self_promotion=bool(r[7]),
            item=r[8],
        )
        for r in rows
    ]


def count_touches(journal: Journal) -> int:
    return int(journal.connection.execute("SELECT COUNT(*) FROM touches").fetchone()[0])


def emails_sent_since(journal: Journal, since: datetime) -> dict[str, int]:
    """Emails each contact was sent from `since` on: through outreach or seen in Sent.

    One email is one message, however many touches it recorded.
    """
    rows = journal.connection.execute(
        "SELECT contact_id, COUNT(DISTINCT COALESCE(message_id, id)) FROM touches"
        " WHERE kind = 'sent' AND at >= ? GROUP BY contact_id",
        (iso_utc(since),),
    )
    return {str(contact): int(count) for contact, count in rows}
