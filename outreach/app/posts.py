"""What the people you follow published lately, and how far each post has been shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.base.model import Event
from outreach.core.posts import Post
from outreach.core.recent_work import RecentItem, recent_items_by_contact
from outreach.store.journal import Journal
from outreach.store.journal.feeds import (
    feed_events,
    feed_events_between,
    last_feedback,
    posts_since,
    share_counts,
)
from outreach.store.workspace import Workspace


def events_from_feeds(journal: Journal, *, now: datetime) -> tuple[Event, ...]:
    """Events read from calendar feeds that are not over yet (drafting, the report, the digest)."""
    return tuple(feed_events(journal, ending_after=now))


@dataclass(frozen=True, slots=True)
class PostRow:
    post: Post
    author: str  # the contact's name, or their id when they left the roster
    shared: int  # people it has been drafted to


def list_posts(
    workspace: Workspace, journal: Journal, *, now: datetime, days: int
) -> list[PostRow]:
    """Posts published in the last `days` days, newest first."""
    posts = posts_since(journal, now - timedelta(days=days), until=now)
    counts = share_counts(journal, [p.share_id for p in posts])
    rows = []
    for post in posts:
        contact = workspace.roster.get(post.contact_id)
        rows.append(
            PostRow(post, contact.name if contact else post.contact_id, counts[post.share_id])
        )
    return rows


def posts_json(rows: list[PostRow]) -> list[dict[str, object]]:
    """The `posts --format json` document: one object per post."""
    return [
        {
            "id": row.post.id,
            "author": row.post.contact_id,
            "author_name": row.author,
            "title": row.post.title,
            "link": row.post.link,
            "published": row.post.published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "categories": list(row.post.categories),
            "summary": row.post.summary,
            "shared_with": row.shared,
        }
        for row in rows
    ]


def recent_work(workspace: Workspace, journal: Journal, *, now: datetime) -> dict[str, RecentItem]:
    """Per contact, their newest post or hosted event within `[follow] recent_days`
    that has had no feedback from you since: the report's `feedback` next step."""
    since = now - timedelta(days=workspace.config.follow.recent_days)
    posts = posts_since(journal, since, until=now)
    events = [*feed_events_between(journal, since, now), *workspace.events]
    hosts = {p.contact_id for p in posts} | {e.host for e in events if since <= e.start <= now}
    return recent_items_by_contact(
        posts,
        events,
        since=since,
        until=now,
        feedback_at=last_feedback(journal, hosts),
    )
