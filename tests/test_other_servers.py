"""Sync, drafts push, the daemon and `outreach mailboxes` against hoodiecrow-imap profiles.

Each profile is a server outreach must work with: Courier-like (INBOX.
namespace, no SPECIAL-USE, IDLE or UIDPLUS), Gmail-like ([Gmail]/ folders
marked by SPECIAL-USE, IDLE, UIDPLUS), a bare IMAP4rev1 server, and one
with neither Sent nor Drafts. Every sync leaves the flags as they were.
"""

from __future__ import annotations

import os
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from outreach.base.model import TouchKind
from outreach.store.journal import Journal
from outreach.store.journal.touches import touches_for
from tests.conftest import NOW, CliResult, RunCli
from tests.support.hoodiecrow import HoodiecrowServer
from tests.support.workspaces import make_workspace
from tests.test_daemon_service import REPO, Daemon, replies, reply, wait_for

# profile → (its Sent folder, its Drafts folder, how each is found)
LAYOUTS = {
    "courier": ("INBOX.Sent Items", "INBOX.Drafts", "by its name"),
    "gmail": ("[Gmail]/Sent Mail", "[Gmail]/Drafts", "marked by SPECIAL-USE"),
    "bare": ("Sent Messages", "Drafts", "by its name"),
}
ROSTER = """\
[contacts.ana]
name = "Ana Lima"
emails = ["ana@example.net"]
tags = ["housing"]

[contacts.ben]
name = "Ben Okafor"
emails = ["ben@example.net"]
tags = ["housing"]
"""
EVENTS = """\
[events.salon]
title = "Housing Salon"
host = "me"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
"""
WHEN = datetime(2026, 6, 10, 9, 0, tzinfo=NOW.tzinfo)


def message(sender: str, to: str, subject: str, mid: str, date: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\n"
        f"Date: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello.\r\n"
    ).encode()


def workspace_for(tmp_path: Path, server: HoodiecrowServer, extra: str = "") -> Path:
    mailbox = textwrap.dedent(
        f"""
        [[mailboxes]]
        name = "work"
        host = "{server.host}"
        port = {server.port}
        tls = "none"
        username = "{server.user}"
        password_env = "IMAP_PASSWORD"
        timeout_seconds = 10
        """
    )
    return make_workspace(
        tmp_path / "ws", roster=ROSTER, events=EVENTS, extra_config=mailbox + extra
    )


def cli(run_cli: RunCli, root: Path, server: HoodiecrowServer, *args: str, **kw: int) -> CliResult:
    return run_cli(
        "--home", str(root), "--as-of", NOW.date().isoformat(), *args,
        environ={"IMAP_PASSWORD": server.password}, **kw,
    )  # fmt: skip


def seed(server: HoodiecrowServer, sent_folder: str) -> None:
    server.append(
        "INBOX",
        message("Ana Lima <ana@example.net>", "dana@example.org", "Re: plans", "r1@ex", _date(9)),
        flags=(),
        msg_time=WHEN,
    )
    server.append(
        sent_folder,
        message("Dana <dana@example.org>", "Ben <ben@example.net>", "Lunch?", "s1@ex", _date(11)),
        flags=(b"\\Seen",),
        msg_time=WHEN,
    )


def _date(day: int) -> str:
    return f"Thu, {day:02d} Jun 2026 10:00:00 +0000"


