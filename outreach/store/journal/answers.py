"""Answers to introduction asks: each person's yes, no or unclear, and where it came from.

Sync records a reply's answer (first as unclear, then judged once its text
is read); `outreach intro yes|no` records one by hand. The latest answer of
each person counts. A no declines the intro at once; nothing here tells the
other person anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.core.consent import Answer
from outreach.store.journal.store import Journal

NOT_READ = "(the answer's text was not read yet)"


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    intro_id: int
    contact_id: str
    answer: Answer
    at: datetime
    excerpt: str
    source: str  # 'mail' or 'manual'
    message_id: str | None


def record_answer(
    journal: Journal,
    *,
    intro_id: int,
    contact_id: str,
    answer: Answer,
    at: datetime,
    source: str,
    now: datetime,
    message_id: str | None = None,
    excerpt: str = "",
) -> None:
    """Record one answer (a reply's is recorded once however often it is seen)."""
    with journal.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO intro_answers (intro_id, contact_id, answer, at, message_id,"
            " excerpt, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                intro_id,
                contact_id,
                answer.value,
                iso_utc(at),
                message_id,
                excerpt,
                source,
                iso_utc(now),
            ),
        )
        _settle_intro(journal, intro_id, now=now)


def judge_reply(
    journal: Journal, *, message_id: str, answer: Answer, excerpt: str, now: datetime
) -> None:
    """Replace a reply's provisional 'unclear' with the answer read from its text."""
    with journal.transaction() as db:
        rows = db.execute(
            "SELECT DISTINCT intro_id FROM intro_answers WHERE message_id = ?", (message_id,)
        ).fetchall()
        db.execute(
            "UPDATE intro_answers SET answer = ?, excerpt = ? WHERE message_id = ?",
            (answer.value, excerpt, message_id),
        )
        for (intro_id,) in rows:
            _settle_intro(journal, int(intro_id), now=now)


def _settle_intro(journal: Journal, intro_id: int, *, now: datetime) -> None:
    """A person's latest answer being no declines the intro, quietly."""
    latest = latest_answers(journal, [intro_id]).get(intro_id, {})
    if Answer.NO in {a.answer for a in latest.values()}:
        journal.connection.execute(
            "UPDATE intros SET status = 'declined', updated_at = ?"
            " WHERE id = ? AND status IN ('asked', 'ready')",
            (iso_utc(now), intro_id),
        )


def latest_answers(
    journal: Journal, intro_ids: Iterable[int] | None = None
) -> dict[int, dict[str, AnswerRecord]]:
    """For each intro, each person's latest answer (by its date, then as recorded)."""
    query = (
        "SELECT intro_id, contact_id, answer, at, excerpt, source, message_id FROM intro_answers"
    )
    params: list[int] = []
    if intro_ids is not None:
        params = list(intro_ids)
        query += f" WHERE intro_id IN ({','.join('?' * len(params))})"
    found: dict[int, dict[str, AnswerRecord]] = {}
    for row in journal.connection.execute(query + " ORDER BY at, id", params):
        record = AnswerRecord(
            intro_id=int(row[0]),
            contact_id=str(row[1]),
            answer=Answer(str(row[2])),
            at=parse_iso_utc(str(row[3])),
            excerpt=str(row[4]),
            source=str(row[5]),
            message_id=None if row[6] is None else str(row[6]),
        )
        found.setdefault(record.intro_id, {})[record.contact_id] = record
    return found
