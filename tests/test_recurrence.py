"""Series in events.toml: written as iCalendar says them, shared as of their next occurrence."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Circle
from outreach.core.config import DEFAULT_CIRCLES
from outreach.core.events import parse_events
from outreach.core.phrasing import when
from outreach.core.recur import next_occurrence
from outreach.core.roster import parse_roster
from outreach.core.shares import plan_shares
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_CONFIG, DEFAULT_ROSTER, make_workspace

CIRCLES = {name: Circle(name, days) for name, days in DEFAULT_CIRCLES.items()}
ROSTER = parse_roster(DEFAULT_ROSTER, CIRCLES)
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # a Monday

SALON = """\
[events.salon]
title = "Thursday salon"
host = "ana"
start = 2026-01-08T19:00:00
end = 2026-01-08T21:00:00
timezone = "Europe/Berlin"
repeat = "FREQ=WEEKLY;BYDAY=TH"
except_on = [2026-12-10T19:00:00]
moved = [{ from = 2026-12-17T19:00:00, start = 2026-12-18T18:00:00 }]
tags = ["housing"]
"""


def test_a_series_comes_back_as_of_its_next_occurrence() -> None:
    (salon,) = parse_events(SALON, ROSTER, CIRCLES)
    assert salon.recurrence is not None
    assert salon.recurrence.rule == "FREQ=WEEKLY;BYDAY=TH"
    # 10 December is cancelled, so the next is the one moved to Friday 18 December.
    following = next_occurrence(salon, now=NOW)
    assert following is not None
    assert (following.start, following.end) == (
        datetime(2026, 12, 18, 18, 0, tzinfo=BERLIN),
        datetime(2026, 12, 18, 20, 0, tzinfo=BERLIN),
    )
    assert following.recurrence is None
    # During an occurrence it is still the one to share; once over, the next.
    running = datetime(2026, 12, 18, 19, 30, tzinfo=BERLIN)
    assert next_occurrence(salon, now=running) == following
    after = next_occurrence(salon, now=datetime(2026, 12, 18, 20, 0, tzinfo=BERLIN))
    assert after is not None
    assert after.start == datetime(2026, 12, 24, 19, 0, tzinfo=BERLIN)


def test_shares_name_the_next_occurrence_and_reach_each_person_once() -> None:
    (salon,) = parse_events(SALON, ROSTER, CIRCLES)
    plan = plan_shares([salon], ROSTER, now=NOW, already_shared={})
    assert [(s.contact.id, when(s.event)) for s in plan.shares] == [
        ("ben", "Friday 18 December at 6 pm")
    ]
    later = plan_shares([salon], ROSTER, now=NOW + timedelta(days=30), already_shared={})
    assert when(later.shares[0].event) == "Thursday 7 January at 7 pm"
    done = plan_shares([salon], ROSTER, now=NOW, already_shared={"salon": {"ben"}})
    assert done.shares == ()


def test_a_finished_series_is_over() -> None:
    text = SALON.replace('repeat = "FREQ=WEEKLY;BYDAY=TH"', 'repeat = "FREQ=WEEKLY;COUNT=3"')
    text = "\n".join(line for line in text.splitlines() if not line.startswith("moved"))
    (salon,) = parse_events(text, ROSTER, CIRCLES)
    assert next_occurrence(salon, now=NOW) is None
    plan = plan_shares([salon], ROSTER, now=NOW, already_shared={})
    assert plan.notes == ("salon: already over, not shared",)


def test_all_day_events_read_as_dates() -> None:
    text = """\
[events.fair]
title = "Zine fair"
host = "ana"
start = 2026-12-12
timezone = "Europe/Berlin"

[events.festival]
title = "Winter festival"
host = "ana"
start = 2026-12-30
end = 2027-01-02
timezone = "Europe/Berlin"

[events.market]
title = "Market"
host = "ana"
start = 2026-01-03
timezone = "Europe/Berlin"
repeat = "FREQ=MONTHLY;BYDAY=1SA"
"""
    fair, festival, market = sorted(parse_events(text, ROSTER, CIRCLES), key=lambda e: e.id[0])
    assert (fair.id, when(fair)) == ("fair", "Saturday 12 December 2026")
    assert fair.end == datetime(2026, 12, 13, tzinfo=BERLIN)
    assert when(festival) == "Wednesday 30 December 2026 to Saturday 2 January 2027"
    following = next_occurrence(market, now=NOW)
    assert following is not None
    assert when(following) == "Saturday 2 January 2027"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'repeat = "WEEKLY"',
            "events.toml:7:1: 'repeat' must be an iCalendar RRULE such as"
            ' "FREQ=WEEKLY;BYDAY=TH": it needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY'
            " (or another RFC 5545 frequency)",
        ),
        (
            "except_on = [2026-12-10]",
            "events.toml:7:1: 'except_on' must hold date-times, as 'start' does",
        ),
        (
            "except_on = [2026-12-10T19:00:00]",
            "events.toml:7:1: 'except_on' needs 'repeat' or 'also_on'",
        ),
    ],
)
def test_a_series_written_wrong_is_located(line: str, message: str) -> None:
    text = SALON.split("repeat =")[0] + line + "\n"
    with pytest.raises(InputError) as caught:
        parse_events(text, ROSTER, CIRCLES)
    assert [str(p) for p in caught.value.problems] == [message]


def test_draft_shares_shares_the_next_meeting_of_a_real_weekly_group(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # A makerspace's published calendar: its weekly meetings began in 2019.
    ics = Path(__file__).parent / "fixtures" / "calendars" / "daylight_saving_time.ics"
    root = make_workspace(tmp_path / "ws", config='timezone = "Europe/Berlin"\n' + DEFAULT_CONFIG)
    home = ("--home", str(root), "--as-of", "2026-12-07")
    run_cli(*home, "events", "import", str(ics), "--host", "ana", "--tag", "food")
    listed = json.loads(run_cli(*home, "events", "list", "--format", "json").stdout)["events"]
    (meeting,) = [e for e in listed if e["title"] == "Chaostreff - CCCP"]
    assert (meeting["repeat"], meeting["start"], meeting["next_start"]) == (
        "FREQ=WEEKLY;BYDAY=WE",
        "2019-02-13T19:00:00+01:00",
        "2026-12-09T19:00:00+01:00",
    )
    run_cli(*home, "draft", "shares", "--event", meeting["id"])
    (draft,) = (root / "drafts").glob("*.eml")
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Chaostreff - CCCP, Wednesday 9 December (Ana)"
    body = message.get_body(("plain",))
    assert body is not None
    assert '"Chaostreff - CCCP" is on Wednesday 9 December at 7 pm' in (
        " ".join(body.get_content().split())
    )
