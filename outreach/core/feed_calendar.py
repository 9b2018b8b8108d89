"""A calendar feed's upcoming events, hosted by the contact who publishes it.

Pure. The one place feeds call the iCalendar reader (`events_import`), so a
new calendar engine is swapped in here alone. Events come back as `Event`
values with timezone-aware times, ids prefixed by the contact's id so they
never collide with the hand-written `events.toml`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

from outreach.base.errors import FeedError, InputError
from outreach.base.model import Event, Roster
from outreach.core.events_import import CalendarEvent, read_calendar
from outreach.core.feed_text import SUMMARY_LIMIT, plain_text, single_line, web_link


def calendar_events(
    data: bytes,
    *,
    url: str,
    contact_id: str,
    roster: Roster,
    my_addresses: Collection[str],
    now: datetime,
    default_zone: str | None = None,
) -> tuple[Event, ...]:
    """The feed's upcoming events; the contact hosts those whose organizer is unknown."""
    try:
        found = read_calendar(
            data,
            path=url,
            roster=roster,
            my_addresses=my_addresses,
            events_text="",
            now=now,
            default_zone=default_zone or "UTC",
            host=contact_id,
        )
    except InputError as exc:
        reason = exc.problems[0].message if exc.problems else "unreadable"
        raise FeedError(f"{url}: {single_line(reason, 200)}") from None
    return tuple(_event(item, contact_id) for item in found.events)


def _event(item: CalendarEvent, contact_id: str) -> Event:
    start = _aware(item.start, item.timezone)
    end = _aware(item.end, item.timezone) if item.end is not None else None
    return Event(
        id=f"{contact_id}.{item.id}",
        title=single_line(item.title),
        host=item.host,
        start=start,
        end=end,
        url=web_link(item.url),
        location=single_line(item.location) or None,
        description=plain_text(item.description, SUMMARY_LIMIT) or None,
        tags=item.tags,
    )


def _aware(value: datetime | date, zone: str | None) -> datetime:
    tz = ZoneInfo(zone or "UTC")
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime(value.year, value.month, value.day, tzinfo=tz)
