"""The pace per person: which drafts would take someone past `[send] max_per_person`.

Pure: given the emails each contact already got within the window and the
drafts in the order they would go, says which contacts each draft would take
over the limit. Drafts held back do not count against later ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def over_pace(
    recent: Mapping[str, int],
    drafts: Sequence[tuple[int, Sequence[str]]],
    *,
    limit: int,
) -> dict[int, tuple[str, ...]]:
    """Draft id → the contacts it would take past `limit`, for the drafts that would."""
    counts = dict(recent)
    over: dict[int, tuple[str, ...]] = {}
    for draft_id, contacts in drafts:
        beyond = tuple(c for c in dict.fromkeys(contacts) if counts.get(c, 0) + 1 > limit)
        if beyond:
            over[draft_id] = beyond
            continue
        for contact in dict.fromkeys(contacts):
            counts[contact] = counts.get(contact, 0) + 1
    return over
