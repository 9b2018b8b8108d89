"""The commands the daemon runs as jobs: this command line's parser and `main`.

The daemon sits below the command line and cannot import it; the `daemon`
and `check` commands hand it `job_commands()` instead.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

from outreach.cli.main import build_parser, main
from outreach.daemon.jobs import Commands


def check_command_line(argv: Sequence[str]) -> str | None:
    """Why argparse would refuse `argv` (its own words), or None for a complete command."""
    parser = build_parser(argv)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
            args = parser.parse_args(list(argv))
    except SystemExit:
        return _argparse_reason(captured.getvalue())
    if not hasattr(args, "handler"):
        return "not a complete command (`outreach --help` lists them)"
    return None


def _argparse_reason(text: str) -> str:
    # argparse ends with "outreach draft: error: argument ...": keep the reason.
    lines = [line for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else "not an outreach command"
    _, found, reason = last.partition("error: ")
    return reason if found else last


def job_commands() -> Commands:
    return Commands(run=main, check=check_command_line)


__all__ = ["check_command_line", "job_commands"]
