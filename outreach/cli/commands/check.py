"""`outreach check`."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.app.check import CheckResult, check_workspace
from outreach.app.renames import orphaned_history
from outreach.base.errors import InputError, Problem
from outreach.base.wording import plural
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.cli.jobs import job_commands
from outreach.core.config import CONFIG_FILE
from outreach.core.tomlsource import TomlSyntaxError, parse_toml
from outreach.daemon.jobs import run_line_problems
from outreach.store.workspace import read_text

ORDER = 15


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "check",
        common=common,
        help="validate config, roster, events, templates and daemon jobs",
        description="Validate outreach.toml, roster.toml, events.toml, the templates and"
        " the daemon's job lines, and report every problem at once as file:line:col: lines"
        " (exit 2). Prints a one-line summary and exits 0 when all is well; warns (still"
        " exit 0) about contact ids with history in the journal that the roster no longer has.",
        examples=["outreach check", "outreach --home ~/network check"],
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    problems = _job_line_problems(ctx)
    result: CheckResult | None = None
    hint: str | None = None
    try:
        result = check_workspace(ctx.home)
    except InputError as exc:
        problems += exc.problems
        hint = exc.hint
    if problems:
        raise InputError(_in_file_order(problems), hint=hint)
    assert result is not None
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


def _job_line_problems(ctx: Context) -> list[Problem]:
    """Every `run` line that is not a command, even when outreach.toml has other problems.

    Job lines are CLI commands, so only this layer can tell a typo in one;
    they are read from the parsed TOML, not the validated config, so a bad
    `at` beside them does not hide them until it is fixed.
    """
    path = ctx.home / CONFIG_FILE
    if not path.is_file():
        return []
    try:
        text = read_text(path, str(path))
        data = parse_toml(text, str(path))
    except (InputError, TomlSyntaxError):
        return []  # already reported by check_workspace
    daemon = data.get("daemon")
    jobs = daemon.get("jobs") if isinstance(daemon, dict) else None
    if not isinstance(jobs, list):
        return []
    runs = [
        (index, job["run"])
        for index, job in enumerate(jobs)
        if isinstance(job, dict) and isinstance(job.get("run"), str)
    ]
    return run_line_problems(str(path), text, runs, job_commands())


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Each file's problems together, by line, files in the order they were first named."""
    files = {problem.path: rank for rank, problem in reversed(list(enumerate(problems)))}
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (files[p.path], p.line or 0, p.col or 0))
