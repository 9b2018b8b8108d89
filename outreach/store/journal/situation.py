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

# A reply is answered by anything the user sent that person afterwards; if
# their latest reply is answered, every earlier one is. So: each contact's
# latest reply in the window (from the replies index alone), then one seek per
# contact for anything sent since.
_UNANSWERED = """
WITH latest AS (
    SELECT contact_id, MAX(at) AS at FROM touches
     WHERE kind = 'reply' AND at > :since AND at <= :now
     GROUP BY contact_id
)
SELECT l.contact_id, l.at,
       (SELECT r.detail FROM touches r
         WHERE r.contact_id = l.contact_id AND r.at = l.at AND r.kind = 'reply' LIMIT 1)
  FROM latest l
 WHERE NOT EXISTS (SELECT 1 FROM touches o
                    WHERE o.contact_id = l.contact_id AND o.at > l.at AND o.at <= :now
                      AND o.direction = 'out')
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


def last_meetings(
    journal: Journal, contact_ids: Iterable[str], *, now: datetime
) -> dict[str, datetime]:
    """The last meeting with each of `contact_ids` (the focus list): a seek each."""
    db = journal.connection
    found = {}
    for contact_id in contact_ids:
        at = db.execute(
            "SELECT MAX(at) FROM touches WHERE kind = 'meeting' AND contact_id = ? AND at <= ?",
            (contact_id, iso_utc(now)),
        ).fetchone()[0]
        if at is not None:
            found[contact_id] = parse_iso_utc(at)
    return found


def note_contacts_seen(journal: Journal, contact_ids: Iterable[str], *, now: datetime) -> None:
    """Remember `now` as the first day for ids the journal has not seen yet."""
    stamp = iso_utc(now)
    with journal.transaction() as db:
        db.executemany(
            "INSERT INTO contacts_seen (contact_id, first_seen) VALUES (?, ?)"
            " ON CONFLICT (contact_id) DO NOTHING",
            [(contact_id, stamp) for contact_id in contact_ids],
        )


def contacts_seen(journal: Journal, contact_ids: Iterable[str]) -> dict[str, datetime]:
    """When the journal first saw each of `contact_ids`: listed by a report, or its first
    touch if earlier (a sync of old mail moves it back). Two index seeks per contact,
    asked only for those never supported, the only ones it ranks."""
    db = journal.connection
    found = {}
    for contact_id in contact_ids:
        row = db.execute(
            "SELECT MIN(COALESCE((SELECT first_seen FROM contacts_seen WHERE contact_id = :id),"
            " '9999'), COALESCE((SELECT MIN(at) FROM touches WHERE contact_id = :id), '9999'))",
            {"id": contact_id},
        ).fetchone()
        if row[0] != "9999":
            found[contact_id] = parse_iso_utc(row[0])
    return found


def situation(
    journal: Journal,
    *,
    now: datetime,
    answer_within_days: int,
    focus: Iterable[str],
    never_supported: Iterable[str],
) -> Situation:
    """Everything the next steps need from the journal, as of `now`: last meetings for
    the `focus` list, first sightings for those `never_supported`."""
    return Situation(
        unanswered=unanswered_replies(journal, now=now, days=answer_within_days),
        drafts_waiting=drafts_waiting(journal),
        last_meeting=last_meetings(journal, focus, now=now),
        first_seen=contacts_seen(journal, never_supported),
    )
