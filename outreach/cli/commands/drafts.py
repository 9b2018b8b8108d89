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
            "outreach drafts edit 12",
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

    edit = add_command(
        sub,
        "edit",
        common=common,
        help="edit a draft's text in your editor",
        description="Open the draft's plain text (decoded, as you read it) in $VISUAL, else"
        " $EDITOR, and when you save and quit, rebuild the message from it: same headers,"
        " same Message-ID, and an HTML part made anew from your text. A copy pushed to your"
        " Drafts folder is replaced. Any command that edits a file and exits works, so"
        " editing can be scripted.",
        examples=["outreach drafts edit 12", "EDITOR='code --wait' outreach drafts edit 12"],
    )
    edit.add_argument("id", type=int, metavar="ID", help="the draft's id (from `drafts list`)")
    edit.set_defaults(handler=run_edit)

    discard = add_command(
        sub,
        "discard",
        common=common,
        help="drop drafts you do not want",
        description="Discard pending drafts: the file goes, the journal remembers it was"
        " discarded, and the decision sticks: that event is not drafted to that person"
        " again, a discarded ask or introduction withdraws the introduction and the pair"
        " is not suggested again (unless you ask with --again). The copy outreach pushed"
        " to your Drafts folder is removed (that message alone, on servers with UIDPLUS).",
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
        " [smtp] server. It first lists what it will send and what it holds back (the pace"
        " per person from [send], a send that was interrupted), then asks for confirmation"
        " on a terminal; elsewhere it sends only with --yes. Each message is reported as it"
        " goes, moves to sent/ and its support is recorded; with an IMAP mailbox, a copy is"
        " filed in Sent (not on Gmail, which does it itself) and outreach's pushed copy"
        " leaves Drafts. A draft addressed to you alone"
        " (the emailed report) is not part of --all. A refused recipient keeps that draft;"
        " any other failure stops the run, and a rerun sends what is left, nothing twice.",
        examples=[
            "outreach drafts send 12 14",
            "outreach drafts send --all --dry-run",
            "outreach drafts send --all --yes",
            "outreach drafts send 12 --resend",
        ],
    )
    send.add_argument("ids", type=int, nargs="*", metavar="ID", help="draft ids")
    send.add_argument("--all", action="store_true", help="every pending draft")
    send.add_argument("--yes", action="store_true", help="send without asking (for scripts)")
    send.add_argument(
        "--dry-run", action="store_true", help="show what would be sent and send nothing"
    )
    send.add_argument(
        "--force", action="store_true", help="send drafts the pace per person holds back"
    )
    send.add_argument(
        "--resend",
        action="store_true",
        help="send the named drafts even though an interrupted send may have delivered them",
    )
    send.set_defaults(handler=run_send)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_list(ctx: Context) -> int:
    from outreach.app.drafting import needing_their_line, pending_drafts
    from outreach.store.journal.drafts import PENDING

    # A read-only view: it works while roster.toml or events.toml is broken.
    workspace = ctx.view_workspace()
    records = pending_drafts(ctx.journal(), include_done=ctx.args.all)
    open_lines = needing_their_line(workspace, records)
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

    view = show_draft(ctx.view_workspace(), ctx.journal(), ctx.args.id)
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


def run_edit(ctx: Context) -> int:
    from outreach.app.editing import edit_draft
    from outreach.cli.editor import editor_command, run_editor

    command = editor_command(ctx.environ)
    result = edit_draft(
        ctx.workspace(),
        ctx.journal(),
        ctx.args.id,
        editor=lambda path: run_editor(command, path, ctx.environ),
        environ=ctx.environ,
        now=ctx.now(),
    )
    for note in result.notes:
        ctx.err(f"note: {note}")
    if not result.changed:
        ctx.out(f"draft {result.draft_id} unchanged")
        return 0
    ctx.out(f"draft {result.draft_id} saved; read it with `outreach drafts show {result.draft_id}`")
    return 0


