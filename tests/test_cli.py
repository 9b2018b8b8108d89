"""The command line as a user meets it: help, init, check, touch, errors."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.cli.commands import command_names, requested_command
from outreach.cli.main import build_parser
from outreach.store.journal import Journal
from outreach.store.journal.touches import contact_activity
from tests.conftest import RunCli
from tests.support.require import require
from tests.support.workspaces import make_workspace


def all_subcommands() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return found


@pytest.mark.parametrize("command", all_subcommands(), ids=" ".join)
def test_every_command_explains_itself_with_examples(command: list[str], run_cli: RunCli) -> None:
    result = run_cli(*command, "--help")
    assert "examples:" in result.stdout
    assert "outreach " + command[0] in result.stdout.split("examples:")[1]


def test_example_workspace_checks_clean(tmp_path: Path, run_cli: RunCli) -> None:
    run_cli("init", str(tmp_path / "ws"), "--example")
    result = run_cli("--home", str(tmp_path / "ws"), "check")
    assert result.stdout.startswith("ok: 12 contacts, 5 events, 1 mailbox, ")


def test_scaffolded_workspace_checks_clean(tmp_path: Path, run_cli: RunCli) -> None:
    run_cli("init", str(tmp_path / "ws"))
    result = run_cli("check", environ={"OUTREACH_HOME": str(tmp_path / "ws")})
    assert result.stdout.startswith("ok: 0 contacts, 0 events, 0 mailboxes")


def test_init_never_overwrites_a_workspace(tmp_path: Path, run_cli: RunCli) -> None:
    run_cli("init", str(tmp_path / "ws"))
    (tmp_path / "ws" / "roster.toml").write_text("# mine\n")
    result = run_cli("init", str(tmp_path / "ws"), "--example", expect=2)
    assert "already exists; init never overwrites a workspace" in result.stderr
    assert (tmp_path / "ws" / "roster.toml").read_text() == "# mine\n"


def test_missing_workspace_says_how_to_make_one(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("--home", str(tmp_path / "nowhere"), "check", expect=2)
    assert result.stderr == (
        f"{tmp_path / 'nowhere' / 'outreach.toml'}: no outreach.toml here: this is not an"
        " outreach workspace\n"
        f"hint: create one with `outreach init {tmp_path / 'nowhere'}` (add --example for a"
        " sample network), or point --home / $OUTREACH_HOME at an existing workspace\n"
    )


def test_manual_touch_is_recorded_as_support(tmp_path: Path, run_cli: RunCli) -> None:
    run_cli("init", str(tmp_path / "ws"), "--example", "--as-of", "2026-06-15")
    result = run_cli(
        "--home",
        str(tmp_path / "ws"),
        "touch",
        "priya",
        "--kind",
        "feedback",
        "--date",
        "2026-06-14",
        "--note",
        "read her survey",
    )
    assert result.stdout == "recorded: feedback with priya on 2026-06-14\n"
    with Journal.open(tmp_path / "ws" / "journal.db") as journal:
        activity = contact_activity(journal, "priya")
    assert activity.last_support_kind == "feedback"
    assert activity.last_support_at is not None
    assert activity.last_support_at.date().isoformat() == "2026-06-14"


def test_touch_for_an_unknown_contact_suggests_the_right_id(
    tmp_path: Path, run_cli: RunCli
) -> None:
    run_cli("init", str(tmp_path / "ws"), "--example")
    result = run_cli(
        "--home", str(tmp_path / "ws"), "touch", "adriene", "--kind", "meeting", expect=2
    )
    assert "no contact 'adriene' in the roster — did you mean 'adrienne'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_as_of_is_bad_input(run_cli: RunCli) -> None:
    result = run_cli("--as-of", "last tuesday", "check", expect=2)
    assert result.stderr == "--as-of: 'last tuesday' is not a date; write YYYY-MM-DD\n"


def test_installed_command_runs(tmp_path: Path) -> None:
    # Catches packaging mistakes (entry point, package data) that in-process tests miss.
    beside_python = Path(sys.executable).parent / "outreach"
    executable = str(beside_python) if beside_python.exists() else shutil.which("outreach")
    require(None if executable else "the outreach command is not installed here (pip install .)")
    assert executable is not None
    subprocess.run(
        [executable, "init", str(tmp_path / "ws"), "--example"], check=True, capture_output=True
    )
    done = subprocess.run(
        [executable, "--home", str(tmp_path / "ws"), "check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 12 contacts")


def test_check_catches_a_typo_in_a_daemon_job(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config='[[daemon.jobs]]\nrun = "draft sharez"\nat = "hourly"\n'
    )
    result = run_cli("--home", str(ws), "check", expect=2)
    assert result.stderr.startswith(f'{ws / "outreach.toml"}:5:1: unknown job "draft sharez"')


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report", "--format", "json"], "report"),
        (["--home", "report", "check"], "check"),  # a folder may be named like a command
        (["--as-of", "2026-06-01", "--debug", "sync"], "sync"),
        (["--help"], None),
        (["reprot"], None),  # unknown: argparse lists the choices
        ([], None),
    ],
)
def test_the_requested_command_is_found_among_common_options(
    argv: list[str], expected: str | None
) -> None:
    assert requested_command(argv) == expected


# Run in a fresh interpreter: this test process has imported every module long ago.
_LOADED = """\
import io, sys
from outreach.cli.main import main
status = main(sys.argv[1:], stdout=io.StringIO(), stderr=io.StringIO())
heavy = ("imapclient", "jinja2", "schedule", "smtplib", "sqlite3")
print(status)
print(" ".join(sorted(m for m in sys.modules if m.startswith("outreach.cli.commands."))))
print(" ".join(m for m in heavy if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("argv", "commands", "heavy"),
    [
        (["contacts", "list"], "contacts", "sqlite3"),  # last touches come from the journal
        (["check"], "check", "jinja2 sqlite3"),  # check compiles the templates
        (["report"], "report", "sqlite3"),
        (["--as-of", "2026-06-01", "report", "--format", "json"], "report", "sqlite3"),
    ],
)
def test_only_the_requested_command_is_loaded(
    tmp_path: Path, argv: list[str], commands: str, heavy: str
) -> None:
    ws = make_workspace(tmp_path / "ws")
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, "--home", str(ws), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["0", f"outreach.cli.commands.{commands}", heavy]


@pytest.mark.parametrize("name", command_names())
def test_each_command_module_adds_the_command_it_is_named_for(name: str) -> None:
    parser = build_parser([name])
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(subparsers.choices) == [name]
