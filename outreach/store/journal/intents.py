"""Send intents: each SMTP send is announced in the journal before it starts.

An intent is committed before the SMTP transaction and settled after the
server's answer. One left open means the process died while the message may
have gone; such a draft is never sent again without the user's word
(`drafts send ID --resend`), and sync settles it when the Sent folder shows it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.store.journal.store import Journal


class Outcome(enum.StrEnum):
    SENT = "sent"  # the server answered 250
    NOT_SENT = "not_sent"  # the server refused before accepting the message
    RESEND = "resend"  # in doubt, and the user asked to send it again


def open_intent(journal: Journal, draft_id: int, *, now: datetime) -> int:
    """Record, and commit, that draft `draft_id` is about to be handed to the server."""
    with journal.transaction() as db:
        cursor = db.execute(
            "INSERT INTO send_intents (draft_id, started_at) VALUES (?, ?)",
            (draft_id, iso_utc(now)),
        )
        return int(cursor.lastrowid or 0)


def settle_intent(journal: Journal, intent_id: int, outcome: Outcome, *, now: datetime) -> None:
    with journal.transaction() as db:
        db.execute(
            "UPDATE send_intents SET outcome = ?, settled_at = ? WHERE id = ? AND outcome IS NULL",
            (outcome.value, iso_utc(now), intent_id),
        )


def settle_draft_intents(
    journal: Journal, draft_ids: Iterable[int], outcome: Outcome, *, now: datetime
) -> None:
    """Settle every open intent of these drafts (inside the caller's transaction if any)."""
    with journal.transaction() as db:
        db.executemany(
            "UPDATE send_intents SET outcome = ?, settled_at = ?"
            " WHERE draft_id = ? AND outcome IS NULL",
            [(outcome.value, iso_utc(now), d) for d in draft_ids],
        )


def in_doubt(journal: Journal) -> dict[int, datetime]:
    """Unsent drafts whose send was interrupted: draft id → when that send started."""
    rows = journal.connection.execute(
        "SELECT i.draft_id, MIN(i.started_at) FROM send_intents i"
        " JOIN drafts d ON d.id = i.draft_id"
        " WHERE i.outcome IS NULL AND d.sent_at IS NULL AND d.status IN ('drafted', 'pushed')"
        " GROUP BY i.draft_id ORDER BY i.draft_id"
    )
    return {int(draft_id): parse_iso_utc(str(started)) for draft_id, started in rows}
