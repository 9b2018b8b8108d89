"""The example workspace teaches its format as well as the blank files do."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from outreach.core.example import example_workspace

FILES = example_workspace(datetime(2026, 6, 15, 12, tzinfo=UTC)).files


def text(name: str) -> str:
    return FILES[name].decode("utf-8")


def test_every_roster_key_is_explained_where_it_first_appears() -> None:
    lines = text("roster.toml").splitlines()
    keys = {line.partition(" =")[0] for line in lines if re.match(r"^[a-z_]+ =", line)}
    for key in keys - {"name"}:
        first = next(n for n, line in enumerate(lines) if line.startswith(f"{key} ="))
        assert lines[first - 1].startswith(f"# {key}: "), key


def test_events_name_no_zone_and_the_workspace_gives_it() -> None:
    assert "timezone" not in "".join(
        line for line in text("events.toml").splitlines() if not line.startswith("#")
    )
    assert 'timezone = "America/Chicago"' in text("outreach.toml").splitlines()


def test_every_table_of_the_config_is_commented() -> None:
    lines = text("outreach.toml").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("["):
            above = lines[number - 1] if number else ""
            assert "#" in line or above.lstrip().startswith("#"), line
