"""`outreach intro yes|no ID CONTACT`: record an answer to an introduction ask by hand."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.cli.base import add_command
from outreach.cli.context import Context

ORDER = 58


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "intro",
        common=common,
        help="record someone's yes or no to an introduction",
        description="Record a person's answer to a double opt-in ask yourself: when their"
        " email was unclear and you asked again, or when they answered by phone. It becomes"
        " their latest answer. Two yeses let `outreach draft intros --ready` draft the joint"
        " introduction; a no closes it, and nothing tells the other person.",
        examples=["outreach intro yes 3 sam", "outreach intro no 3 priya"],
    )
    parser.add_argument("answer", choices=("yes", "no"), help="their answer")
    parser.add_argument("id", type=int, metavar="ID", help="the introduction (`outreach intros`)")
    parser.add_argument("contact", metavar="CONTACT", help="who answered (a contact id)")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    from outreach.app.answers import decide
    from outreach.core.consent import Answer

    view = decide(
        ctx.journal(), ctx.args.id, ctx.args.contact, Answer(ctx.args.answer), now=ctx.now()
    )
    states = ", ".join(f"{p.contact_id}: {p.state}" for p in view.people)
    ctx.out(f"introduction {view.intro.id} ({states}): {view.intro.status}")
    if all(p.state == "yes" for p in view.people):
        ctx.out("both said yes: `outreach draft intros --ready` drafts the introduction")
    return 0
