"""events.toml: parsing and every validation rule, located."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Circle
from outreach.core.config import DEFAULT_CIRCLES
from outreach.core.events import parse_events
from outreach.core.roster import parse_roster
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

CIRCLES = {name: Circle(name, days) for name, days in DEFAULT_CIRCLES.items()}
ROSTER = parse_roster(DEFAULT_ROSTER, CIRCLES)


def test_event_with_zone_name_and_share_targets() -> None:
    (event,) = parse_events(
        """
[events.swap]
title = "Seed swap"
host = "ana"
start = 2026-07-01T17:00:00
timezone = "America/Chicago"
tags = ["Food"]
share_with = ["ben", "tag:housing", "circle:focus"]
""",
        ROSTER,
        CIRCLES,
    )
    assert event.start.astimezone(UTC) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)
    assert event.tags == ("food",)
    assert not event.is_self_promotion


def test_own_event_is_self_promotion_and_offsets_need_no_zone() -> None:
    (event,) = parse_events(
        '[events.talk]\ntitle = "My talk"\nhost = "me"\nstart = 2026-07-01T18:00:00+02:00\n',
        ROSTER,
        CIRCLES,
    )
    assert event.is_self_promotion
    assert event.start.utcoffset() is not None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'title = "T"\nhost = "zoe"\nstart = 2026-07-01T18:00:00Z\n',
            "events.toml:3:1: host 'zoe' is not a contact id",
        ),
        (
            'title = "T"\nhost = "ana"\nstart = 2026-07-01T18:00:00\n',
            "events.toml:4:1: 'start' needs a time zone",
        ),
        (
            'title = "T"\nhost = "ana"\nstart = "tomorrow"\n',
            "events.toml:4:1: 'start' must be a TOML date-time",
        ),
        (
            'title = "T"\nhost = "ana"\nstart = 2026-07-01T18:00:00Z\nend = 2026-07-01T17:00:00Z\n',
            "events.toml:5:1: the event ends before it starts",
        ),
        (
            'title = "T"\nhost = "ana"\nstart = 2026-07-01T18:00:00Z\nshare_with = ["bne"]\n',
            "events.toml:5:16: share_with 'bne' is not a contact id, 'tag:NAME' or"
            " 'circle:NAME' — did you mean 'ben'?",
        ),
        (
            'title = "T"\nhost = "ana"\nstart = 2026-07-01T18:00:00Z\n'
            'share_with = ["circle:inner"]\n',
            "events.toml:5:16: unknown circle 'inner' in share_with",
        ),
        (
            'title = "T\\nBcc: x@example.com"\nhost = "ana"\nstart = 2026-07-01T18:00:00Z\n',
            "events.toml:2:1: 'title' must not contain a line break",
        ),
        (
            'title = "T"\nhost = "ana"\nstart = 2026-07-01T18:00:00Z\nwhere = "x"\n',
            "events.toml:5:1: unknown key 'where'",
        ),
    ],
)
def test_event_problem_is_located(body: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_events("[events.e]\n" + body, ROSTER, CIRCLES, "events.toml")
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith(expected) for p in found), found


def test_an_event_without_a_zone_takes_the_workspaces() -> None:
    text = """
[events.swap]
title = "Seed swap"
host = "ana"
start = 2026-07-01T17:00:00

[events.talk]
title = "Talk in Berlin"
host = "ana"
start = 2026-07-02
timezone = "Europe/Berlin"
"""
    swap, talk = parse_events(text, ROSTER, CIRCLES, default_zone="America/Chicago")
    assert swap.start.astimezone(UTC) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)
    # An event's own zone wins over the workspace's.
    assert talk.start.astimezone(UTC) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)
    assert str(talk.start.tzinfo) == "Europe/Berlin"


def test_the_workspace_zone_applies_through_the_cli(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        config='timezone = "America/Chicago"\n[me]\nname = "Dana"\nemail = "dana@example.org"\n',
        events='[events.swap]\ntitle = "Seed swap"\nhost = "ana"\nstart = 2026-07-01T17:00:00\n',
    )
    listing = run_cli("--home", str(ws), "--as-of", "2026-06-15", "events", "list").stdout
    assert listing.splitlines()[1] == (
        "    Wednesday 1 July 2026 at 5 pm (Chicago time); hosted by ana"
    )
