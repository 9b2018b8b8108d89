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
from outreach.base.model import ME, Circle, Event, Moved, Recurrence, Roster
from outreach.core.recur import day_after
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
    "repeat",
    "also_on",
    "except_on",
    "moved",
)
MOVED_KEYS = ("from", "start", "end")


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
    all_day = isinstance(body.get("start"), date) and not isinstance(body.get("start"), datetime)
    end = _read_moment(body, "end", where, zone, check, required=False)
    if end is not None and all_day != _is_date(body.get("end")):
        check.error((*where, "end"), "'end' must be a date when 'start' is one, else a time")
        end = None
    if all_day and start is not None:
        # An all-day event's end is its last day, as people write it; inside,
        # it ends at the midnight after that day (RFC 5545 3.6.1).
        end = day_after(end or start)
    if start is not None and end is not None and end < start:
        check.error((*where, "end"), "the event ends before it starts")
    recurrence = _read_recurrence(body, where, zone, all_day, check)
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
        all_day=all_day,
        recurrence=recurrence,
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


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _read_recurrence(
    body: Mapping[str, Any],
    where: KeyPath,
    zone: zoneinfo.ZoneInfo | None,
    all_day: bool,
    check: Validator,
) -> Recurrence | None:
    """`repeat` (an RRULE), `also_on`, `except_on` and `moved`: how a series repeats."""
    rule = check.string(body, "repeat", where)
    if rule is not None:
        # The iCalendar parser loads only for workspaces that hold a series.
        from outreach.core.recur import check_rule

        why = check_rule(rule)
        if why is not None:
            check.error(
                (*where, "repeat"),
                f"'repeat' must be an iCalendar RRULE such as \"FREQ=WEEKLY;BYDAY=TH\": {why}",
            )
    extra = _read_moments(body, "also_on", where, zone, all_day, check)
    skipped = _read_moments(body, "except_on", where, zone, all_day, check)
    moved: list[Moved] = []
    for index, item in enumerate(_list(body, "moved", where, check)):
        item_where: KeyPath = (*where, "moved", index)
        if not isinstance(item, dict):
            check.error(item_where, "each of 'moved' must be a table: { from = …, start = … }")
            continue
        check.unknown_keys(item, MOVED_KEYS, item_where)
        original = _read_moment(item, "from", item_where, zone, check, required=True)
        start = _read_moment(item, "start", item_where, zone, check, required=True)
        end = _read_moment(item, "end", item_where, zone, check, required=False)
        if original is not None and start is not None:
            moved.append(Moved(original, start, day_after(end) if all_day and end else end))
    if rule is None and not extra and not moved:
        if skipped:
            check.error((*where, "except_on"), "'except_on' needs 'repeat' or 'also_on'")
        return None
    return Recurrence(rule=rule, extra=extra, skipped=skipped, moved=tuple(moved))


def _list(body: Mapping[str, Any], key: str, where: KeyPath, check: Validator) -> list[Any]:
    value = body.get(key, [])
    if not isinstance(value, list):
        check.error((*where, key), f"'{key}' must be a list, like {key} = [2026-05-01T18:00:00]")
        return []
    return value


def _read_moments(
    body: Mapping[str, Any],
    key: str,
    where: KeyPath,
    zone: zoneinfo.ZoneInfo | None,
    all_day: bool,
    check: Validator,
) -> tuple[datetime, ...]:
    found: list[datetime] = []
    for index, value in enumerate(_list(body, key, where, check)):
        if _is_date(value) != all_day:
            kind = "dates" if all_day else "date-times"
            check.error((*where, key, index), f"'{key}' must hold {kind}, as 'start' does")
            continue
        moment = _read_moment({key: value}, key, where, zone, check, required=True)
        if moment is not None:
            found.append(moment)
    return tuple(found)


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
