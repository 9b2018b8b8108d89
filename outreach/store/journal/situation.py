"""What is going on with each contact, from the journal: for the report's next steps.

Replies still waiting for an answer, drafts waiting for review, the last
meeting, and when each contact id was first seen. Read-only except
`note_contacts_seen`, which remembers the roster's ids the first time a
report lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.core.report.model import Reply, Situation
from outreach.store.journal.store import Journal

# A reply is answered by anything the user sent that person afterwards.
_UNANSWERED = """
SELECT r.contact_id, r.at, r.detail FROM touches r
 WHERE r.kind = 'reply' AND r.at > :since AND r.at <= :now
   AND NOT EXISTS (SELECT 1 FROM touches o
                    WHERE o.contact_id = r.contact_id AND o.direction = 'out'
                      AND o.at > r.at AND o.at <= :now)
 ORDER BY r.at, r.id
"""


def unanswered_replies(journal: Journal, *, now: datetime, days: int) -> dict[str, Reply]:
    """Per contact, their latest reply of the last `days` with nothing sent back since."""
    params = {"since": iso_utc(now - timedelta(days=days)), "now": iso_utc(now)}
    return {
        str(contact_id): Reply(at=parse_iso_utc(at), subject=str(detail) or "(no subject)")
        for contact_id, at, detail in journal.connection.execute(_UNANSWERED, params)
    }


def drafts_waiting(journal: Journal) -> dict[str, int]:
    """Per contact, the oldest draft to them still awaiting review (reports to oneself aside)."""
    rows = journal.connection.execute(
        "SELECT r.contact_id, MIN(d.id) FROM draft_recipients r JOIN drafts d ON d.id = r.draft_id"
        " WHERE d.status IN ('drafted', 'pushed') AND d.kind != 'report'"
        " GROUP BY r.contact_id"
    )
    return {str(contact_id): int(draft_id) for contact_id, draft_id in rows}


def last_meetings(journal: Journal, *, now: datetime) -> dict[str, datetime]:
    rows = journal.connection.execute(
        "SELECT contact_id, MAX(at) FROM touches WHERE kind = 'meeting' AND at <= ?"
        " GROUP BY contact_id",
        (iso_utc(now),),
    )
    return {str(contact_id): parse_iso_utc(at) for contact_id, at in rows}


def note_contacts_seen(journal: Journal, contact_ids: Iterable[str], *, now: datetime) -> None:
    """Remember `now` as the first day for ids the journal has not seen yet."""
    stamp = iso_utc(now)
    with journal.transaction() as db:
        db.executemany(
            "INSERT INTO contacts_seen (contact_id, first_seen) VALUES (?, ?)"
            " ON CONFLICT (contact_id) DO NOTHING",
            [(contact_id, stamp) for contact_id in contact_ids],
        )


def contacts_seen(journal: Journal) -> dict[str, datetime]:
    """When the journal first saw each contact: listed by a report, or a touch, if earlier.

    A touch recorded later with an earlier date (a sync of old mail) moves it
    back; one index seek per contact finds each first touch.
    """
    rows = journal.connection.execute(
        "SELECT s.contact_id, MIN(s.first_seen, COALESCE("
        "(SELECT MIN(t.at) FROM touches t WHERE t.contact_id = s.contact_id), s.first_seen))"
        " FROM contacts_seen s"
    )
    return {str(contact_id): parse_iso_utc(at) for contact_id, at in rows}


def situation(journal: Journal, *, now: datetime, answer_within_days: int) -> Situation:
    """Everything the next steps need from the journal, as of `now`."""
    return Situation(
        unanswered=unanswered_replies(journal, now=now, days=answer_within_days),
        drafts_waiting=drafts_waiting(journal),
        last_meeting=last_meetings(journal, now=now),
        first_seen=contacts_seen(journal),
    )
