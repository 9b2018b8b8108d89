"""Next steps for contacts past their cadence, knowing what is going on.

Pure. In order: answer a reply, review a waiting draft, give feedback on
their recent work, share an upcoming event, introduce them, meet a focus
contact in person, else a check-in shaped by why the relationship matters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from outreach.base.model import Contact, Event, Roster, Why
from outreach.core.report.model import NextStep, Situation, StepKind, Work
from outreach.core.shares import is_over, upcoming
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

    def exclude(self, a: str, b: str) -> None:
        """Leave the pair out from now on (it was proposed once already)."""
        self._known[a].add(b)
        self._known[b].add(a)

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


# How far back a reply still waits for an answer, and a work for feedback.
ANSWER_WITHIN_DAYS = 30
FEEDBACK_WITHIN_DAYS = 30


def hosted_lately(
    events: Iterable[Event], *, now: datetime, days: int = FEEDBACK_WITHIN_DAYS
) -> dict[str, Work]:
    """Per host, the latest of their events that took place in the last `days`.

    The contacts' own posts (from their feeds) join these the same way: a
    `Work` per contact, the newest winning.
    """
    found: dict[str, Work] = {}
    for event in events:
        if event.is_self_promotion or not is_over(event, now=now):
            continue
        ended = event.end or event.start
        if (now - ended).days > days:
            continue
        current = found.get(event.host)
        if current is None or current.at < event.start:
            found[event.host] = Work(title=event.title, at=event.start, url=event.url)
    return found


class StepFinder:
    """The next step for each contact past their cadence, in order of urgency.

    Answer a reply still waiting; review a draft already waiting for them;
    give feedback on something they recently published or hosted; share an
    upcoming event; introduce them (no pair twice in one report, never a pair
    the intros table knows, a declined one included); meet a focus contact
    not met in `meet_every_days`; else check in.
    """

    def __init__(
        self,
        events: EventIndex,
        intros: IntroFinder,
        situation: Situation,
        *,
        now: datetime,
        meet_every_days: int,
        focus: str = "focus",
    ) -> None:
        self._events = events
        self._intros = intros
        self._situation = situation
        self._now = now
        self._meet_every = meet_every_days
        self._focus = focus

    def next_step(self, contact: Contact) -> NextStep:
        known = self._situation
        reply = known.unanswered.get(contact.id)
        if reply is not None:
            return NextStep(
                kind=StepKind.ANSWER,
                text=f'answer their email of {reply.at.date().isoformat()}, "{reply.subject}"',
                about=reply.subject,
                about_at=reply.at,
            )
        draft_id = known.drafts_waiting.get(contact.id)
        if draft_id is not None:
            return NextStep(
                kind=StepKind.REVIEW_DRAFT,
                text=f"review draft {draft_id}, waiting for them (`outreach drafts show"
                f" {draft_id}`)",
                draft_id=draft_id,
            )
        work = known.recent_work.get(contact.id)
        if work is not None:
            return feedback_step(contact, work)
        step = share_or_introduce(contact, self._events, self._intros)
        if step is not None:
            return step
        if contact.circle == self._focus:
            met = known.last_meeting.get(contact.id)
            if met is None or (self._now - met).days > self._meet_every:
                since = "never met" if met is None else f"last met {met.date().isoformat()}"
                return NextStep(kind=StepKind.MEET, text=f"meet in person ({since})")
        return check_in(contact)


def feedback_step(contact: Contact, work: Work) -> NextStep:
    """Tell them what you thought of their post or event, then record it as feedback."""
    where = f", {work.url}" if work.url else ""
    return NextStep(
        kind=StepKind.FEEDBACK,
        text=f'tell them what you thought of their {work.kind} "{work.title}"'
        f" ({work.at.date().isoformat()}{where}), then"
        f" `outreach touch {contact.id} --kind feedback`",
        link=work.url,
        about=work.title,
        about_at=work.at,
    )


def share_or_introduce(
    contact: Contact, events: EventIndex, intros: IntroFinder
) -> NextStep | None:
    """An upcoming event to share with them, else the best introduction, else None."""
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
    if suggestion is None:
        return None
    # The pair is proposed once in a report, from whichever side comes first.
    intros.exclude(suggestion.a.id, suggestion.b.id)
    partner = suggestion.b if suggestion.a.id == contact.id else suggestion.a
    return NextStep(
        kind=StepKind.INTRODUCE,
        text=f"introduce to {partner.name}: {suggestion.reason}",
        partner=partner,
        shared_tags=suggestion.shared_tags,
        reason=suggestion.reason,
    )


def check_in(contact: Contact) -> NextStep:
    asks = [CHECK_INS[w] for w in contact.why] or ["ask how things are going"]
    return NextStep(kind=StepKind.CHECK_IN, text=f"check in: {asks[0]}")


def next_step(contact: Contact, events: EventIndex, intros: IntroFinder) -> NextStep:
    """The step when nothing else is known of them: share, introduce, else check in."""
    return share_or_introduce(contact, events, intros) or check_in(contact)
