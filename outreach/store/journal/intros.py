"""Introductions in the journal: the `intros` table and its double opt-in answers.

A double opt-in intro is 'asked' until each person's answer to their ask
(`answers`) is a yes; then the joint introduction can be drafted.
Nothing here chases anyone: stale asks are only reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.core.intros import IntroMode, IntroStatus, opt_in_status, ordered_pair
from outreach.store.journal.answers import latest_answers
from outreach.store.journal.store import Journal


@dataclass(frozen=True, slots=True)
class IntroRecord:
    id: int
    contact_a: str  # the smaller id
    contact_b: str
    why: str
    mode: IntroMode
    status: IntroStatus
    created_at: datetime
    updated_at: datetime

    @property
    def pair(self) -> tuple[str, str]:
        return (self.contact_a, self.contact_b)


_COLUMNS = "id, contact_a, contact_b, why, mode, status, created_at, updated_at"


def _intro(row: Sequence[object]) -> IntroRecord:
    return IntroRecord(
        id=int(str(row[0])),
        contact_a=str(row[1]),
        contact_b=str(row[2]),
        why=str(row[3]),
        mode=IntroMode(str(row[4])),
        status=IntroStatus(str(row[5])),
        created_at=parse_iso_utc(str(row[6])),
        updated_at=parse_iso_utc(str(row[7])),
    )


def create_intro(
    journal: Journal,
    a: str,
    b: str,
    *,
    why: str,
    mode: IntroMode,
    status: IntroStatus,
    now: datetime,
) -> int:
    first, second = ordered_pair(a, b)
    stamp = iso_utc(now)
    with journal.transaction() as db:
        cursor = db.execute(
            "INSERT INTO intros (contact_a, contact_b, why, mode, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (first, second, why, mode.value, status.value, stamp, stamp),
        )
        return int(cursor.lastrowid or 0)


def get_intro(journal: Journal, intro_id: int) -> IntroRecord | None:
    row = journal.connection.execute(
        f"SELECT {_COLUMNS} FROM intros WHERE id = ?", (intro_id,)
    ).fetchone()
    return None if row is None else _intro(row)


def set_intro_status(
    journal: Journal, intro_id: int, status: IntroStatus, *, now: datetime
) -> None:
    with journal.transaction() as db:
        db.execute(
            "UPDATE intros SET status = ?, updated_at = ? WHERE id = ?",
            (status.value, iso_utc(now), intro_id),
        )


def open_intro_for(journal: Journal, a: str, b: str) -> IntroRecord | None:
    """The pair's latest intro that is still under way or done (not declined)."""
    first, second = ordered_pair(a, b)
    row = journal.connection.execute(
        f"SELECT {_COLUMNS} FROM intros WHERE contact_a = ? AND contact_b = ?"
        " AND status != 'declined' ORDER BY id DESC LIMIT 1",
        (first, second),
    ).fetchone()
    return None if row is None else _intro(row)


def declined_intro_for(journal: Journal, a: str, b: str) -> IntroRecord | None:
    """The pair's latest declined intro: a no, or a discarded ask or introduction."""
    first, second = ordered_pair(a, b)
    row = journal.connection.execute(
        f"SELECT {_COLUMNS} FROM intros WHERE contact_a = ? AND contact_b = ?"
        " AND status = 'declined' ORDER BY id DESC LIMIT 1",
        (first, second),
    ).fetchone()
    return None if row is None else _intro(row)


def introduced_pairs(journal: Journal) -> set[frozenset[str]]:
    """Every pair with an intro of any status: not to be suggested again."""
    rows = journal.connection.execute("SELECT DISTINCT contact_a, contact_b FROM intros")
    return {frozenset((str(a), str(b))) for a, b in rows}


def intros_with_status(journal: Journal, statuses: Iterable[IntroStatus]) -> list[IntroRecord]:
    """Every intro in one of `statuses`, oldest first (a contact's story lists theirs)."""
    wanted = [s.value for s in statuses]
    marks = ",".join("?" * len(wanted))
    rows = journal.connection.execute(
        f"SELECT {_COLUMNS} FROM intros WHERE status IN ({marks}) ORDER BY id", wanted
    )
    return [_intro(r) for r in rows]


def ready_intros(journal: Journal) -> list[IntroRecord]:
    """Double opt-in intros whose two people both said yes (each one's latest answer).

    A reply alone is not a yes: its text is judged (see `answers`), and only
    two unambiguous yeses make the joint introduction.
    """
    rows = journal.connection.execute(
        f"SELECT {_COLUMNS} FROM intros WHERE mode = 'double_opt_in'"
        " AND status IN ('asked', 'ready') ORDER BY id"
    )
    candidates = [_intro(r) for r in rows]
    latest = latest_answers(journal, [i.id for i in candidates])
    return [
        intro
        for intro in candidates
        if opt_in_status(intro.pair, {c: a.answer for c, a in latest.get(intro.id, {}).items()})
        is IntroStatus.READY
    ]
