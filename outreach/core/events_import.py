"""Events published as iCalendar (`.ics`), turned into `events.toml` entries.

Pure: takes the calendar's bytes, the roster and the current events file's
text; returns the events to add, the TOML text to append, and what needs
the user (an organizer not in the roster). Each entry carries its UID in a
comment, so importing the same calendar again adds nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import tomli_w

from outreach.base.errors import InputError, Problem
from outreach.base.model import ME, Roster
from outreach.base.wording import slug
from outreach.core.addresses import AddressError, normalise_address

UID_COMMENT = "# imported from iCalendar, UID: "
_UID_LINE = re.compile(r"^# imported from iCalendar, UID: (.+?)\s*$", re.MULTILINE)
_TABLE_LINE = re.compile(r"^\s*\[\s*events\s*\.\s*\"?([A-Za-z0-9_.-]+)\"?\s*\]", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Organizer:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT, ready to become an `[events.ID]` table."""

    id: str
    uid: str | None
    title: str
    host: str  # a contact id or "me"
    start: datetime | date  # naive when `timezone` names the zone, else aware
    timezone: str | None
    end: datetime | date | None = None
    url: str | None = None
    location: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NeedsHost:
    """An event whose organizer is not in the roster: the user must say who hosts it."""

    uid: str | None
    title: str
    start: datetime | date
    organizer: Organizer | None


@dataclass(frozen=True, slots=True)
class CalendarImport:
    events: tuple[CalendarEvent, ...]
    needs_host: tuple[NeedsHost, ...]
    notes: tuple[str, ...]  # what was left out, and why


def imported_uids(events_text: str) -> set[str]:
    """UIDs already imported into this events.toml (from their comment lines)."""
    return set(_UID_LINE.findall(events_text))


def existing_ids(events_text: str) -> set[str]:
    return set(_TABLE_LINE.findall(events_text))


def _text(component: Any, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _single_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


def _organizer(component: Any) -> Organizer | None:
    value = component.get("ORGANIZER")
    if value is None:
        return None
    raw = str(value)
    email = raw[7:] if raw.lower().startswith("mailto:") else None
    name = str(getattr(value, "params", {}).get("CN", "")).strip()
    return Organizer(name=name or (email or raw), email=email)


def _tags(component: Any, extra: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    values = component.get("CATEGORIES")
    groups = values if isinstance(values, list) else [values] if values is not None else []
    for group in groups:
        for category in getattr(group, "cats", []):
            found.append(str(category))
    found.extend(extra)
    return tuple(dict.fromkeys(t.strip().lower() for t in found if t.strip()))


def _moment(
    value: datetime | date, default_zone: str | None
) -> tuple[datetime | date, str | None, datetime] | None:
    """The value to write, the zone to name, and the aware instant (None: zone unknown)."""
    if isinstance(value, datetime):
        if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key != "UTC":
            return value.replace(tzinfo=None), value.tzinfo.key, value
        if value.tzinfo is not None:
            return value, None, value
        if default_zone is None:
            return None
        return value, default_zone, value.replace(tzinfo=ZoneInfo(default_zone))
    if default_zone is None:
        return None
    aware = datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(default_zone))
    return value, default_zone, aware


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


def read_calendar(
    data: bytes,
    *,
    path: str,
    roster: Roster,
    my_addresses: Collection[str],
    events_text: str,
    now: datetime,
    default_zone: str | None = None,
    host: str | None = None,
    extra_tags: Sequence[str] = (),
) -> CalendarImport:
    """The calendar's upcoming events that are not in events.toml yet.

    The host is the contact whose address is the organizer's (or "me" for
    your own address); `host` is used when the organizer is unknown, and
    without it such events are returned in `needs_host`, not guessed.
    """
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise InputError([Problem(path, f"not an iCalendar file: {exc}")]) from None
    known_uids = imported_uids(events_text)
    taken_ids = existing_ids(events_text)
    events: list[CalendarEvent] = []
    needs: list[NeedsHost] = []
    notes: list[str] = []
    for component in calendar.walk("VEVENT"):
        uid = _single_line(_text(component, "UID"))
        title = _single_line(_text(component, "SUMMARY")) or "Untitled event"
        label = f"'{title}'"
        if uid is not None and uid in known_uids:
            notes.append(f"{label}: already imported")
            continue
        if (_text(component, "STATUS") or "").upper() == "CANCELLED":
            notes.append(f"{label}: cancelled, not imported")
            continue
        start_prop = component.get("DTSTART")
        if start_prop is None:
            notes.append(f"{label}: no start time, not imported")
            continue
        try:
            start = _moment(start_prop.dt, default_zone)
            end_prop = component.get("DTEND")
            end_value = end_prop.dt if end_prop is not None else None
        except Exception:  # icalendar raises its own errors for unreadable values
            notes.append(f"{label}: unreadable start or end time, not imported")
            continue
        if start is None:
            notes.append(
                f"{label}: its time has no time zone; set timezone in outreach.toml"
                " (or add the event by hand)"
            )
            continue
        start_value, zone, start_instant = start
        end = _moment(end_value, zone or default_zone) if end_value is not None else None
        end_instant = end[2] if end is not None else None
        if (end_instant or start_instant) <= now:
            notes.append(f"{label}: already over, not imported")
            continue
        if component.get("RRULE") is not None:
            notes.append(f"{label}: repeats; only its first date is imported")
        organizer = _organizer(component)
        chosen = _host(organizer, roster, my_addresses) or host
        if chosen is None:
            needs.append(NeedsHost(uid, title, start_value, organizer))
            continue
        base = f"{slug(title) or 'event'}-{start_instant:%Y-%m-%d}"
        event_id, counter = base, 1
        while event_id in taken_ids:
            counter += 1
            event_id = f"{base}-{counter}"
        taken_ids.add(event_id)
        if uid is not None:
            known_uids.add(uid)
        events.append(
            CalendarEvent(
                id=event_id,
                uid=uid,
                title=title,
                host=chosen,
                start=start_value,
                timezone=zone,
                end=end[0] if end is not None and zone == end[1] else end_instant,
                url=_single_line(_text(component, "URL")),
                location=_single_line(_text(component, "LOCATION")),
                description=_text(component, "DESCRIPTION"),
                tags=_tags(component, extra_tags),
            )
        )
    return CalendarImport(events=tuple(events), needs_host=tuple(needs), notes=tuple(notes))


def events_toml(events: Iterable[CalendarEvent]) -> str:
    """TOML tables for `events`, each after a comment holding its UID."""
    blocks = []
    for event in events:
        table: dict[str, Any] = {"title": event.title, "host": event.host, "start": event.start}
        if event.end is not None:
            table["end"] = event.end
        if event.timezone is not None:
            table["timezone"] = event.timezone
        for key in ("url", "location", "description"):
            value = getattr(event, key)
            if value:
                table[key] = value
        if event.tags:
            table["tags"] = list(event.tags)
        body = tomli_w.dumps({"events": {event.id: table}})
        comment = f"{UID_COMMENT}{event.uid}\n" if event.uid else ""
        blocks.append(comment + body)
    return "\n".join(blocks)


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
