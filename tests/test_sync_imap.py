"""`outreach sync` against the private Dovecot: touches, incrementality, a mailbox left as it was.

Every test compares the user's flags before and after, and Dovecot's mail_log
(which records every save, flag change, copy and expunge made over IMAP).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.base.model import TouchKind
from outreach.core.config import Credentials, ImapMailbox, Tls
from outreach.mail.imap import find_special_folder, imap_session
from outreach.mail.imap.connection import DRAFTS, SENT
from outreach.mail.imap.fetch import examine, fetch_headers, stream_headers, uids_after
from outreach.store.journal import Journal
from outreach.store.journal.cursors import imap_cursor
from outreach.store.journal.touches import touches_for
from tests.conftest import NOW, CliResult, RunCli
from tests.support.dovecot import DovecotServer, MailUser
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.dovecot


def imap_config(
    user: MailUser, *, port: int | None = None, tls: str = "implicit", extra: str = ""
) -> str:
    server = user.server
    default_port = server.imaps_port if tls == "implicit" else server.imap_port
    return f"""
[[mailboxes]]
name = "work"
kind = "imap"
host = "{server.host}"
port = {port or default_port}
tls = "{tls}"
username = "{user.name}"
password_env = "MAIL_PW"
ca_file = "{server.ca_file}"
{extra}
"""


def workspace_for(
    tmp_path: Path,
    user: MailUser,
    *,
    port: int | None = None,
    tls: str = "implicit",
    extra: str = "",
) -> Path:
    config = imap_config(user, port=port, tls=tls, extra=extra)
    return make_workspace(tmp_path / "ws", extra_config=config)


def sync(run_cli: RunCli, root: Path, user: MailUser, *args: str, expect: int = 0) -> CliResult:
    return run_cli(
        "--home",
        str(root),
        "--as-of",
        NOW.isoformat(),
        "sync",
        *args,
        expect=expect,
        environ={"MAIL_PW": user.password},
    )


@contextmanager
def untouched(user: MailUser) -> Iterator[None]:
    """Assert that the block changes no flag and makes Dovecot log no mail event."""
    flags = user.flags_snapshot()
    log = user.server.mail_log_lines(user.name)
    yield
    assert user.flags_snapshot() == flags
    assert user.server.mail_log_lines(user.name) == log


def message(
    sender: str,
    subject: str,
    *,
    to: str = "Dana Reyes <dana@example.org>",
    date: str | None = "Sat, 13 Jun 2026 18:05:00 +0200",
    msgid: str | None = None,
    extra: str = "",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    if msgid is not None:
        lines.append(f"Message-ID: {msgid}")
    lines += [line for line in extra.strip().splitlines() if line]
    return ("\r\n".join(lines) + "\r\n\r\nHello there.\r\n").encode()


REPLY = message("Ana Lima <ana@example.net>", "Re: the spring convening", msgid="<r1@example.net>")
OOF = message(
    "Ana Lima <ana@example.net>",
    "Automatic reply: the spring convening",
    msgid="<oof@example.net>",
    extra="X-MS-Exchange-Inbox-Rules-Loop: ana@example.net\nX-Auto-Response-Suppress: All",
)
BOUNCE = message(
    "Mail Delivery System <MAILER-DAEMON@mx.example.org>",
    "Undelivered Mail Returned to Sender",
    msgid="<b1@mx.example.org>",
    extra='Content-Type: multipart/report; report-type=delivery-status; boundary="x"',
)
LIST_POST = message(
    "Ana Lima <ana@example.net>",
    "[housing] minutes",
    to="housing@lists.example.org",
    msgid="<l1@example.net>",
    extra="List-Id: <housing.lists.example.org>\nList-Post: <mailto:housing@lists.example.org>",
)
STRANGER = message("Chen Wei <chen@example.com>", "hello", msgid="<s1@example.com>")
SENT_MAIL = message(
    "Dana Reyes <dana@example.org>",
    "Lunch?",
    to="Ben Okafor <ben.okafor@example.com>",
    date="Fri, 12 Jun 2026 09:00:00 -0400",
    msgid="<sent1@example.org>",
)


@pytest.fixture
def filled(mail_user: MailUser) -> MailUser:
    return fill(mail_user)


def fill(mail_user: MailUser) -> MailUser:
    """Give a user a reply, an auto-reply, a bounce, a list post and strangers in INBOX,
    one sent message, and flags of every kind set by another client."""
    server = mail_user.server
    for raw in (REPLY, BOUNCE, LIST_POST, STRANGER):
        server.deliver(mail_user.name, "INBOX", raw)
    mail_user.append("INBOX", OOF, flags=[b"\\Seen", b"\\Flagged", b"$Label1"])
    mail_user.append("INBOX", message("x@example.com", "spam"), flags=[b"\\Deleted"])
    mail_user.append("Sent", SENT_MAIL, flags=[b"\\Seen"])
    return mail_user


def test_first_sync_records_the_reply_and_the_sent_mail_and_touches_nothing(
    filled: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, filled)
    with untouched(filled):
        result = sync(run_cli, root, filled)
    assert result.stdout.splitlines() == [
        "work/INBOX: 6 messages read (6 new), 1 touch",
        "work/Sent: 1 message read (1 new), 1 touch",
        "2 folders, 7 messages read (7 new), 2 touches recorded",
        "ignored: 2 unknown sender, 1 auto-reply, 1 bounce, 1 mailing list",
    ]
    with Journal.open(root / "journal.db") as journal:
        ana, ben = touches_for(journal, "ana"), touches_for(journal, "ben")
        cursor = imap_cursor(journal, "work", "INBOX")
    assert [(t.kind, t.at, t.source) for t in ana] == [
        (TouchKind.REPLY, datetime(2026, 6, 13, 16, 5, tzinfo=UTC), "sync:work/INBOX")
    ]
    assert [(t.kind, t.at, t.source) for t in ben] == [
        (TouchKind.SENT, datetime(2026, 6, 12, 13, 0, tzinfo=UTC), "sync:work/Sent")
    ]
    assert cursor is not None and cursor.last_uid == 6


def test_two_polls_without_new_mail_read_nothing(
    filled: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, filled)
    sync(run_cli, root, filled)
    with untouched(filled):
        for _ in range(2):
            assert sync(run_cli, root, filled).stdout.splitlines()[-1] == (
                "2 folders, 0 messages read (0 new), 0 touches recorded"
            )


def test_new_mail_is_read_alone_on_the_next_sync(
    filled: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, filled)
    sync(run_cli, root, filled)
    filled.server.deliver(
        filled.name,
        "INBOX",
        message("Ben <ben@example.net>", "Re: Lunch?", msgid="<r2@example.net>"),
    )
    with untouched(filled):
        result = sync(run_cli, root, filled)
    assert result.stdout.splitlines()[:2] == [
        "work/INBOX: 1 message read (1 new), 1 touch",
        "work/Sent: 0 messages read (0 new), 0 touches",
    ]


def test_uid_search_past_the_last_message_is_filtered_to_nothing(filled: MailUser) -> None:
    # RFC 3501: "UID n:*" always includes the last message, even below n.
    with untouched(filled), filled.connect() as client:
        status = examine(client, "INBOX")
        assert client.search(["UID", f"{status.uidnext + 5}:*"]) == [status.uidnext - 1]
        assert uids_after(client, status.uidnext - 1) == []
        assert uids_after(client, 4) == [5, 6]


def test_lean_fetch_returns_the_requested_fields_and_internaldate(filled: MailUser) -> None:
    with untouched(filled), filled.connect() as client:
        examine(client, "INBOX")
        headers = fetch_headers(client, [1, 2, 99])
    assert [h.uid for h in headers] == [1, 2]
    assert headers[0].raw.startswith(b"From: Ana Lima <ana@example.net>\r\n")
    assert headers[0].raw.endswith(b"\r\n\r\n")
    assert b"Hello there" not in headers[0].raw
    assert all(h.received_at is not None and h.received_at.tzinfo is UTC for h in headers)


def test_a_header_stream_stopped_early_leaves_the_connection_usable(filled: MailUser) -> None:
    with untouched(filled), filled.connect() as client:
        examine(client, "INBOX")
        # The second FETCH is already in flight when the first batch is handed over.
        with closing(stream_headers(client, [[1, 2], [3, 4], [5, 6]])) as stream:
            first = next(stream)
        assert [h.uid for h in first] == [1, 2]
        assert uids_after(client, 4) == [5, 6]
        assert [h.uid for h in fetch_headers(client, [6])] == [6]


def test_dry_run_records_nothing_and_lists_what_it_would(
    filled: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, filled)
    with untouched(filled):
        result = sync(run_cli, root, filled, "--dry-run")
    assert result.stdout.splitlines()[-3:] == [
        "would record:",
        "  2026-06-12  sent      ben              Lunch?",
        "  2026-06-13  reply     ana              Re: the spring convening",
    ]
    with Journal.open(root / "journal.db") as journal:
        assert imap_cursor(journal, "work", "INBOX") is None
        assert touches_for(journal, "ana") == []


def test_starttls_mailbox_syncs(filled: MailUser, tmp_path: Path, run_cli: RunCli) -> None:
    root = workspace_for(tmp_path, filled, tls="starttls")
    with untouched(filled):
        assert "2 touches recorded" in sync(run_cli, root, filled).stdout


def test_configured_folders_are_read_and_sent_keeps_its_special_use_role(
    filled: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, filled, extra='folders = ["Sent"]')
    with untouched(filled):
        result = sync(run_cli, root, filled)
    assert result.stdout.splitlines()[0] == "work/Sent: 1 message read (1 new), 1 touch"


def test_missing_folder_names_mailbox_and_folder_in_one_line(
    filled: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, filled, extra='folders = ["Archive"]')
    server = filled.server
    with untouched(filled):
        result = sync(run_cli, root, filled, expect=1)
    assert result.stderr.startswith(
        f"outreach: mailbox 'work' ({server.host}:{server.imaps_port}), folder 'Archive':"
    )
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def mailbox_for(user: MailUser, server: DovecotServer) -> ImapMailbox:
    return ImapMailbox(
        name="work",
        host=server.host,
        port=server.imaps_port,
        tls=Tls.IMPLICIT,
        username=user.name,
        credentials=Credentials(password=user.password),
        ca_file=str(server.ca_file),
    )


def test_special_folders_are_found_by_their_special_use_flags(
    mail_user: MailUser, tmp_path: Path
) -> None:
    mailbox = mailbox_for(mail_user, mail_user.server)
    with imap_session(mailbox, root=tmp_path, environ={}) as client:
        assert find_special_folder(client, SENT) == "Sent"
        assert find_special_folder(client, DRAFTS) == "Drafts"
        assert find_special_folder(client, "\\Archive") is None


def test_without_special_use_sent_and_drafts_are_found_by_name(
    poor_dovecot: DovecotServer, tmp_path: Path
) -> None:
    user = poor_dovecot.add_user("poor-special-use", "pw-poor-1")
    mailbox = mailbox_for(user, poor_dovecot)
    with imap_session(mailbox, root=tmp_path, environ={}) as client:
        folders = {name for _, _, name in client.list_folders()}
        assert "Sent" in folders and "Drafts" in folders
        assert find_special_folder(client, SENT) == "Sent"
        assert find_special_folder(client, DRAFTS) == "Drafts"
        assert {name for _, _, name in client.list_folders()} == folders
