"""Read iCalendar data into events: series kept whole, times in the zone the calendar meant.

Pure: takes the calendar's bytes or text, the zone for floating and all-day
times and `now`; returns the events that still have an occurrence to come,
with their next one, and a line for each component it could not read. It
knows nothing of the roster or events.toml (`events_import` does). Parsing is
icalendar's, Google's X-WR-TIMEZONE is x-wr-timezone's, and the next
occurrence is recurring-ical-events' (through `recur`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import x_wr_timezone
from icalendar.timezone.tzid import tzid_from_dt
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from outreach.base.model import Event, Moved, Recurrence
from outreach.core.recur import next_occurrence


@dataclass(frozen=True, slots=True)
class Organizer:
    name: str | None  # CN, when given
    email: str | None  # from a mailto: address, when given

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or "an organizer without a name or address"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event or series of a calendar, with the occurrence that comes next."""

    uid: str | None
    title: str
    start: datetime  # the first occurrence; aware, in `zone`; midnight for all-day
    end: datetime | None  # exclusive: the midnight after the last day for all-day
    zone: str  # the IANA name its times are written in
    all_day: bool
    recurrence: Recurrence | None
    next_start: datetime  # the next occurrence not over at `now`
    next_end: datetime | None
    url: str | None = None
    location: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    organizer: Organizer | None = None
    moved_from: datetime | None = None  # a lone moved occurrence: the start it replaced

    def as_event(
        self, event_id: str, *, host: str, tags: tuple[str, ...] = (), title: str | None = None
    ) -> Event:
        return Event(
            id=event_id,
            title=title or self.title,
            host=host,
            start=self.start,
            end=self.end,
            url=self.url,
            location=self.location,
            description=self.description,
            tags=tags,
            all_day=self.all_day,
            recurrence=self.recurrence,
        )


@dataclass(frozen=True, slots=True)
class CalendarReading:
    events: tuple[CalendarEvent, ...]  # those with an occurrence to come
    problems: tuple[str, ...]  # one line per component that could not be read
    over: int = 0  # events and series with nothing left after `now`
    cancelled: int = 0
    calendars: int = 0  # VCALENDARs read

    @property
    def readable(self) -> bool:
        """Whether anything in the data could be read."""
        return self.calendars > 0 and (bool(self.events) or self.over + self.cancelled > 0)


_Outcome = Literal["over", "cancelled"]


class _Unreadable(Exception):
    """A component that cannot become an event; its message says why."""


