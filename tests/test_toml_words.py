"""TOML syntax errors in plain words, at the place of the mistake."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from outreach.base.errors import InputError
from outreach.cli.main import main
from outreach.core.tomlsource import TomlSyntaxError, parse_toml
from tests.conftest import RunCli
from tests.support.workspaces import make_workspace


def problem_of(text: str) -> str:
    with pytest.raises(TomlSyntaxError) as caught:
        parse_toml(text, "roster.toml")
    return str(caught.value.problem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[contacts.ana]\nname = "Ana Lima\nemails = ["ana@example.net"]\n',
            'roster.toml:2:8: this string is not closed: add a closing quote (") where it ends',
        ),
        (
            '[contacts.ana]\nname = "Ana Lima',
            'roster.toml:2:8: this string is not closed: add a closing quote (") where it ends',
        ),
        (
            "[contacts.ana]\nnotes = 'no end\n",
            "roster.toml:2:9: this string is not closed: add a closing quote (') where it ends",
        ),
        (
            '[contacts.ana]\nnotes = """started\n\n',
            'roster.toml:4:1: a """multi-line string""" is not closed: add the closing """',
        ),
        (
            '[contacts.ana]\nname "Ana"\n',
            "roster.toml:2:1: 'name' needs '=' and a value after it: name = …",
        ),
        (
            '[contacts.ana]\nname = "A"\nname = "B"\n',
            "roster.toml:3:1: 'name' is set twice in [contacts.ana]: keep one of the two",
        ),
        (
            '[contacts.ana]\nname = "A"\n\n[contacts.ana]\nname = "B"\n',
            "roster.toml:4:1: a table named [contacts.ana] appears twice:"
            " merge the two, or rename one",
        ),
        (
            "[contacts.ana]\ncircle = focus\n",
            "roster.toml:2:10: cannot read the value 'focus': put text in quotes (\"focus\"),"
            " a list in [ ], a date as 2026-05-02; numbers and true/false stay bare",
        ),
        (
            "[contacts.ana]\ncadence_days = 2 weeks\n",
            "roster.toml:2:18: unexpected 'weeks' after the value: one key = value per line,"
            " text in quotes, comments after #",
        ),
        (
            '[contacts.ana]\nname = "Ana"\n%\n',
            "roster.toml:3:1: this line is not key = value, a [table] header, or a # comment",
        ),
        (
            '[contacts.ana]\ntags = ["a", "b"\nname = "x"\n',
            "roster.toml:2:8: this list is not closed: add ']' after its last item",
        ),
        (
            '[contacts.ana\nname = "x"\n',
            "roster.toml:1:1: this table header is not closed: add ']' after its name",
        ),
        (
            "[events.fair]\nstart = 2026-13-01\n",
            "roster.toml:2:9: not a date: write 2026-05-02 (a real month and day),"
            " or 2026-05-02T17:00:00",
        ),
        (
            '[contacts.ana]\nnotes = "C:\\Users\\ana"\n',
            'roster.toml:2:12: a backslash in a "string" starts an escape such as \\n: write \\\\'
            " for a backslash, or use 'single quotes', which keep backslashes as they are",
        ),
    ],
    ids=[
        "unclosed string",
        "unclosed string at the end",
        "unclosed literal string",
        "unclosed multi-line string",
        "missing equals",
        "duplicate key",
        "duplicate table",
        "bare word",
        "stray word",
        "stray character",
        "unclosed list",
        "unclosed header",
        "impossible date",
        "backslash",
    ],
)
def test_syntax_errors_are_explained_where_they_were_made(text: str, expected: str) -> None:
    assert problem_of(text) == expected


def test_the_parsers_own_words_show_only_under_debug(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", roster='[contacts.ana]\nname = "Ana\n')
    plain = run_cli("--home", str(ws), "check", expect=2)
    assert plain.stderr == (
        f'{ws / "roster.toml"}:2:8: this string is not closed: add a closing quote (")'
        " where it ends\n"
    )
    stderr = io.StringIO()
    with pytest.raises(InputError):  # --debug lets the error through, for its traceback
        main(["--home", str(ws), "--debug", "check"], stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue() == (
        plain.stderr + "  the parser said: Illegal character '\\n' (at line 2, column 12)\n"
    )
