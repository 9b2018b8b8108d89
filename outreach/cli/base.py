"""Small helpers shared by the command modules: parsers with examples, arguments."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from outreach.base.errors import ExitStatus, InputError, Problem

if TYPE_CHECKING:
    from outreach.cli.context import Context


def add_command(
    subparsers: Any,
    name: str,
    *,
    help: str,
    description: str,
    examples: list[str],
    common: argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    """A subcommand parser whose help ends with worked examples."""
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError([Problem(option, f"'{text}' is not a date; write YYYY-MM-DD")]) from None


def parse_moment(text: str, option: str) -> datetime:
    """`--as-of`/`--date` values: a day (taken at noon UTC, so no zone shifts its
    date) or an ISO 8601 date-time with an offset, between 1970 and 9000."""
    if len(text) == 10:
        day = parse_day(text, option)
        moment = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                [Problem(option, f"'{text}' is not a date; write YYYY-MM-DD")]
            ) from None
        if moment.tzinfo is None:
            raise InputError([Problem(option, f"'{text}' needs a UTC offset, like +02:00")])
    # Periods and cadences are counted back from this moment; the calendar's
    # far ends would overflow, and no one's history starts before 1970.
    if not 1970 <= moment.year <= 9000:
        raise InputError([Problem(option, f"'{text}' is out of range (1970 to 9000)")])
    return moment.astimezone(UTC)


def show_help(parser: argparse.ArgumentParser) -> Callable[[Context], int]:
    """A handler for a command group given no action: its help, and exit 2."""

    def show(ctx: Context) -> int:
        parser.print_help(ctx.stdout)
        return int(ExitStatus.BAD_INPUT)

    return show
