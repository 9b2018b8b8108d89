"""Who gets which event: planning event shares from events, roster and history.

Pure: takes the events, the roster, what was already shared (from the
journal) and `now`; returns the shares to draft. Never the host, never an
event already over, never the same event twice to the same person.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from outreach.base.errors import InputError, Problem
from outreach.base.model import ME, Contact, Event, Roster
from outreach.core.recur import is_over, next_occurrence
from outreach.core.validation import did_you_mean

__all__ = ["PlannedShare", "SharePlan", "choose_recipients", "is_over", "plan_shares", "upcoming"]


@dataclass(frozen=True, slots=True)
class PlannedShare:
    event: Event
    contact: Contact
    chosen_by: str  # "share_with" or "tags": why this person was picked


@dataclass(frozen=True, slots=True)
class SharePlan:
    shares: tuple[PlannedShare, ...]
    notes: tuple[str, ...]  # events left out, and why

    @property
    def self_promotion(self) -> int:
        """How many of the shares promote the user's own events."""
        return sum(1 for s in self.shares if s.event.is_self_promotion)


def upcoming(events: Iterable[Event], *, now: datetime) -> list[Event]:
    """Each event not over at `now`, a series as of its next occurrence; soonest first."""
    found = (next_occurrence(event, now=now) for event in events)
    return sorted((e for e in found if e is not None), key=lambda e: (e.start, e.id))


def choose_recipients(event: Event, roster: Roster) -> list[tuple[Contact, str]]:
    """The event's `share_with` (ids, `tag:X`, `circle:C`), else tag overlap; never the host.

    Roster order, each contact once.
    """
    chosen: dict[str, tuple[Contact, str]] = {}
    if event.share_with:
        wanted_ids: set[str] = set()
        wanted_tags: set[str] = set()
        wanted_circles: set[str] = set()
        for target in event.share_with:
            kind, _, name = target.partition(":")
            if kind == "tag" and name:
                wanted_tags.add(name.strip().lower())
            elif kind == "circle" and name:
                wanted_circles.add(name)
            else:
                wanted_ids.add(target)
        for contact in roster:
            if (
                contact.id in wanted_ids
                or contact.circle in wanted_circles
                or wanted_tags.intersection(contact.tags)
            ):
                chosen.setdefault(contact.id, (contact, "share_with"))
    else:
        event_tags = set(event.tags)
        for contact in roster:
            if event_tags.intersection(contact.tags):
                chosen.setdefault(contact.id, (contact, "tags"))
    chosen.pop(event.host, None)
    return list(chosen.values())


def find_event(events: Sequence[Event], event_id: str) -> Event:
    for event in events:
        if event.id == event_id:
            return event
    raise InputError(
        [
            Problem(
                "--event",
                f"no event '{event_id}' in events.toml"
                + did_you_mean(event_id, [e.id for e in events]),
            )
        ],
        hint="list them with `outreach events list`",
    )


def plan_shares(
    events: Iterable[Event],
    roster: Roster,
    *,
    now: datetime,
    already_shared: Mapping[str, Collection[str]],
    limit: int | None = None,
    only: Collection[str] | None = None,
) -> SharePlan:
    """One share per (upcoming event, chosen recipient) not already shared; soonest events first.

    A series is shared as of its next occurrence (the one after, once that is
    over), and with each person once. `only` (contact ids) keeps just those
    recipients, for sharing with one person.
    """
    shares: list[PlannedShare] = []
    notes: list[str] = []
    ordered = []
    for event in events:
        current = next_occurrence(event, now=now)
        if current is None:
            notes.append(f"{event.id}: already over, not shared")
        else:
            ordered.append(current)
    for event in sorted(ordered, key=lambda e: (e.start, e.id)):
        if limit is not None and len(shares) >= limit:
            break
        if event.host != ME and event.host not in roster:
            notes.append(f"{event.id}: host '{event.host}' is not in the roster, not shared")
            continue
        recipients = choose_recipients(event, roster)
        if not recipients:
            notes.append(f"{event.id}: nobody to share it with (no share_with, no tag overlap)")
            continue
        done = already_shared.get(event.id, ())
        # `shares = false` in the roster is the person's wish: never overridden.
        fresh = [
            (c, why)
            for c, why in recipients
            if c.id not in done and c.shares and (only is None or c.id in only)
        ]
        for contact, chosen_by in fresh:
            if limit is not None and len(shares) >= limit:
                break
            shares.append(PlannedShare(event=event, contact=contact, chosen_by=chosen_by))
    return SharePlan(shares=tuple(shares), notes=tuple(notes))
