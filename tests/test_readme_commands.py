"""The README's command table lists exactly the commands the CLI has."""

from __future__ import annotations

import re
from pathlib import Path

from outreach.cli.main import build_parser
from outreach.cli.parser import command_paths

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands(text: str) -> list[str]:
    """The command of each row of the table under `## Commands`, as typed after `outreach`."""
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    commands: list[str] = []
    for row in re.findall(r"^\| `outreach ([^`]*)`", section, flags=re.MULTILINE):
        # The command's words come before its arguments (ID, FILE, [--x], --x).
        words = []
        for token in row.split():
            if not re.fullmatch(r"[a-z][a-z-]*", token):
                break
            words.append(token)
        commands.append(" ".join(words))
    return commands


def test_the_readme_table_lists_every_command_once() -> None:
    listed = readme_commands(README.read_text(encoding="utf-8"))
    assert sorted(listed) == sorted(set(listed)), "a command is listed twice"
    assert sorted(listed) == sorted(command_paths(build_parser()))


def test_the_table_reader_takes_the_words_before_the_arguments() -> None:
    text = (
        "\n## Commands\n\n| command | what |\n|---|---|\n"
        "| `outreach drafts send ID… \\| --all` | send |\n"
        "| `outreach init DIR [--example]` | init |\n"
        "| `outreach draft check-in ID` | check in |\n\n## Next\n"
        "| `outreach not counted` | elsewhere |\n"
    )
    assert readme_commands(text) == ["drafts send", "init", "draft check-in"]
