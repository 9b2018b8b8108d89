"""`events.toml`: other people's events worth sharing (and the user's own).

Pure: takes the file's text and the roster, returns events or raises one
InputError with every problem located. Importing iCalendar files is the
job of `events_import`.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from outreach.base.errors import InputError
from outreach.base.model import ME, Circle, Event, Roster
from outreach.core.roster import CONTACT_ID
from outreach.core.tomlsource import KeyLocator, KeyPath, TomlSyntaxError, parse_toml
from outreach.core.validation import Validator, did_you_mean

EVENTS_FILE = "events.toml"
EVENT_KEYS = (
    "title",
    "host",
    "start",
    "end",
    "timezone",
    "url",
    "location",
    "description",
    "tags",
    "share_with",
)


def parse_events(
    text: str,
    roster: Roster,
    circles: Mapping[str, Circle],
    path: str = EVENTS_FILE,
    *,
    default_zone: str | None = None,
) -> tuple[Event, ...]:
    """Parse and validate events, reporting every problem at once.

    `default_zone` (outreach.toml's `timezone`) is the zone of an event that
    names none, so a workspace in one city need not repeat it on every event.
    """
    try:
        data = parse_toml(text, path)
    except TomlSyntaxError as exc:
        raise InputError([exc.problem]) from None
    check = Validator(path, KeyLocator(text))
    check.unknown_keys(data, ("events",), ())
    events: list[Event] = []
    for event_id, body in check.table(data, "events", ()).items():
        event = _read_event(event_id, body, roster, circles, check, default_zone)
        if event is not None:
            events.append(event)
    InputError.collect(check.problems)
    return tuple(sorted(events, key=lambda e: (e.start, e.id)))


def _read_event(
    event_id: str,
    body: Any,
    roster: Roster,
    circles: Mapping[str, Circle],
    check: Validator,
    default_zone: str | None,
) -> Event | None:
    where: KeyPath = ("events", event_id)
    if not isinstance(body, dict):
        check.error(where, f"event '{event_id}' must be a table, like [events.{event_id}]")
        return None
    before = len(check.problems)
    if not CONTACT_ID.fullmatch(event_id):
        check.error(where, f"event id '{event_id}' may hold only letters, digits, '-', '_' and '.'")
    check.unknown_keys(body, EVENT_KEYS, where)
    title = check.string(body, "title", where, required=True)
    host = check.string(body, "host", where, required=True)
    if host is not None and host != ME and host not in roster:
        ids = [c.id for c in roster]
        check.error(
            (*where, "host"),
            f"host '{host}' is not a contact id in the roster (or"
            f' "me" for your own event){did_you_mean(host, ids)}',
        )
    zone = _read_zone(body, where, check)
    if zone is None and "timezone" not in body and default_zone is not None:
        zone = zoneinfo.ZoneInfo(default_zone)  # validated with outreach.toml
    start = _read_moment(body, "start", where, zone, check, required=True)
    end = _read_moment(body, "end", where, zone, check, required=False)
    if start is not None and end is not None and end < start:
        check.error((*where, "end"), "the event ends before it starts")
    share_with = check.string_list(body, "share_with", where)
    for target in share_with:
        _check_share_target(target, where, roster, circles, check)
    if len(check.problems) != before or title is None or host is None or start is None:
        return None
    return Event(
        id=event_id,
        title=title,
        host=host,
        start=start,
        end=end,
        url=check.string(body, "url", where),
        location=check.string(body, "location", where),
        description=check.string(body, "description", where, single_line=False),
        tags=tuple(t.strip().lower() for t in check.string_list(body, "tags", where)),
        share_with=share_with,
    )


def _read_zone(
    body: Mapping[str, Any], where: KeyPath, check: Validator
) -> zoneinfo.ZoneInfo | None:
    name = check.string(body, "timezone", where)
    if name is None:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check.error((*where, "timezone"), f"unknown time zone '{name}'")
        return None


def _read_moment(
    body: Mapping[str, Any],
    key: str,
    where: KeyPath,
    zone: zoneinfo.ZoneInfo | None,
    check: Validator,
    *,
    required: bool,
) -> datetime | None:
    if key not in body:
        if required:
            check.error(where, f"missing required key '{key}'")
        return None
    value = body[key]
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value
        if zone is not None:
            return value.replace(tzinfo=zone)
        check.error(
            (*where, key),
            f"'{key}' needs a time zone: write an offset (2026-05-01T18:00:00-04:00),"
            ' add timezone = "Area/City" to the event, or set it once at the top of'
            " outreach.toml",
        )
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        if zone is None:
            check.error(
                (*where, key),
                f"'{key}' is a date without a time zone; add timezone = \"Area/City\""
                " to the event, or once at the top of outreach.toml",
            )
            return None
        return datetime.combine(value, time(0, 0), tzinfo=zone)
    check.error(
        (*where, key), f"'{key}' must be a TOML date-time such as 2026-05-01T18:00:00-04:00"
    )
    return None


def _check_share_target(
    target: str, where: KeyPath, roster: Roster, circles: Mapping[str, Circle], check: Validator
) -> None:
    kind, _, name = target.partition(":")
    if kind == "tag" and name:
        return
    if kind == "circle" and name:
        if name not in circles:
            check.error(
                (*where, "share_with"), f"unknown circle '{name}' in share_with", value=target
            )
        return
    if target not in roster:
        ids = [c.id for c in roster]
        check.error(
            (*where, "share_with"),
            f"share_with '{target}' is not a contact id,"
            f" 'tag:NAME' or 'circle:NAME'{did_you_mean(target, ids)}",
            value=target,
        )
