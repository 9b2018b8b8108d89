"""What calendar applications write: each case read as the calendar meant it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.core.ical_read import Organizer, events_from_calendar
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_CONFIG, make_workspace

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
AUCKLAND = ZoneInfo("Pacific/Auckland")


def ics(*lines: str, head: tuple[str, ...] = ()) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//example//EN", *head, *lines]
    return ("\r\n".join([*body, "END:VCALENDAR"]) + "\r\n").encode()


def test_google_utc_times_read_in_the_calendars_zone() -> None:
    # Google writes UTC and names the calendar's zone in X-WR-TIMEZONE.
    data = ics(
        "BEGIN:VEVENT",
        "UID:g1",
        "SUMMARY:Harbour clean-up",
        "DTSTART:20261224T200000Z",
        "DTEND:20261224T220000Z",
        "END:VEVENT",
        head=("X-WR-TIMEZONE:Pacific/Auckland",),
    )
    (event,) = events_from_calendar(data, default_zone="UTC", now=NOW).events
    assert (event.zone, event.start) == (
        "Pacific/Auckland",
        datetime(2026, 12, 25, 9, 0, tzinfo=AUCKLAND),
    )


def test_duration_gives_the_end_and_a_moved_occurrence_before_its_series_moves_one() -> None:
    data = ics(
        "BEGIN:VEVENT",
        "UID:s1",
        "RECURRENCE-ID;TZID=Pacific/Auckland:20261210T180000",
        "DTSTART;TZID=Pacific/Auckland:20261211T180000",
        "SUMMARY:Reading circle (moved)",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:s1",
        "SUMMARY:Reading circle",
        "DTSTART;TZID=Pacific/Auckland:20261203T180000",
        "DURATION:PT1H30M",
        "RRULE:FREQ=WEEKLY",
        "END:VEVENT",
    )
    (event,) = events_from_calendar(data, default_zone="UTC", now=NOW).events
    assert event.title == "Reading circle"
    assert event.end == datetime(2026, 12, 3, 19, 30, tzinfo=AUCKLAND)
    assert (event.next_start, event.next_end) == (
        datetime(2026, 12, 11, 18, 0, tzinfo=AUCKLAND),
        datetime(2026, 12, 11, 19, 30, tzinfo=AUCKLAND),
    )


def test_two_calendars_in_one_file_and_a_broken_part_skipped_with_its_name() -> None:
    first = ics(
        "BEGIN:VEVENT",
        "UID:a",
        "SUMMARY:Potluck",
        "DTSTART:20261220T180000Z",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT1X",  # not a duration: alarms are ignored
        "END:VALARM",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:b",
        "SUMMARY:Broken",
        "DTSTART:2026-12-20",
        "END:VEVENT",
    )
    second = ics("BEGIN:VEVENT", "UID:c", "SUMMARY:Choir", "DTSTART:20261221T180000Z", "END:VEVENT")
    # A zone icalendar refuses, which makes it refuse the whole file.
    third = ics(
        "BEGIN:VTIMEZONE",
        "TZID:Nowhere",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+5328",
        "TZOFFSETTO:+5328",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "UID:d",
        "SUMMARY:Garbled",
        "DTSTART;TZID=Nowhere:20261222T180000",
        "END:VEVENT",
    )
    reading = events_from_calendar(first + second + third, default_zone="UTC", now=NOW)
    assert [e.title for e in reading.events] == ["Potluck", "Choir"]
    assert reading.calendars == 2
    garbled, broken = reading.problems
    assert garbled.startswith("event 'Garbled': ")
    assert broken.startswith("event 'Broken' (UID b): ")


def test_organizers_with_a_name_and_no_address_are_named_plainly() -> None:
    data = ics(
        "BEGIN:VEVENT",
        "UID:o1",
        "SUMMARY:Open mic",
        "DTSTART:20261220T180000Z",
        "ORGANIZER;CN=Sam Stone:invalid:nomail",
        "END:VEVENT",
    )
    (event,) = events_from_calendar(data, default_zone="UTC", now=NOW).events
    assert event.organizer == Organizer(name="Sam Stone", email=None)
    assert str(event.organizer) == "Sam Stone"


def test_import_summary_and_events_without_uid_are_known_again(
    tmp_path: Path, run_cli: RunCli
) -> None:
    data = ics(
        "BEGIN:VEVENT",
        "SUMMARY:Repair café",
        "DTSTART;VALUE=DATE:20261219",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Bike kitchen",
        "DTSTART;TZID=Europe/Berlin:20260105T180000",
        "RRULE:FREQ=WEEKLY",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Last spring",
        "DTSTART:20260401T180000Z",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Unreadable",
        "DTSTART:yesterday",
        "END:VEVENT",
    )
    path = tmp_path / "club.ics"
    path.write_bytes(data)
    root = make_workspace(tmp_path / "ws", config='timezone = "Europe/Berlin"\n' + DEFAULT_CONFIG)
    home = ("--home", str(root), "--as-of", "2026-12-07")
    result = run_cli(*home, "events", "import", str(path), "--host", "ana")
    assert result.stdout == (
        "imported 2 events into events.toml, 1 of them recurring; skipped 1 already over;"
        " 1 unreadable\n"
        "next: `outreach draft shares --dry-run` to see who they would go to\n"
    )
    assert result.stderr.startswith(f"unreadable, skipped: {path}: event 'Unreadable': ")
    assert run_cli(*home, "events", "list").stdout == (
        "bike-kitchen-2026-01-05: Bike kitchen\n"
        "    next: Monday 7 December 2026 at 6 pm (Berlin time); repeats; hosted by ana\n"
        "    not drafted yet; 0 interested\n"
        "repair-cafe-2026-12-19: Repair café\n"
        "    Saturday 19 December 2026; hosted by ana\n"
        "    not drafted yet; 0 interested\n"
    )
    again = run_cli(*home, "events", "import", str(path), "--host", "ana")
    assert again.stdout == (
        "imported 0 events; skipped 2 already imported, 1 already over; 1 unreadable\n"
    )
