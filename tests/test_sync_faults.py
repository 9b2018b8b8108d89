"""Sync under faults: killed mid-way, UIDVALIDITY reset, bad logins, duplicates, odd dates.

Against the private Dovecot; every scenario also checks the mailbox is untouched.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.base.errors import MailboxError
from outreach.core.config import Credentials, ImapMailbox, Tls
from outreach.mail.imap import imap_session
from outreach.store.journal import Journal
from outreach.store.journal.cursors import ImapCursor, imap_cursor
from outreach.store.journal.touches import touches_for
from tests.conftest import RunCli
from tests.support.dovecot import MailUser
from tests.support.tcp_proxy import TcpProxy
from tests.support.workspaces import make_workspace
from tests.test_sync_imap import (
    REPLY,
    fill,
    imap_config,
    message,
    sync,
    untouched,
    workspace_for,
)

pytestmark = pytest.mark.dovecot

KILL_MESSAGES = 3000
KILL_BATCH = 25


def write_maildir(user: MailUser, messages: list[bytes]) -> None:
    """Put messages straight into the user's Maildir, as a local delivery agent would."""
    maildir = user.server.maildir(user.name)
    owner = maildir.stat()
    for index, raw in enumerate(messages):
        temporary = maildir / "tmp" / f"{1780000000 + index}.M{index}P1.test"
        temporary.write_bytes(raw)
        os.chown(temporary, owner.st_uid, owner.st_gid)
        temporary.rename(maildir / "new" / temporary.name)


def crowd(count: int) -> list[bytes]:
    """Every 10th message from ana, every 10th from ben, the rest from 20 strangers."""
    found = []
    for n in range(count):
        sender = {0: "ana@example.net", 1: "ben@example.net"}.get(n % 10, f"s{n % 20}@example.com")
        found.append(message(sender, f"note {n}", msgid=f"<n{n}@example.com>"))
    return found


