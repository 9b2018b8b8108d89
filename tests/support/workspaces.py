"""Small workspaces written to disk for tests, from literal TOML."""

from __future__ import annotations

import textwrap
from pathlib import Path

DEFAULT_CONFIG = """\
[me]
name = "Dana Reyes"
email = "dana@example.org"
"""

DEFAULT_ROSTER = """\
[contacts.ana]
name = "Ana Lima"
emails = ["ana@example.net"]
circle = "focus"
why = ["learn"]
tags = ["art", "housing"]

[contacts.ben]
name = "Ben Okafor"
emails = ["ben@example.net", "ben.okafor@example.com"]
why = ["connect"]
tags = ["housing", "food"]
"""


def make_workspace(
    root: Path,
    *,
    config: str = DEFAULT_CONFIG,
    roster: str = DEFAULT_ROSTER,
    events: str = "",
    extra_config: str = "",
) -> Path:
    """Write outreach.toml, roster.toml and events.toml under `root`; return `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "outreach.toml").write_text(textwrap.dedent(config) + textwrap.dedent(extra_config))
    (root / "roster.toml").write_text(textwrap.dedent(roster))
    (root / "events.toml").write_text(textwrap.dedent(events))
    return root
