"""`outreach suggest intros`: pairs of people who should know each other."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.cli.base import add_command, show_help
from outreach.cli.context import Context

ORDER = 52


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "suggest",
        common=common,
        help="suggest introductions",
        description="Suggestions drawn from your roster and journal.",
        examples=["outreach suggest intros", "outreach suggest intros --limit 3"],
    )
    parser.set_defaults(handler=show_help(parser))
    sub = parser.add_subparsers(title="what to suggest", metavar="WHAT")
    intros = add_command(
        sub,
        "intros",
        common=common,
        help="pairs who should know each other",
        description="Rank pairs who share tags, where at least one is someone you want to"
        " connect with others (why = connect), and who have not been introduced yet."
        " Draft the top ones with `outreach draft intros --suggested --limit N`.",
        examples=["outreach suggest intros", "outreach suggest intros --limit 3"],
    )
    intros.add_argument("--limit", type=int, default=10, metavar="N", help="at most N (10)")
    intros.set_defaults(handler=run_intros)


def run_intros(ctx: Context) -> int:
    from outreach.app.introductions import suggested_intros

    suggestions = suggested_intros(ctx.workspace(), ctx.journal(), limit=ctx.args.limit)
    if not suggestions:
        ctx.out("no suggestions: nobody shares tags with someone you want to connect")
        return 0
    for rank, s in enumerate(suggestions, start=1):
        ctx.out(f"{rank:>2}. {s.a.id} + {s.b.id}: {s.reason}")
    ctx.out("draft them with `outreach draft intros --suggested --limit N`")
    return 0
