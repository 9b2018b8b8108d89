"""The message index: a contact or an address added later gets the touches of mail already read."""

from __future__ import annotations

from pathlib import Path

from outreach.base.model import Direction, TouchKind
from outreach.store.journal import Journal
from outreach.store.journal.message_index import index_size
from outreach.store.journal.touches import touches_for
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace
from tests.test_sync_maildir import MAILBOX, deliver, message

CHEN = message(
    '"Chen Wei" <chen@example.com>',
    "Re: the zine fair",
    msgid="<chen1@example.com>",
    date="Fri, 12 Jun 2026 10:00:00 +0000",
)
TO_CHEN = message(
    "Dana Reyes <dana@example.org>",
    "Lunch next week?",
    to="Chen Wei <chen@example.com>, Ana Lima <ana@example.net>",
    msgid="<d1@example.org>",
    date="Sat, 13 Jun 2026 09:00:00 +0000",
)
NEWSLETTER = message(
    "Chen Wei <chen@example.com>",
    "Studio news",
    msgid="<news1@example.com>",
    extra="List-Unsubscribe: <mailto:leave@example.com>",
)
CHEN_CONTACT = '\n[contacts.chen]\nname = "Chen Wei"\nemails = ["chen@example.com"]\n'


def test_a_contact_added_after_the_sync_gets_the_touches_of_mail_already_read(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", CHEN)
    deliver(root / "mail", NEWSLETTER)
    deliver(root / "mail" / ".Sent", TO_CHEN, seen=True)
    first = run_cli("--home", str(root), "sync")
    assert first.stdout.splitlines()[-2:] == [
        "2 folders, 3 messages read (3 new), 1 touch recorded",
        "ignored: 1 bulk mail, 1 unknown sender",
    ]
    (root / "roster.toml").write_text(DEFAULT_ROSTER + CHEN_CONTACT)
    second = run_cli("--home", str(root), "sync")
    assert second.stdout == (
        "home/INBOX: 0 messages read (0 new), 0 touches\n"
        "home/Sent: 0 messages read (0 new), 0 touches\n"
        "2 folders, 0 messages read (0 new), 0 touches recorded\n"
        "from mail read before: 2 touches for 1 new contact\n"
    )
    with Journal.open(root / "journal.db") as journal:
        found = [
            (t.kind, t.direction, t.detail, t.at.isoformat()) for t in touches_for(journal, "chen")
        ]
        assert found == [
            (TouchKind.SENT, Direction.OUTBOUND, "Lunch next week?", "2026-06-13T09:00:00+00:00"),
            (TouchKind.REPLY, Direction.INBOUND, "Re: the zine fair", "2026-06-12T10:00:00+00:00"),
        ]
        # Ana's touch from the same message was recorded once, at the first sync.
        assert [t.kind for t in touches_for(journal, "ana")] == [TouchKind.SENT]
    third = run_cli("--home", str(root), "sync")
    assert "from mail read before" not in third.stdout


def test_an_address_added_to_a_contact_brings_its_past_mail(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", CHEN)
    run_cli("--home", str(root), "sync")
    roster = DEFAULT_ROSTER.replace(
        'emails = ["ana@example.net"]', 'emails = ["ana@example.net", "chen@example.com"]'
    )
    (root / "roster.toml").write_text(roster)
    run_cli("--home", str(root), "sync")
    with Journal.open(root / "journal.db") as journal:
        assert [t.detail for t in touches_for(journal, "ana")] == ["Re: the zine fair"]


def test_a_dry_run_backfills_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", CHEN)
    run_cli("--home", str(root), "sync")
    (root / "roster.toml").write_text(DEFAULT_ROSTER + CHEN_CONTACT)
    run_cli("--home", str(root), "sync", "--dry-run")
    with Journal.open(root / "journal.db") as journal:
        assert touches_for(journal, "chen") == []
    run_cli("--home", str(root), "sync")
    with Journal.open(root / "journal.db") as journal:
        assert len(touches_for(journal, "chen")) == 1


def test_machine_mail_keeps_no_addresses_in_the_index(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", CHEN)
    deliver(root / "mail", NEWSLETTER)
    run_cli("--home", str(root), "sync")
    with Journal.open(root / "journal.db") as journal:
        rows = journal.connection.execute(
            "SELECT identity, verdict, role, addrs, subject FROM seen_messages ORDER BY identity"
        ).fetchall()
        assert rows == [
            ("<chen1@example.com>", "unknown sender", 0, "chen@example.com", "Re: the zine fair"),
            ("<news1@example.com>", "bulk mail", 0, None, None),
        ]
        messages, size = index_size(journal)
        assert messages == 2 and size > 0


def test_example_workspace_marisol_added_as_a_contact_gets_her_reply(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = tmp_path / "example"
    run_cli("init", str(root), "--example")
    home = ["--home", str(root)]
    run_cli(*home, "sync")
    run_cli(
        *home,
        "contacts",
        "add",
        "marisol",
        "--name",
        "Marisol Vega",
        "--email",
        "marisol@example.com",
    )
    result = run_cli(*home, "sync")
    assert result.stdout.splitlines()[-1] == "from mail read before: 1 touch for 1 new contact"
    with Journal.open(root / "journal.db") as journal:
        (touch,) = touches_for(journal, "marisol")
        assert (touch.kind, touch.direction) == (TouchKind.REPLY, Direction.INBOUND)


def test_the_index_dates_a_message_by_its_date_unless_absurd(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", CHEN)
    future = message(
        "Chen <chen@example.com>", "Hi", msgid="<f1@x>", date="Mon, 1 Jan 2035 00:00:00 +0000"
    )
    delivered = deliver(root / "mail", future)
    run_cli("--home", str(root), "sync")
    with Journal.open(root / "journal.db") as journal:
        rows = dict(journal.connection.execute("SELECT identity, at FROM seen_messages").fetchall())
    assert rows["<chen1@example.com>"] == 1781258400  # Fri, 12 Jun 2026 10:00:00 +0000
    assert rows["<f1@x>"] == int(delivered.stat().st_mtime)
