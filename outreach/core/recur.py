"""Expand a series into its occurrences: which one is next, after `now`.

Pure. The rule, extra and skipped dates and moved occurrences are handed to
recurring-ical-events as the iCalendar components they came from, so the
expansion (DST, UNTIL in UTC, a moved occurrence outside the rule) is the
well-tested library's, not a second implementation of RFC 5545.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from outreach.base.model import Event, Recurrence

_UID = "series@outreach"


def is_over(event: Event, *, now: datetime) -> bool:
    """Over once it has started, or for an event with an end, once it has ended.

    A festival running all week is still worth sharing on its second day; a
    talk that started an hour ago is not. A series is over once its last
    occurrence is.
    """
    return next_occurrence(event, now=now) is None


def next_occurrence(event: Event, *, now: datetime) -> Event | None:
    """The event as of its next occurrence not over at `now` (None: none is left).

    A single event is itself or None; a series comes back with the start and
    end of that occurrence and without its recurrence.
    """
    if event.recurrence is None:
        return None if (event.end or event.start) <= now else event
    for occurrence in occurrences(event, after=now):
        if (occurrence.end or occurrence.start) > now:
            return occurrence
    return None


def occurrences(event: Event, *, after: datetime) -> Iterator[Event]:
    """Each occurrence running at or starting after `after`, soonest first."""
    if event.recurrence is None:
        if (event.end or event.start) > after:
            yield event
        return
    import recurring_ical_events

    zone = event.start.tzinfo
    assert zone is not None  # events are aware (model.Event)
    query = recurring_ical_events.of(_calendar(event))
    for component in query.after(after):
        start = _aware(component.DTSTART, zone)
        end_value = component.get("DTEND")
        end = _aware(component.DTEND, zone) if end_value is not None else None
        if end is not None and end == start and not event.all_day and event.end is None:
            end = None  # the library gives a zero duration when the file gave none
        yield dataclasses.replace(event, start=start, end=end, recurrence=None)


def _aware(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime.combine(value, time(0, 0), tzinfo=zone)


def _value(moment: datetime, *, all_day: bool) -> date | datetime:
    return moment.date() if all_day else moment


@lru_cache(maxsize=1024)
def _calendar(event: Event) -> Any:
    """The series as an in-memory VCALENDAR: its master VEVENT and its moved occurrences."""
    import icalendar

    recurrence = event.recurrence
    assert recurrence is not None
    all_day = event.all_day
    calendar = icalendar.Calendar()
    master = icalendar.Event()
    master.add("UID", _UID)
    master.add("DTSTART", _value(event.start, all_day=all_day))
    if event.end is not None:
        master.add("DTEND", _value(event.end, all_day=all_day))
    _add_rule(master, recurrence)
    for extra in recurrence.extra:
        master.add("RDATE", _value(extra, all_day=all_day))
    for skipped in recurrence.skipped:
        master.add("EXDATE", _value(skipped, all_day=all_day))
    calendar.add_component(master)
    length = (event.end - event.start) if event.end is not None else None
    for moved in recurrence.moved:
        child = icalendar.Event()
        child.add("UID", _UID)
        child.add("RECURRENCE-ID", _value(moved.original, all_day=all_day))
        child.add("DTSTART", _value(moved.start, all_day=all_day))
        end = moved.end or (moved.start + length if length is not None else None)
        if end is not None:
            child.add("DTEND", _value(end, all_day=all_day))
        calendar.add_component(child)
    return calendar


def _add_rule(master: Any, recurrence: Recurrence) -> None:
    if recurrence.rule is None:
        return
    import icalendar

    master.add("RRULE", icalendar.vRecur.from_ical(recurrence.rule))


_FREQUENCIES = frozenset({"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


def check_rule(rule: str) -> str | None:
    """Why `rule` is not an RRULE value (None: it is one)."""
    import icalendar

    try:
        recur = icalendar.vRecur.from_ical(rule)
    except ValueError as exc:
        return str(exc) or "not an RRULE"
    frequency = recur.get("FREQ")
    if not frequency or str(frequency[0]).upper() not in _FREQUENCIES:
        return "it needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (or another RFC 5545 frequency)"
    return None


def day_after(moment: datetime) -> datetime:
    """Midnight after `moment`'s day, in its zone (the end of an all-day event)."""
    following = moment.date() + timedelta(days=1)
    return datetime.combine(following, time(0, 0), tzinfo=moment.tzinfo)
