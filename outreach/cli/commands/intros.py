"""`outreach intros`: every double opt-in introduction and each person's answer."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.cli.base import add_command
from outreach.cli.context import Context

ORDER = 57


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "intros",
        common=common,
        help="double opt-in introductions and each person's answer",
        description="List every double opt-in introduction: its status, and for each person"
        " their latest answer (yes, no, unclear, or no answer yet) with its first lines."
        " Only two clear yeses make the joint introduction; a no closes it quietly; an"
        " unclear answer waits for you: `outreach intro yes|no ID CONTACT` decides.",
        examples=["outreach intros", "outreach intro yes 3 sam"],
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    from outreach.app.answers import opt_in_intros

    views = opt_in_intros(ctx.journal())
    if not views:
        ctx.out("no double opt-in introductions")
        return 0
    ctx.out(f"{'ID':>5}  {'STATUS':<10}  {'PERSON':<12}  {'ANSWER':<13}  FIRST LINES")
    for view in views:
        for index, person in enumerate(view.people):
            head = f"{view.intro.id:>5}  {view.intro.status:<10}" if index == 0 else " " * 17
            excerpt = person.answer.excerpt if person.answer is not None else ""
            ctx.out(f"{head}  {person.contact_id:<12}  {person.state:<13}  {excerpt}".rstrip())
    undecided = [v for v in views if v.needs_decision]
    if undecided:
        ids = ", ".join(str(v.intro.id) for v in undecided)
        ctx.out(
            f"{len(undecided)} waiting for your decision ({ids}): ask them, then"
            " `outreach intro yes|no ID CONTACT`"
        )
    return 0
