"""`outreach init` names the machine's zone in outreach.toml, for the user to correct."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli


def test_init_writes_the_machines_zone_commented(tmp_path: Path, run_cli: RunCli) -> None:
    root = tmp_path / "ws"
    run_cli("init", str(root), environ={"TZ": "America/Chicago"})
    text = (root / "outreach.toml").read_text()
    setting = (
        "# Your time zone: daemon job times, events that name none, and calendars'\n"
        "# floating and all-day times are read in it. `outreach init` wrote this\n"
        "# machine's zone; change it if yours is another (an IANA name, such as\n"
        '# "Europe/Berlin" or "America/Chicago").\n'
        'timezone = "America/Chicago"\n'
        "\n"
    )
    assert setting in text
    assert text.index(setting) < text.index("[me]")
    run_cli("--home", str(root), "check")


def test_the_example_keeps_its_own_zone_on_any_machine(tmp_path: Path, run_cli: RunCli) -> None:
    root = tmp_path / "ws"
    run_cli("init", str(root), "--example", environ={"TZ": "Asia/Tokyo"})
    text = (root / "outreach.toml").read_text()
    assert text.count("\ntimezone = ") == 1
    assert 'timezone = "America/Chicago"' in text
    run_cli("--home", str(root), "check")
