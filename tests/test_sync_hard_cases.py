"""The hard cases of real mail through the whole sync: body-read delivery failures, announcements.

IMAP against the private Dovecot (the body is read with BODY.PEEK: no flag
changes, nothing in the mail_log) and a local Maildir (files never renamed).
"""

from __future__ import annotations

from pathlib import Path

from outreach.base.model import TouchKind
from outreach.store.journal import Journal
from outreach.store.journal.touches import touches_for
from tests.conftest import RunCli
from tests.support.dovecot import MailUser
from tests.support.workspaces import make_workspace
from tests.test_sync_imap import sync, untouched, workspace_for
from tests.test_sync_maildir import MAILBOX, deliver, message

MESSAGES = Path(__file__).parent / "messages" / "body"
PLAIN_BOUNCE = (MESSAGES / "bounce__postfix_plain_text_without_report_type.eml").read_bytes()
DELIVERY_TALK = (MESSAGES / "human__reply_about_a_delivery.eml").read_bytes()


def test_imap_sync_reads_the_body_of_an_ambiguous_reply_without_marking_it_read(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    # Ben's address sends both: a plain-text delivery failure and his own reply.
    for raw in (PLAIN_BOUNCE, DELIVERY_TALK):
        mail_user.server.deliver(mail_user.name, "INBOX", raw.replace(b"\n", b"\r\n"))
    root = workspace_for(tmp_path, mail_user)
    with untouched(mail_user):
        result = sync(run_cli, root, mail_user)
    assert result.stdout == (
        "work/INBOX: 2 messages read (2 new), 1 touch\n"
        "work/Sent: 0 messages read (0 new), 0 touches\n"
        "2 folders, 2 messages read (2 new), 1 touch recorded\n"
        "ignored: 1 bounce\n"
    )
    with Journal.open(root / "journal.db") as journal:
        assert [(t.kind, t.detail) for t in touches_for(journal, "ben")] == [
            (TouchKind.REPLY, "Re: the couch delivery failed again?")
        ]
    again = sync(run_cli, root, mail_user)
    assert again.stdout.splitlines()[-1] == "2 folders, 0 messages read (0 new), 0 touches recorded"


def test_maildir_sync_reads_the_body_of_an_ambiguous_reply(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    inbox = root / "mail"
    bounce = deliver(inbox, PLAIN_BOUNCE.decode())
    deliver(inbox, DELIVERY_TALK.decode())
    before = sorted(p.name for p in inbox.rglob("*") if p.is_file())
    result = run_cli("--home", str(root), "sync")
    assert result.stdout.splitlines()[-2:] == [
        "1 folder, 2 messages read (2 new), 1 touch recorded",
        "ignored: 1 bounce",
    ]
    assert sorted(p.name for p in inbox.rglob("*") if p.is_file()) == before
    assert bounce.exists()


ANNOUNCEMENT = message(
    "Ana Lima <ana@example.net>",
    "Open studio night, all welcome",
    to="undisclosed-recipients:;",
    msgid="<ann1@example.net>",
    date="Mon, 08 Jun 2026 09:00:00 +0000",
)
PERSONAL = message(
    "Ana Lima <ana@example.net>",
    "Re: coffee",
    msgid="<p1@example.net>",
    date="Tue, 09 Jun 2026 09:00:00 +0000",
)
SECOND_ANNOUNCEMENT = message(
    "Ana Lima <ana@example.net>",
    "Quick note to a few friends",
    to="undisclosed-recipients:;",
    msgid="<ann2@example.net>",
    date="Wed, 10 Jun 2026 09:00:00 +0000",
)


def test_an_announcement_counts_only_from_someone_who_wrote_personally(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    inbox = root / "mail"
    deliver(inbox, ANNOUNCEMENT)
    first = run_cli("--home", str(root), "sync")
    assert first.stdout.splitlines()[-1] == "ignored: 1 bulk mail"
    deliver(inbox, PERSONAL)
    run_cli("--home", str(root), "sync")
    deliver(inbox, SECOND_ANNOUNCEMENT)
    run_cli("--home", str(root), "sync")
    with Journal.open(root / "journal.db") as journal:
        assert [t.detail for t in touches_for(journal, "ana")] == [
            "Quick note to a few friends",
            "Re: coffee",
        ]


def test_a_header_over_1_mib_is_not_cut_and_classified(tmp_path: Path, run_cli: RunCli) -> None:
    # Cut at the limit, this header would end before its List-Id and read as a
    # reply from Ana: it is left out whole instead, and said so.
    filler = "".join(f"X-Trace-{i}: {'x' * 990}\n" for i in range(1100))
    raw = message(
        "Ana Lima <ana@example.net>",
        "Re: the spring convening",
        msgid="<huge@example.net>",
        extra=filler + "List-Id: <garden.lists.example.net>",
    )
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", raw)
    result = run_cli("--home", str(root), "sync")
    assert result.stdout.splitlines()[-2:] == [
        "1 folder, 1 message read (1 new), 0 touches recorded",
        "ignored: 1 header too large",
    ]
    again = run_cli("--home", str(root), "sync")
    assert again.stdout.splitlines()[-1] == "1 folder, 0 messages read (0 new), 0 touches recorded"
