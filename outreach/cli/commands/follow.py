"""`outreach follow`: read the feeds of the people you follow and say what is new."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from outreach.base.errors import ExitStatus
from outreach.cli.base import add_command
from outreach.cli.context import Context

if TYPE_CHECKING:
    from outreach.app.follow import FollowResult

ORDER = 47


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "follow",
        common=common,
        help="read your contacts' feeds (RSS, Atom, JSON Feed, iCalendar) and record what is new",
        description="Fetch every feed listed under `feeds = [...]` in roster.toml and record"
        " new posts and events in the journal, with the contact as author or host. Prints"
        " what is new per contact and one line per feed that failed. Unchanged feeds cost a"
        " conditional request (ETag, Last-Modified); a feed that keeps failing rests for a"
        " growing pause before it is asked again. Exit 0 when at least one feed was read,"
        " 1 when every feed tried failed.",
        examples=[
            "outreach follow",
            "outreach posts                  what they published lately",
            "outreach draft shares --dry-run who the new posts would go to",
        ],
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    from outreach.app.follow import follow_feeds
    from outreach.core.phrasing import when_in_full

    workspace = ctx.workspace()
    result = follow_feeds(workspace, ctx.journal(), now=ctx.now(), progress=ctx.progress())
    if result.feeds == 0:
        ctx.out('no feeds to follow; add feeds = ["https://…"] to a contact in roster.toml')
        return 0
    contact_ids = dict.fromkeys(
        [p.contact_id for p in result.new_posts] + [e.host for e in result.new_events]
    )
    for contact_id in contact_ids:
        contact = workspace.roster.get(contact_id)
        ctx.out(f"{contact_id} ({contact.name})" if contact else contact_id)
        for post in (p for p in result.new_posts if p.contact_id == contact_id):
            link = f"  {post.link}" if post.link else ""
            ctx.out(f"  new post: {post.title}{link} ({post.published.date().isoformat()})")
        for event in (e for e in result.new_events if e.host == contact_id):
            ctx.out(f"  new event: {event.title}, {when_in_full(event)}")
    for failure in result.failed:
        ctx.out(
            f"failed: {failure.reason}; next try after {failure.retry_after:%Y-%m-%d %H:%M} UTC"
        )
    for state in result.resting:
        retry = f"{state.retry_after:%Y-%m-%d %H:%M} UTC" if state.retry_after else "later"
        times = f"{state.failures} time{'s' if state.failures != 1 else ''}"
        last = (state.last_error or "").removeprefix(f"{state.url}: ")
        ctx.out(f"resting: {state.url}: failed {times} in a row ({last}); next try after {retry}")
    ctx.out(_summary(result))
    return int(ExitStatus.FAILURE) if result.all_failed else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _summary(result: FollowResult) -> str:
    tried = result.read + len(result.failed)
    parts = [f"read {result.read} of {_count(tried, 'feed')} tried"]
    if result.unchanged:
        parts.append(f"{result.unchanged} unchanged")
    if result.resting:
        parts.append(f"{len(result.resting)} resting")
    news = _count(len(result.new_posts), "new post")
    news += f", {_count(len(result.new_events), 'new event')}"
    if result.older_posts:
        news += f" (and {_count(result.older_posts, 'older post')} recorded)"
    return f"{', '.join(parts)}: {news}"
