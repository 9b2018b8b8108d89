"""`outreach check` reports every problem in one run, in file order."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

TWO_BAD_JOBS = """
[[daemon.jobs]]
run = "draft shares"
at = "munday 09:00"

[[daemon.jobs]]
run = "reprot --email"
at = "friday 16:00"
"""


def test_two_bad_job_lines_are_reported_in_one_run(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", extra_config=TWO_BAD_JOBS)
    result = run_cli("--home", str(ws), "check", expect=2)
    config = ws / "outreach.toml"
    assert result.stderr == (
        f'{config}:7:1: cannot read at = "munday 09:00"; write a weekday and a time'
        ' ("monday 09:00"), "daily 08:30", "hourly" or "every 15 minutes"\n'
        f"{config}:10:1: unknown job \"reprot --email\": unknown command 'reprot';"
        " did you mean 'report'?\n"
    )
    assert result.stdout == ""


def test_job_lines_roster_and_templates_are_reported_together(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        extra_config='[[daemon.jobs]]\nrun = "draft sharez"\nat = "hourly"\n',
        roster=DEFAULT_ROSTER + '\n[contacts.cy]\nname = "Cy"\n',
    )
    (ws / "templates").mkdir()
    (ws / "templates" / "check_in.txt").write_text("Hello {{ contact.nmae }}\n")
    result = run_cli("--home", str(ws), "check", expect=2)
    files = [line.split(":")[0] for line in result.stderr.splitlines()]
    assert files == [
        str(ws / name) for name in ("outreach.toml", "roster.toml", "templates/check_in.txt")
    ]
