"""After sending or discarding: outreach removes only its own Drafts copies and files in Sent.

Against a real Dovecot (flags and mail_log before and after) and a real
SMTP server on loopback. Another client's drafts, one of them flagged
\\Deleted, must come through untouched: a plain EXPUNGE or a CLOSE would
have removed it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.store.journal import Journal
from tests.conftest import RunCli
from tests.support.dovecot import DovecotServer, MailUser
from tests.support.drafts import write_every_personal_line
from tests.support.fixtures import unique_user_name
from tests.support.smtpd import RunningSink, smtp_sink
from tests.test_drafts_push import env, workspace_for

OTHER_DRAFT = (
    b"From: Dana Reyes <dana@example.org>\r\nTo: Ana Lima <ana@example.net>\r\n"
    b"Subject: Thought of you: Housing Salon on Wednesday 1 July\r\n"
    b"Message-ID: <written.in.thunderbird@example.org>\r\n\r\nMy own draft.\r\n"
)
DELETED_DRAFT = (
    b"From: Dana Reyes <dana@example.org>\r\nTo: Ben Okafor <ben@example.net>\r\n"
    b"Subject: old\r\nMessage-ID: <deleted.elsewhere@example.org>\r\n\r\nGone soon.\r\n"
)


@pytest.fixture
def sink() -> Iterator[RunningSink]:
    with smtp_sink() as running:
        yield running


def test_send_and_discard_remove_only_outreachs_own_copies_and_file_in_sent(
    tmp_path: Path, mail_user: MailUser, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user, extra=sink.config())
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    mail_user.append("Drafts", OTHER_DRAFT, flags=[b"\\Draft", b"\\Seen"])
    mail_user.append("Drafts", DELETED_DRAFT, flags=[b"\\Draft", b"\\Deleted"])
    run_cli(*home, "draft", "shares", environ=env(mail_user))
    write_every_personal_line(root / "drafts")
    run_cli(*home, "drafts", "push", environ=env(mail_user))
    before = mail_user.flags_snapshot()
    assert len(before["Drafts"]) == 4 and before["Sent"] == {}
    log_before = mail_user.server.mail_log_lines(mail_user.name)

    sent = run_cli(*home, "drafts", "send", "1", "--yes", environ=env(mail_user))
    assert sent.stderr == (
        "note: removed 1 of outreach's own copies from Drafts\nnote: filed 1 in Sent\n"
    )
    discarded = run_cli(*home, "drafts", "discard", "2", environ=env(mail_user))
    assert discarded.stderr == "note: removed 1 of outreach's own copies from Drafts\n"

    after = mail_user.flags_snapshot()
    # The other client's two drafts, \Deleted one included, are exactly as they were.
    assert after["Drafts"] == {uid: before["Drafts"][uid] for uid in (1, 2)}
    assert list(after["Sent"].values()) == [(b"\\Seen",)]
    assert after["INBOX"] == before["INBOX"]
    log = mail_user.server.mail_log_lines(mail_user.name)[len(log_before) :]
    # Only outreach's own pushed copies (UIDs 3 and 4) were marked \Deleted and
    # expunged, and one copy saved in Sent: nothing else happened to the mailbox.
    assert [re.sub(r", msgid=.*", "", line) for line in log] == [
        "delete: box=Drafts, uid=3",
        "expunge: box=Drafts, uid=3",
        "save: box=Sent, uid=1",
        "delete: box=Drafts, uid=4",
        "expunge: box=Drafts, uid=4",
    ]
    (arrived,) = sink.sink.received
    assert arrived.content == (root / "sent" / "share-salon-c000.eml").read_bytes()


def test_sync_sees_the_filed_sent_copy_without_counting_it_twice(
    tmp_path: Path, mail_user: MailUser, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user, extra=sink.config())
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares", environ=env(mail_user))
    write_every_personal_line(root / "drafts")
    run_cli(*home, "drafts", "send", "--all", "--yes", environ=env(mail_user))
    run_cli(*home, "sync", environ=env(mail_user))
    with Journal.open(root / "journal.db") as journal:
        rows = journal.connection.execute(
            "SELECT contact_id, kind, COUNT(*) FROM touches GROUP BY contact_id, kind"
        ).fetchall()
    assert rows == [
        ("c000", "sent", 1),
        ("c000", "share", 1),
        ("c001", "sent", 1),
        ("c001", "share", 1),
    ]


def user_without_uidplus(server: DovecotServer, hint: str) -> MailUser:
    """A user whose sessions advertise IMAP4rev1 alone: no UIDPLUS, UNSELECT, MULTIAPPEND.

    Dovecot lets a passdb's `userdb_` extra fields override settings for one
    user. The passwd-file is written here in the project script's format plus
    that field, before Dovecot ever reads it (it re-reads a changed one at most
    once a second); the folders appear at first login (`auto = subscribe`),
    and LIST still carries the \\Drafts flag.
    """
    name, password = unique_user_name(hint), secrets.token_urlsafe(12)
    passwd = server.base / "users" / name
    passwd.write_text(f"{name}:{{PLAIN}}{password}::::::userdb_imap_capability=IMAP4rev1\n")
    passwd.chmod(0o644)
    return MailUser(server, name, password)


def drafts_flags(user: MailUser) -> dict[int, tuple[bytes, ...]]:
    """Drafts' flags through EXAMINE (this server has no UNSELECT: LOGOUT ends it)."""
    with user.connect() as client:
        assert b"UIDPLUS" not in client.capabilities()
        # Opening Sent makes Dovecot create it (`auto = subscribe`), as it is on a real server.
        client.select_folder("Sent", readonly=True)
        client.select_folder("Drafts", readonly=True)
        fetched = client.fetch(client.search("ALL"), ["FLAGS"])
    return {uid: tuple(sorted(data[b"FLAGS"])) for uid, data in fetched.items()}


def test_without_uidplus_the_pushed_copy_stays_and_the_output_says_so(
    tmp_path: Path, dovecot: DovecotServer, sink: RunningSink, run_cli: RunCli
) -> None:
    user = user_without_uidplus(dovecot, "no-uidplus")
    root = workspace_for(tmp_path, user, extra=sink.config())
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares", environ=env(user))
    write_every_personal_line(root / "drafts")
    run_cli(*home, "drafts", "push", environ=env(user))
    before = drafts_flags(user)
    log_before = dovecot.mail_log_lines(user.name)
    result = run_cli(*home, "drafts", "send", "1", "--yes", environ=env(user))
    label = f"mailbox 'work' ({dovecot.host}:{dovecot.imaps_port})"
    assert result.stderr == (
        f"note: {label}: the server lacks UIDPLUS, so outreach cannot remove only its own"
        " copies: 1 left in Drafts; delete them in your mail client\n"
        "note: filed 1 in Sent\n"
    )
    assert drafts_flags(user) == before
    log = dovecot.mail_log_lines(user.name)[len(log_before) :]
    assert [line.split(",")[0] for line in log] == ["save: box=Sent"]
