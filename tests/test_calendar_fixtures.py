"""Real calendar files: outreach's reading against the reference libraries' own.

The reference is icalendar + x-wr-timezone + recurring-ical-events reading
the whole file; outreach reads it component by component. Every series the
reference sees occurring in the next 30 days must come out of an import with
that occurrence as `next_start` in `events list --format json`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import x_wr_timezone

from outreach.core.ical_read import events_from_calendar
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_CONFIG, make_workspace

CALENDARS = Path(__file__).parent / "fixtures" / "calendars"
FILES = sorted(CALENDARS.glob("*.ics"))
ZONE = "Europe/Berlin"
AS_OF = "2026-12-07"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # what --as-of AS_OF means


def reference_next(data: bytes) -> dict[str, datetime | date] | None:
    """Each UID's first occurrence running at or starting in the next 30 days, by the
    reference reading; None when the reference cannot read the file as a whole."""
    try:
        found: dict[str, datetime | date] = {}
        for calendar in icalendar.Calendar.from_ical(data, multiple=True):
            standard = x_wr_timezone.to_standard(calendar)
            query = recurring_ical_events.of(standard)
            for occurrence in query.between(NOW, NOW + timedelta(days=30)):
                uid = str(occurrence.get("UID"))
                start = occurrence.DTSTART
                if isinstance(start, datetime) and start.tzinfo is None:
                    start = start.replace(tzinfo=ZoneInfo(ZONE))  # floating: the workspace's
                if uid not in found or _key(start) < _key(found[uid]):
                    found[uid] = start
        return found
    except Exception:  # the reference gives up on a file with one broken part
        return None


def _key(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, tzinfo=ZoneInfo(ZONE))


def _same(ours: str, reference: datetime | date) -> bool:
    if isinstance(reference, datetime):
        return datetime.fromisoformat(ours) == reference
    return ours == reference.isoformat()


def test_the_fixtures_hold_running_series() -> None:
    """The comparison below means something only if the files have series to come."""
    series = 0
    for path in FILES:
        series += len(reference_next(path.read_bytes()) or {})
    assert len(FILES) >= 30
    assert series >= 30


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_reading_matches_the_reference(path: Path) -> None:
    data = path.read_bytes()
    reading = events_from_calendar(data, default_zone=ZONE, now=NOW)
    expected = reference_next(data)
    if expected is None:
        # The reference refuses the file; outreach reads what it can and says
        # which part it skipped.
        assert reading.problems, path.name
        return
    ours: dict[str, datetime] = {}
    for event in reading.events:
        if event.uid is not None and event.next_start < NOW + timedelta(days=30):
            ours[event.uid] = min(ours.get(event.uid, event.next_start), event.next_start)
    assert {uid: _key(start) for uid, start in expected.items()} == ours


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_import_lists_each_running_series_with_its_next_occurrence(
    path: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", config=f'timezone = "{ZONE}"\n' + DEFAULT_CONFIG)
    home = ("--home", str(root), "--as-of", AS_OF)
    data = path.read_bytes()
    reading = events_from_calendar(data, default_zone=ZONE, now=NOW)
    status = 0 if reading.readable else 2
    imported = run_cli(*home, "events", "import", str(path), "--host", "ana", expect=status)
    assert "Traceback" not in imported.stderr
    if status == 2:
        assert imported.stderr.startswith(f"{path}: ")
        return
    listed = json.loads(run_cli(*home, "events", "list", "--format", "json").stdout)["events"]
    for uid, start in (reference_next(data) or {}).items():
        titles = {e.title for e in reading.events if e.uid == uid}
        matching = [e for e in listed if e["title"] in titles and _same(e["next_start"], start)]
        assert matching, f"{path.name}: {uid} next at {start} is not listed"
    # Importing the same file again adds nothing.
    again = run_cli(*home, "events", "import", str(path), "--host", "ana")
    assert again.stdout.startswith("imported 0 events")
