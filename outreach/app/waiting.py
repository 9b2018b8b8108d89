"""Who already has drafts waiting: the note drafting adds, so the pace is no surprise.

`drafts send` holds back what would exceed `[send] max_per_person`; saying so
while drafting lets the person choose which of the drafts to keep.
"""

from __future__ import annotations

from collections.abc import Sequence

from outreach.app.draft_batches import DraftInfo
from outreach.store.journal import Journal
from outreach.store.journal.drafts import waiting_for
from outreach.store.workspace import Workspace

# Named one by one up to this many people; beyond, a count (a batch of thousands).
WAITING_NAMED = 5


def already_waiting(
    workspace: Workspace, journal: Journal, drafts: Sequence[DraftInfo]
) -> list[str]:
    """Notes on people who now have more than one draft waiting: mind the pace."""
    new = {d.id for d in drafts}
    waiting = waiting_for(journal, (c for d in drafts for c in d.recipients))
    crowded = {c: ids for c, ids in waiting.items() if any(i not in new for i in ids)}
    if not crowded:
        return []
    pace = workspace.config.send
    rule = f"`drafts send` sends at most {pace.max_per_person} per {pace.per_days} days"
    if len(crowded) > WAITING_NAMED:
        return [f"{len(crowded)} people now have more than one draft waiting; {rule}"]
    return [
        f"{contact} already had drafts waiting ({', '.join(str(i) for i in ids if i not in new)});"
        f" {rule}"
        for contact, ids in crowded.items()
    ]
