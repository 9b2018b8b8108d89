"""Next steps for contacts past their cadence: share an event, introduce, or check in.

Pure. An upcoming event that matches the contact comes first, then the best
introduction `suggest_introductions` offers for them, then a check-in shaped
by why the relationship matters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from outreach.base.model import Contact, Event, Roster, Why
from outreach.core.recent_work import RecentItem
from outreach.core.report.model import NextStep, StepKind
from outreach.core.shares import upcoming
from outreach.core.suggest import IntroSuggestion

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
        # Upcoming as drafting sees it.
        # A series stands for its next occurrence, as drafting shares it.
        for event in upcoming((e for e in events if not e.is_self_promotion), now=now):
            for key in _recipient_keys(event):
                self._by_key[key].append(event)

    def best_for(self, contact: Contact) -> tuple[Event, tuple[str, ...]] | None:
        """The soonest upcoming event for `contact` not yet shared with them, and the
        tags it shares with them (empty when the event names them in share_with)."""
        keys = [f"id:{contact.id}", f"circle:{contact.circle}", *(f"tag:{t}" for t in contact.tags)]
        fitting = [
            event
            for key in keys
            for event in self._by_key.get(key, ())
            if event.host != contact.id and contact.id not in self._shared.get(event.id, ())
        ]
        if not fitting:
            return None
        event = min(fitting, key=lambda e: (e.start, e.id))
        return event, tuple(t for t in event.tags if t in contact.tags)


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
    """The introduction `suggest_introductions(roster, involving=id, limit=1)` returns,
    found without ranking every pair around the contact.

    The same rules (a shared tag, and at least one of the two wanting to connect
    people; pairs the intros table knows left out) and the same order (more
    shared tags, then both connecting, then ids), worked out from a tag index
    built once: asking `suggest_introductions` per contact costs a second or
    more when thousands are overdue. A test holds the two to the same answers.
    """

    def __init__(self, roster: Roster, already_introduced: Collection[frozenset[str]]) -> None:
        self._roster = roster
        self._known: dict[str, set[str]] = defaultdict(set)  # id -> ids already paired with
        for pair in already_introduced:
            for one in pair:
                self._known[one].update(pair - {one})
        self._members: dict[str, list[str]] = defaultdict(list)
        self._connectors: dict[str, list[str]] = defaultdict(list)
        for contact in roster:
            for tag in dict.fromkeys(contact.tags):
                self._members[tag].append(contact.id)
                if Why.CONNECT in contact.why:
                    self._connectors[tag].append(contact.id)

    def best_for(self, contact: Contact) -> IntroSuggestion | None:
        connects = Why.CONNECT in contact.why
        pools = self._members if connects else self._connectors
        shared: dict[str, int] = {}  # partner id -> tags in common
        for tag in dict.fromkeys(contact.tags):
            for other_id in pools.get(tag, ()):
                shared[other_id] = shared.get(other_id, 0) + 1
        shared.pop(contact.id, None)
        for known in self._known.get(contact.id, ()):
            shared.pop(known, None)
        if not shared:
            return None
        # Scores are whole shared tags plus 0.5 when both connect, so the most
        # shared tags win, then both connecting, then the pair's ids in order.
        most = max(shared.values())
        best = [self._roster[i] for i, count in shared.items() if count == most]
        if connects and any(Why.CONNECT in c.why for c in best):
            best = [c for c in best if Why.CONNECT in c.why]
        partner = min(best, key=lambda c: sorted((c.id, contact.id)))
        a, b = (contact, partner) if contact.id < partner.id else (partner, contact)
        score = most + (0.5 if connects and Why.CONNECT in partner.why else 0.0)
        tags = tuple(sorted(set(a.tags) & set(b.tags)))
        return IntroSuggestion(a=a, b=b, shared_tags=tags, score=score)


def next_step(
    contact: Contact,
    events: EventIndex,
    intros: IntroFinder,
    recent: Mapping[str, RecentItem] | None = None,
) -> NextStep:
    item = recent.get(contact.id) if recent else None
    if item is not None:
        where = f" ({item.link})" if item.link else ""
        return NextStep(
            kind=StepKind.FEEDBACK,
            text=f"give feedback on {item.label}{where}, then"
            f" `outreach touch {contact.id} --kind feedback`",
            link=item.link,
        )
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
            reason=suggestion.reason,
        )
    asks = [CHECK_INS[w] for w in contact.why] or ["ask how things are going"]
    return NextStep(kind=StepKind.CHECK_IN, text=f"check in: {asks[0]}")
