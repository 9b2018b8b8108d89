"""`outreach digest`: what your network published lately and will host soon."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.cli.base import add_command
from outreach.cli.context import Context

ORDER = 49


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "digest",
        common=common,
        help="your network this week: what they published and will host, with commands",
        description="What the people in your roster published in the last days (from"
        " `outreach follow`) and will host in the next days (events.toml and calendar"
        " feeds), focus circle first, each with the command that shares it and the one"
        " that records your feedback. --email saves it as a draft to yourself, replacing an"
        " unsent earlier one: a weekly daemon job, like the report.",
        examples=["outreach digest", "outreach digest --days 14", "outreach digest --email"],
    )
    parser.add_argument(
        "--days", metavar="N", type=int, default=7, help="look N days back and ahead (7)"
    )
    parser.add_argument(
        "--email", action="store_true", help="save the digest as a draft to yourself"
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    from outreach.app.digest import email_digest, network_digest
    from outreach.core.digest import digest_text

    workspace, journal, now = ctx.workspace(), ctx.journal(), ctx.now()
    digest = network_digest(workspace, journal, now=now, days=max(ctx.args.days, 1))
    if not ctx.args.email:
        ctx.stdout.write(digest_text(digest))
        return 0
    result = email_digest(workspace, journal, digest, now=now, environ=ctx.environ)
    draft = result.batch.drafts[0]
    ctx.out(f"drafted the digest to yourself: draft {draft.id} ({draft.path})")
    if result.replaced:
        ctx.out(f"replaced the unsent earlier digest: draft {', '.join(map(str, result.replaced))}")
    if result.batch.push_error:
        ctx.err(f"warning: not pushed: {result.batch.push_error}")
    return 0
