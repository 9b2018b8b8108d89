"""Manual touches: support that happened outside email (met, gave feedback, shared)."""

from __future__ import annotations

from datetime import datetime

from outreach.base.errors import InputError, Problem
from outreach.base.model import Direction, Touch, TouchKind
from outreach.core.validation import did_you_mean
from outreach.store.journal import Journal
from outreach.store.journal.touches import record_touch
from outreach.store.workspace import Workspace

MANUAL_KINDS = ("meeting", "feedback", "share", "intro", "promotion", "note")


def record_manual_touch(
    workspace: Workspace,
    journal: Journal,
    contact_id: str,
    *,
    kind: str,
    at: datetime,
    note: str,
    now: datetime,
) -> Touch:
    """Record one manual touch for a roster contact; returns what was recorded."""
    if contact_id not in workspace.roster:
        ids = [c.id for c in workspace.roster]
        raise InputError(
            [
                Problem(
                    str(workspace.roster_path),
                    f"no contact '{contact_id}' in the roster{did_you_mean(contact_id, ids)}",
                )
            ],
            hint="`outreach contacts list` shows every id",
        )
    if kind not in MANUAL_KINDS:
        raise InputError(f"--kind '{kind}' is not one of {', '.join(MANUAL_KINDS)}")
    if at > now:
        # The journal's last-touch dates never move backwards, so a touch in
        # the future would pin this contact's dates until that day.
        raise InputError(
            f"--date {at.date().isoformat()} is in the future; record a touch once it happened"
        )
    if "\r" in note or "\n" in note:
        note = " ".join(note.split())
    touch = Touch(
        contact_id=contact_id,
        kind=TouchKind(kind),
        at=at,
        detail=note,
        direction=Direction.NONE,
        source="manual",
    )
    record_touch(journal, touch, now=now)
    return touch
