"""Recent work by contact: what each person published or hosted lately, for feedback.

Pure: takes posts and events with their authors or hosts, the window, and
when each contact last had feedback from you; returns, per contact, the
newest item since that feedback. The report turns it into a `feedback`
next step, and the digest lists it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from outreach.base.model import ME, Event
from outreach.core.posts import Post


@dataclass(frozen=True, slots=True)
class RecentItem:
    contact_id: str
    kind: Literal["post", "event"]
    title: str
    link: str | None
    at: datetime  # published, or the event's start

    @property
    def label(self) -> str:
        """`their post "Title"` or `their event "Title"`, for one line of text."""
        return f'their {self.kind} "{self.title}"'


def recent_items_by_contact(
    posts: Iterable[Post],
    events: Iterable[Event],
    *,
    since: datetime,
    until: datetime,
    feedback_at: Mapping[str, datetime],
) -> dict[str, RecentItem]:
    """Each contact's newest post or hosted event in [since, until] after their last feedback."""
    items = [
        RecentItem(p.contact_id, "post", p.title, p.link, p.published)
        for p in posts
        if since <= p.published <= until
    ]
    items += [
        RecentItem(e.host, "event", e.title, e.url, e.start)
        for e in events
        if e.host != ME and since <= e.start <= until
    ]
    newest: dict[str, RecentItem] = {}
    for item in sorted(items, key=lambda i: (i.at, i.kind, i.title)):
        given = feedback_at.get(item.contact_id)
        if given is None or given < item.at:
            newest[item.contact_id] = item
    return newest
