"""`outreach events list --format json`: the events as a document for scripts.

Pure: takes each event with its next occurrence and share counts, returns
the text. The shape is documented in docs/events-json.md; fields are only
ever added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from outreach.base.model import Event

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class ListedEvent:
    event: Event
    next: Event | None  # as of its next occurrence (None: over)
    shared: int
    audience: int


def _start(event: Event) -> str:
    """An aware timestamp in the event's own zone, or a date for an all-day event."""
    return event.start.date().isoformat() if event.all_day else _stamp(event.start)


def _end(event: Event) -> str | None:
    if event.end is None:
        return None
    if event.all_day:
        # The last day, as events.toml names it, not the midnight after it.
        return (event.end - timedelta(days=1)).date().isoformat()
    return _stamp(event.end)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _zone(event: Event) -> str | None:
    key = getattr(event.start.tzinfo, "key", None)
    return key if isinstance(key, str) else None


def event_record(item: ListedEvent) -> dict[str, Any]:
    event, following = item.event, item.next
    rule = event.recurrence.rule if event.recurrence is not None else None
    return {
        "id": event.id,
        "title": event.title,
        "host": event.host,
        "self_promotion": event.is_self_promotion,
        "start": _start(event),
        "end": _end(event),
        "all_day": event.all_day,
        "time_zone": _zone(event),
        "recurring": event.recurrence is not None,
        "repeat": rule,
        "next_start": _start(following) if following is not None else None,
        "next_end": _end(following) if following is not None else None,
        "over": following is None,
        "url": event.url,
        "location": event.location,
        "tags": list(event.tags),
        "share_with": list(event.share_with),
        "shared": item.shared,
        "audience": item.audience,
    }


def events_json(items: Iterable[ListedEvent], *, as_of: datetime) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "as_of": _stamp(as_of),
        "events": [event_record(item) for item in items],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