def run_discard(ctx: Context) -> int:
    from outreach.app.drafting import discard_draft
    from outreach.app.mailbox_copies import tidy_mailbox
    from outreach.store.journal.drafts import get_draft

    pushed = []
    for draft_id in ctx.args.ids:
        before = get_draft(ctx.journal(), draft_id)
        record = discard_draft(ctx.workspace(), ctx.journal(), draft_id, now=ctx.now())
        ctx.out(f"discarded draft {record.id}: {record.subject}")
        if before is not None:
            pushed.append(before)
    for note in tidy_mailbox(ctx.workspace(), pushed=pushed, environ=ctx.environ).notes():
        ctx.err(f"note: {note}")
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
    from outreach.app.send_plan import Outgoing, plan_sends
    from outreach.app.sending import send_outgoing, smtp_config

    args = ctx.args
    if bool(args.ids) == bool(args.all):
        raise InputError(
            [Problem("drafts send", "name the drafts to send (IDs), or give --all")],
            hint="list them with `outreach drafts list`",
        )
    if args.resend and not args.ids:
        raise InputError(
            [Problem("drafts send", "--resend needs the IDs of the drafts to send again")],
            hint="it is a decision per draft, after checking your Sent folder",
        )
    workspace, journal = ctx.workspace(), ctx.journal()
    if not args.dry_run and workspace.config.smtp is None:
        smtp_config(workspace)  # raises, saying what to add
    plan = plan_sends(
        workspace,
        journal,
        now=ctx.now(),
        ids=args.ids or None,
        force=args.force,
        resend=args.ids if args.resend else (),
    )
    for note in plan.skipped:
        ctx.err(f"note: {note}")
    for draft in plan.to_self:
        ctx.err(
            f"note: draft {draft.id} is addressed to you alone, so not part of --all;"
            f" send it with `outreach drafts send {draft.id}`"
        )
    for held in plan.held:
        to = ", ".join(held.draft.recipients)
        ctx.out(f"held back: draft {held.draft.id} to {to}: {'; '.join(held.reasons)}")
    if not plan.ready:
        ctx.out("nothing to send")
        return int(ExitStatus.FAILURE) if plan.held and args.ids else 0
    ctx.out(f"to send ({len(plan.ready)}):")
    for draft in plan.ready:
        to = ", ".join(draft.recipients)
        ctx.out(f"{draft.id:>6}  {_short(to, 32):<32}  {draft.record.subject}")
    if args.dry_run:
        ctx.out("dry run: nothing sent")
        return 0
    if not args.yes:
        if not ctx.interactive():
            raise InputError(
                [Problem("drafts send", "not sending without confirmation: nothing sent")],
                hint="standard input is not a terminal; review the list above, then add --yes",
            )
        count = len(plan.ready)
        if not ctx.ask(f"Send {'this email' if count == 1 else f'these {count} emails'}? [y/N] "):
            ctx.out("nothing sent")
            return 0

    def report(draft: Outgoing, done: int, total: int) -> None:
        ctx.out(f"sent {done}/{total}: draft {draft.id} to {', '.join(draft.recipients)}")

    result = send_outgoing(
        workspace,
        journal,
        plan.ready,
        clock=ctx.clock,
        environ=ctx.environ,
        resend=args.ids if args.resend else (),
        on_sent=report,
    )
    for note in (*result.skipped, *result.mailbox_notes):
        ctx.err(f"note: {note}")
    for refusal in result.refused:
        ctx.err(f"outreach: draft {refusal.draft_id} kept, not sent: {refusal.reason}")
    held_back = f", {len(plan.held)} held back" if plan.held else ""
    ctx.out(f"{len(result.sent)} sent{held_back}")
    if result.refused:
        hints = dict.fromkeys(
            r.hint or "fix the address in roster.toml, discard the draft and draft it again"
            for r in result.refused
        )
        for hint in hints:
            ctx.err(f"hint: {hint}")
        return int(ExitStatus.FAILURE)
    return 0
