"""Double opt-in end to end: asks → replies in a real Dovecot INBOX → sync → the intro."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from outreach.core.intros import IntroStatus
from outreach.store.journal import Journal
from outreach.store.journal.drafts import list_drafts
from outreach.store.journal.intros import open_intro_for
from tests.conftest import RunCli
from tests.support.dovecot import MailUser
from tests.support.workspaces import make_workspace


def reply(sender: str, to: str, ask_id: str, subject: str, day: int, text: str) -> bytes:
    moment = datetime(2026, 6, day, 9, 30, tzinfo=UTC)
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Re: {subject}\r\n"
        f"Date: {format_datetime(moment)}\r\n"
        f"Message-ID: <reply.{day}@example.net>\r\n"
        f"In-Reply-To: {ask_id}\r\nReferences: {ask_id}\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    ).encode()


def test_double_opt_in_from_asks_to_joint_introduction(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    server = mail_user.server
    root = make_workspace(
        tmp_path / "ws",
        extra_config=textwrap.dedent(
            f"""
            [[mailboxes]]
            name = "work"
            host = "{server.host}"
            port = {server.imaps_port}
            tls = "implicit"
            username = "{mail_user.name}"
            password_env = "IMAP_PASSWORD"
            ca_file = "{server.ca_file}"
            timeout_seconds = 10
            """
        ),
    )
    environ = {"IMAP_PASSWORD": mail_user.password}

    def outreach(day: int, *args: str) -> str:
        home = ["--home", str(root), "--as-of", f"2026-06-{day:02d}"]
        return run_cli(*home, *args, environ=environ).stdout

    outreach(
        15, "draft", "intro", "ana", "ben", "--double-opt-in", "--why", "both run repair cafés"
    )
    with Journal.open(root / "journal.db") as journal:
        asks = {d.recipients[0]: d for d in list_drafts(journal)}
    assert sorted(asks) == ["ana", "ben"]
    # Review in the mail client: push, then "send" from there (the Sent copy).
    outreach(15, "drafts", "push")
    for ask in asks.values():
        mail_user.append("Sent", (root / ask.path).read_bytes(), flags=[b"\\Seen"])

    mail_user.append(
        "INBOX",
        reply(
            "Ana Lima <ana@example.net>",
            "dana@example.org",
            asks["ana"].message_id,
            asks["ana"].subject,
            16,
            "Yes please, I'd love to meet Ben!",
        ),
    )
    outreach(16, "sync")
    assert outreach(16, "draft", "intros", "--ready") == "no new introductions to draft\n"

    # Ben answers from his other address, which the roster also knows.
    mail_user.append(
        "INBOX",
        reply(
            "Ben Okafor <ben.okafor@example.com>",
            "dana@example.org",
            asks["ben"].message_id,
            asks["ben"].subject,
            17,
            "Happy to, thanks Dana.",
        ),
    )
    outreach(17, "sync")
    result = outreach(17, "draft", "intros", "--ready")
    assert result.splitlines()[0] == "    3  drafts/intro-ana-ben.eml  Ana, meet Ben (housing)"

    text = (root / "drafts" / "intro-ana-ben.eml").read_text()
    assert "To: Ana Lima <ana@example.net>, Ben Okafor <ben@example.net>" in text
    assert "Thanks for both saying yes to this." in text
    assert "Both run repair caf=C3=A9s." in text
    with Journal.open(root / "journal.db") as journal:
        drafts = list_drafts(journal)
        statuses = {d.kind + ":" + ",".join(d.recipients): d.status for d in drafts}
        intro = open_intro_for(journal, "ben", "ana")
    assert statuses == {
        "intro_ask:ana": "replied",
        "intro_ask:ben": "replied",
        "intro:ana,ben": "drafted",
    }
    assert intro is not None and intro.status is IntroStatus.INTRODUCED
    assert intro.pair == ("ana", "ben") and intro.why == "both run repair cafés"
    # Sync also saw the asks in Sent: they count as sent from the mail client.
    assert [d.sent_at is not None for d in drafts] == [True, True, False]
    # The joint introduction is drafted once, however often the daemon asks.
    assert outreach(18, "draft", "intros", "--ready") == "no new introductions to draft\n"
