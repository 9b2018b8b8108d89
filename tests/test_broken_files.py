"""Read-only views survive a roster or events file that does not validate.

They say in one line which file is broken and where; commands that need
the file still stop with exit 2, and `check` gives the details.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

EVENTS = """\
[events.salon]
title = "Housing Futures Salon"
host = "ben"
start = 2026-07-01T18:00:00+02:00
tags = ["housing"]
"""

UNCLOSED = DEFAULT_ROSTER.replace('name = "Ana Lima"', 'name = "Ana Lima')


@pytest.fixture
def drafted(tmp_path: Path, run_cli: RunCli) -> Path:
    """A workspace with one share drafted, and a report run while it was sound."""
    ws = make_workspace(tmp_path / "ws", events=EVENTS)
    run_cli("--home", str(ws), "--as-of", "2026-06-15", "draft", "shares")
    run_cli("--home", str(ws), "--as-of", "2026-06-15", "report")
    return ws


def note(ws: Path, shown: str = "") -> str:
    return (
        f'note: {ws / "roster.toml"}:2:8: this string is not closed: add a closing quote (")'
        f" where it ends{shown}; `outreach check` lists every problem\n"
    )


def test_drafts_list_still_lists_the_drafts_waiting(drafted: Path, run_cli: RunCli) -> None:
    before = run_cli("--home", str(drafted), "drafts", "list")
    (drafted / "roster.toml").write_text(UNCLOSED)
    after = run_cli("--home", str(drafted), "drafts", "list")
    assert after.stdout == before.stdout
    assert "Housing Futures Salon" in after.stdout
    assert after.stderr == note(drafted)


def test_drafts_show_still_reads_a_draft(drafted: Path, run_cli: RunCli) -> None:
    before = run_cli("--home", str(drafted), "drafts", "show", "1")
    (drafted / "roster.toml").write_text(UNCLOSED)
    after = run_cli("--home", str(drafted), "drafts", "show", "1")
    assert (after.stdout, after.stderr) == (before.stdout, note(drafted))


def test_report_shows_the_contacts_as_last_read(drafted: Path, run_cli: RunCli) -> None:
    before = run_cli("--home", str(drafted), "--as-of", "2026-06-16", "report")
    (drafted / "roster.toml").write_text(UNCLOSED)
    after = run_cli("--home", str(drafted), "--as-of", "2026-06-16", "report")
    assert after.stdout == before.stdout
    assert after.stderr == note(drafted, "; showing the contacts as they were when last read")


def test_a_broken_events_file_is_named_too(drafted: Path, run_cli: RunCli) -> None:
    (drafted / "events.toml").write_text(EVENTS.replace("[events.salon]", "[events.salon"))
    after = run_cli("--home", str(drafted), "drafts", "list")
    assert after.stderr == (
        f"note: {drafted / 'events.toml'}:1:1: this table header is not closed: add ']'"
        " after its name; `outreach check` lists every problem\n"
    )


@pytest.mark.parametrize(
    "command",
    [["contacts", "list"], ["draft", "shares"], ["events", "list"], ["report", "--email"]],
)
def test_commands_that_need_the_file_still_stop(
    drafted: Path, run_cli: RunCli, command: list[str]
) -> None:
    (drafted / "roster.toml").write_text(UNCLOSED)
    result = run_cli("--home", str(drafted), *command, expect=2)
    assert result.stderr == (
        f'{drafted / "roster.toml"}:2:8: this string is not closed: add a closing quote (")'
        " where it ends\n"
    )


def test_check_names_the_line_in_plain_words(drafted: Path, run_cli: RunCli) -> None:
    (drafted / "roster.toml").write_text(UNCLOSED)
    result = run_cli("--home", str(drafted), "check", expect=2)
    assert result.stderr == (
        f'{drafted / "roster.toml"}:2:8: this string is not closed: add a closing quote (")'
        " where it ends\n"
    )
    assert "illegal character" not in result.stderr.lower()


def test_without_a_last_good_roster_the_report_says_it_shows_no_contacts(
    drafted: Path, run_cli: RunCli
) -> None:
    (drafted / ".outreach-cache" / "workspace.json").unlink()
    (drafted / "roster.toml").write_text(UNCLOSED)
    after = run_cli("--home", str(drafted), "--as-of", "2026-06-16", "report", "--format", "csv")
    assert after.stdout.splitlines()[1:] == []
    assert after.stderr == note(drafted, "; showing no contacts")
