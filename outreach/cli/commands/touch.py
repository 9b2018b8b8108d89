"""`outreach touch ID --kind KIND`: record support that happened outside email."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.app.touch import MANUAL_KINDS, record_manual_touch
from outreach.cli.base import add_command, parse_moment
from outreach.cli.context import Context

ORDER = 60


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "touch",
        common=common,
        help="record a meeting, feedback, a share… that happened outside email",
        description="Record a touch for a contact: support you gave outside email (met in"
        " person, gave feedback, shared or promoted their work, introduced them) or a note."
        " The report counts everything but notes as support.",
        examples=[
            "outreach touch adrienne --kind meeting --note 'coffee at the studio'",
            "outreach touch kofi --kind promotion --date 2026-05-01",
        ],
    )
    parser.add_argument("contact", metavar="ID", help="the contact's id in roster.toml")
    parser.add_argument("--kind", required=True, choices=MANUAL_KINDS, help="what happened")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="when it happened (default: today, or --as-of)"
    )
    parser.add_argument("--note", default="", help="a few words to remember it by")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    at = parse_moment(ctx.args.date, "--date") if ctx.args.date else ctx.now()
    touch = record_manual_touch(
        ctx.workspace(),
        ctx.journal(),
        ctx.args.contact,
        kind=ctx.args.kind,
        at=at,
        note=ctx.args.note,
        now=ctx.now(),
    )
    ctx.out(f"recorded: {touch.kind} with {ctx.args.contact} on {touch.at.date().isoformat()}")
    return 0
