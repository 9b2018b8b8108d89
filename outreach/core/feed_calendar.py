"""A calendar feed's upcoming events, hosted by the contact who publishes it.

Pure. The one place feeds call the iCalendar reader (`events_import`, which
expands series with recurring-ical-events). Events come back as `Event`
values with timezone-aware times, ids prefixed by the contact's id so they
never collide with the hand-written `events.toml`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from outreach.base.errors import FeedError, InputError
from outreach.base.model import Event, Roster
from outreach.core.events_import import ImportedEvent, read_calendar
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


def _event(item: ImportedEvent, contact_id: str) -> Event:
    # A series is kept by the id of its first occurrence and dated by the one to
    # come: each follow moves it forward, so a weekly meetup stays one event
    # (shared once per person) that always names its next date.
    found = item.source
    return Event(
        id=f"{contact_id}.{item.id}",
        title=single_line(found.title),
        host=item.host,
        start=found.next_start,
        end=found.next_end,
        url=web_link(found.url),
        location=single_line(found.location) or None,
        description=plain_text(found.description, SUMMARY_LIMIT) or None,
        tags=item.tags,
        all_day=found.all_day,
    )
