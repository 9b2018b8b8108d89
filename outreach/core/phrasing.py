"""How drafts say things: dates, times and zones, lists, interests, people, in plain English.

Pure and locale-free, so a draft reads the same on every machine. Dates are
absolute (a draft may wait days for review: never "tomorrow"), times avoid
"12pm" and "midnight", and a zone is named, in words, only when the reader
lives in another one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.base.model import Contact, Event

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


def clock(moment: datetime) -> str:
    """`6 pm`, `6:30 pm`, `noon`, `9 am`; `00:00` rather than an ambiguous "12 am"."""
    hour, minute = moment.hour, moment.minute
    if (hour, minute) == (12, 0):
        return "noon"
    if hour == 0:
        return f"00:{minute:02d}"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve} {suffix}" if minute == 0 else f"{twelve}:{minute:02d} {suffix}"


def zone_words(zone: tzinfo | None, moment: datetime) -> str:
    """`Chicago time`, `UTC`, `UTC+05:30`: a zone as people say it, not `America/Chicago`."""
    if isinstance(zone, ZoneInfo) and "/" in zone.key:
        return zone.key.rsplit("/", 1)[1].replace("_", " ") + " time"
    offset = moment.utcoffset() or timedelta(0)
    if offset == timedelta(0):
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def when(moment: datetime | Event, reader: Contact | None = None) -> str:
    """`Saturday 12 December at 6 pm`, in the event's own time.

    With a `reader` who lives elsewhere (their `timezone` differs at that
    moment), the zone is named and their own time follows:
    `Saturday 12 December at 6 pm Chicago time (1 am on Sunday 13 December
    your time)`.

    Given an event, an all-day one reads as its days, never as midnight in
    anyone's zone: `Saturday 12 December 2026`, or `Saturday 12 to Monday 14
    December 2026`.
    """
    if isinstance(moment, Event):
        if moment.all_day:
            return all_day_dates(moment)
        moment = moment.start
    reader_zone = _zone(reader.timezone) if reader is not None and reader.timezone else None
    return _when(moment, moment.tzinfo, reader_zone)


@lru_cache(maxsize=256)
def _when(moment: datetime, zone: tzinfo | None, reader_zone: tzinfo | None) -> str:
    # A batch renders the same event thousands of times; the zones are part
    # of the key because equal instants in other zones read differently.
    here = f"{day(moment)} at {clock(moment)}"
    if reader_zone is None:
        if zone is None or zone is UTC or not isinstance(zone, ZoneInfo):
            return f"{here} {zone_words(zone, moment)}"
        return here
    theirs = moment.astimezone(reader_zone)
    if theirs.utcoffset() == moment.utcoffset():
        return here
    their_day = "" if theirs.date() == moment.date() else f"on {day(theirs)} "
    return f"{here} {zone_words(zone, moment)} ({clock(theirs)} {their_day}your time)"


def and_list(items: Iterable[object]) -> str:
    """`art, housing and food`."""
    return _and_list(tuple(str(i) for i in items))


@lru_cache(maxsize=1024)
def _and_list(words: tuple[str, ...]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def sentence(text: str) -> str:
    """`text` trimmed, starting with a capital and ending with a full stop unless it
    already ends a sentence."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def words(tags: str | Iterable[str]) -> str | list[str]:
    """Tags as words: `urban-farming` -> `urban farming` (one tag, or a list of them)."""
    if isinstance(tags, str):
        return _words(tags)
    return [_words(t) for t in tags]


def _words(tag: str) -> str:
    return " ".join(tag.replace("-", " ").replace("_", " ").split())


def who(contact: Contact) -> str:
    """One line on who someone is: `Kofi Mensah of Eastside Tenants Union, who works on housing`.

    Only what the roster says: their name, their organisation, their interests.
    """
    text = contact.name
    if contact.org:
        text += f" of {contact.org}"
    if contact.tags:
        verb = "which works on" if contact.is_org else "who works on"
        text += f", {verb} {and_list(words(contact.tags[:3]))}"
    return text


def gap(since: datetime | None, now: datetime) -> str:
    """How long ago, as people say it: `a few weeks`, `about three months`, `over a year`."""
    if since is None:
        return ""
    days = max((now - since).days, 0)
    if days < 10:
        return "a few days"
    if days < 45:
        return "a few weeks"
    months = round(days / 30.4)
    if days < 365:
        names = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
        named = names[months] if months < len(names) else str(months)
        return f"about {named} month{'s' if months != 1 else ''}"
    return "over a year" if days < 730 else f"over {days // 365} years"


def all_day_dates(event: Event) -> str:
    """An all-day event's days: `Saturday 12 December 2026`, or
    `Saturday 12 to Monday 14 December 2026`.

    A date is the same date in every zone, so no zone is named.
    """
    first = event.start
    last = (event.end - timedelta(days=1)) if event.end is not None else first
    if last.date() <= first.date():
        return f"{day(first)} {first.year}"
    if first.year != last.year:
        return f"{day(first)} {first.year} to {day(last)} {last.year}"
    if first.month != last.month:
        return f"{day(first)} to {day(last)} {last.year}"
    return f"{_DAYS[first.weekday()]} {first.day} to {day(last)} {last.year}"


def when_in_full(moment: datetime | Event) -> str:
    """`Saturday 12 December 2026 at 6 pm (Chicago time)`: for the user's own listings.

    An all-day event reads as its days, as `when` reads it.
    """
    if isinstance(moment, Event):
        if moment.all_day:
            return all_day_dates(moment)
        moment = moment.start
    return f"{day(moment)} {moment.year} at {clock(moment)} ({zone_words(moment.tzinfo, moment)})"
