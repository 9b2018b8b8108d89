"""`outreach contacts list|add|import|export`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outreach.app.contacts import (
    add_contact,
    contacts_in,
    export_workspace_contacts,
    import_contacts,
)
from outreach.app.renames import rename_contact
from outreach.base.model import Why
from outreach.base.wording import plural
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.store.workspace import atomic_write

ORDER = 20


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "contacts",
        common=common,
        help="list, add, import and export contacts",
        description="Work with roster.toml. add and import append to the end of the file and"
        " leave everything else in it as it was.",
        examples=[
            "outreach contacts list --circle focus",
            "outreach contacts add mei --name 'Mei Lin' --email mei@example.net"
            " --circle focus --why connect --tag food",
            "outreach contacts import ~/Downloads/contacts.vcf --dry-run",
            "outreach contacts export --format csv --output contacts.csv",
        ],
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    listing = add_command(
        actions,
        "list",
        common=common,
        help="one line per contact",
        description="List contacts: id, name, circle, why, tags, address.",
        examples=["outreach contacts list", "outreach contacts list --circle focus"],
    )
    listing.add_argument("--circle", help="only this circle")
    listing.set_defaults(handler=run_list)

    show = add_command(
        actions,
        "show",
        common=common,
        help="one person's whole story",
        description="One contact's roster entry, their last touch and support, the"
        " timeline of touches (each marked as support, contact or self-promotion),"
        " drafts waiting for them, introductions, and the next step.",
        examples=["outreach contacts show mei", "outreach contacts show mei --format json"],
    )
    show.add_argument("id", metavar="ID", help="the contact's id in roster.toml")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=run_show)

    add = add_command(
        actions,
        "add",
        common=common,
        help="append a contact to roster.toml",
        description="Append one contact to roster.toml (atomically; the rest of"
        " the file is untouched). The result is validated before it is written.",
        examples=[
            "outreach contacts add ana --name 'Ana Lima' --email"
            " ana@example.net --why learn --tag housing"
        ],
    )
    add.add_argument("id", metavar="ID", help="a short id: letters, digits, '-', '_'")
    add.add_argument("--name", required=True)
    add.add_argument(
        "--email",
        action="append",
        required=True,
        dest="emails",
        help="an address; repeat for several (the first is where drafts go)",
    )
    add.add_argument("--circle", help="focus, extended or a circle of yours (default extended)")
    add.add_argument(
        "--why",
        action="append",
        default=[],
        choices=[w.value for w in Why],
        help="why this relationship matters; repeatable",
    )
    add.add_argument("--tag", action="append", default=[], dest="tags", help="repeatable")
    add.add_argument("--org")
    add.add_argument("--notes")
    add.set_defaults(handler=run_add)

    imp = add_command(
        actions,
        "import",
        common=common,
        help="import vCard, a Google/Outlook CSV export, or outreach's own export",
        description="Import contacts from vCard 2.1/3/4 (.vcf), the CSV exports of"
        " Google Contacts and Outlook, or outreach's own export (TOML or CSV) and any"
        " other workspace's roster.toml, which keep ids, circles, why, tags, cadences"
        " and notes. People whose address is already in the roster are skipped;"
        " entries without a usable address are reported. Files are read as UTF-8 or"
        " UTF-16; name another encoding with --encoding.",
        examples=[
            "outreach contacts import contacts.vcf",
            "outreach contacts import google.csv --circle extended --dry-run",
            "outreach contacts import ../old-workspace/roster.toml",
            "outreach contacts import outlook.csv --encoding cp1252",
        ],
    )
    imp.add_argument("file", metavar="FILE", type=Path)
    imp.add_argument(
        "--circle",
        help="circle for every new contact (default: the file's own, else extended)",
    )
    imp.add_argument(
        "--encoding", metavar="NAME", help="the file's encoding when not UTF-8 or UTF-16"
    )
    imp.add_argument("--dry-run", action="store_true", help="show what would be added")
    imp.set_defaults(handler=run_import)

    rename = add_command(
        actions,
        "rename",
        common=common,
        help="rename a contact's id, keeping their history",
        description="Rename the contact OLD to NEW: the [contacts.OLD] table headers in"
        " roster.toml are rewritten in place (atomically; the rest of the file is"
        " untouched), and the journal's history (touches, last touch and support,"
        " drafts, shares, intros) moves to NEW in one transaction. When roster.toml was"
        " edited by hand already (NEW there, OLD gone), only the history moves.",
        examples=[
            "outreach contacts rename mei meilin",
            "outreach contacts rename kofi kofim   # after renaming by hand",
        ],
    )
    rename.add_argument("old", metavar="OLD", help="the id the history is under now")
    rename.add_argument("new", metavar="NEW", help="the id to move it to")
    rename.set_defaults(handler=run_rename)

    export = add_command(
        actions,
        "export",
        common=common,
        help="write the roster with last touch and support merged in",
        description="Export contacts with the dates the journal learned"
        " (last touch, last support), as TOML or CSV.",
        examples=[
            "outreach contacts export --format toml",
            "outreach contacts export --format csv --output out.csv",
        ],
    )
    export.add_argument("--format", choices=["toml", "csv"], default="toml")
    export.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        help="write here (atomically) instead of standard output",
    )
    export.set_defaults(handler=run_export)


def run_list(ctx: Context) -> int:
    contacts = contacts_in(ctx.workspace(), circle=ctx.args.circle)
    rows = [
        (c.id, c.name, c.circle, ",".join(c.why) or "-", ",".join(c.tags) or "-", c.email)
        for c in contacts
    ]
    header = ("ID", "NAME", "CIRCLE", "WHY", "TAGS", "EMAIL")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        ctx.out("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    ctx.out(plural(len(rows), "contact"))
    return 0


def run_show(ctx: Context) -> int:
    import json

    from outreach.app.story import contact_story, story_data, story_text

    story = contact_story(ctx.workspace(), ctx.journal(), ctx.args.id, now=ctx.now())
    if ctx.args.format == "json":
        ctx.stdout.write(json.dumps(story_data(story), indent=2, ensure_ascii=False) + "\n")
    else:
        ctx.stdout.write(story_text(story))
    return 0


def run_add(ctx: Context) -> int:
    a = ctx.args
    contact = add_contact(
        ctx.workspace(),
        a.id,
        name=a.name,
        emails=a.emails,
        circle=a.circle,
        why=a.why,
        tags=a.tags,
        org=a.org,
        notes=a.notes,
    )
    workspace = ctx.workspace()
    ctx.out(f"added {contact.id} ({contact.name} <{contact.email}>) to {workspace.roster_path}")
    if contact.circle == "focus":
        # The focus list is meant to stay small enough to know each person well.
        others = [c for c in workspace.roster.in_circle("focus") if c.id != contact.id]
        size, most = len(others) + 1, workspace.config.report.focus_max
        if size > most:
            ctx.err(
                f"note: the focus list now has {size} contacts, over its guideline of"
                f" {workspace.config.report.focus_min}-{most}; consider moving"
                f" {size - most} to another circle"
            )
    return 0


def run_import(ctx: Context) -> int:
    plan = import_contacts(
        ctx.workspace(),
        ctx.cwd / ctx.args.file,
        circle=ctx.args.circle,
        dry_run=ctx.args.dry_run,
        encoding=ctx.args.encoding,
    )
    for line in plan.report_lines():
        ctx.out(line)
    ctx.out(plan.summary())
    if ctx.args.dry_run:
        ctx.out("dry run: roster.toml is unchanged")
    return 0


def run_rename(ctx: Context) -> int:
    old, new = ctx.args.old, ctx.args.new
    result = rename_contact(ctx.workspace(), ctx.journal(), old, new)
    where = "renamed in roster.toml" if result.roster_edited else "already renamed in roster.toml"
    moved = result.moved
    ctx.out(
        f"{old} → {new}: {where}; moved {plural(moved.touches, 'touch', 'touches')},"
        f" {plural(moved.drafts, 'draft')}, {plural(moved.intros, 'intro')}"
    )
    return 0


def run_export(ctx: Context) -> int:
    text = export_workspace_contacts(ctx.workspace(), ctx.journal(), fmt=ctx.args.format)
    if ctx.args.output:
        target = ctx.cwd / ctx.args.output
        ctx.workspace().refuse_to_overwrite_own_files(target)
        atomic_write(target, text)
        ctx.out(f"wrote {target}")
    else:
        ctx.stdout.write(text)
    return 0
