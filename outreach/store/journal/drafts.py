"""Drafts in the journal: what was drafted for whom, its status, replies, sending.

A draft's support (who it promotes or helps) is stored when it is drafted
and becomes touches only when the draft is sent, by SMTP or from the user's
own mail client (seen later in the Sent folder): nothing counts before then.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.base.model import Direction, TouchKind
from outreach.store.journal.store import Journal


class DraftStatus(enum.StrEnum):
    DRAFTED = "drafted"  # in drafts/, awaiting review
    PUSHED = "pushed"  # also in the IMAP Drafts folder
    SENT = "sent"
    DISCARDED = "discarded"
    REPLIED = "replied"  # sent, and a recipient answered


PENDING = (DraftStatus.DRAFTED, DraftStatus.PUSHED)


@dataclass(frozen=True, slots=True)
class SupportPlan:
    """A touch a draft will record for `contact_id` once it is sent."""

    contact_id: str
    kind: TouchKind
    self_promotion: bool = False
    item: str | None = None  # what it promotes ("event:ID"): one act of promotion per item
    needs_line: bool = False  # support only if the draft's personal line was written


@dataclass(frozen=True, slots=True)
class DraftRecord:
    id: int
    message_id: str
    kind: str
    status: DraftStatus
    subject: str
    path: str
    recipients: tuple[str, ...]
    event_id: str | None
    intro_id: int | None
    created_at: datetime
    updated_at: datetime
    pushed_uid: int | None
    sent_at: datetime | None


_COLUMNS = (
    "d.id, d.message_id, d.kind, d.status, d.subject, d.path, d.event_id, d.intro_id,"
    " d.created_at, d.updated_at, d.pushed_uid, d.sent_at,"
    " (SELECT json_group_array(contact_id) FROM draft_recipients r WHERE r.draft_id = d.id)"
)


def _draft(row: Sequence[Any]) -> DraftRecord:
    return DraftRecord(
        id=int(row[0]),
        message_id=str(row[1]),
        kind=str(row[2]),
        status=DraftStatus(row[3]),
        subject=str(row[4]),
        path=str(row[5]),
        event_id=row[6] if row[6] is None else str(row[6]),
        intro_id=row[7] if row[7] is None else int(row[7]),
        created_at=parse_iso_utc(str(row[8])),
        updated_at=parse_iso_utc(str(row[9])),
        pushed_uid=row[10] if row[10] is None else int(row[10]),
        sent_at=parse_iso_utc(str(row[11])) if row[11] else None,
        recipients=tuple(sorted(json.loads(str(row[12])))),
    )


@dataclass(frozen=True, slots=True)
class NewDraft:
    """A draft to record: what `add_draft` takes, as one value for batches."""

    message_id: str
    kind: str
    subject: str
    path: str
    recipients: tuple[str, ...]
    support: tuple[SupportPlan, ...] = ()
    event_id: str | None = None
    intro_id: int | None = None


def add_draft(
    journal: Journal,
    *,
    message_id: str,
    kind: str,
    subject: str,
    path: str,
    recipients: Iterable[str],
    support: Iterable[SupportPlan],
    now: datetime,
    event_id: str | None = None,
    intro_id: int | None = None,
) -> int:
    """Record a new draft, its recipients and the support it will give; returns its id.

    With an `event_id`, also remembers that the event went to each recipient,
    so no later run drafts it to them again.
    """
    draft = NewDraft(
        message_id=message_id,
        kind=kind,
        subject=subject,
        path=path,
        recipients=tuple(recipients),
        support=tuple(support),
        event_id=event_id,
        intro_id=intro_id,
    )
    return add_drafts(journal, [draft], now=now)[0]


def add_drafts(journal: Journal, drafts: Sequence[NewDraft], *, now: datetime) -> list[int]:
    """Record many drafts in one transaction, a statement per table; returns their ids.

    Ids are handed out inside the write transaction (BEGIN IMMEDIATE holds the
    only write lock), so a batch of thousands costs a few statements, not
    four per draft.
    """
    if not drafts:
        return []
    stamp = iso_utc(now)
    with journal.transaction() as db:
        first = int(db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM drafts").fetchone()[0])
        ids = list(range(first, first + len(drafts)))
        db.executemany(
            "INSERT INTO drafts (id, message_id, kind, subject, path, event_id, intro_id,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i, d.message_id, d.kind, d.subject, d.path, d.event_id, d.intro_id, stamp, stamp)
                for i, d in zip(ids, drafts, strict=True)
            ],
        )
        recipients = [
            (i, c) for i, d in zip(ids, drafts, strict=True) for c in dict.fromkeys(d.recipients)
        ]
        db.executemany(
            "INSERT INTO draft_recipients (draft_id, contact_id) VALUES (?, ?)", recipients
        )
        db.executemany(
            "INSERT OR IGNORE INTO draft_support (draft_id, contact_id, kind, self_promotion,"
            " item, needs_line) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (i, s.contact_id, s.kind.value, int(s.self_promotion), s.item, int(s.needs_line))
                for i, d in zip(ids, drafts, strict=True)
                for s in d.support
            ],
        )
        # A share that was discarded frees its place: the new draft takes it.
        db.executemany(
            "INSERT INTO event_shares (event_id, contact_id, draft_id) VALUES (?, ?, ?)"
            " ON CONFLICT (event_id, contact_id) DO UPDATE SET draft_id = excluded.draft_id"
            " WHERE (SELECT status FROM drafts WHERE id = event_shares.draft_id)"
            " = 'discarded'",
            [
                (d.event_id, c, i)
                for i, d in zip(ids, drafts, strict=True)
                if d.event_id is not None
                for c in dict.fromkeys(d.recipients)
            ],
        )
    return ids


def get_draft(journal: Journal, draft_id: int) -> DraftRecord | None:
    row = journal.connection.execute(
        f"SELECT {_COLUMNS} FROM drafts d WHERE d.id = ?", (draft_id,)
    ).fetchone()
    return None if row is None else _draft(row)


def list_drafts(
    journal: Journal, *, statuses: Iterable[DraftStatus] | None = None
) -> list[DraftRecord]:
    query = f"SELECT {_COLUMNS} FROM drafts d"
    params: list[str] = []
    if statuses is not None:
        wanted = [s.value for s in statuses]
        query += f" WHERE d.status IN ({','.join('?' * len(wanted))})"
        params = wanted
    return [_draft(r) for r in journal.connection.execute(query + " ORDER BY d.id", params)]


def set_status(
    journal: Journal,
    draft_id: int,
    status: DraftStatus,
    *,
    now: datetime,
    pushed_uid: int | None = None,
) -> None:
    with journal.transaction() as db:
        db.execute(
            "UPDATE drafts SET status = ?, updated_at = ?,"
            " pushed_uid = COALESCE(?, pushed_uid) WHERE id = ?",
            (status.value, iso_utc(now), pushed_uid, draft_id),
        )


def mark_pushed(
    journal: Journal, pushed: Iterable[tuple[int, int | None]], *, now: datetime
) -> None:
    """Drafts now in the IMAP Drafts folder, with the UID there when known: one transaction."""
    with journal.transaction() as db:
        db.executemany(
            "UPDATE drafts SET status = 'pushed', updated_at = ?,"
            " pushed_uid = COALESCE(?, pushed_uid) WHERE id = ? AND status = 'drafted'",
            [(iso_utc(now), uid, draft_id) for draft_id, uid in pushed],
        )


def set_path(journal: Journal, draft_id: int, path: str, *, now: datetime) -> None:
    """Where the draft's file now lives (after a move to sent/), workspace-relative."""
    with journal.transaction() as db:
        db.execute(
            "UPDATE drafts SET path = ?, updated_at = ? WHERE id = ?",
            (path, iso_utc(now), draft_id),
        )


