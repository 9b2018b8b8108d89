"""Your network this week: what the people you follow published and will host.

Pure: takes recent posts, upcoming events, the roster and `now`; returns
the digest as data and as plain text, each item with the commands that share
it and record feedback on it. The focus circle comes first, then the
extended network, then any other circle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.base.model import ME, Contact, Event, Roster
from outreach.core.phrasing import when_in_full
from outreach.core.post_shares import post_audience
from outreach.core.posts import Post
from outreach.core.recur import next_occurrence
from outreach.core.shares import choose_recipients

CIRCLE_ORDER = {"focus": 0, "extended": 1}


@dataclass(frozen=True, slots=True)
class DigestItem:
    contact: Contact
    kind: str  # "post" | "event"
    title: str
    at: datetime
    link: str | None
    audience: tuple[str, ...]  # contact ids it would be shared with and was not yet
    share_command: str
    feedback_command: str
    event: Event | None = None  # for an event: its occurrence, read as the event reads


@dataclass(frozen=True, slots=True)
class Digest:
    as_of: datetime
    days: int
    published: tuple[DigestItem, ...]
    coming_up: tuple[DigestItem, ...]

    @property
    def empty(self) -> bool:
        return not self.published and not self.coming_up


def build_digest(
    posts: Iterable[Post],
    events: Iterable[Event],
    roster: Roster,
    *,
    now: datetime,
    days: int,
    shared: Mapping[str, Iterable[str]],
) -> Digest:
    """Posts published in the last `days` days and events starting in the next `days`."""
    published: list[DigestItem] = []
    for post in posts:
        author = roster.get(post.contact_id)
        if author is None or not now - timedelta(days=days) <= post.published <= now:
            continue
        done = set(shared.get(post.share_id, ()))
        audience = tuple(c.id for c, _ in post_audience(post, author, roster) if c.id not in done)
        published.append(
            DigestItem(
                contact=author,
                kind="post",
                title=post.title,
                at=post.published,
                link=post.link,
                audience=audience,
                share_command="outreach draft shares",
                feedback_command=f"outreach touch {author.id} --kind feedback",
            )
        )
    coming: list[DigestItem] = []
    for listed in events:
        host = roster.get(listed.host) if listed.host != ME else None
        event = next_occurrence(listed, now=now)  # a series by the occurrence to come
        if host is None or event is None or not now <= event.start <= now + timedelta(days=days):
            continue
        done = set(shared.get(event.id, ()))
        audience = tuple(c.id for c, _ in choose_recipients(event, roster) if c.id not in done)
        coming.append(
            DigestItem(
                contact=host,
                kind="event",
                title=event.title,
                at=event.start,
                link=event.url,
                audience=audience,
                share_command=f"outreach draft shares --event {event.id}",
                feedback_command=f"outreach touch {host.id} --kind feedback",
                event=event,
            )
        )

    def order(item: DigestItem) -> tuple[int, float, str]:
        circle = CIRCLE_ORDER.get(item.contact.circle, 2)
        moment = item.at.timestamp()
        return (circle, -moment if item.kind == "post" else moment, item.title)

    return Digest(
        as_of=now,
        days=days,
        published=tuple(sorted(published, key=order)),
        coming_up=tuple(sorted(coming, key=order)),
    )


def digest_subject(digest: Digest) -> str:
    posts, events = len(digest.published), len(digest.coming_up)
    return (
        f"Your network this week: {posts} post{'s' if posts != 1 else ''},"
        f" {events} event{'s' if events != 1 else ''}"
    )


def digest_text(digest: Digest) -> str:
    """The digest as plain text, for the terminal and the draft to yourself."""
    lines = [f"Your network this week (as of {digest.as_of.date().isoformat()})", ""]
    if digest.empty:
        lines.append(
            f"Nothing published in the last {digest.days} days or coming up in the next"
            f" {digest.days}; `outreach follow` reads the feeds in roster.toml."
        )
        return "\n".join(lines) + "\n"
    for heading, items in (
        (f"Published in the last {digest.days} days", digest.published),
        (f"Coming up in the next {digest.days} days", digest.coming_up),
    ):
        if not items:
            continue
        lines.append(heading)
        for item in items:
            moment = item.at.date().isoformat() if item.event is None else when_in_full(item.event)
            who = f"{item.contact.name} ({item.contact.circle})"
            lines.append(f"  {who}: {item.title}, {moment}")
            if item.link:
                lines.append(f"    {item.link}")
            if item.audience:
                people = ", ".join(item.audience)
                lines.append(f"    share:    {item.share_command}   (for {people})")
            lines.append(f"    feedback: {item.feedback_command}")
        lines.append("")
    return "\n".join(lines)
