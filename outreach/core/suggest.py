"""Who should know each other: ranking introductions from the roster alone.

Pure. A pair is worth suggesting when the two share tags and at least one of
them is someone the user wants to connect with others (why = connect), and
they have not been introduced already.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from outreach.base.model import Contact, Roster, Why


@dataclass(frozen=True, slots=True)
class IntroSuggestion:
    a: Contact
    b: Contact
    shared_tags: tuple[str, ...]
    score: float

    @property
    def reason(self) -> str:
        tags = ", ".join(self.shared_tags)
        connector = self.a if Why.CONNECT in self.a.why else self.b
        return f"both care about {tags}; you want to connect {connector.first_name} with others"


def pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def suggest_introductions(
    roster: Roster,
    *,
    already_introduced: Collection[frozenset[str]] = (),
    involving: str | None = None,
    limit: int | None = None,
) -> list[IntroSuggestion]:
    """Pairs ranked best first: more shared tags first, both wanting to connect next.

    `involving` restricts the pairs to those that include that contact. Ties
    are broken by contact ids, so the order is stable from run to run.
    """
    by_tag: dict[str, list[Contact]] = defaultdict(list)
    for contact in roster:
        for tag in contact.tags:
            by_tag[tag].append(contact)
    candidates: dict[frozenset[str], tuple[Contact, Contact]] = {}
    for members in by_tag.values():
        connectors = [c for c in members if Why.CONNECT in c.why]
        if involving is not None:
            anchor = roster.get(involving)
            if anchor is None or anchor not in members:
                continue
            pool = members if Why.CONNECT in anchor.why else connectors
            pairs = ((anchor, other) for other in pool)
        else:
            pairs = ((c, other) for c in connectors for other in members)
        for first, second in pairs:
            # `intros = false` in the roster: they asked not to be introduced.
            if first.id == second.id or not (first.intros and second.intros):
                continue
            key = pair_key(first.id, second.id)
            if key not in already_introduced and key not in candidates:
                a, b = sorted((first, second), key=lambda c: c.id)
                candidates[key] = (a, b)
    suggestions = []
    for a, b in candidates.values():
        shared = tuple(sorted(set(a.tags) & set(b.tags)))
        both_connect = Why.CONNECT in a.why and Why.CONNECT in b.why
        score = len(shared) + (0.5 if both_connect else 0.0)
        suggestions.append(IntroSuggestion(a=a, b=b, shared_tags=shared, score=score))
    suggestions.sort(key=lambda s: (-s.score, s.a.id, s.b.id))
    return suggestions[:limit] if limit is not None else suggestions
