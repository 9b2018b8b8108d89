"""Next steps for contacts past their cadence: share an event, introduce, or check in.

Pure. An upcoming event that matches the contact comes first, then the best
introduction `suggest_introductions` offers for them, then a check-in shaped
by why the relationship matters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from outreach.model import Contact, Event, Roster, Why
from outreach.report.model import NextStep, StepKind
from outreach.suggest import IntroSuggestion, suggest_introductions

CHECK_INS = {
    Why.LEARN: "ask what they are working on and learning",
    Why.CONTRIBUTE: "ask where a hand would help their work",
    Why.CONNECT: "ask whom they would like to meet",
}


class EventIndex:
    """Upcoming events worth sharing, found by contact id, tag or circle.

    Recipients are chosen as `outreach draft shares` chooses them (the
    event's `share_with`, else tag overlap, never the host), so a next step
    never names an event that drafting would not send that person. Only
    others' events count: sharing the user's own is self-promotion, not support.
    """

    def __init__(
        self, events: Iterable[Event], *, now: datetime, shared: Mapping[str, Collection[str]]
    ) -> None:
        self._shared = shared
        self._by_key: dict[str, list[Event]] = defaultdict(list)
        # Over once started, or once ended when it has an end (as drafting sees it).
        upcoming = [e for e in events if not e.is_self_promotion and (e.end or e.start) > now]
        for event in sorted(upcoming, key=lambda e: (e.start, e.id)):
            for key in _recipient_keys(event):
                self._by_key[key].append(event)

    def best_for(self, contact: Contact) -> tuple[Event, tuple[str, ...]] | None:
        """The soonest upcoming event for `contact` not yet shared with them, and the
        tags it shares with them (empty when the event names them in share_with)."""
        keys = [f"id:{contact.id}", f"circle:{contact.circle}", *(f"tag:{t}" for t in contact.tags)]
        candidates = {e.id: e for key in keys for e in self._by_key.get(key, ())}
        for event in sorted(candidates.values(), key=lambda e: (e.start, e.id)):
            if event.host == contact.id or contact.id in self._shared.get(event.id, ()):
                continue
            return event, tuple(t for t in event.tags if t in contact.tags)
        return None


def _recipient_keys(event: Event) -> set[str]:
    """Index keys naming who may receive `event`: "id:X", "tag:X" or "circle:C"."""
    if not event.share_with:
        return {f"tag:{t}" for t in event.tags}
    keys = set()
    for target in event.share_with:
        kind, _, name = target.partition(":")
        if kind == "tag" and name:
            keys.add(f"tag:{name.strip().lower()}")
        elif kind == "circle" and name:
            keys.add(f"circle:{name}")
        else:
            keys.add(f"id:{target}")
    return keys


class IntroFinder:
    """`suggest_introductions(..., involving=id)`, asked of a small roster.

    Only people who share a tag with the contact can be paired with them, so
    asking on that sub-roster gives the same answer as on the whole roster at
    a fraction of the cost: the difference between seconds and milliseconds
    when thousands of contacts are overdue.
    """

    def __init__(self, roster: Roster, already_introduced: Collection[frozenset[str]]) -> None:
        self._introduced = already_introduced
        self._by_tag: dict[str, list[Contact]] = defaultdict(list)
        for contact in roster:
            for tag in contact.tags:
                self._by_tag[tag].append(contact)

    def best_for(self, contact: Contact) -> IntroSuggestion | None:
        near = {contact.id: contact}
        for tag in contact.tags:
            near.update((c.id, c) for c in self._by_tag.get(tag, ()))
        found = suggest_introductions(
            Roster.of(near.values()),
            already_introduced=self._introduced,
            involving=contact.id,
            limit=1,
        )
        return found[0] if found else None


def next_step(contact: Contact, events: EventIndex, intros: IntroFinder) -> NextStep:
    match = events.best_for(contact)
    if match is not None:
        event, tags = match
        why = f"it is about {', '.join(tags)}" if tags else "the event lists them"
        return NextStep(
            kind=StepKind.SHARE_EVENT,
            text=f'share "{event.title}" ({event.start.date().isoformat()}): {why}',
            event=event,
            shared_tags=tags,
        )
    suggestion = intros.best_for(contact)
    if suggestion is not None:
        partner = suggestion.b if suggestion.a.id == contact.id else suggestion.a
        return NextStep(
            kind=StepKind.INTRODUCE,
            text=f"introduce to {partner.name}: {suggestion.reason}",
            partner=partner,
            shared_tags=suggestion.shared_tags,
        )
    asks = [CHECK_INS[w] for w in contact.why] or ["ask how things are going"]
    return NextStep(kind=StepKind.CHECK_IN, text=f"check in: {asks[0]}")