@pytest.mark.parametrize("hoodiecrow", list(LAYOUTS), indirect=True)
def test_sync_records_the_reply_and_the_mail_sent_from_the_servers_sent_folder(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    sent_folder = LAYOUTS[hoodiecrow.profile][0]
    seed(hoodiecrow, sent_folder)
    root = workspace_for(tmp_path, hoodiecrow)
    flags = hoodiecrow.flags_snapshot()
    result = cli(run_cli, root, hoodiecrow, "sync")
    assert result.stdout == (
        "work/INBOX: 1 message read (1 new), 1 touch\n"
        f"work/{sent_folder}: 1 message read (1 new), 1 touch\n"
        "2 folders, 2 messages read (2 new), 2 touches recorded\n"
    )
    assert result.stderr == ""
    again = cli(run_cli, root, hoodiecrow, "sync")
    assert again.stdout.splitlines()[-1] == "2 folders, 0 messages read (0 new), 0 touches recorded"
    assert hoodiecrow.flags_snapshot() == flags
    with Journal.open(root / "journal.db") as journal:
        assert [(t.kind, t.detail) for t in touches_for(journal, "ana")] == [
            (TouchKind.REPLY, "Re: plans")
        ]
        assert [(t.kind, t.detail) for t in touches_for(journal, "ben")] == [
            (TouchKind.SENT, "Lunch?")
        ]


@pytest.mark.parametrize("hoodiecrow", list(LAYOUTS), indirect=True)
def test_drafts_push_puts_drafts_in_the_servers_drafts_folder_and_a_second_push_adds_nothing(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    drafts_folder = LAYOUTS[hoodiecrow.profile][1]
    root = workspace_for(tmp_path, hoodiecrow)
    cli(run_cli, root, hoodiecrow, "draft", "shares")
    first = cli(run_cli, root, hoodiecrow, "drafts", "push")
    assert first.stdout == f"2 pushed to {drafts_folder} on mailbox 'work'\n"
    stored = hoodiecrow.messages(drafts_folder)
    files = sorted((root / "drafts").glob("*.eml"))
    assert sorted(body for body, _ in stored) == sorted(f.read_bytes() for f in files)
    assert {tuple(sorted(flags)) for _, flags in stored} == {(b"\\Draft", b"\\Seen")}
    second = cli(run_cli, root, hoodiecrow, "drafts", "push")
    assert second.stdout == "no drafts to push\n"
    assert len(hoodiecrow.messages(drafts_folder)) == 2


@pytest.mark.parametrize("hoodiecrow", ["nofolders"], indirect=True)
def test_without_a_drafts_folder_push_fails_listing_the_folders_and_creates_none(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, hoodiecrow)
    cli(run_cli, root, hoodiecrow, "draft", "shares")
    result = cli(run_cli, root, hoodiecrow, "drafts", "push", expect=1)
    assert result.stderr == (
        f"outreach: mailbox 'work' ({hoodiecrow.host}:{hoodiecrow.port}): no Drafts folder:"
        " none is marked \\Drafts (SPECIAL-USE) and none has a usual name; folders seen:"
        " INBOX, Archive; nothing was created\n"
        'hint: set drafts_folder = "Drafts" (a folder name as listed) in the mailbox\'s'
        " [[mailboxes]] table of outreach.toml\n"
    )
    assert sorted(hoodiecrow.flags_snapshot()) == ["Archive", "INBOX"]


@pytest.mark.parametrize("hoodiecrow", ["nofolders"], indirect=True)
def test_sync_without_a_sent_folder_warns_naming_the_folders_seen_and_the_setting(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, hoodiecrow)
    result = cli(run_cli, root, hoodiecrow, "sync")
    assert result.stdout == (
        "work/INBOX: 0 messages read (0 new), 0 touches\n"
        "1 folder, 0 messages read (0 new), 0 touches recorded\n"
    )
    assert result.stderr == (
        f"warning: mailbox 'work' ({hoodiecrow.host}:{hoodiecrow.port}): no Sent folder: none"
        " is marked \\Sent (SPECIAL-USE) and none has a usual name; folders seen: INBOX,"
        ' Archive; the mail you send is not recorded; set sent_folder = "Sent Items" (a'
        " folder name as listed) in the mailbox's [[mailboxes]] table of outreach.toml\n"
    )


@pytest.mark.parametrize("hoodiecrow", ["nofolders"], indirect=True)
def test_sent_and_drafts_settings_override_discovery(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    hoodiecrow.append(
        "Archive",
        message("Dana <dana@example.org>", "ben@example.net", "Notes", "s9@ex", _date(12)),
        flags=(b"\\Seen",),
        msg_time=WHEN,
    )
    extra = 'sent_folder = "Archive"\ndrafts_folder = "Archive"\n'
    root = workspace_for(tmp_path, hoodiecrow, extra=extra)
    result = cli(run_cli, root, hoodiecrow, "sync")
    assert result.stdout.splitlines()[1] == "work/Archive: 1 message read (1 new), 1 touch"
    cli(run_cli, root, hoodiecrow, "draft", "shares")
    pushed = cli(run_cli, root, hoodiecrow, "drafts", "push")
    assert pushed.stdout == "2 pushed to Archive on mailbox 'work'\n"
    assert len(hoodiecrow.messages("Archive")) == 3


@pytest.mark.parametrize("hoodiecrow", ["courier"], indirect=True)
def test_mailboxes_shows_capabilities_and_which_folder_plays_which_role(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, hoodiecrow)
    result = cli(run_cli, root, hoodiecrow, "mailboxes")
    assert result.stdout == (
        f"work ({hoodiecrow.host}:{hoodiecrow.port})\n"
        "  capabilities: IDLE no, SPECIAL-USE no, UIDPLUS no, MULTIAPPEND no, NAMESPACE yes\n"
        '  namespace: "INBOX."; delimiter: .\n'
        "  inbox:  INBOX (IMAP)\n"
        "  sent:   INBOX.Sent Items (by its name)\n"
        "  drafts: INBOX.Drafts (by its name)\n"
        "  folders: INBOX, INBOX.Sent Items, INBOX.Drafts, INBOX.Trash\n"
    )


@pytest.mark.parametrize("hoodiecrow", list(LAYOUTS), indirect=True)
def test_daemon_once_syncs_every_profile(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, run_cli: RunCli
) -> None:
    seed(hoodiecrow, LAYOUTS[hoodiecrow.profile][0])
    root = workspace_for(tmp_path, hoodiecrow)
    flags = hoodiecrow.flags_snapshot()
    cli(run_cli, root, hoodiecrow, "daemon", "--once")
    assert hoodiecrow.flags_snapshot() == flags
    with Journal.open(root / "journal.db") as journal:
        assert [t.kind for t in touches_for(journal, "ana")] == [TouchKind.REPLY]
        assert [t.kind for t in touches_for(journal, "ben")] == [TouchKind.SENT]


def test_mailboxes_shows_a_maildirs_folders_and_roles(tmp_path: Path, run_cli: RunCli) -> None:
    config = '[[mailboxes]]\nname = "home"\nkind = "maildir"\npath = "mail"\n'
    root = make_workspace(tmp_path / "ws", extra_config=config)
    for folder in ("mail", "mail/.Sent", "mail/.Archive"):
        for sub in ("cur", "new", "tmp"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
    result = run_cli("--home", str(root), "mailboxes")
    assert result.stdout == (
        f"home ({root / 'mail'})\n"
        "  inbox: INBOX (by its name)\n"
        "  sent:  Sent (by its name)\n"
        "  folders: INBOX, Archive, Sent\n"
    )


DAEMON = "[daemon]\nsync_every_minutes = 1\nidle = true\n"


@pytest.mark.parametrize(
    ("hoodiecrow", "how"),
    [
        ("gmail", "watching INBOX, [Gmail]/Sent Mail with IDLE"),
        ("courier", "watching INBOX, INBOX.Sent Items by polling every 1 min"),
    ],
    indirect=["hoodiecrow"],
)
def test_the_daemon_watches_with_idle_where_offered_and_polls_elsewhere(
    tmp_path: Path, hoodiecrow: HoodiecrowServer, how: str
) -> None:
    seed(hoodiecrow, LAYOUTS[hoodiecrow.profile][0])
    root = workspace_for(tmp_path, hoodiecrow, extra=DAEMON)
    env = {**os.environ, "PYTHONPATH": str(REPO), "IMAP_PASSWORD": hoodiecrow.password}
    env.pop("OUTREACH_HOME", None)
    daemon = Daemon(root, env)
    try:
        daemon.wait_for_log(how)
        # The catch-up on connecting read what was there before.
        wait_for("the seeded reply is a touch", lambda: ("ana", "<r1@ex>") in replies(root), 10.0)
        if "IDLE" in how:
            # Mail that arrives before IDLE begins waits for the next renewal.
            daemon.wait_for_log("idling on INBOX")
            hoodiecrow.append(
                "INBOX", reply("Ben Okafor <ben@example.net>", "pushed-1"), msg_time=WHEN
            )
            # Pushed by IDLE: recorded within the deadline, not at the next poll.
            wait_for(
                lambda: f"the pushed reply is a touch; the daemon logged:\n{daemon.log()}",
                lambda: ("ben", "<pushed-1@example.net>") in replies(root),
                timeout=5.0,
            )
        status = daemon.terminate(within=5.0)
        assert status == 0
        assert hoodiecrow.password not in daemon.log()
    finally:
        daemon.close()