def test_sync_killed_mid_way_then_rerun_records_everything_exactly_once(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    write_maildir(mail_user, crowd(KILL_MESSAGES))
    root = make_workspace(
        tmp_path / "ws",
        extra_config=imap_config(mail_user) + f"\n[sync]\nbatch_size = {KILL_BATCH}\n",
    )
    Journal.open(root / "journal.db").close()  # created and migrated before the race
    with untouched(mail_user):
        process = subprocess.Popen(
            [sys.executable, "-m", "outreach", "--home", str(root), "sync"],
            env={"PATH": os.environ["PATH"], "MAIL_PW": mail_user.password},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            reached = wait_for_cursor(root / "journal.db", process)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait()
            assert process.stderr is not None
            process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        assert 0 < reached < KILL_MESSAGES
        with Journal.open(root / "journal.db") as journal:
            killed_at = journal.connection.execute("SELECT last_uid FROM imap_cursors").fetchone()
        assert killed_at[0] < KILL_MESSAGES, "the sync finished before it could be killed"
        result = sync(run_cli, root, mail_user)
    assert result.stdout.splitlines()[0].startswith(
        f"work/INBOX: {KILL_MESSAGES - killed_at[0]:,} messages read"
    )
    with Journal.open(root / "journal.db") as journal:
        db = journal.connection
        touches = db.execute("SELECT contact_id, COUNT(*) FROM touches GROUP BY contact_id")
        assert dict(touches.fetchall()) == {"ana": KILL_MESSAGES // 10, "ben": KILL_MESSAGES // 10}
        assert db.execute("SELECT COUNT(*) FROM seen_messages").fetchone()[0] == KILL_MESSAGES
        unknown = db.execute("SELECT SUM(messages) FROM unknown_senders").fetchone()[0]
        assert unknown == KILL_MESSAGES * 8 // 10


def wait_for_cursor(journal_path: Path, process: subprocess.Popen[bytes]) -> int:
    """Poll until the sync has committed a batch; its cursor's UID."""
    deadline = time.monotonic() + 60
    with sqlite3.connect(journal_path) as db:
        while time.monotonic() < deadline:
            row = db.execute("SELECT last_uid FROM imap_cursors WHERE folder = 'INBOX'").fetchone()
            if row is not None:
                return int(row[0])
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"sync exited {process.returncode}: {process.stderr.read()!r}")
            time.sleep(0.002)
    pytest.fail("the sync committed no batch within 60 s")


def test_changed_uidvalidity_rescans_without_double_counting(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    filled = fill(mail_user)
    root = workspace_for(tmp_path, filled)
    sync(run_cli, root, filled)
    # The folder is "recreated": same messages, new UIDVALIDITY, and a new reply arrives.
    filled.server.set_uidvalidity(filled.name, "INBOX", 4242)
    filled.server.deliver(
        filled.name, "INBOX", message("ben@example.net", "Re: Lunch?", msgid="<r2@example.net>")
    )
    with untouched(filled):
        result = sync(run_cli, root, filled)
    assert result.stdout.splitlines()[0] == (
        "work/INBOX: 7 messages read (1 new), 1 touch"
        " (UIDVALIDITY changed: read again from the start)"
    )
    with Journal.open(root / "journal.db") as journal:
        assert len(touches_for(journal, "ana")) == 1
        assert len(touches_for(journal, "ben")) == 2  # the sent message and the new reply
        unknown = journal.connection.execute("SELECT SUM(messages) FROM unknown_senders")
        assert unknown.fetchone()[0] == 2
    assert sync(run_cli, root, filled).stdout.splitlines()[0] == (
        "work/INBOX: 0 messages read (0 new), 0 touches"
    )


def test_wrong_password_is_one_line_and_exit_1(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user)
    wrong = "not-" + mail_user.password
    with untouched(mail_user):
        result = run_cli("--home", str(root), "sync", expect=1, environ={"MAIL_PW": wrong})
    server = mail_user.server
    assert result.stderr == (
        f"outreach: mailbox 'work' ({server.host}:{server.imaps_port}): login refused for user"
        f" '{mail_user.name}': [AUTHENTICATIONFAILED] Authentication failed.\n"
    )
    assert wrong not in result.stderr and result.stdout == ""


def test_unreachable_port_is_one_line_and_exit_1(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = workspace_for(tmp_path, mail_user, port=port)
    with untouched(mail_user):
        result = sync(run_cli, root, mail_user, expect=1)
    assert result.stderr == (
        f"outreach: mailbox 'work' (127.0.0.1:{port}): unreachable: connection refused\n"
    )


def test_unverified_certificate_is_one_line_and_exit_1(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    config = imap_config(mail_user).replace(f'ca_file = "{mail_user.server.ca_file}"\n', "")
    root = make_workspace(tmp_path / "ws", extra_config=config)
    with untouched(mail_user):
        result = sync(run_cli, root, mail_user, expect=1)
    assert result.stderr == (
        f"outreach: mailbox 'work' ({mail_user.server.host}:{mail_user.server.imaps_port}):"
        " certificate not verified: unable to get local issuer certificate; if the"
        " server uses its own certificate authority, set ca_file\n"
    )


def test_same_reply_in_two_folders_is_one_touch(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    mail_user.server.deliver(mail_user.name, "INBOX", REPLY)
    mail_user.server.deliver(mail_user.name, "Trash", REPLY)
    root = workspace_for(tmp_path, mail_user, extra='folders = ["INBOX", "Trash"]')
    with untouched(mail_user):
        result = sync(run_cli, root, mail_user)
    assert result.stdout.splitlines()[:3] == [
        "work/INBOX: 1 message read (1 new), 1 touch",
        "work/Trash: 1 message read (0 new), 0 touches",
        "2 folders, 2 messages read (1 new), 1 touch recorded",
    ]


def test_message_without_message_id_delivered_twice_counts_once(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    raw = message("ana@example.net", "Re: zine", msgid=None)
    mail_user.server.deliver(mail_user.name, "INBOX", raw)
    mail_user.server.deliver(mail_user.name, "INBOX", b"Received: from relay2\r\n" + raw)
    root = workspace_for(tmp_path, mail_user)
    with untouched(mail_user):
        result = sync(run_cli, root, mail_user)
    assert result.stdout.splitlines()[0] == "work/INBOX: 2 messages read (1 new), 1 touch"


ARRIVED = datetime(2026, 6, 11, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Wed, 01 Jan 2031 10:00:00 +0000", ARRIVED),
        (None, ARRIVED),
        ("the day after tomorrow", ARRIVED),
        ("Sat, 13 Jun 2026 18:05:00 +0200", datetime(2026, 6, 13, 16, 5, tzinfo=UTC)),
    ],
    ids=["future", "missing", "unparseable", "valid"],
)
def test_reply_with_odd_date_is_dated_by_internaldate(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli, date: str | None, expected: datetime
) -> None:
    raw = message("ana@example.net", "Re: zine", date=date, msgid="<odd@example.net>")
    mail_user.append("INBOX", raw, msg_time=ARRIVED)
    root = workspace_for(tmp_path, mail_user)
    with untouched(mail_user):
        sync(run_cli, root, mail_user)
    with Journal.open(root / "journal.db") as journal:
        assert [t.at for t in touches_for(journal, "ana")] == [expected]


class StrippingProxy:
    """A man in the middle on loopback that removes STARTTLS from what the server offers."""

    def __init__(self, port: int) -> None:
        self.upstream_port = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.from_client = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        with client, socket.create_connection(("127.0.0.1", self.upstream_port)) as server:
            client.settimeout(5)
            server.settimeout(5)
            try:
                # Lockstep is enough before TLS: greeting, then one answer per command.
                client.sendall(server.recv(65536).replace(b" STARTTLS", b""))
                while chunk := client.recv(65536):
                    self.from_client += chunk
                    server.sendall(chunk)
                    client.sendall(server.recv(65536).replace(b" STARTTLS", b""))
            except OSError:
                pass  # either side hung up

    def close(self) -> None:
        self.thread.join(timeout=10)
        self.listener.close()


def test_stripped_starttls_refuses_to_log_in(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    proxy = StrippingProxy(mail_user.server.imap_port)
    try:
        root = workspace_for(tmp_path, mail_user, port=proxy.port, tls="starttls")
        with untouched(mail_user):
            result = sync(run_cli, root, mail_user, expect=1)
    finally:
        proxy.close()
    assert result.stderr == (
        f"outreach: mailbox 'work' (127.0.0.1:{proxy.port}): the server does not offer"
        " STARTTLS; refusing to log in without TLS\n"
        'hint: use port 993 with tls = "implicit" if the server offers it\n'
    )
    assert mail_user.password.encode() not in proxy.from_client
    assert b"LOGIN" not in proxy.from_client.upper()


def test_new_mail_expunged_by_another_client_moves_the_cursor_past_it(
    mail_user: MailUser, tmp_path: Path, run_cli: RunCli
) -> None:
    mail_user.server.deliver(mail_user.name, "INBOX", REPLY)
    root = workspace_for(tmp_path, mail_user)
    sync(run_cli, root, mail_user)
    mail_user.server.deliver(mail_user.name, "INBOX", message("x@example.com", "gone soon"))
    with mail_user.connect() as other:
        other.select_folder("INBOX")
        other.delete_messages([2])
        other.expunge()
    with untouched(mail_user):
        result = sync(run_cli, root, mail_user)
    assert result.stdout.splitlines()[0] == "work/INBOX: 0 messages read (0 new), 0 touches"
    with Journal.open(root / "journal.db") as journal:
        assert imap_cursor(journal, "work", "INBOX") == ImapCursor(
            examine_uidvalidity(mail_user), 2
        )


def examine_uidvalidity(user: MailUser) -> int:
    with user.connect() as client:
        return int(client.select_folder("INBOX", readonly=True)[b"UIDVALIDITY"])


def test_a_silent_partition_fails_after_one_read_timeout_in_one_line(
    mail_user: MailUser, tmp_path: Path
) -> None:
    server = mail_user.server
    with TcpProxy(server.host, server.imaps_port) as proxy:
        mailbox = ImapMailbox(
            name="work",
            host=server.host,
            port=proxy.port,
            tls=Tls.IMPLICIT,
            username=mail_user.name,
            credentials=Credentials(password=mail_user.password),
            ca_file=str(server.ca_file),
            timeout_seconds=1.0,
        )
        frozen = threading.Event()
        raised: list[BaseException] = []

        def noop_in_a_partition() -> None:
            try:
                with imap_session(mailbox, root=tmp_path, environ={}) as client:
                    proxy.freeze()  # a silent partition
                    frozen.set()
                    client.noop()
            except BaseException as exc:  # handed to the test's thread
                raised.append(exc)

        session = threading.Thread(target=noop_in_a_partition)
        session.start()
        try:
            assert frozen.wait(timeout=30), f"no session: {raised}"
            # One read timeout (1 s) for the NOOP, and closing the dead
            # session adds no second one, which would take it past 2 s.
            session.join(timeout=1.9)
            assert not session.is_alive(), "still waiting after the first timeout"
        finally:
            proxy.thaw()
            session.join()
    (error,) = raised
    assert isinstance(error, MailboxError)
    assert str(error).endswith(": no answer after 1 s (timed out)"), error
