"""`outreach drafts list|show|discard|push|send`: review, upload and send drafts."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.base.errors import ExitStatus, InputError, Problem
from outreach.cli.base import add_command, show_help
from outreach.cli.context import Context

ORDER = 55

# Use cases are imported by the handlers, so other commands start without them.


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "drafts",
        common=common,
        help="review, push and send drafts",
        description="The drafts waiting for review: list and read them, discard the ones"
        " you don't want, push them to your mail client's Drafts folder, or send the"
        " ones you approve through [smtp].",
        examples=[
            "outreach drafts list",
            "outreach drafts show 12",
            "outreach drafts send 12 14",
        ],
    )
    parser.set_defaults(handler=show_help(parser))
    sub = parser.add_subparsers(title="actions", metavar="ACTION")

    listing = add_command(
        sub,
        "list",
        common=common,
        help="drafts waiting for review",
        description="List drafts waiting for review (drafted, or pushed to your Drafts"
        " folder); --all lists sent, replied and discarded ones too.",
        examples=["outreach drafts list", "outreach drafts list --all"],
    )
    listing.add_argument("--all", action="store_true", help="every draft, whatever its status")
    listing.set_defaults(handler=run_list)

    show = add_command(
        sub,
        "show",
        common=common,
        help="read one draft",
        description="Show a draft's status, its main headers and its text.",
        examples=["outreach drafts show 12"],
    )
    show.add_argument("id", type=int, metavar="ID", help="the draft's id (from `drafts list`)")
    show.set_defaults(handler=run_show)

    discard = add_command(
        sub,
        "discard",
        common=common,
        help="drop drafts you do not want",
        description="Discard pending drafts: the file goes, the journal remembers it was"
        " discarded. A discarded share frees that event for that person again; a"
        " discarded ask or introduction withdraws the introduction. A copy pushed to your"
        " Drafts folder stays there: delete it in your mail client.",
        examples=["outreach drafts discard 12", "outreach drafts discard 12 13 14"],
    )
    discard.add_argument("ids", type=int, nargs="+", metavar="ID", help="draft ids")
    discard.set_defaults(handler=run_discard)

    push = add_command(
        sub,
        "push",
        common=common,
        help="upload pending drafts to your mail client's Drafts folder",
        description="APPEND the drafts not pushed yet to the IMAP Drafts folder (found by"
        " its SPECIAL-USE flag, never by guessing a name), flagged \\Draft. Running it"
        " again, even after a lost connection, adds nothing twice.",
        examples=["outreach drafts push"],
    )
    push.set_defaults(handler=run_push)

    send = add_command(
        sub,
        "send",
        common=common,
        help="send approved drafts through [smtp]",
        description="Send the drafts named (or every pending draft with --all) through the"
        " [smtp] server, at most rate_per_minute a minute. Each sent draft moves to sent/"
        " and its support is recorded. A refused recipient keeps that draft; any other"
        " failure stops the run, and a rerun sends what is left, nothing twice.",
        examples=["outreach drafts send 12 14", "outreach drafts send --all"],
    )
    send.add_argument("ids", type=int, nargs="*", metavar="ID", help="draft ids")
    send.add_argument("--all", action="store_true", help="every pending draft")
    send.set_defaults(handler=run_send)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_list(ctx: Context) -> int:
    from outreach.app.drafting import needing_their_line, pending_drafts
    from outreach.store.journal.drafts import PENDING

    records = pending_drafts(ctx.journal(), include_done=ctx.args.all)
    open_lines = needing_their_line(ctx.workspace(), records)
    if not records:
        ctx.out("no drafts" if ctx.args.all else "no drafts waiting for review")
        return 0
    ctx.out(f"{'ID':>5}  {'STATUS':<9}  {'KIND':<11}  {'CREATED':<10}  {'TO':<24}  SUBJECT")
    for record in records:
        to = ", ".join(record.recipients) or "me"
        ctx.out(
            f"{record.id:>5}  {record.status:<9}  {_short(record.kind, 11):<11}"
            f"  {record.created_at:%Y-%m-%d}  {_short(to, 24):<24}  {record.subject}"
            + ("  [your line]" if record.id in open_lines else "")
        )
    waiting = sum(1 for r in records if r.status in PENDING)
    if waiting:
        ctx.out(
            f"{waiting} waiting for review; read one with `outreach drafts show ID`, then"
            " `outreach drafts send ID…` or `outreach drafts discard ID`"
        )
    if open_lines:
        needs = "still needs" if len(open_lines) == 1 else "still need"
        ctx.out(
            f"{len(open_lines)} {needs} your personal line ([your line]): write it where"
            " the draft says [[ your line: … ]], with `outreach drafts edit ID` or in your"
            " mail client after `outreach drafts push`"
        )
    return 0


def run_show(ctx: Context) -> int:
    from outreach.app.drafting import show_draft

    view = show_draft(ctx.workspace(), ctx.journal(), ctx.args.id)
    record = view.record
    ctx.out(f"draft {record.id}: {record.kind}, {record.status}, file {record.path}")
    for name, value in view.headers.items():
        ctx.out(f"{name}: {value}")
    ctx.out("")
    ctx.out(view.text.rstrip("\n"))
    if view.has_html:
        ctx.out("")
        ctx.out("(an HTML version is included)")
    return 0


def run_discard(ctx: Context) -> int:
    from outreach.app.drafting import discard_draft

    for draft_id in ctx.args.ids:
        record = discard_draft(ctx.workspace(), ctx.journal(), draft_id, now=ctx.now())
        ctx.out(f"discarded draft {record.id}: {record.subject}")
    return 0


def run_push(ctx: Context) -> int:
    from outreach.app.sending import push_drafts

    result = push_drafts(
        ctx.workspace(), ctx.journal(), now=ctx.now(), environ=ctx.environ, progress=ctx.progress()
    )
    if not result.pushed and not result.already_there:
        ctx.out("no drafts to push")
        return 0
    ctx.out(
        f"{len(result.pushed)} pushed to {result.folder} on mailbox '{result.mailbox}'"
        + (f", {len(result.already_there)} already there" if result.already_there else "")
    )
    return 0


def run_send(ctx: Context) -> int:
    from outreach.app.sending import send_drafts

    if bool(ctx.args.ids) == bool(ctx.args.all):
        raise InputError(
            [Problem("drafts send", "name the drafts to send (IDs), or give --all")],
            hint="list them with `outreach drafts list`",
        )
    result = send_drafts(
        ctx.workspace(),
        ctx.journal(),
        clock=ctx.clock,
        environ=ctx.environ,
        ids=None if ctx.args.all else ctx.args.ids,
        progress=ctx.progress(),
    )
    for note in result.skipped:
        ctx.err(f"note: {note}")
    for refusal in result.refused:
        ctx.err(f"outreach: draft {refusal.draft_id} kept, not sent: {refusal.reason}")
    ctx.out(
        f"{len(result.sent)} sent"
        + (f": {', '.join(map(str, result.sent))}" if result.sent else "")
    )
    if result.refused:
        hints = dict.fromkeys(
            r.hint or "fix the address in roster.toml, discard the draft and draft it again"
            for r in result.refused
        )
        for hint in hints:
            ctx.err(f"hint: {hint}")
        return int(ExitStatus.FAILURE)
    return 0
