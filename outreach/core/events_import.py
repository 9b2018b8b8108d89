"""Events published as iCalendar (`.ics`), turned into `events.toml` entries.

Pure: takes the calendar's bytes, the roster and the current events file's
text; returns the events to add, the TOML text to append, and what needs
the user (an organizer not in the roster). Reading the calendar is
`ical_read`'s job. Each entry carries its UID in a comment, and an event
without one is known again by its title and start, so importing the same
calendar again adds nothing twice.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import tomli_w

from outreach.base.errors import InputError, Problem
from outreach.base.model import ME, Roster
from outreach.base.wording import plural, slug
from outreach.core.addresses import AddressError, normalise_address
from outreach.core.ical_read import CalendarEvent, Organizer, events_from_calendar

UID_COMMENT = "# imported from iCalendar, UID: "
_UID_LINE = re.compile(r"^# imported from iCalendar, UID: (.+?)\s*$", re.MULTILINE)
_TABLE_LINE = re.compile(r"^\s*\[\s*events\s*\.\s*\"?([A-Za-z0-9_.-]+)\"?\s*\]", re.MULTILINE)

__all__ = ["CalendarImport", "ImportedEvent", "NeedsHost", "Organizer", "read_calendar"]


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """One event or series of the calendar, ready to become an `[events.ID]` table."""

    id: str
    key: str | None  # what its comment line records: the UID (and RECURRENCE-ID)
    host: str  # a contact id or "me"
    tags: tuple[str, ...]
    source: CalendarEvent

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def recurring(self) -> bool:
        return self.source.recurrence is not None


@dataclass(frozen=True, slots=True)
class NeedsHost:
    """An event whose organizer is not in the roster: the user must say who hosts it."""

    uid: str | None
    title: str
    start: datetime
    organizer: Organizer | None


@dataclass(frozen=True, slots=True)
class CalendarImport:
    events: tuple[ImportedEvent, ...]
    needs_host: tuple[NeedsHost, ...]
    notes: tuple[str, ...]  # components that could not be read, and why
    already: int = 0  # imported before
    over: int = 0
    cancelled: int = 0

    def summary(self, *, dry_run: bool = False, into: str = "") -> str:
        """`imported 3 events, 2 of them recurring; skipped 41 already over; 1 unreadable`."""
        recurring = sum(1 for e in self.events if e.recurring)
        verb = "would import" if dry_run else "imported"
        head = f"{verb} {plural(len(self.events), 'event')}"
        if into and self.events:
            head += f" into {into}"
        if recurring:
            head += f", {recurring} of them recurring"
        skipped = [
            f"{count} {what}"
            for count, what in (
                (self.already, "already imported"),
                (self.over, "already over"),
                (self.cancelled, "cancelled"),
                (len(self.needs_host), "without a host"),
            )
            if count
        ]
        parts = [head]
        if skipped:
            parts.append("skipped " + ", ".join(skipped))
        if self.notes:
            parts.append(f"{len(self.notes)} unreadable")
        return "; ".join(parts)


def imported_uids(events_text: str) -> set[str]:
    """UIDs already imported into this events.toml (from their comment lines)."""
    return set(_UID_LINE.findall(events_text))


def existing_ids(events_text: str) -> set[str]:
    return set(_TABLE_LINE.findall(events_text))


def _titles_and_starts(events_text: str) -> set[tuple[str, str]]:
    """(title, start) of each event already in events.toml, for events without a UID."""
    try:
        tables = tomllib.loads(events_text).get("events", {})
    except tomllib.TOMLDecodeError:
        return set()  # the whole file is validated before anything is written
    found = set()
    for body in tables.values() if isinstance(tables, dict) else ():
        if isinstance(body, dict) and "title" in body and "start" in body:
            found.add((str(body["title"]), str(body["start"])))
    return found


def _host(organizer: Organizer | None, roster: Roster, my_addresses: Collection[str]) -> str | None:
    if organizer is None or organizer.email is None:
        return None
    try:
        address = normalise_address(organizer.email)
    except AddressError:
        return None
    if address.lower() in {a.lower() for a in my_addresses}:
        return ME
    contact = roster.by_address(address)
    return contact.id if contact else None


def _key(event: CalendarEvent) -> str | None:
    if event.uid is None:
        return None
    if event.moved_from is not None:
        return f"{event.uid} RECURRENCE-ID {event.moved_from:%Y%m%dT%H%M%S%z}"
    return event.uid


def read_calendar(
    data: bytes,
    *,
    path: str,
    roster: Roster,
    my_addresses: Collection[str],
    events_text: str,
    now: datetime,
    default_zone: str,
    host: str | None = None,
    extra_tags: Sequence[str] = (),
) -> CalendarImport:
    """The calendar's events and series still to come that are not in events.toml yet.

    The host is the contact whose address is the organizer's (or "me" for
    your own address); `host` is used when the organizer is unknown, and
    without it such events are returned in `needs_host`, not guessed. Raises
    an InputError only when nothing in `data` could be read.
    """
    reading = events_from_calendar(data, default_zone=default_zone, now=now)
    if not reading.readable:
        problems = reading.problems or ("no events found",)
        first, *rest = problems
        message = first if first.startswith("not an iCalendar") else f"nothing readable: {first}"
        raise InputError([Problem(path, message), *(Problem(path, p) for p in rest)])
    known_keys = imported_uids(events_text)
    known_starts = _titles_and_starts(events_text)
    taken_ids = existing_ids(events_text)
    events: list[ImportedEvent] = []
    needs: list[NeedsHost] = []
    already = 0
    for found in reading.events:
        key = _key(found)
        written = _start_as_written(found)
        if (key is not None and key in known_keys) or (
            key is None and (found.title, written) in known_starts
        ):
            already += 1
            continue
        chosen = _host(found.organizer, roster, my_addresses) or host
        if chosen is None:
            needs.append(NeedsHost(found.uid, found.title, found.next_start, found.organizer))
            continue
        base = f"{slug(found.title) or 'event'}-{found.start:%Y-%m-%d}"
        event_id, counter = base, 1
        while event_id in taken_ids:
            counter += 1
            event_id = f"{base}-{counter}"
        taken_ids.add(event_id)
        if key is not None:
            known_keys.add(key)
        known_starts.add((found.title, written))
        tags = tuple(dict.fromkeys((*found.categories, *extra_tags)))
        events.append(ImportedEvent(event_id, key, chosen, tags, found))
    notes = tuple(f"{path}: {problem}" for problem in reading.problems)
    return CalendarImport(
        tuple(events), tuple(needs), notes, already, reading.over, reading.cancelled
    )


def _local(moment: datetime, *, all_day: bool) -> date | datetime:
    """A time as events.toml holds it: a date, or a local time beside `timezone`."""
    return moment.date() if all_day else moment.replace(tzinfo=None)


def _start_as_written(event: CalendarEvent) -> str:
    return str(_local(event.start, all_day=event.all_day))


def events_toml(events: Iterable[ImportedEvent]) -> str:
    """TOML tables for `events`, each after a comment holding its UID."""
    blocks = []
    for event in events:
        body = tomli_w.dumps({"events": {event.id: _table(event)}})
        comment = f"{UID_COMMENT}{event.key}\n" if event.key else ""
        blocks.append(comment + body)
    return "\n".join(blocks)


def _table(event: ImportedEvent) -> dict[str, Any]:
    source = event.source
    all_day = source.all_day
    table: dict[str, Any] = {
        "title": source.title,
        "host": event.host,
        "start": _local(source.start, all_day=all_day),
    }
    if source.end is not None:
        if not all_day:
            table["end"] = _local(source.end, all_day=False)
        elif source.end - source.start > timedelta(days=1):
            # events.toml names an all-day event's last day, not the day after.
            table["end"] = (source.end - timedelta(days=1)).date()
    table["timezone"] = source.zone
    recurrence = source.recurrence
    if recurrence is not None:
        if recurrence.rule:
            table["repeat"] = recurrence.rule
        if recurrence.extra:
            table["also_on"] = [_local(m, all_day=all_day) for m in recurrence.extra]
        if recurrence.skipped:
            table["except_on"] = [_local(m, all_day=all_day) for m in recurrence.skipped]
        if recurrence.moved:
            table["moved"] = [
                {
                    "from": _local(m.original, all_day=all_day),
                    "start": _local(m.start, all_day=all_day),
                    **(
                        {"end": _local(m.end, all_day=False)}
                        if m.end is not None and not all_day
                        else {}
                    ),
                }
                for m in recurrence.moved
            ]
    for key in ("url", "location", "description"):
        value = getattr(source, key)
        if value:
            table[key] = value
    if event.tags:
        table["tags"] = list(event.tags)
    return table


def append_text(existing: str, addition: str) -> str:
    """`existing` untouched, a blank line, then `addition`."""
    if not addition:
        return existing
    if not existing.strip():
        return addition
    separator = "\n" if existing.endswith("\n") else "\n\n"
    if existing.endswith("\n\n"):
        separator = ""
    return existing + separator + addition
