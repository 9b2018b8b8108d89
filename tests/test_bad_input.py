"""Bad input is a clear line and exit 2, never a traceback; nothing the user
keeps is overwritten or polluted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.support.workspaces import make_workspace


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "--days", "99999999"], "--days: 99999999 is not a number of days from 1 to"),
        (["--as-of", "0001-01-01", "report"], "--as-of: '0001-01-01' is out of range"),
        (
            ["touch", "ana", "--kind", "meeting", "--date", "0001-01-01T00:00+05:00"],
            "--date: '0001-01-01T00:00+05:00' is out of range",
        ),
        (
            ["--as-of", "2026-06-15", "touch", "ana", "--kind", "meeting", "--date", "2026-07-01"],
            "--date 2026-07-01 is in the future",
        ),
        (["events", "import", "missing.ics"], "missing.ics: no such file"),
        (["draft", "intros", "missing.toml"], "missing.toml: no such file"),
        (["contacts", "import", "missing.vcf"], "missing.vcf: no such file"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, run_cli: RunCli, args: list[str], expected: str
) -> None:
    ws = make_workspace(tmp_path / "ws")
    result = run_cli("--home", str(ws), *args, expect=2, cwd=tmp_path)
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_future_touch_is_refused_and_nothing_recorded(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws")
    run_cli(
        "--home",
        str(ws),
        "--as-of",
        "2026-06-15",
        "touch",
        "ana",
        "--kind",
        "meeting",
        "--date",
        "2999-01-01",
        expect=2,
    )
    exported = run_cli("--home", str(ws), "contacts", "export").stdout
    assert "last_touch" not in exported


def test_an_unwritable_output_is_a_runtime_failure_in_one_line(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(tmp_path / "ws")
    (tmp_path / "afile").write_text("")
    result = run_cli(
        "--home",
        str(ws),
        "report",
        "--format",
        "html",
        "--output",
        str(tmp_path / "afile" / "r.html"),
        expect=1,
    )
    assert result.stderr == (
        f"outreach: {tmp_path / 'afile' / 'r.html'}: cannot write: a file"
        " stands where a folder should be\n"
    )


@pytest.mark.parametrize("command", [["contacts", "export"], ["report", "--format", "csv"]])
def test_exports_never_replace_the_workspaces_own_files(
    tmp_path: Path, run_cli: RunCli, command: list[str]
) -> None:
    ws = make_workspace(tmp_path / "ws")
    before = (ws / "roster.toml").read_bytes()
    result = run_cli("--home", str(ws), *command, "--output", str(ws / "roster.toml"), expect=2)
    assert "is one of the workspace's own files" in result.stderr
    assert (ws / "roster.toml").read_bytes() == before


def test_the_example_never_mixes_its_history_into_an_existing_journal(
    tmp_path: Path, run_cli: RunCli
) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "journal.db").write_bytes(b"")
    result = run_cli("init", str(tmp_path / "ws"), "--example", expect=2)
    assert "journal.db: already exists; the example needs an empty folder" in result.stderr
    assert not (tmp_path / "ws" / "outreach.toml").exists()


def test_a_daemon_job_may_not_send_mail(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config='[[daemon.jobs]]\nrun = "drafts send --all"\nat = "hourly"\n'
    )
    result = run_cli("--home", str(ws), "check", expect=2)
    assert "sending needs a person's approval" in result.stderr


def test_a_calendar_with_nothing_readable_is_an_input_error(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(tmp_path / "ws")
    (tmp_path / "bad.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        "UID:1@example.org\r\nSUMMARY:Broken\r\nDTSTART:garbage\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    result = run_cli("--home", str(ws), "events", "import", str(tmp_path / "bad.ics"), expect=2)
    assert result.stderr == (
        f"{tmp_path / 'bad.ics'}: nothing readable: event 'Broken' (UID 1@example.org):"
        " unreadable DTSTART: Expected time, got: garbage\n"
    )


def test_a_plain_password_is_refused_unless_only_its_owner_can_read_the_file(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        extra_config='[smtp]\nhost = "smtp.example.org"\nusername = "dana"\npassword = "hunter2"\n',
    )
    (ws / "outreach.toml").chmod(0o644)
    result = run_cli("--home", str(ws), "check", expect=2)
    assert result.stderr.startswith(f"{ws / 'outreach.toml'}:7:1: a plain password for 'smtp'")
    assert "hunter2" not in result.stderr
    (ws / "outreach.toml").chmod(0o600)
    run_cli("--home", str(ws), "check")


@pytest.mark.parametrize(
    ("file_name", "prefix"),
    [
        ("roster.toml", '[contacts.x]\nname = "X"\nemails = ["x@example.org"]\nnotes = '),
        ("events.toml", '[events.x]\ntitle = "X"\nhost = "me"\ntags = '),
        ("outreach.toml", None),
    ],
)
@pytest.mark.parametrize("opener", ["[", "{a = "])
def test_toml_nested_500_levels_deep_is_one_line_in_any_file(
    tmp_path: Path, run_cli: RunCli, file_name: str, prefix: str | None, opener: str
) -> None:
    ws = make_workspace(tmp_path / "ws")
    path = ws / file_name
    closer = "]" if opener == "[" else "}"
    value = opener * 500 + ("1" if opener != "[" else "") + closer * 500
    if prefix is None:  # outreach.toml: a key of its own at the end
        text = path.read_text() + f"\nextra = {value}\n"
    else:
        text = path.read_text() + f"\n{prefix}{value}\n"
    path.write_text(text)
    line = text.count("\n")
    col = len(text.splitlines()[-1]) - len(value) + 100 * len(opener) + 1
    result = run_cli("--home", str(ws), "check", expect=2)
    assert result.stderr.splitlines()[0] == (
        f"{path}:{line}:{col}: TOML nested too deeply (more than 100 levels of [ and {{)"
    )
    assert "Traceback" not in result.stderr


def test_an_intros_file_nested_500_levels_deep_is_one_line(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws")
    pairs = tmp_path / "pairs.toml"
    pairs.write_text('[[intros]]\na = "ana"\nb = "ben"\nwhy = ' + "[" * 500 + "]" * 500 + "\n")
    result = run_cli("--home", str(ws), "draft", "intros", str(pairs), expect=2)
    assert result.stderr.splitlines()[0] == (
        f"{pairs}:4:107: TOML nested too deeply (more than 100 levels of [ and {{)"
    )