def events_from_calendar(data: bytes | str, *, default_zone: str, now: datetime) -> CalendarReading:
    """Every event and series of `data` still to come, soonest next occurrence first.

    Floating and all-day times are read in the calendar's own zone (its
    X-WR-TIMEZONE, else its single VTIMEZONE), else in `default_zone`.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"BEGIN:VCALENDAR" not in data.upper() and b"BEGIN:VEVENT" in data.upper():
        # Some tools save a single event as a bare VEVENT.
        data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + data.strip() + b"\r\nEND:VCALENDAR\r\n"
    # Alarms are the reader's reminders, nothing outreach shares; one that
    # icalendar cannot parse would otherwise reject the whole file.
    data = _ALARM.sub(b"", data)
    problems: list[str] = []
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        calendars = _piecewise(data, problems)
        if not calendars:
            return CalendarReading((), (f"not an iCalendar file: {_reason(exc)}",))
    events: list[CalendarEvent] = []
    over = cancelled = count = 0
    for calendar in calendars:
        if getattr(calendar, "name", None) != "VCALENDAR":
            continue
        count += 1
        calendar, zone = _standard(calendar, default_zone, problems)
        for group in _series(calendar.walk("VEVENT")):
            label = _label(group[0])
            try:
                read = _read_group(group, zone, now)
            except _Unreadable as exc:
                problems.append(f"{label}: {exc}")
                continue
            except Exception as exc:  # icalendar's errors for broken values vary by version
                problems.append(f"{label}: {_reason(exc)}")
                continue
            if read == "cancelled":
                cancelled += 1
            elif read == "over":
                over += 1
            else:
                events.extend(read)
    if count == 0:
        problems.insert(0, "no VCALENDAR found")
    events.sort(key=lambda e: (e.next_start, e.title))
    return CalendarReading(tuple(events), tuple(problems), over, cancelled, count)


_ALARM = re.compile(rb"^BEGIN:VALARM\r?$.*?^END:VALARM\r?\n?", re.I | re.M | re.S)
_CALENDAR = re.compile(rb"^BEGIN:VCALENDAR\r?$.*?^END:VCALENDAR\r?$", re.I | re.M | re.S)
_EVENT = re.compile(rb"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?\n?", re.I | re.M | re.S)
_SUMMARY = re.compile(rb"^SUMMARY[^:\r\n]*:(.*?)\r?$", re.I | re.M)


def _piecewise(data: bytes, problems: list[str]) -> list[Any]:
    """The calendars of a file icalendar refuses as a whole, one event at a time.

    Each event is parsed with its calendar's other lines (its zones,
    X-WR-TIMEZONE), so one broken event costs only itself.
    """
    calendars = []
    for chunk in _CALENDAR.findall(data):
        head = _EVENT.sub(b"", chunk)
        end = head.upper().rindex(b"END:VCALENDAR")
        readable = []
        for block in _EVENT.findall(chunk):
            try:
                alone = head[:end] + block + head[end:]
                (one,) = icalendar.Calendar.from_ical(alone, multiple=True)
            except (ValueError, IndexError, KeyError) as exc:
                found = _SUMMARY.search(block)
                title = found.group(1).decode("utf-8", "replace").strip() if found else "untitled"
                problems.append(f"event '{title}': {_reason(exc)}")
                continue
            readable.append(one)
        if readable:
            merged = readable[0]
            for other in readable[1:]:
                for event in other.walk("VEVENT"):
                    merged.add_component(event)
            calendars.append(merged)
    return calendars


_BROKEN = re.compile(r"Cannot access '\w+' on broken property '([\w-]+)' \(expected '\w+'\): ")


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    # icalendar's wording for a value it kept unparsed: name the property instead.
    text = _BROKEN.sub(lambda found: f"unreadable {found.group(1)}: ", text)
    return text[:200] or type(exc).__name__


def _label(component: Any) -> str:
    title = _line(component.get("SUMMARY")) or "untitled"
    uid = _line(component.get("UID"))
    return f"event '{title}'" + (f" (UID {uid})" if uid else "")


def _line(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _standard(calendar: Any, default_zone: str, problems: list[str]) -> tuple[Any, tzinfo]:
    """The calendar with Google's X-WR-TIMEZONE applied, and its zone for floating times."""
    name = _line(calendar.get("X-WR-TIMEZONE"))
    try:
        calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # a broken time in one event breaks the whole conversion
        problems.append(f"X-WR-TIMEZONE {name} not applied: {_reason(exc)}")
    if name is None:
        declared = [_line(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")]
        if len(declared) == 1:
            name = declared[0]
    zone = _zone_named(name) if name else None
    return calendar, zone or ZoneInfo(default_zone)


def _zone_named(name: str) -> ZoneInfo | None:
    candidates = (name, WINDOWS_TO_OLSON.get(name, ""), name.strip("/"))
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None


def _series(components: Iterable[Any]) -> list[list[Any]]:
    """Components grouped by UID, the series' master first when there is one.

    A moved occurrence may come before its series in the file (RFC 5545
    does not order them); a UID-less event is a group of its own.
    """
    groups: dict[object, list[Any]] = {}
    for component in components:
        uid = _line(component.get("UID"))
        groups.setdefault(uid if uid is not None else object(), []).append(component)
    return [
        sorted(group, key=lambda c: c.get("RECURRENCE-ID") is not None) for group in groups.values()
    ]


def _read_group(group: list[Any], zone: tzinfo, now: datetime) -> list[CalendarEvent] | _Outcome:
    """The group's events still to come, or why there are none."""
    masters = [c for c in group if c.get("RECURRENCE-ID") is None]
    moved = [c for c in group if c.get("RECURRENCE-ID") is not None]
    if not masters:
        # Occurrences without their series (an invitation to one date):
        # each stands alone.
        found = [_read_one(c, zone, now, moved=()) for c in moved]
        upcoming = [e for e in found if isinstance(e, CalendarEvent)]
        if upcoming:
            return upcoming
        return "cancelled" if all(f == "cancelled" for f in found) else "over"
    # Several copies of one series: the latest revision wins (RFC 5545 3.8.7.4).
    master = max(masters, key=lambda c: int(str(c.get("SEQUENCE", 0)) or 0))
    read = _read_one(master, zone, now, moved=moved)
    return [read] if isinstance(read, CalendarEvent) else read


def _read_one(
    component: Any, zone: tzinfo, now: datetime, *, moved: Iterable[Any]
) -> CalendarEvent | _Outcome:
    if (_line(component.get("STATUS")) or "").upper() == "CANCELLED":
        return "cancelled"
    if component.get("DTSTART") is None:
        raise _Unreadable("no start time (DTSTART)")
    start_value = component.DTSTART
    all_day = not isinstance(start_value, datetime)
    start = _aware(start_value, zone)
    own_zone = start.tzinfo
    assert own_zone is not None
    start = start.astimezone(own_zone)
    end = _end(component, start, all_day, zone)
    recurrence = _recurrence(component, moved, zone, own_zone, all_day)
    if recurrence is None and _zone_key(own_zone) == "UTC" and own_zone is not zone:
        # A single event written in UTC reads better in the calendar's zone; a
        # series stays in UTC, where its rule repeats.
        own_zone = zone
        start = start.astimezone(zone)
        end = end.astimezone(zone) if end is not None else None
    event = Event(
        id="-",
        title="-",
        host="-",
        start=start,
        end=end,
        all_day=all_day,
        recurrence=recurrence,
    )
    following = next_occurrence(event, now=now)
    if following is None:
        return "over"
    recurrence_id = component.get("RECURRENCE-ID")
    return CalendarEvent(
        uid=_line(component.get("UID")),
        title=_line(component.get("SUMMARY")) or "Untitled event",
        start=start,
        end=end,
        zone=_zone_key(own_zone),
        all_day=all_day,
        recurrence=recurrence,
        next_start=following.start,
        next_end=following.end,
        url=_line(component.get("URL")),
        location=_line(component.get("LOCATION")),
        description=_text(component.get("DESCRIPTION")),
        categories=_categories(component),
        organizer=_organizer(component.get("ORGANIZER")),
        moved_from=_aware(recurrence_id.dt, zone) if recurrence_id is not None else None,
    )


def _zone_key(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else "UTC"


def _aware(value: date | datetime, zone: tzinfo) -> datetime:
    """An aware datetime in a zone outreach can name: its own, else the calendar's."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0, 0), tzinfo=zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    if isinstance(value.tzinfo, ZoneInfo):
        return value
    named = tzid_from_dt(value)
    own = _zone_named(named) if named else None
    if own is None and value.utcoffset() == timedelta(0):
        own = ZoneInfo("UTC")
    # A zone only the file defines (a custom VTIMEZONE): the instant is kept,
    # read in the calendar's zone.
    return value.astimezone(own or zone)


def _end(component: Any, start: datetime, all_day: bool, zone: tzinfo) -> datetime | None:
    assert start.tzinfo is not None
    if component.get("DTEND") is not None:
        end = _aware(component.DTEND, zone).astimezone(start.tzinfo)
    elif component.get("DURATION") is not None:
        end = start + component.DURATION
    else:
        end = None
    if all_day and (end is None or end <= start):
        # RFC 5545 3.6.1: a date without an end takes that one day.
        return datetime.combine(start.date() + timedelta(days=1), time(0, 0), tzinfo=start.tzinfo)
    if end is not None and end <= start:
        return None
    return end


def _recurrence(
    component: Any, moved: Iterable[Any], zone: tzinfo, own: tzinfo, all_day: bool
) -> Recurrence | None:
    rules = component.rrules
    extra = tuple(_aware(s, zone).astimezone(own) for s, _ in component.rdates)
    skipped = tuple(_aware(s, zone).astimezone(own) for s in component.exdates)
    shifted: list[Moved] = []
    for child in moved:
        original = _aware(child.get("RECURRENCE-ID").dt, zone).astimezone(own)
        if (_line(child.get("STATUS")) or "").upper() == "CANCELLED":
            skipped += (original,)
            continue
        if child.get("DTSTART") is None:
            continue
        start = _aware(child.DTSTART, zone).astimezone(own)
        shifted.append(Moved(original, start, _end(child, start, all_day, zone)))
    if not rules and not extra and not shifted:
        return None
    rule = rules[0].to_ical().decode("ascii") if rules else None
    if all_day:
        midnight = [datetime.combine(m.date(), time(0, 0), tzinfo=own) for m in extra]
        extra = tuple(midnight)
        skipped = tuple(datetime.combine(m.date(), time(0, 0), tzinfo=own) for m in skipped)
    return Recurrence(rule=rule, extra=extra, skipped=skipped, moved=tuple(shifted))


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _categories(component: Any) -> tuple[str, ...]:
    values = component.get("CATEGORIES")
    groups = values if isinstance(values, list) else [values] if values is not None else []
    found = [str(c) for group in groups for c in getattr(group, "cats", [])]
    return tuple(dict.fromkeys(t.strip().lower() for t in found if t.strip()))


def _organizer(value: Any) -> Organizer | None:
    """The organizer's name (CN) and mailto: address, either of which may be missing."""
    if value is None:
        return None
    raw = str(value).strip()
    email = raw[7:].strip() if raw.lower().startswith("mailto:") else None
    if email is not None and "@" not in email:
        email = None
    name = _line(getattr(value, "params", {}).get("CN"))
    if name is None and email is None:
        # Thunderbird writes "invalid:nomail" for an organizer without one.
        return None
    return Organizer(name=name, email=email)
