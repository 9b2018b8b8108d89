"""`outreach daemon --once`: cron mode runs a sync, then each due job once."""

from __future__ import annotations

import os
from pathlib import Path

from outreach.base.model import TouchKind
from outreach.daemon.lock import WorkspaceLock
from outreach.store.journal import Journal
from outreach.store.journal.job_runs import last_runs
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_CONFIG, make_workspace

# NOW in conftest is Monday 2026-06-15 12:00 UTC; --as-of DAY means noon UTC.
MONDAY = "2026-06-15"

WEEKLY = """
[[daemon.jobs]]
run = "touch ana --kind note --note weekly"
at = "monday 09:00"
"""


def zoned(zone: str) -> str:
    """The default config with job times read in `zone` (a top-level key: first)."""
    return f'timezone = "{zone}"\n' + DEFAULT_CONFIG


def notes(ws: Path) -> list[tuple[str, str, str]]:
    """(contact, day, note) of every manual note: each run of a touch job adds one."""
    with Journal.open(ws / "journal.db") as journal:
        rows = journal.connection.execute(
            "SELECT contact_id, substr(at, 1, 10), detail FROM touches WHERE kind = ? ORDER BY id",
            (TouchKind.NOTE.value,),
        )
        return [(str(c), str(d), str(n)) for c, d, n in rows]


def deliver(ws: Path, name: str, raw: str) -> None:
    for sub in ("cur", "new", "tmp"):
        (ws / "mail" / sub).mkdir(parents=True, exist_ok=True)
    (ws / "mail" / "new" / name).write_bytes(raw.replace("\n", "\r\n").encode())


def test_once_twice_in_a_row_runs_a_weekly_job_once(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", config=zoned("UTC"), extra_config=WEEKLY)
    first = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert first.stdout == (
        "no mailbox configured: nothing to sync\n"
        "ran `touch ana --kind note --note weekly` (monday 09:00):\n"
        "  recorded: note with ana on 2026-06-15\n"
        "next: `touch ana --kind note --note weekly` at 2026-06-22 09:00 UTC\n"
    )
    second = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert second.stdout == (
        "no mailbox configured: nothing to sync\n"
        "no job due now\n"
        "next: `touch ana --kind note --note weekly` at 2026-06-22 09:00 UTC\n"
    )
    run_cli("--home", str(ws), "--as-of", "2026-06-16", "daemon", "--once")
    assert notes(ws) == [("ana", MONDAY, "weekly")]
    # A week later it is due again, once.
    run_cli("--home", str(ws), "--as-of", "2026-06-22", "daemon", "--once")
    run_cli("--home", str(ws), "--as-of", "2026-06-22", "daemon", "--once")
    assert notes(ws) == [("ana", MONDAY, "weekly"), ("ana", "2026-06-22", "weekly")]


def test_the_first_run_looks_back_24_hours(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        config=zoned("Europe/Berlin"),
        extra_config="""
        [[daemon.jobs]]
        run = "touch ana --kind note --note yesterday"
        at = "sunday 15:00"          # 13:00 UTC, 23 hours before noon on Monday

        [[daemon.jobs]]
        run = "touch ben --kind note --note 'two days ago'"
        at = "saturday 15:00"        # 47 hours before

        [[daemon.jobs]]
        run = "touch ben --kind note --note later"
        at = "monday 18:00"          # still to come today
        """,
    )
    result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert result.stdout == (
        "no mailbox configured: nothing to sync\n"
        "ran `touch ana --kind note --note yesterday` (sunday 15:00):\n"
        "  recorded: note with ana on 2026-06-15\n"
        "next: `touch ben --kind note --note later` at 2026-06-15 18:00 Europe/Berlin\n"
    )
    assert notes(ws) == [("ana", MONDAY, "yesterday")]


def test_once_syncs_before_running_the_jobs(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        config=zoned("UTC"),
        extra_config="""
        [[mailboxes]]
        name = "home"
        kind = "maildir"
        path = "mail"

        [[daemon.jobs]]
        run = "touch ben --kind meeting"
        at = "daily 08:00"
        """,
    )
    deliver(
        ws,
        "1781000001.M1P1.mail.example.org",
        "From: Ana Lima <ana@example.net>\nTo: Dana Reyes <dana@example.org>\n"
        "Subject: Re: the convening\nDate: Sat, 13 Jun 2026 18:05:00 +0200\n"
        "Message-ID: <r1@example.net>\n\nThanks, see you there.\n",
    )
    result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert result.stdout == (
        "synced mailbox 'home': 1 message read (1 new), 1 touch recorded: ana (reply)\n"
        "ran `touch ben --kind meeting` (daily 08:00):\n"
        "  recorded: meeting with ben on 2026-06-15\n"
        "next: `touch ben --kind meeting` at 2026-06-16 08:00 UTC\n"
    )
    again = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert again.stdout.splitlines()[0] == "synced mailbox 'home': no new mail"


def test_an_unknown_job_is_a_config_error_with_file_and_line(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        extra_config="""
        [[daemon.jobs]]
        run = "check"
        at = "daily 08:00"

        [[daemon.jobs]]
        run = "draft sharez"
        at = "monday 09:00"

        [[daemon.jobs]]
        run = "daemon --once"
        at = "hourly"
        """,
    )
    result = run_cli("--home", str(ws), "daemon", "--once", expect=2)
    config = ws / "outreach.toml"
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f'{config}:10:1: unknown job "draft sharez": unknown command'
        " 'draft sharez'; did you mean 'draft shares'?"
    )
    assert lines[1] == f'{config}:14:1: unknown job "daemon --once": the daemon cannot run itself'
    assert len(lines) == 2
    assert result.stdout == ""
    # Nothing ran: not even the valid job, and no sync.
    with Journal.open(ws / "journal.db") as journal:
        assert last_runs(journal) == {}


