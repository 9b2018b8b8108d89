"""Mistyped commands, actions, options and choices: the closest valid spelling,
under the usage of the command being typed, exit 2."""

from __future__ import annotations

import pytest

from outreach.cli.parser import closest
from tests.conftest import RunCli

REPORT_USAGE = """\
usage: outreach report [-h] [--home DIR] [--as-of DATE] [--debug] [--circle C]
                       [--overdue] [--limit N] [--days N]
                       [--format {table,markdown,csv,json,html}]
                       [--output FILE] [--email] [--plan]
"""


def test_a_misspelt_command_names_the_command_meant(run_cli: RunCli) -> None:
    result = run_cli("reprot", expect=2)
    assert result.stdout == ""
    assert result.stderr.endswith(
        "outreach: error: unknown command 'reprot'; did you mean 'report'?\n"
    )
    assert result.stderr.startswith("usage: outreach [-h]")


def test_a_misspelt_action_shows_the_usage_of_its_command(run_cli: RunCli) -> None:
    result = run_cli("draft", "share", expect=2)
    assert result.stderr == (
        "usage: outreach draft [-h] [--home DIR] [--as-of DATE] [--debug] WHAT ...\n"
        "outreach draft: error: unknown command 'draft share'; did you mean 'draft shares'?\n"
    )


def test_a_misspelt_option_shows_the_usage_of_its_command(run_cli: RunCli) -> None:
    result = run_cli("report", "--fromat", "json", expect=2)
    assert result.stderr == (
        REPORT_USAGE
        + "outreach report: error: unknown option '--fromat'; did you mean '--format'?\n"
    )


def test_a_misspelt_option_with_its_value_attached_is_named_alone(run_cli: RunCli) -> None:
    result = run_cli("report", "--fromat=json", expect=2)
    assert result.stderr.endswith("unknown option '--fromat'; did you mean '--format'?\n")


def test_a_misspelt_choice_names_the_choice_meant(run_cli: RunCli) -> None:
    result = run_cli("report", "--format", "jsno", expect=2)
    assert result.stderr == (
        REPORT_USAGE + "outreach report: error: --format: 'jsno' is not one of"
        " table, markdown, csv, json, html; did you mean 'json'?\n"
    )


def test_a_word_like_no_command_points_to_the_help(run_cli: RunCli) -> None:
    result = run_cli("zzz", expect=2)
    assert result.stderr.endswith(
        "outreach: error: unknown command 'zzz'; `outreach --help` lists the commands\n"
    )


def test_a_stray_argument_is_named_under_its_commands_usage(run_cli: RunCli) -> None:
    result = run_cli("report", "extra", expect=2)
    assert result.stderr == REPORT_USAGE + "outreach report: error: unexpected argument 'extra'\n"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("reprot", "report"),
        ("repo", "report"),  # a unique prefix
        ("chek", "check"),
        ("contact", "contacts"),
        ("qqqq", None),
    ],
)
def test_closest_spelling(word: str, expected: str | None) -> None:
    names = ["check", "contacts", "draft", "drafts", "report", "sync", "touch"]
    assert closest(word, names) == expected
