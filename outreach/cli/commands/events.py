"""`outreach events list|import`: the events worth sharing, and iCalendar imports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outreach.cli.base import add_command, show_help
from outreach.cli.context import Context

ORDER = 45

# Use cases are imported by the handlers: iCalendar support loads only for imports.


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "events",
        common=common,
        help="list events worth sharing; import them from iCalendar",
        description="Events in events.toml: other people's events worth sharing with the"
        " people who care (and your own, counted as self-promotion).",
        examples=["outreach events list", "outreach events import salon.ics"],
    )
    parser.set_defaults(handler=show_help(parser))
    sub = parser.add_subparsers(title="actions", metavar="ACTION")

    listing = add_command(
        sub,
        "list",
        common=common,
        help="upcoming events and how far each has been shared",
        description="Upcoming events by their next occurrence, soonest first (a series"
        " shows the one to come), with their host and how many people each has been"
        " drafted for and sent to, out of everyone it would go to. --all includes"
        " events that are over.",
        examples=[
            "outreach events list",
            "outreach events list --all --as-of 2026-06-01",
            "outreach events list --format json",
        ],
    )
    listing.add_argument("--all", action="store_true", help="include events that are over")
    listing.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: one object per event, next occurrence included (docs/events-json.md)",
    )
    listing.set_defaults(handler=run_list)

    importing = add_command(
        sub,
        "import",
        common=common,
        help="append the events of an .ics file to events.toml",
        description="Read an iCalendar file and append its upcoming events to events.toml,"
        " leaving the text already there as it is. An event's host is the contact whose"
        ' address is the organizer\'s ("me" for your own); events whose organizer is not'
        " in the roster are listed and left out unless --host names who hosts them."
        " Importing the same file again adds nothing twice.",
        examples=[
            "outreach events import salon.ics",
            "outreach events import season.ics --host kofi --tag housing",
            "outreach events import season.ics --dry-run",
        ],
    )
    importing.add_argument("file", metavar="FILE.ics", help="the iCalendar file")
    importing.add_argument(
        "--host", metavar="ID", help="host for events whose organizer is not in the roster"
    )
    importing.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="add a tag (repeatable)"
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="print the TOML that would be appended"
    )
    importing.set_defaults(handler=run_import)


def run_list(ctx: Context) -> int:
    from outreach.app.events import list_events
    from outreach.core.phrasing import when_in_full

    now = ctx.now()
    rows = list_events(ctx.workspace(), ctx.journal(), now=now, include_over=ctx.args.all)
    if ctx.args.format == "json":
        from outreach.core.events_json import ListedEvent, events_json

        listed = [ListedEvent(r.event, r.next, r.shared, r.audience) for r in rows]
        ctx.stdout.write(events_json(listed, as_of=now))
        return 0
    if not rows:
        ctx.out("no upcoming events; add some to events.toml or `outreach events import FILE.ics`")
        return 0
    for row in rows:
        event = row.event
        host = "you (self-promotion)" if event.is_self_promotion else event.host
        over = "  [over]" if row.over else ""
        ctx.out(f"{event.id}: {event.title}{over}")
        shown = row.next or event
        repeats = "; repeats" if event.recurrence is not None else ""
        label = "next: " if event.recurrence is not None and row.next is not None else ""
        ctx.out(f"    {label}{when_in_full(shown)}{repeats}; hosted by {host}")
        ctx.out(f"    {shared_so_far(row.shared, row.sent, row.audience)}")
    return 0


def shared_so_far(drafted: int, sent: int, audience: int) -> str:
    """`drafted for 4, sent to 2 of 6 interested`: drafts are not shares until sent."""
    interested = f"{audience:,} interested"
    if not drafted:
        return f"not drafted yet; {interested}"
    return f"drafted for {drafted:,}, sent to {sent:,} of {interested}"


def run_import(ctx: Context) -> int:
    from outreach.app.events import import_calendar

    path = ctx.cwd / Path(ctx.args.file).expanduser()
    result = import_calendar(
        ctx.workspace(),
        path,
        now=ctx.now(),
        host=ctx.args.host,
        tags=ctx.args.tag,
        dry_run=ctx.args.dry_run,
        environ=ctx.environ,
    )
    found = result.found
    for note in found.notes:
        ctx.err(f"unreadable, skipped: {note}")
    for item in found.needs_host:
        who = f"organizer {item.organizer}" if item.organizer is not None else "no organizer"
        ctx.err(f"needs a host: '{item.title}' ({who} is not in the roster)")
    if result.dry_run and result.text:
        ctx.out(result.text.rstrip("\n"))
    if result.dry_run:
        # The TOML is the output here; what it would do goes beside it.
        ctx.err(found.summary(dry_run=True))
    else:
        ctx.out(found.summary(into="events.toml"))
    if found.events and not result.dry_run:
        ctx.out("next: `outreach draft shares --dry-run` to see who they would go to")
    if found.needs_host:
        ctx.err(
            "hint: add the organizer to roster.toml, or rerun with --host ID"
            " (or --host me for your own events)"
        )
    # The file was read and what could be imported was: that is success, as for
    # `contacts import`; the events left out are listed above with what to do.
    return 0