def pending_paths(journal: Journal) -> set[str]:
    """The files of drafts still awaiting review, which a new draft must not overwrite."""
    rows = journal.connection.execute(
        "SELECT path FROM drafts WHERE status IN ('drafted', 'pushed')"
    )
    return {str(r[0]) for r in rows}


def waiting_for(journal: Journal, contact_ids: Iterable[str]) -> dict[str, list[int]]:
    """For each of these contacts, the ids of drafts to them still awaiting review."""
    wanted = list(dict.fromkeys(contact_ids))
    waiting: dict[str, list[int]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = journal.connection.execute(
            "SELECT r.contact_id, d.id FROM draft_recipients r JOIN drafts d ON d.id = r.draft_id"
            f" WHERE r.contact_id IN ({','.join('?' * len(chunk))})"
            " AND d.status IN ('drafted', 'pushed') ORDER BY d.id",
            chunk,
        )
        for contact_id, draft_id in rows:
            waiting.setdefault(str(contact_id), []).append(int(draft_id))
    return waiting


def shared_events(
    journal: Journal, event_ids: Iterable[str], *, with_discarded: bool = False
) -> dict[str, set[str]]:
    """For each event, the contacts it has already been drafted to: one query for all.

    `with_discarded` counts discarded drafts too: the user decided against them.
    """
    excluded = "'none'" if with_discarded else "'discarded'"
    wanted = list(dict.fromkeys(event_ids))
    shared: dict[str, set[str]] = {e: set() for e in wanted}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = journal.connection.execute(
            "SELECT s.event_id, s.contact_id FROM event_shares s"
            " JOIN drafts d ON d.id = s.draft_id"
            f" WHERE s.event_id IN ({','.join('?' * len(chunk))}) AND d.status != {excluded}",
            chunk,
        )
        for event_id, contact_id in rows:
            shared[str(event_id)].add(str(contact_id))
    return shared


def sent_event_shares(journal: Journal, event_ids: Iterable[str]) -> dict[str, set[str]]:
    """For each event, the contacts a share of it was sent to (replied to counts as sent)."""
    wanted = list(dict.fromkeys(event_ids))
    sent: dict[str, set[str]] = {e: set() for e in wanted}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = journal.connection.execute(
            "SELECT s.event_id, s.contact_id FROM event_shares s"
            " JOIN drafts d ON d.id = s.draft_id"
            f" WHERE s.event_id IN ({','.join('?' * len(chunk))})"
            " AND d.status IN ('sent', 'replied')",
            chunk,
        )
        for event_id, contact_id in rows:
            sent[str(event_id)].add(str(contact_id))
    return sent


def mark_sent(
    journal: Journal,
    draft_id: int,
    *,
    at: datetime,
    source: str,
    now: datetime,
    line_written: bool = False,
) -> bool:
    """Mark a draft sent and record the support it gives as touches, in one transaction.

    Support that needs the personal line (a share's recipient) is recorded
    only with `line_written`: the send path knows; a copy seen in the Sent
    folder is read by its headers alone, so there it counts as contact only.
    Idempotent: a draft already sent changes nothing and
    returns False, so SMTP sending and the Sent-folder sync never both count.
    """
    with journal.transaction() as db:
        row = db.execute(
            "SELECT message_id, sent_at FROM drafts WHERE id = ?", (draft_id,)
        ).fetchone()
        # sent_at, not status: a reply can be linked before the Sent copy is seen.
        if row is None or row[1] is not None:
            return False
        message_id = str(row[0])
        stamp = iso_utc(at)
        db.execute(
            "UPDATE drafts SET sent_at = ?, updated_at = ?,"
            " status = CASE status WHEN 'replied' THEN 'replied' ELSE 'sent' END WHERE id = ?",
            (stamp, iso_utc(now), draft_id),
        )
        # A send that was in doubt is settled once the message is known to have gone.
        db.execute(
            "UPDATE send_intents SET outcome = 'sent', settled_at = ?"
            " WHERE draft_id = ? AND outcome IS NULL",
            (iso_utc(now), draft_id),
        )
        db.execute(
            "INSERT INTO touches (contact_id, kind, direction, at, message_id, source, detail,"
            " self_promotion, recorded_at, item)"
            " SELECT contact_id, kind, ?, ?, ?, ?, ?, self_promotion, ?, item FROM draft_support"
            " WHERE draft_id = ? AND (needs_line = 0 OR ?) ON CONFLICT DO NOTHING",
            (
                Direction.OUTBOUND.value,
                stamp,
                message_id,
                source,
                f"draft {draft_id}",
                iso_utc(now),
                draft_id,
                int(line_written),
            ),
        )
        return True


def link_reply(
    journal: Journal,
    *,
    referenced_ids: Sequence[str],
    contact_id: str,
    reply_message_id: str,
    at: datetime,
) -> int | None:
    """Link a reply to the draft it answers (by In-Reply-To/References); the draft's id.

    Called by sync inside its batch transaction; a second call for the same
    draft and contact is a no-op.
    """
    if not referenced_ids:
        return None
    marks = ",".join("?" * len(referenced_ids))
    db = journal.connection
    row = db.execute(
        f"SELECT d.id FROM drafts d JOIN draft_recipients r ON r.draft_id = d.id"
        f" WHERE d.message_id IN ({marks}) AND r.contact_id = ? ORDER BY d.id DESC LIMIT 1",
        (*referenced_ids, contact_id),
    ).fetchone()
    if row is None:
        return None
    draft_id = int(row[0])
    with journal.transaction():
        db.execute(
            "INSERT OR IGNORE INTO draft_replies (draft_id, contact_id, message_id, at)"
            " VALUES (?, ?, ?, ?)",
            (draft_id, contact_id, reply_message_id, iso_utc(at)),
        )
        db.execute(
            "UPDATE drafts SET status = 'replied' WHERE id = ?"
            " AND status IN ('drafted', 'pushed', 'sent')",
            (draft_id,),
        )
    return draft_id
