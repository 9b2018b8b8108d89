"""The filters templates use: plain English, no locale database, the same on every machine.

Pure: dates and lists in, words out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from outreach.base.model import Event

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day(moment: datetime) -> str:
    """`Thursday 2 July`."""
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"


def when(moment: datetime | Event) -> str:
    """`Thursday 2 July 2026 at 18:00 (Europe/Berlin)`, in the event's own zone.

    Given an event, an all-day one reads as its days, never as midnight:
    `Saturday 12 December 2026`, or `Saturday 12 to Monday 14 December 2026`.
    """
    if isinstance(moment, Event):
        if not moment.all_day:
            return when(moment.start)
        first = moment.start
        last = (moment.end - timedelta(days=1)) if moment.end is not None else first
        if last.date() <= first.date():
            return f"{day(first)} {first.year}"
        if first.year != last.year:
            return f"{day(first)} {first.year} to {day(last)} {last.year}"
        if first.month != last.month:
            return f"{day(first)} to {day(last)} {last.year}"
        return f"{_DAYS[first.weekday()]} {first.day} to {day(last)} {last.year}"
    # A batch renders the same event thousands of times; the zone is part of
    # the key because equal instants in other zones read differently.
    return _when(moment, moment.tzinfo)


@lru_cache(maxsize=256)
def _when(moment: datetime, zone: tzinfo | None) -> str:
    if isinstance(zone, ZoneInfo):
        label = zone.key
    elif zone is UTC or moment.utcoffset() == timedelta(0):
        label = "UTC"
    else:
        offset = moment.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        label = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{day(moment)} {moment.year} at {moment:%H:%M} ({label})"


def and_list(items: Iterable[object]) -> str:
    """`art, housing and food`."""
    return _and_list(tuple(str(i) for i in items))


@lru_cache(maxsize=1024)
def _and_list(words: tuple[str, ...]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def sentence(text: str) -> str:
    """`text` trimmed, ending with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


__all__ = ["and_list", "day", "sentence", "when"]
