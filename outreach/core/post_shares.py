"""Who gets which post: planning shares of the work the people you follow published.

Pure: takes recent posts, the roster, what was already shared (from the
journal) and `now`. A post goes to contacts whose tags meet its categories,
else the author's own tags; never to its author, never twice to one person,
never once it is older than `[follow] share_within_days`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from outreach.base.model import Contact, Roster
from outreach.core.posts import Post

if TYPE_CHECKING:
    from outreach.core.render import Me


@dataclass(frozen=True, slots=True)
class PlannedPostShare:
    post: Post
    author: Contact
    contact: Contact
    shared_tags: tuple[str, ...]  # why this person: the tags they have in common with it


@dataclass(frozen=True, slots=True)
class PostSharePlan:
    shares: tuple[PlannedPostShare, ...]
    notes: tuple[str, ...]  # posts left out, and why


def post_audience(
    post: Post, author: Contact, roster: Roster
) -> list[tuple[Contact, tuple[str, ...]]]:
    """Contacts who would care, in roster order, with the tags that say so; never the author.

    A post's categories speak for it when they meet anyone's tags; a post
    whose categories meet no one (or that has none) is matched on its
    author's tags instead, since that is what their work is about.
    """

    def meeting(tags: Iterable[str]) -> list[tuple[Contact, tuple[str, ...]]]:
        wanted = set(tags)
        found = []
        for contact in roster:
            common = tuple(sorted(wanted.intersection(contact.tags)))
            # `shares = false` in the roster: they asked not to get shares.
            if common and contact.id != author.id and contact.shares:
                found.append((contact, common))
        return found

    return meeting(post.categories) or meeting(author.tags)


def plan_post_shares(
    posts: Iterable[Post],
    roster: Roster,
    *,
    now: datetime,
    share_within_days: int,
    already_shared: Mapping[str, Collection[str]],
    limit: int | None = None,
    only: Collection[str] | None = None,
) -> PostSharePlan:
    """One share per (recent post, interested contact) not drafted before; newest posts first."""
    oldest = now - timedelta(days=share_within_days)
    shares: list[PlannedPostShare] = []
    notes: list[str] = []
    for post in sorted(posts, key=lambda p: (p.published, p.id), reverse=True):
        if limit is not None and len(shares) >= limit:
            break
        label = f"post '{post.title}' by {post.contact_id}"
        if post.published < oldest:
            notes.append(f"{label}: older than {share_within_days} days, not shared")
            continue
        if post.published > now:
            continue  # published after the moment asked about (--as-of in the past)
        author = roster.get(post.contact_id)
        if author is None:
            notes.append(f"{label}: its author is no longer in the roster, not shared")
            continue
        audience = post_audience(post, author, roster)
        if not audience:
            notes.append(f"{label}: nobody to share it with (no tags in common)")
            continue
        done = already_shared.get(post.share_id, ())
        for contact, common in audience:
            if limit is not None and len(shares) >= limit:
                break
            if contact.id in done or (only is not None and contact.id not in only):
                continue
            shares.append(PlannedPostShare(post, author, contact, common))
    return PostSharePlan(shares=tuple(shares), notes=tuple(notes))


def share_post_context(
    *,
    me: Me,
    contact: Contact,
    post: Post,
    author: Contact,
    shared_tags: Sequence[str],
    now: datetime,
) -> dict[str, Any]:
    """What the `share_post` template sees (templates/README.md lists it)."""
    return {
        "me": me,
        "now": now,
        "contact": contact,
        "post": post,
        "author": author,
        "shared_tags": list(shared_tags),
    }


def sample_post(author_id: str, now: datetime) -> Post:
    """A plausible post, for checking `share_post` templates before they are used."""
    return Post(
        id=1,
        contact_id=author_id,
        feed_url="https://example.org/feed.xml",
        guid="sample-post",
        title="What a tenants' assembly taught us",
        link="https://example.org/assembly",
        published=now - timedelta(days=1),
        categories=("housing",),
        summary="Notes from a year of monthly assemblies.",
        first_seen=now,
    )
