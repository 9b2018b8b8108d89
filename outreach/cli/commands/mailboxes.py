"""`outreach mailboxes`: the capabilities that matter and which folder plays which role."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.app.mailboxes import MailboxFacts, describe_mailboxes
from outreach.base.errors import InputError, Problem
from outreach.cli.base import add_command
from outreach.cli.context import Context

ORDER = 45


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "mailboxes",
        common=common,
        help="show what each mailbox's server offers and which folders are Sent and Drafts",
        description="Connect to each mailbox in outreach.toml (read-only: capabilities,"
        " namespace and the folder list) and show the capabilities outreach uses (IDLE,"
        " SPECIAL-USE, UIDPLUS, MULTIAPPEND, NAMESPACE) and the folder it reads as INBOX,"
        " Sent and Drafts, and how each was found. A folder not found comes with the"
        " setting that names it.",
        examples=["outreach mailboxes", "outreach mailboxes --mailbox work"],
    )
    parser.add_argument("--mailbox", metavar="NAME", help="only this mailbox")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    workspace = ctx.workspace()
    name = ctx.args.mailbox
    if not workspace.config.mailboxes:
        ctx.out("no [[mailboxes]] configured in outreach.toml")
        return 0
    if name is not None and workspace.config.mailbox(name) is None:
        names = ", ".join(m.name for m in workspace.config.mailboxes)
        raise InputError([Problem("--mailbox", f"no mailbox named '{name}' (configured: {names})")])
    for index, facts in enumerate(describe_mailboxes(workspace, environ=ctx.environ, only=name)):
        if index:
            ctx.out()
        for line in facts_lines(facts):
            ctx.out(line)
    return 0


def facts_lines(facts: MailboxFacts) -> list[str]:
    lines = [f"{facts.name} ({facts.where})"]
    if facts.capabilities:
        lines.append(
            "  capabilities: "
            + ", ".join(f"{cap} {'yes' if on else 'no'}" for cap, on in facts.capabilities)
        )
        space = ", ".join(f'"{p}"' for p in facts.prefixes) or "none"
        lines.append(f"  namespace: {space}; delimiter: {facts.delimiter or 'mixed'}")
    width = max(len(r.role) for r in facts.roles) + 1 if facts.roles else 0
    for role in facts.roles:
        label = f"{role.role}:".ljust(width)
        if role.folder is None:
            lines.append(f"  {label} not found; {role.by}")
        else:
            lines.append(f"  {label} {role.folder} ({role.by})")
    lines.append(f"  folders: {', '.join(facts.folders) or 'none'}")
    return lines
