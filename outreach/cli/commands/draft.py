"""`outreach draft shares|intro|intros|check-in`: write drafts for review."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outreach.base.errors import ExitStatus, InputError, Problem
from outreach.base.wording import noun, plural
from outreach.cli.base import add_command, show_help
from outreach.cli.context import Context

if TYPE_CHECKING:
    from outreach.app.drafting import DraftBatch

# The use cases are imported by the handlers that run them: `outreach --help`
# and every other command start without loading Jinja2 and the drafting code.

ORDER = 50
SHOWN = 20  # drafts listed one by one; a batch of thousands is summed up


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "draft",
        common=common,
        help="draft event shares, introductions and check-ins for review",
        description="Write drafts into the workspace's drafts/ folder (and, with"
        " [drafts] push = true, into your mail client's Drafts folder). Nothing is sent:"
        " review them, then `outreach drafts send ID…` or send them from your mail client.",
        examples=[
            "outreach draft shares --dry-run",
            "outreach draft intro ana ben --why 'both rebuilding the tool library'",
            "outreach draft intros --ready",
        ],
    )
    parser.set_defaults(handler=show_help(parser))
    sub = parser.add_subparsers(title="what to draft", metavar="WHAT")

    shares = add_command(
        sub,
        "shares",
        common=common,
        help="share upcoming events with the people who care",
        description="For each upcoming event in events.toml, one personal email to each"
        " chosen person: the event's share_with, else contacts whose tags overlap the"
        " event's. Never the host, never an event already over, never someone with"
        " shares = false, never the same event twice to the same person, even after you"
        " discarded it (--again drafts discarded ones anew). Events you host yourself"
        " count as self-promotion.",
        examples=[
            "outreach draft shares",
            "outreach draft shares --event spring-salon --limit 20",
            "outreach draft shares --dry-run",
        ],
    )
    shares.add_argument("--event", metavar="ID", help="only this event (its id in events.toml)")
    shares.add_argument("--limit", type=_positive, metavar="N", help="at most N drafts")
    shares.add_argument(
        "--dry-run", action="store_true", help="show what would be drafted; write nothing"
    )
    shares.add_argument(
        "--again", action="store_true", help="draft shares you discarded before once more"
    )
    _push_option(shares)
    shares.set_defaults(handler=run_shares)

    intro = add_command(
        sub,
        "intro",
        common=common,
        help="introduce two people",
        description="Draft one email introducing A and B to each other, or with"
        " --double-opt-in two separate asks first; when both said yes (read by"
        " `outreach sync`, or recorded with `outreach intro yes`), `outreach draft intros"
        " --ready` drafts the introduction. A pair declined before (a no, a discarded"
        " draft) needs --again; someone with intros = false is never introduced.",
        examples=[
            "outreach draft intro ana ben --why 'both rebuilding the tool library'",
            "outreach draft intro ana ben --double-opt-in",
        ],
    )
    intro.add_argument("a", metavar="A", help="a contact id")
    intro.add_argument("b", metavar="B", help="another contact id")
    intro.add_argument("--why", default="", metavar="TEXT", help="why they should meet")
    intro.add_argument(
        "--double-opt-in", action="store_true", help="ask each of them first, separately"
    )
    intro.add_argument(
        "--again", action="store_true", help="draft a pair that was declined or discarded before"
    )
    _push_option(intro)
    intro.set_defaults(handler=run_intro)

    intros = add_command(
        sub,
        "intros",
        common=common,
        help="introductions in bulk: from a file, the ready ones, or suggestions",
        description="Draft introductions from a TOML file ([[intros]] tables with a, b,"
        " why and optionally double_opt_in) or a CSV file (columns a,b,why); or the"
        " joint introductions whose double opt-in asks both got a clear yes"
        " (--ready); or the top suggestions (--suggested, see `outreach suggest intros`).",
        examples=[
            "outreach draft intros pairs.toml",
            "outreach draft intros pairs.csv --double-opt-in",
            "outreach draft intros --ready",
            "outreach draft intros --suggested --limit 3",
        ],
    )
    intros.add_argument("file", nargs="?", metavar="FILE", help="a .toml or .csv file of pairs")
    intros.add_argument("--ready", action="store_true", help="intros both people said yes to")
    intros.add_argument("--suggested", action="store_true", help="the top suggested pairs")
    intros.add_argument(
        "--limit", type=_positive, metavar="N", default=5, help="with --suggested (default 5)"
    )
    intros.add_argument(
        "--double-opt-in", action="store_true", help="ask each person first, separately"
    )
    intros.add_argument(
        "--again", action="store_true", help="with FILE: include pairs declined before"
    )
    _push_option(intros)
    intros.set_defaults(handler=run_intros)

    check_in = add_command(
        sub,
        "check-in",
        common=common,
        help="a short, warm check-in to one contact",
        description="Draft a check-in email to one contact, asking how things are and"
        " what you could help with.",
        examples=[
            "outreach draft check-in ana",
            "outreach draft check-in ben --note 'Saw the new co-op opened, congratulations!'",
        ],
    )
    check_in.add_argument("contact", metavar="ID", help="the contact's id")
    check_in.add_argument("--note", default="", metavar="TEXT", help="a personal opening line")
    _push_option(check_in)
    check_in.set_defaults(handler=run_check_in)


def _push_option(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--push",
        dest="push",
        action="store_true",
        default=None,
        help="also push the new drafts to the IMAP Drafts folder",
    )
    group.add_argument(
        "--no-push", dest="push", action="store_false", help="do not push, whatever the config says"
    )


def report_batch(ctx: Context, batch: DraftBatch, what: str) -> int:
    """Print what a drafting run did; exit 1 when the drafts were made but the push failed.

    `what` is the singular noun of what is drafted: "share", "introduction".
    """
    for note in batch.notes:
        ctx.err(f"note: {note}")
    if batch.dry_run:
        for planned in batch.planned[:SHOWN]:
            event = f"{planned.event_id} → " if planned.event_id else ""
            ctx.out(f"would draft: {event}{', '.join(planned.recipients)}: {planned.subject}")
        if len(batch.planned) > SHOWN:
            ctx.out(f"  … and {len(batch.planned) - SHOWN:,} more")
        own = f" ({batch.self_promotion:,} of your own events)" if batch.self_promotion else ""
        ctx.out(f"{plural(batch.count, what)} would be drafted{own}; nothing written (--dry-run)")
        return 0
    for draft in batch.drafts[:SHOWN]:
        ctx.out(f"{draft.id:>5}  {draft.path}  {draft.subject}")
    if len(batch.drafts) > SHOWN:
        ctx.out(f"  … and {len(batch.drafts) - SHOWN:,} more; see `outreach drafts list`")
    if not batch.drafts:
        ctx.out(f"no new {noun(0, what)} to draft")
        return 0
    them = "it" if batch.count == 1 else "them"
    own = ""
    if batch.self_promotion:
        own = f", {batch.self_promotion:,} promoting your own events (self-promotion)"
    ctx.out(
        f"{plural(batch.count, 'draft')} written{own}; review {them}, then"
        " `outreach drafts send ID…` (or send them from your mail client)"
    )
    if batch.pushed:
        ctx.out(f"{batch.pushed} pushed to your Drafts folder")
    if batch.push_error:
        ctx.err(f"outreach: the drafts are saved, but pushing them failed: {batch.push_error}")
        ctx.err("hint: rerun `outreach drafts push` once the mailbox is reachable")
        return int(ExitStatus.FAILURE)
    return 0


def run_shares(ctx: Context) -> int:
    from outreach.app.drafting import draft_shares

    batch = draft_shares(
        ctx.workspace(),
        ctx.journal(),
        now=ctx.now(),
        progress=ctx.progress(),
        event_id=ctx.args.event,
        limit=ctx.args.limit,
        dry_run=ctx.args.dry_run,
        push=ctx.args.push,
        environ=ctx.environ,
        again=ctx.args.again,
    )
    return report_batch(ctx, batch, "share")


def run_intro(ctx: Context) -> int:
    from outreach.app.introductions import draft_intro

    batch = draft_intro(
        ctx.workspace(),
        ctx.journal(),
        ctx.args.a,
        ctx.args.b,
        now=ctx.now(),
        why=ctx.args.why,
        double_opt_in=ctx.args.double_opt_in,
        push=ctx.args.push,
        environ=ctx.environ,
        again=ctx.args.again,
    )
    return report_batch(ctx, batch, "introduction")


def run_intros(ctx: Context) -> int:
    from outreach.app.introductions import (
        draft_intros_from_file,
        draft_ready_intros,
        draft_suggested_intros,
    )

    args = ctx.args
    chosen = [bool(args.file), args.ready, args.suggested]
    if sum(chosen) != 1:
        raise InputError(
            [Problem("draft intros", "give exactly one of FILE, --ready or --suggested")]
        )
    common = {"now": ctx.now(), "progress": ctx.progress(), "push": args.push}
    if args.ready:
        batch = draft_ready_intros(ctx.workspace(), ctx.journal(), environ=ctx.environ, **common)
    elif args.suggested:
        batch = draft_suggested_intros(
            ctx.workspace(),
            ctx.journal(),
            limit=args.limit,
            double_opt_in=args.double_opt_in,
            environ=ctx.environ,
            **common,
        )
    else:
        batch = draft_intros_from_file(
            ctx.workspace(),
            ctx.journal(),
            ctx.cwd / Path(args.file).expanduser(),
            double_opt_in=args.double_opt_in,
            environ=ctx.environ,
            again=args.again,
            **common,
        )
    return report_batch(ctx, batch, "introduction")


def run_check_in(ctx: Context) -> int:
    from outreach.app.drafting import draft_check_in

    batch = draft_check_in(
        ctx.workspace(),
        ctx.journal(),
        ctx.args.contact,
        now=ctx.now(),
        note=ctx.args.note,
        push=ctx.args.push,
        environ=ctx.environ,
    )
    return report_batch(ctx, batch, "check-in")