def test_the_daemon_refuses_an_unknown_job_before_starting(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        extra_config='[[daemon.jobs]]\nrun = "reprot"\nat = "hourly"\n',
    )
    result = run_cli("--home", str(ws), "daemon", expect=2)
    assert result.stderr == (
        f'{ws / "outreach.toml"}:5:1: unknown job "reprot":'
        " unknown command 'reprot'; did you mean 'report'?\n"
    )
    assert not (ws / ".outreach-daemon.lock").exists()


def test_a_failing_job_does_not_stop_the_others_and_runs_again_next_time(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        config=zoned("UTC"),
        extra_config="""
        [[daemon.jobs]]
        run = "touch nobody --kind note"
        at = "daily 08:00"

        [[daemon.jobs]]
        run = "touch ana --kind note --note fine"
        at = "daily 08:00"
        """,
    )
    result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once", expect=2)
    assert "ran `touch ana --kind note --note fine` (daily 08:00):\n" in result.stdout
    roster = ws / "roster.toml"
    assert result.stderr == (
        "`touch nobody --kind note` (daily 08:00) failed with exit status 2:\n"
        f"  {roster}: no contact 'nobody' in the roster\n"
        "  hint: `outreach contacts list` shows every id\n"
    )
    # The failed job was not recorded as run: the next run tries it again.
    again = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once", expect=2)
    assert "ran `touch ana" not in again.stdout
    assert again.stderr.startswith("`touch nobody --kind note` (daily 08:00) failed")
    assert notes(ws) == [("ana", MONDAY, "fine")]


def test_once_while_a_daemon_runs_exits_1_naming_its_pid(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", config=zoned("UTC"), extra_config=WEEKLY)
    with WorkspaceLock(ws):
        result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once", expect=1)
    assert result.stderr == (
        f"outreach: {ws}: an outreach daemon is already running here (pid {os.getpid()})\n"
        f"hint: stop it with `kill {os.getpid()}`\n"
    )
    assert notes(ws) == []
    # Released: the next run goes ahead.
    run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert notes(ws) == [("ana", MONDAY, "weekly")]


def test_once_with_a_log_file_writes_the_account_there(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", config=zoned("UTC"), extra_config=WEEKLY)
    log = tmp_path / "logs" / "daemon.log"
    result = run_cli(
        "--home", str(ws), "--as-of", MONDAY, "daemon", "--once", "--log-file", str(log)
    )
    assert result.stdout == ""
    logged = [line.split(" ", 3)[2:] for line in log.read_text().splitlines()]
    assert logged == [
        ["INFO", "no mailbox configured: nothing to sync"],
        ["INFO", "ran `touch ana --kind note --note weekly` (monday 09:00):"],
        ["INFO", "  recorded: note with ana on 2026-06-15"],
        ["INFO", "next: `touch ana --kind note --note weekly` at 2026-06-22 09:00 UTC"],
    ]


def test_the_daemon_itself_refuses_as_of(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws")
    result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", expect=2)
    assert result.stderr == "--as-of: goes with --once; the daemon itself runs on the real clock\n"


def test_the_example_workspace_runs_end_to_end_once(tmp_path: Path, run_cli: RunCli) -> None:
    ws = tmp_path / "example"
    run_cli("--as-of", MONDAY, "init", str(ws), "--example")
    result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    # The example's jobs run in its own zone: at noon UTC it is 07:00 in Chicago.
    lines = result.stdout.splitlines()
    assert lines[0].startswith("synced mailbox 'example': 9 messages read (9 new), ")
    headings = [line for line in lines if not line.startswith("  ")]
    assert headings == [
        lines[0],
        "ran `draft shares` (daily 08:00):",
        "ran `report --email` (daily 08:00):",
        "next: `draft shares` and `report --email` at 2026-06-15 08:00 America/Chicago",
    ]
    assert result.stderr == ""
    drafted = sorted(p.name for p in (ws / "drafts").glob("*.eml"))
    assert any(name.startswith("share-") for name in drafted)
    assert any(name.startswith("report-") for name in drafted)
    again = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert again.stdout.splitlines()[:2] == [
        "synced mailbox 'example': no new mail",
        "no job due now",
    ]
    assert sorted(p.name for p in (ws / "drafts").glob("*.eml")) == drafted


def test_follow_runs_as_a_daemon_job(tmp_path: Path, run_cli: RunCli) -> None:
    from tests.support.feedserver import Route, feed_server

    with feed_server() as server:
        server.routes["/feed.json"] = Route(
            (Path(__file__).parent / "feeds" / "example.json").read_bytes()
        )
        roster = (
            '[contacts.ana]\nname = "Ana Lima"\nemails = ["ana@example.net"]\n'
            f'feeds = ["{server.url("/feed.json")}"]\n'
        )
        job = '[[daemon.jobs]]\nrun = "follow"\nat = "daily 07:00"\n'
        ws = make_workspace(tmp_path / "ws", config=zoned("UTC"), roster=roster, extra_config=job)
        result = run_cli("--home", str(ws), "--as-of", MONDAY, "daemon", "--once")
    assert result.stdout == (
        "no mailbox configured: nothing to sync\n"
        "ran `follow` (daily 07:00):\n"
        "  ana (Ana Lima)\n"
        "    new post: post 2  https://example.org/second-item (2026-06-15)\n"
        "    new post: Hello, world!  https://example.org/initial-post (2026-06-15)\n"
        "  read 1 of 1 feed tried: 2 new posts, 0 new events\n"
        "next: `follow` at 2026-06-16 07:00 UTC\n"
    )
