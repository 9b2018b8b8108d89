"""Posts: what the people you follow published, as plain values.

Data only, so the journal, the digest and the share planner can use them
without loading a feed parser. Every text field has been cleaned by
`outreach.core.feed_text` before a Post is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedPost:
    """One entry of a feed, as read: not yet tied to a contact or the journal."""

    guid: str  # the entry's id, else its link, else a hash of what it says
    title: str  # one line, bounded: fit for a subject
    link: str | None  # http(s) only
    published: datetime | None  # timezone-aware, UTC
    categories: tuple[str, ...] = ()  # lower case
    summary: str = ""  # plain text, bounded


@dataclass(frozen=True, slots=True)
class Post:
    """A post recorded in the journal: whose it is, and when it was first seen."""

    id: int
    contact_id: str
    feed_url: str
    guid: str
    title: str
    link: str | None
    published: datetime  # the entry's date, else when it was first seen
    categories: tuple[str, ...]
    summary: str
    first_seen: datetime

    @property
    def share_id(self) -> str:
        """Its key among shared items: posts and events share one record of who got what."""
        return f"post:{self.id}"
