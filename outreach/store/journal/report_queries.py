"""The report's questions to the journal, answered in SQL.

Per-contact dates come from the trigger-maintained `contact_state` table (or,
for an `--as-of` earlier than the newest touch, from index lookups per
contact); the health figures are aggregates over a period. Nothing here loads
touches into Python: memory follows the number of contacts, not of touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.base.model import SUPPORT_KINDS, TouchKind
from outreach.core.consent import Answer
from outreach.core.report.model import HealthCounts, WaitingIntro
from outreach.store.journal.answers import latest_answers
from outreach.store.journal.store import Journal
from outreach.store.journal.touches import ContactActivity, all_activity

# The same list the schema's trigger spells out; SQL needs it as literals so
# the planner can match the partial index `touches_support_by_contact`.
_SUPPORT_SQL = "('feedback', 'intro', 'meeting', 'promotion', 'share')"
assert {TouchKind(k.strip(" '")) for k in _SUPPORT_SQL.strip("()").split(",")} == SUPPORT_KINDS


# Both latest moments per contact as of a date, in one statement: two index
# seeks per contact (touches_by_contact, and the partial touches_support_by_contact
# of schema v3) run inside SQLite, several times faster than a query per contact.
_AS_OF = f"""
SELECT c.contact_id,
    (SELECT t.at || ' ' || t.kind FROM touches t
      WHERE t.contact_id = c.contact_id AND t.at <= :at ORDER BY t.at DESC LIMIT 1),
    (SELECT t.at || ' ' || t.kind FROM touches t
      WHERE t.contact_id = c.contact_id AND t.at <= :at
        AND t.kind IN {_SUPPORT_SQL} AND t.self_promotion = 0
      ORDER BY t.at DESC LIMIT 1)
FROM contact_state c
"""


def _moment(text: str | None) -> datetime | None:
    return None if text is None else parse_iso_utc(text)


def activity_as_of(
    journal: Journal, contact_ids: Iterable[str], *, now: datetime
) -> dict[str, ContactActivity]:
    """Each contact's latest touch and support no later than `now`.

    Contacts without any touch are absent from the result. When nothing in
    `contact_state` is later than `now` (the usual case) it is the answer;
    otherwise one statement makes two index seeks per contact, never a scan of
    touches.
    """
    stamp = iso_utc(now)
    newest = journal.connection.execute(
        "SELECT MAX(MAX(COALESCE(last_touch_at, '')), MAX(COALESCE(last_support_at, '')))"
        " FROM contact_state"
    ).fetchone()[0]
    if newest is None or newest <= stamp:
        return all_activity(journal)
    db = journal.connection
    found: dict[str, ContactActivity] = {}
    wanted = set(contact_ids)
    for contact_id, touch, support in db.execute(_AS_OF, {"at": stamp}):
        if touch is None or contact_id not in wanted:
            continue
        touch_at, touch_kind = touch.split(" ")
        support_at, support_kind = support.split(" ") if support else (None, None)
        found[contact_id] = ContactActivity(
            contact_id=contact_id,
            last_touch_at=_moment(touch_at),
            last_touch_kind=TouchKind(touch_kind),
            last_support_at=_moment(support_at),
            last_support_kind=TouchKind(support_kind) if support_kind else None,
        )
    return found


# Each runs on the slice of one partial covering index (schema v4) for the
# period. Promotion counts items, not emails: an event shared with twenty
# people is one item (`item`), and a share or promotion recorded by hand is
# one of its own. A recipient's share (item empty, from a sent message)
# supports them but promotes no one.
_PERIOD_SUPPORT = f"""
SELECT
    COUNT(DISTINCT CASE WHEN self_promotion = 0
                         AND (item IS NOT NULL
                              OR (kind IN ('share', 'promotion') AND message_id IS NULL))
                        THEN COALESCE(item, 'touch:' || id) END),
    COUNT(DISTINCT CASE WHEN self_promotion = 1 THEN COALESCE(item, 'touch:' || id) END),
    COUNT(DISTINCT CASE WHEN kind IN {_SUPPORT_SQL} AND self_promotion = 0
                        THEN contact_id END)
FROM touches
WHERE at > ? AND at <= ? AND (kind IN {_SUPPORT_SQL} OR self_promotion = 1)
"""
_PERIOD_REPLIES = """
SELECT COUNT(DISTINCT COALESCE(message_id, id)) FROM touches
WHERE at > ? AND at <= ? AND kind = 'reply'
"""


def health_counts(journal: Journal, *, since: datetime, until: datetime) -> HealthCounts:
    """The report's health figures for the period `(since, until]`."""
    db = journal.connection
    period = (iso_utc(since), iso_utc(until))
    others, own, supported = db.execute(_PERIOD_SUPPORT, period).fetchone()
    replies = db.execute(_PERIOD_REPLIES, period).fetchone()[0]
    # The report's own drafts to the user are no networking waiting on them.
    drafts = db.execute(
        "SELECT COUNT(*) FROM drafts WHERE status IN ('drafted', 'pushed') AND kind != 'report'"
    ).fetchone()[0]
    rows = db.execute(
        "SELECT id, contact_a, contact_b, updated_at FROM intros"
        " WHERE status = 'asked'"
        " ORDER BY updated_at, id"
    ).fetchall()
    answers = latest_answers(journal, [int(r[0]) for r in rows])
    intros = tuple(
        WaitingIntro(
            id=int(r[0]),
            contact_a=r[1],
            contact_b=r[2],
            asked_at=parse_iso_utc(r[3]),
            needs_decision=any(
                a.answer is Answer.UNCLEAR for a in answers.get(int(r[0]), {}).values()
            ),
        )
        for r in rows
    )
    return HealthCounts(
        since=since,
        until=until,
        others_promoted=int(others),
        own_promoted=int(own),
        contacts_supported=int(supported),
        replies_received=int(replies),
        drafts_waiting=int(drafts),
        intros_waiting=intros,
    )


def pending_recipients(journal: Journal) -> set[str]:
    """Contacts with a draft addressed to them still awaiting review."""
    rows = journal.connection.execute(
        "SELECT DISTINCT r.contact_id FROM draft_recipients r JOIN drafts d ON d.id = r.draft_id"
        " WHERE d.status IN ('drafted', 'pushed')"
    )
    return {str(r[0]) for r in rows}
