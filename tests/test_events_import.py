"""iCalendar imports: organizers become hosts, the file keeps its text, no duplicates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.app.events import import_calendar
from outreach.base.errors import InputError
from outreach.base.model import Contact, Roster
from outreach.core.events_import import events_toml, read_calendar
from outreach.store.workspace import load_workspace
from tests.conftest import NOW, RunCli
from tests.support.workspaces import DEFAULT_CONFIG, make_workspace

EXISTING = """\
# Events I care about. Hand-written; keep my comments!
[events.garden]
title = "Garden day"   # outdoors
host = "ana"
start = 2026-06-20T10:00:00+02:00
tags = ["food"]
"""


def vevent(uid: str, summary: str, start: str, *extra: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"SUMMARY:{summary}",
            start,
            "DTSTAMP:20260601T000000Z",
            *extra,
            "END:VEVENT",
        ]
    )


def calendar(*events: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//example//events//EN",
        *events,
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


SALON = vevent(
    "salon-1@example.org",
    "Housing Futures Salon",
    "DTSTART;TZID=Europe/Berlin:20260701T180000",
    "DTEND;TZID=Europe/Berlin:20260701T200000",
    "ORGANIZER;CN=Ben Okafor:mailto:BEN.OKAFOR@example.com",
    "CATEGORIES:Housing,Food",
    "URL:https://example.org/salon",
    "LOCATION:Eastside Library\\, room 2",
    "DESCRIPTION:Short talks.\\nLong conversations.",
)
MINE = vevent(
    "studio@example.org",
    "Open studio",
    "DTSTART:20260705T160000Z",
    "ORGANIZER:mailto:dana@example.org",
)
STRANGER = vevent(
    "stranger@example.org",
    "Stranger's talk",
    "DTSTART:20260710T160000Z",
    "ORGANIZER;CN=Sam Stone:mailto:sam@example.com",
)
PAST = vevent(
    "past@example.org", "Last year", "DTSTART:20250710T160000Z", "ORGANIZER:mailto:ana@example.net"
)
CANCELLED = vevent(
    "gone@example.org",
    "Called off",
    "DTSTART:20260801T160000Z",
    "STATUS:CANCELLED",
    "ORGANIZER:mailto:ana@example.net",
)
ALL_DAY = vevent(
    "fair@example.org",
    "Zine fair",
    "DTSTART;VALUE=DATE:20260712",
    "DTEND;VALUE=DATE:20260713",
    "ORGANIZER:mailto:ana@example.net",
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", events=EXISTING)


def test_organizers_map_to_hosts_and_the_existing_text_is_kept(root: Path, tmp_path: Path) -> None:
    ics = tmp_path / "season.ics"
    ics.write_bytes(calendar(SALON, MINE, STRANGER, PAST, CANCELLED))
    result = import_calendar(load_workspace(root), ics, now=NOW)
    assert [(e.id, e.host) for e in result.added] == [
        ("housing-futures-salon-2026-07-01", "ben"),
        ("open-studio-2026-07-05", "me"),
    ]
    needs_host = result.found.needs_host
    assert [n.title for n in needs_host] == ["Stranger's talk"]
    assert needs_host[0].organizer is not None
    assert needs_host[0].organizer.email == "sam@example.com"
    assert result.found.summary() == (
        "imported 2 events; skipped 1 already over, 1 cancelled, 1 without a host"
    )
    text = (root / "events.toml").read_text()
    assert text.startswith(EXISTING + "\n# imported from iCalendar, UID: salon-1@example.org\n")
    events = {e.id: e for e in load_workspace(root).events}
    salon = events["housing-futures-salon-2026-07-01"]
    assert salon.start == datetime(2026, 7, 1, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert salon.start.tzinfo == ZoneInfo("Europe/Berlin")
    assert salon.end == datetime(2026, 7, 1, 20, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert salon.tags == ("housing", "food")
    assert salon.location == "Eastside Library, room 2"
    assert salon.description == "Short talks.\nLong conversations."
    assert salon.url == "https://example.org/salon"
    studio = events["open-studio-2026-07-05"]
    assert studio.is_self_promotion
    assert studio.start == datetime(2026, 7, 5, 16, 0, tzinfo=UTC)


def test_importing_the_same_calendar_again_adds_nothing(root: Path, tmp_path: Path) -> None:
    ics = tmp_path / "season.ics"
    ics.write_bytes(calendar(SALON, MINE))
    import_calendar(load_workspace(root), ics, now=NOW)
    once = (root / "events.toml").read_text()
    again = import_calendar(load_workspace(root), ics, now=NOW)
    assert again.added == ()
    assert again.found.summary() == "imported 0 events; skipped 2 already imported"
    assert (root / "events.toml").read_text() == once


def test_host_option_covers_organizers_not_in_the_roster(root: Path, tmp_path: Path) -> None:
    ics = tmp_path / "talk.ics"
    ics.write_bytes(calendar(STRANGER))
    result = import_calendar(load_workspace(root), ics, now=NOW, host="ana", tags=["Talks"])
    (added,) = result.added
    assert (added.host, added.tags) == ("ana", ("talks",))
    with pytest.raises(InputError, match="'anna' is not a contact id"):
        import_calendar(load_workspace(root), ics, now=NOW, host="anna")


def test_all_day_events_are_read_in_the_given_zone_as_dates() -> None:
    roster = Roster.of([Contact("ana", "Ana", ("ana@example.net",))])
    found = read_calendar(
        calendar(ALL_DAY),
        path="fair.ics",
        roster=roster,
        my_addresses=(),
        events_text="",
        now=NOW,
        default_zone="America/Chicago",
    )
    (event,) = found.events
    assert event.id == "zine-fair-2026-07-12"
    assert events_toml(found.events) == (
        "# imported from iCalendar, UID: fair@example.org\n"
        "[events.zine-fair-2026-07-12]\n"
        'title = "Zine fair"\n'
        'host = "ana"\n'
        "start = 2026-07-12\n"
        'timezone = "America/Chicago"\n'
    )


def test_the_machines_zone_reads_floating_times_when_the_workspace_names_none(
    root: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "fair.ics"
    ics.write_bytes(calendar(ALL_DAY))
    import_calendar(load_workspace(root), ics, now=NOW, environ={"TZ": "Pacific/Auckland"})
    fair = next(e for e in load_workspace(root).events if e.title == "Zine fair")
    assert fair.all_day
    assert fair.start == datetime(2026, 7, 12, tzinfo=ZoneInfo("Pacific/Auckland"))


def test_all_day_event_round_trips_through_events_toml(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", config='timezone = "America/Chicago"\n' + DEFAULT_CONFIG)
    ics = tmp_path / "fair.ics"
    ics.write_bytes(calendar(ALL_DAY))
    import_calendar(load_workspace(root), ics, now=NOW)
    (event,) = load_workspace(root).events
    assert event.start == datetime(2026, 7, 12, tzinfo=ZoneInfo("America/Chicago"))
    assert event.end == datetime(2026, 7, 13, tzinfo=ZoneInfo("America/Chicago"))


def test_not_a_calendar_is_an_input_error(root: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.ics"
    bogus.write_text("hello\n")
    with pytest.raises(InputError, match=r"bogus\.ics: not an iCalendar file"):
        import_calendar(load_workspace(root), bogus, now=NOW)


def test_cli_import_flags_events_needing_a_host(
    root: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    ics = tmp_path / "season.ics"
    ics.write_bytes(calendar(SALON, STRANGER))
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    # The file was read: exit 0, with the events left out and what to do about them.
    result = run_cli(*home, "events", "import", str(ics), "--dry-run")
    assert result.stdout.startswith("# imported from iCalendar, UID: salon-1@example.org\n[events.")
    assert (root / "events.toml").read_text() == EXISTING
    result = run_cli(*home, "events", "import", str(ics))
    assert result.stdout == (
        "imported 1 event into events.toml; skipped 1 without a host\n"
        "next: `outreach draft shares --dry-run` to see who they would go to\n"
    )
    assert result.stderr == (
        "needs a host: 'Stranger's talk' (organizer Sam Stone <sam@example.com>"
        " is not in the roster)\n"
        "hint: add the organizer to roster.toml, or rerun with --host ID"
        " (or --host me for your own events)\n"
    )
    listing = run_cli(*home, "events", "list").stdout
    assert listing == (
        "garden: Garden day\n"
        "    Saturday 20 June 2026 at 10 am (UTC+02:00); hosted by ana\n"
        "    not drafted yet; 1 interested\n"
        "housing-futures-salon-2026-07-01: Housing Futures Salon\n"
        "    Wednesday 1 July 2026 at 6 pm (Berlin time); hosted by ben\n"
        "    not drafted yet; 1 interested\n"
    )
