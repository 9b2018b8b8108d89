"""The `outreach` command: parse arguments, run one handler, turn errors into exits.

This is the one place that catches the project's exceptions and prints them;
handlers raise. `--debug` lets the traceback through instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from outreach import __version__
from outreach.base.clock import Clock, fixed_clock, system_clock
from outreach.base.errors import ExitStatus, InputError, OutreachError
from outreach.cli.base import parse_moment
from outreach.cli.commands import command_modules, requested_command
from outreach.cli.completion import complete_if_asked
from outreach.cli.context import Context
from outreach.cli.parser import OutreachParser

DESCRIPTION = """\
Authentic networking over email: keep a small, intentional network in plain
files, draft the emails that support other people for you to review, learn
from your mailbox who replied, and see who you haven't supported lately."""

EPILOG = """\
examples:
  outreach init ~/network --example     a sample workspace that runs offline
  outreach --home ~/network check       validate config, roster, events, templates
  outreach --home ~/network report      who haven't I supported lately?

The workspace is --home DIR, else $OUTREACH_HOME, else the current folder.
Exit status: 0 success, 1 runtime failure, 2 bad input or configuration."""


def common_options(*, for_subcommand: bool) -> argparse.ArgumentParser:
    """Options every command accepts, before or after the subcommand's name."""
    # On subcommands the defaults are suppressed, so an option given before
    # the subcommand is not overwritten by the subparser's default.
    default = argparse.SUPPRESS if for_subcommand else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        metavar="DIR",
        default=default,
        help="the workspace folder (default: $OUTREACH_HOME, else the current folder)",
    )
    common.add_argument(
        "--as-of",
        metavar="DATE",
        default=default,
        help="compute everything as of this date (YYYY-MM-DD), for reproducible output",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if for_subcommand else False,
        help="show tracebacks instead of one-line errors",
    )
    return common


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser; given `argv`, only the part that running it needs."""
    parser = OutreachParser(
        prog="outreach",
        description=DESCRIPTION,
        epilog=EPILOG,
        parents=[common_options(for_subcommand=False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"outreach {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    common = common_options(for_subcommand=True)
    for module in command_modules(requested_command(argv) if argv is not None else None):
        module.register(subparsers, common)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    clock: Clock | None = None,
) -> int:
    """Run one `outreach` command and return its exit status."""
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        # argparse prints help and usage errors to sys.stdout/sys.stderr itself.
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help already
        return int(exc.code or 0)
    if not hasattr(args, "handler"):
        parser.print_help(stdout)
        return ExitStatus.BAD_INPUT
    context: Context | None = None
    try:
        if args.as_of is not None:
            clock = fixed_clock(parse_moment(args.as_of, "--as-of"))
        context = Context(
            args=args,
            stdout=stdout,
            stderr=stderr,
            stdin=stdin if stdin is not None else sys.stdin,
            environ=environ if environ is not None else os.environ,
            cwd=cwd or Path.cwd(),
            clock=clock or system_clock,
        )
        return int(args.handler(context))
    except OutreachError as exc:
        if args.debug:
            print_error(exc, stderr, debug=True)
            raise
        print_error(exc, stderr)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        if args.debug:
            raise
        stderr.write("outreach: interrupted\n")
        return ExitStatus.INTERRUPTED
    finally:
        if context is not None:
            context.close()


def print_error(exc: OutreachError, stderr: TextIO, *, debug: bool = False) -> None:
    """Problems as `file:line:col: message` lines; other errors on one line; then the hint.

    With `debug`, each problem's detail (a parser's own message) follows it.
    """
    if isinstance(exc, InputError):
        for problem in exc.problems:
            stderr.write(f"{problem}\n")
            if debug and problem.detail:
                stderr.write(f"  the parser said: {problem.detail}\n")
    else:
        stderr.write(f"outreach: {exc.message}\n")
    if exc.hint:
        stderr.write(f"hint: {exc.hint}\n")


def entry_point() -> int:
    """The installed `outreach` command: `main`, and quiet when the reader goes away."""
    # The shell asking for tab completions: print them and exit.
    complete_if_asked(build_parser)
    try:
        status = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:
        # `outreach ... | head` closed the pipe: end silently, as a command killed
        # by SIGPIPE would. Restoring SIGPIPE's default instead would also kill
        # the process on a dropped IMAP or SMTP connection. As Python's `signal`
        # docs advise, stdout goes to /dev/null so the final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitStatus.BROKEN_PIPE
    return status
