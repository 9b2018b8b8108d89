"""Shares of posts and of calendar-feed events, for `draft shares`.

The drafting use case asks here for what feeds add: events read from
calendar feeds (shared like any event) and one draft spec per planned post
share. Sharing a post supports its author and the person it goes to, as
sharing an event does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime, timedelta

from outreach.app.draft_batches import DraftSpec
from outreach.base.model import Contact, TouchKind
from outreach.core.compose import Party
from outreach.core.post_shares import PostSharePlan, plan_post_shares, share_post_context
from outreach.core.render import Me, Templates
from outreach.store.journal import Journal
from outreach.store.journal.drafts import SupportPlan, shared_events
from outreach.store.journal.feeds import posts_since
from outreach.store.outbox import safe_stem
from outreach.store.workspace import Workspace


def plan_posts(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    limit: int | None = None,
    only: Collection[str] | None = None,
    again: bool = False,
) -> PostSharePlan:
    """Who gets which recent post, never twice; a discarded draft counts unless `again`."""
    within = workspace.config.follow.share_within_days
    # Older posts are read too, so the plan can say why they were left out.
    posts = posts_since(journal, now - timedelta(days=within * 2), until=now)
    already = shared_events(journal, [p.share_id for p in posts], with_discarded=not again)
    return plan_post_shares(
        posts,
        workspace.roster,
        now=now,
        share_within_days=within,
        already_shared=already,
        limit=limit,
        only=only,
    )


def post_share_specs(
    plan: PostSharePlan, templates: Templates, *, me: Me, now: datetime
) -> Iterator[list[DraftSpec]]:
    """One draft per planned post share, each recorded as given once it is sent."""
    for share in plan.shares:
        contact, author, post = share.contact, share.author, share.post
        render = templates.job(
            "share_post",
            share_post_context(
                me=me,
                contact=contact,
                post=post,
                author=author,
                shared_tags=share.shared_tags,
                now=now,
            ),
        )
        yield [
            DraftSpec(
                kind="share_post",
                stem=safe_stem("share-post", str(post.id), contact.id),
                to=(_party(contact),),
                recipients=(contact.id,),
                render=render,
                support=(
                    SupportPlan(author.id, TouchKind.SHARE),
                    SupportPlan(contact.id, TouchKind.SHARE),
                    SupportPlan(contact.id, TouchKind.SENT),
                ),
                event_id=post.share_id,
            )
        ]


def _party(contact: Contact) -> Party:
    return Party(contact.name, contact.email)
