"""Time as a value: the clock type the edges and services take.

Pure code never asks for the time; it is handed `now`. Only the CLI (from
`--as-of` or the system clock) and the daemon create clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (which must be timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("fixed_clock needs a timezone-aware datetime")

    def clock() -> datetime:
        return moment

    return clock


def to_utc(moment: datetime) -> datetime:
    """`moment` in UTC; refuses naive datetimes, whose meaning is a guess."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timezone unknown")
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """The journal's timestamp format: `2026-05-01T09:30:00Z`, sortable as text."""
    return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    """Inverse of `iso_utc`. fromisoformat reads the `Z` form since Python 3.11,
    many times faster than strptime: it runs once per contact in every report."""
    return datetime.fromisoformat(text)
