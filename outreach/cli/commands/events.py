"""`outreach events list|import`: the events worth sharing, and iCalendar imports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outreach.base.errors import ExitStatus
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
        description="Upcoming events, soonest first, with their host and how many people"
        " each has been drafted to out of everyone it would go to. --all includes events"
        " that are over.",
        examples=["outreach events list", "outreach events list --all --as-of 2026-06-01"],
    )
    listing.add_argument("--all", action="store_true", help="include events that are over")
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

    rows = list_events(ctx.workspace(), ctx.journal(), now=ctx.now(), include_over=ctx.args.all)
    if not rows:
        ctx.out("no upcoming events; add some to events.toml or `outreach events import FILE.ics`")
        return 0
    for row in rows:
        event = row.event
        host = "you (self-promotion)" if event.is_self_promotion else event.host
        over = "  [over]" if row.over else ""
        ctx.out(f"{event.id}: {event.title}{over}")
        ctx.out(f"    {when_in_full(event.start)}; hosted by {host}")
        ctx.out(f"    shared with {row.shared} of {row.audience}")
    return 0


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
    )
    for note in result.notes:
        ctx.err(f"note: {note}")
    for item in result.needs_host:
        who = "no organizer"
        if item.organizer is not None:
            who = f"organizer {item.organizer.name}"
            if item.organizer.email:
                who += f" <{item.organizer.email}>"
        ctx.err(f"needs a host: '{item.title}' ({who} is not in the roster)")
    if result.dry_run:
        ctx.out(result.text.rstrip("\n") if result.text else "nothing to import")
    else:
        count = len(result.added)
        ctx.out(f"{count} event{'s' if count != 1 else ''} added to events.toml")
        if count:
            ctx.out("next: `outreach draft shares --dry-run` to see who they would go to")
    if result.needs_host:
        ctx.err(
            "hint: add the organizer to roster.toml, or rerun with --host ID"
            " (or --host me for your own events)"
        )
        return int(ExitStatus.FAILURE)
    return 0
