"""`outreach sync`: read the mailboxes, record replies and sent mail as touches."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.app.sync import SyncSummary, run_sync, unknown_candidates
from outreach.app.sync_batch import FolderSummary
from outreach.base.errors import InputError, Problem
from outreach.base.wording import plural
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.store.journal.cursors import count_seen

ORDER = 40


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "sync",
        common=common,
        help="read the mailboxes and record who replied and who you wrote to",
        description="Read every mailbox in outreach.toml (IMAP folders read-only, local"
        " Maildirs without moving a file), recognise auto-replies, bounces, lists and bulk"
        " mail, and record a touch for each genuine reply from a contact and each message"
        " you sent to one. Only new mail is read after the first run. Prints one summary;"
        " shows progress on a terminal.",
        examples=[
            "outreach sync",
            "outreach sync --mailbox work --dry-run",
            "outreach sync --unknown --limit 10",
        ],
    )
    parser.add_argument("--mailbox", metavar="NAME", help="sync only this mailbox")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be recorded; record nothing"
    )
    parser.add_argument(
        "--unknown",
        action="store_true",
        help="list the most frequent human senders not in the roster (from earlier syncs)",
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="with --unknown: list N (default 20)"
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.limit is not None and not args.unknown:
        raise InputError([Problem("--limit", "goes with --unknown")])
    if args.unknown:
        if args.dry_run or args.mailbox:
            raise InputError([Problem("--unknown", "lists senders only; drop the other options")])
        return _list_unknown(ctx, 20 if args.limit is None else args.limit)
    summary = run_sync(
        ctx.workspace(),
        ctx.journal(),
        clock=ctx.clock,
        progress=ctx.progress(),
        mailbox=args.mailbox,
        dry_run=args.dry_run,
        environ=ctx.environ,
    )
    for line in summary_lines(summary):
        ctx.out(line)
    for warning in summary.warnings:
        ctx.err(f"warning: {warning}")
    return 0


def summary_lines(summary: SyncSummary) -> list[str]:
    lines = [_folder_line(f) for f in summary.folders]
    lines.append(
        f"{'dry run: ' if summary.dry_run else ''}{plural(len(summary.folders), 'folder')},"
        f" {plural(summary.read, 'message')} read ({summary.new:,} new),"
        f" {plural(len(summary.touches), 'touch', 'touches')}"
        f" {'would be recorded' if summary.dry_run else 'recorded'}"
    )
    if summary.backfilled:
        people = len({t.contact_id for t in summary.backfilled})
        lines.append(
            f"from mail read before: {plural(len(summary.backfilled), 'touch', 'touches')}"
            f" for {plural(people, 'new contact')}"
        )
    if summary.ignored:
        reasons = sorted(summary.ignored.items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append("ignored: " + ", ".join(f"{n:,} {reason}" for reason, n in reasons))
    if summary.drafts_sent or summary.replies_linked:
        lines.append(
            f"drafts: {summary.drafts_sent:,} seen sent,"
            f" {plural(summary.replies_linked, 'reply', 'replies')} to drafts"
        )
    if summary.dry_run and summary.touches:
        lines.append("would record:")
        for touch in sorted(summary.touches, key=lambda t: (t.at, t.contact_id, t.kind)):
            lines.append(
                f"  {touch.at.date().isoformat()}  {touch.kind.value:<9} {touch.contact_id:<16}"
                f" {touch.detail}".rstrip()
            )
    return lines


def _folder_line(folder: FolderSummary) -> str:
    line = (
        f"{folder.mailbox}/{folder.folder}: {plural(folder.read, 'message')} read"
        f" ({folder.new:,} new), {plural(len(folder.touches), 'touch', 'touches')}"
    )
    if folder.rescanned:
        line += " (UIDVALIDITY changed: read again from the start)"
    return line


def _list_unknown(ctx: Context, limit: int) -> int:
    if limit < 1:
        raise InputError([Problem("--limit", f"must be 1 or more, not {limit}")])
    journal = ctx.journal()
    senders = unknown_candidates(ctx.workspace(), journal, limit=limit)
    if not senders:
        if count_seen(journal) == 0:
            ctx.out("no mail synced yet; run `outreach sync` first")
        else:
            ctx.out("every human sender seen so far is in your roster")
        return 0
    ctx.out("senders not in your roster, most messages first:")
    width = len(f"{senders[0].messages:,}")
    for sender in senders:
        who = f"{sender.name} <{sender.address}>" if sender.name else sender.address
        ctx.out(f"  {sender.messages:>{width},}  {who}  (last {sender.last_at.date().isoformat()})")
    ctx.out("hint: add the people you want to keep in touch with to roster.toml")
    return 0
