"""Decisions stick: a discarded draft, a declined pair and a roster opt-out are respected.

Through the command line, on days that follow one another (`--as-of`), the
way a person meets them: discard today, run the daemon's drafting tomorrow.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

EVENTS = """\
[events.salon]
title = "Housing Salon"
host = "me"
start = 2026-07-01T18:00:00Z
tags = ["housing"]

[events.walk]
title = "Repair Walk"
host = "me"
start = 2026-07-02T18:00:00Z
tags = ["housing"]
"""
CAI = """
[contacts.cai]
name = "Cai Wen"
emails = ["cai@example.com"]
why = ["connect"]
tags = ["housing", "food"]
"""


def outreach(run_cli: RunCli, root: Path, day: int, *args: str, expect: int = 0) -> tuple[str, str]:
    result = run_cli("--home", str(root), "--as-of", f"2026-06-{day:02d}", *args, expect=expect)
    return result.stdout, result.stderr


def test_a_discarded_share_is_not_drafted_the_next_day_unless_again(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENTS)
    outreach(run_cli, root, 15, "draft", "shares", "--event", "salon")
    assert outreach(run_cli, root, 15, "drafts", "discard", "1")[0] == (
        "discarded draft 1: Housing Salon, Wednesday 1 July\n"
    )
    assert outreach(run_cli, root, 16, "draft", "shares", "--event", "salon")[0] == (
        "no new shares to draft\n"
    )
    out, _ = outreach(run_cli, root, 16, "draft", "shares", "--event", "salon", "--again")
    # Ben's draft is still waiting: only Ana's discarded one is drafted anew.
    assert out.splitlines()[0] == (
        "    3  drafts/share-salon-ana.eml  Housing Salon, Wednesday 1 July"
    )


def test_drafting_says_who_already_has_drafts_waiting(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENTS)
    outreach(run_cli, root, 15, "draft", "shares", "--event", "salon")
    _, notes = outreach(run_cli, root, 15, "draft", "shares", "--event", "walk")
    assert notes == (
        "note: ana already had drafts waiting (1); `drafts send` sends at most 2 per 7 days\n"
        "note: ben already had drafts waiting (2); `drafts send` sends at most 2 per 7 days\n"
    )


def test_roster_opt_outs_are_never_overridden(tmp_path: Path, run_cli: RunCli) -> None:
    roster = DEFAULT_ROSTER.replace(
        'tags = ["art", "housing"]', 'tags = ["art", "housing"]\nshares = false'
    ) + CAI.replace('tags = ["housing", "food"]', 'tags = ["housing", "food"]\nintros = false')
    root = make_workspace(tmp_path / "ws", events=EVENTS, roster=roster)
    out, _ = outreach(run_cli, root, 15, "draft", "shares", "--event", "salon", "--again")
    assert "share-salon-ana" not in out and "share-salon-ben" in out
    assert "cai" not in outreach(run_cli, root, 15, "suggest", "intros")[0]
    _, error = outreach(run_cli, root, 15, "draft", "intro", "ben", "cai", "--again", expect=2)
    assert error == "intro: ben and cai: cai has intros = false in roster.toml\n"
    assert outreach(run_cli, root, 15, "check")[0].startswith("ok: 3 contacts")


def test_a_discarded_introduction_is_not_suggested_or_drafted_again(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", roster=DEFAULT_ROSTER + CAI)
    suggested = outreach(run_cli, root, 15, "suggest", "intros")[0]
    assert suggested.startswith(" 1. ben + cai: both care about food, housing;")
    outreach(run_cli, root, 15, "draft", "intro", "ben", "cai")
    outreach(run_cli, root, 15, "drafts", "discard", "1")
    assert "ben + cai" not in outreach(run_cli, root, 16, "suggest", "intros")[0]
    drafted = outreach(run_cli, root, 16, "draft", "intros", "--suggested")[0]
    assert "intro-ben-cai" not in drafted
    _, error = outreach(run_cli, root, 16, "draft", "intro", "ben", "cai", expect=2)
    assert (
        error
        == "intro: ben and cai: declined or withdrawn on 2026-06-15; --again drafts it anyway\n"
    )
    out, _ = outreach(run_cli, root, 16, "draft", "intro", "cai", "ben", "--again")
    assert "drafts/intro-ben-cai.eml" in out.splitlines()[0]
