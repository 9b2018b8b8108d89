"""`outreach check`."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.app.check import check_workspace
from outreach.app.renames import orphaned_history
from outreach.base.errors import InputError
from outreach.base.wording import plural
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.core.config import CONFIG_FILE
from outreach.daemon.jobs import job_problems
from outreach.store.workspace import read_text

ORDER = 15


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "check",
        common=common,
        help="validate config, roster, events and templates",
        description="Validate outreach.toml, roster.toml, events.toml and the templates, and"
        " report every problem at once as file:line:col: lines (exit 2). Prints a one-line"
        " summary and exits 0 when all is well; warns (still exit 0) about contact ids"
        " with history in the journal that the roster no longer has.",
        examples=["outreach check", "outreach --home ~/network check"],
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    result = check_workspace(ctx.home)
    # Job lines are CLI commands, so only this layer can tell a typo in one.
    config = ctx.config()
    config_text = read_text(ctx.home / CONFIG_FILE, config.path)
    InputError.collect(job_problems(config, config_text))
    ctx.out(
        f"ok: {plural(result.contacts, 'contact')}, {plural(result.events, 'event')},"
        f" {plural(result.mailboxes, 'mailbox', 'mailboxes')},"
        f" {plural(result.templates, 'template')} checked"
    )
    # History the roster lost (an id renamed by hand) is worth a word, not an error.
    workspace = ctx.workspace()
    if workspace.journal_path.exists():
        for warning in orphaned_history(workspace, ctx.journal()):
            ctx.err(f"warning: {warning}")
    return 0
