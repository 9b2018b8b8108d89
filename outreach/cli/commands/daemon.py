"""`outreach daemon [--once]`: keep the journal current and run the scheduled jobs."""

from __future__ import annotations

import argparse
from datetime import tzinfo
from pathlib import Path
from typing import Any

from outreach.base.errors import InputError, OutreachError, Problem
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.cli.jobs import job_commands
from outreach.daemon.jobs import Commands, validate_jobs
from outreach.daemon.lock import WorkspaceLock
from outreach.daemon.logs import LogSetup
from outreach.daemon.once import OnceResult, run_once
from outreach.daemon.service import DaemonService
from outreach.daemon.signals import SignalFlags, Wakeup
from outreach.daemon.wording import local_time, sync_line
from outreach.daemon.zone import job_zone
from outreach.store.workspace import Workspace, read_text

ORDER = 70


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "daemon",
        common=common,
        help="run in the background: push sync and the jobs in outreach.toml",
        description="Run until stopped: keep the journal current as mail arrives (IMAP IDLE"
        " where the server offers it, else polling every sync_every_minutes; local Maildirs"
        " are polled) and run the [[daemon.jobs]] of outreach.toml at their times. One daemon"
        " per workspace. SIGTERM or Ctrl-C stops it cleanly; SIGHUP reloads outreach.toml and"
        " the roster. Logs go to stderr, or to --log-file / [daemon] log_file. With --once:"
        " sync, run every job due since its previous run, print what was done and exit (for"
        " cron).",
        examples=[
            "outreach daemon --once",
            "outreach --home ~/network daemon --log-file ~/.local/state/outreach/daemon.log",
            "kill -HUP $(cat ~/network/.outreach-daemon.lock)    # reload after editing",
        ],
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="sync, run the jobs that are due, print what was done, and exit",
    )
    parser.add_argument(
        "--log-file",
        metavar="FILE",
        help="append the log to FILE instead of stderr (default: [daemon] log_file);"
        " with --once, the account of the run goes there instead of stdout",
    )
    parser.add_argument("--verbose", action="store_true", help="log debugging detail too")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    workspace = ctx.workspace()
    config_text = read_text(workspace.config_path, workspace.config.path)
    commands = job_commands()
    validate_jobs(workspace.config, config_text, commands)
    if ctx.args.once:
        return _once(ctx, workspace, commands)
    if ctx.args.as_of is not None:
        raise InputError(
            [Problem("--as-of", "goes with --once; the daemon itself runs on the real clock")]
        )
    log_file = _log_file(ctx, workspace)
    with WorkspaceLock(workspace.root):
        logs = LogSetup(stream=ctx.stderr, log_file=log_file, verbose=ctx.args.verbose)
        flags = SignalFlags(Wakeup())
        flags.install()
        try:
            service = DaemonService(
                workspace,
                commands=commands,
                environ=ctx.environ,
                log=logs.logger,
                flags=flags,
            )
            return service.run()
        except OutreachError as exc:
            # Logged as well as printed: under systemd or with a log file the
            # log is where the user looks.
            logs.logger.error("%s", exc.message)
            raise
        finally:
            flags.restore()
            flags.wakeup.close()
            logs.close()


def _log_file(ctx: Context, workspace: Workspace) -> Path | None:
    if ctx.args.log_file:
        return ctx.cwd / Path(ctx.args.log_file).expanduser()
    if workspace.config.daemon.log_file:
        return workspace.path(workspace.config.daemon.log_file)
    return None


def _once(ctx: Context, workspace: Workspace, commands: Commands) -> int:
    zone = job_zone(workspace.config, ctx.environ)
    with WorkspaceLock(workspace.root):
        result = run_once(
            workspace,
            ctx.journal(),
            commands=commands,
            clock=ctx.clock,
            zone=zone,
            environ=ctx.environ,
            progress=ctx.progress(),
        )
    lines, problems = account(result, zone=zone)
    if ctx.args.log_file:
        logs = LogSetup(
            stream=ctx.stderr,
            log_file=ctx.cwd / Path(ctx.args.log_file).expanduser(),
            verbose=ctx.args.verbose,
        )
        try:
            for line in lines:
                logs.logger.info("%s", line)
            for line in problems:
                logs.logger.error("%s", line)
        finally:
            logs.close()
    else:
        for line in lines:
            ctx.out(line)
    for line in problems:
        ctx.err(line)
    return result.status


def account(result: OnceResult, *, zone: tzinfo) -> tuple[list[str], list[str]]:
    """What `--once` did, as lines for stdout, and its failures, as lines for stderr."""
    lines: list[str] = []
    problems: list[str] = []
    if result.sync is not None:
        by_mailbox: dict[str, list[Any]] = {}
        for folder in result.sync.folders:
            by_mailbox.setdefault(folder.mailbox, []).append(folder)
        for name, folders in by_mailbox.items():
            lines.append(f"synced mailbox '{name}': {sync_line(folders)}")
    elif result.sync_error is None:
        lines.append("no mailbox configured: nothing to sync")
    if result.sync_error is not None:
        problems.append(f"sync failed: {result.sync_error.message}")
    for ran in result.ran:
        job = ran.due.job
        if ran.outcome.ok:
            lines.append(f"ran `{job.run}` ({job.at}):")
            lines += [f"  {line}" for line in ran.outcome.stdout.splitlines() if line.strip()]
        else:
            problems.append(f"`{job.run}` ({job.at}) failed with exit status {ran.outcome.status}:")
            problems += [f"  {line}" for line in ran.outcome.stderr.splitlines() if line.strip()]
    if not result.ran:
        lines.append("no job due now")
    if result.upcoming:
        soonest = result.upcoming[0].at
        names = [f"`{u.job.run}`" for u in result.upcoming if u.at == soonest]
        lines.append(f"next: {' and '.join(names)} at {local_time(soonest, zone)}")
    return lines, problems
