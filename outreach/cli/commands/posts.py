"""`outreach posts`: what the people you follow published lately."""

from __future__ import annotations

import argparse
import json
from typing import Any

from outreach.cli.base import add_command
from outreach.cli.context import Context

ORDER = 48


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "posts",
        common=common,
        help="what the people you follow published lately, newest first",
        description="Posts recorded by `outreach follow`, newest first: author, title,"
        " link, date, and how many people each has been shared with.",
        examples=["outreach posts", "outreach posts --days 60 --format json"],
    )
    parser.add_argument(
        "--days", metavar="N", type=int, default=30, help="published in the last N days (30)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    from outreach.app.posts import list_posts, posts_json

    rows = list_posts(ctx.workspace(), ctx.journal(), now=ctx.now(), days=max(ctx.args.days, 1))
    if ctx.args.format == "json":
        ctx.out(json.dumps({"posts": posts_json(rows)}, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        ctx.out(f"no posts in the last {ctx.args.days} days; run `outreach follow` to read feeds")
        return 0
    for row in rows:
        post = row.post
        ctx.out(f"{post.published.date().isoformat()}  {row.author}: {post.title}")
        if post.link:
            ctx.out(f"    {post.link}")
        people = "person" if row.shared == 1 else "people"
        ctx.out(f"    shared with {row.shared} {people}")
    return 0
