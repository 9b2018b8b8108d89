"""`outreach digest`: your network this week, printed or drafted to yourself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.app.drafting import DraftBatch, replace_own_draft
from outreach.app.posts import events_from_feeds
from outreach.core.digest import Digest, build_digest, digest_subject, digest_text
from outreach.store.journal import Journal
from outreach.store.journal.drafts import shared_events
from outreach.store.journal.feeds import posts_since
from outreach.store.workspace import Workspace

DIGEST_DRAFT = "digest"


def network_digest(workspace: Workspace, journal: Journal, *, now: datetime, days: int) -> Digest:
    """What the roster published in the last `days` days and hosts in the next `days`."""
    posts = posts_since(journal, now - timedelta(days=days), until=now)
    events = [*workspace.events, *events_from_feeds(journal, now=now)]
    shared = shared_events(journal, [p.share_id for p in posts] + [e.id for e in events])
    return build_digest(posts, events, workspace.roster, now=now, days=days, shared=shared)


@dataclass(frozen=True, slots=True)
class EmailedDigest:
    batch: DraftBatch
    replaced: tuple[int, ...]  # earlier digest drafts, unsent, that this one replaces


def email_digest(
    workspace: Workspace,
    journal: Journal,
    digest: Digest,
    *,
    now: datetime,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> EmailedDigest:
    """Save the digest as a draft to yourself; an unsent earlier digest is discarded first."""
    batch, replaced = replace_own_draft(
        workspace,
        journal,
        kind=DIGEST_DRAFT,
        subject=digest_subject(digest),
        text=digest_text(digest),
        now=now,
        push=push,
        environ=environ,
    )
    return EmailedDigest(batch=batch, replaced=replaced)
