"""The test bed itself: the private Dovecot, its mail_log and the TCP proxy.

Uses imapclient directly, so a failure here points at the bed, not at outreach.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import imapclient
import pytest
from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import CapabilityError
from imapclient.imapclient import DRAFTS, JUNK, SENT, TRASH

from tests.support.dovecot import SCRIPT, DovecotServer, MailUser, make_server_dir
from tests.support.fixtures import unique_user_name
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.dovecot

MESSAGE = (
    b"From: Ana Lima <ana@example.net>\r\n"
    b"To: Dana Reyes <dana@example.org>\r\n"
    b"Subject: Lunch on Thursday?\r\n"
    b"Date: Mon, 15 Jun 2026 09:30:00 +0000\r\n"
    b"Message-ID: <lunch-1@example.net>\r\n"
    b"\r\n"
    b"Shall we meet at noon?\r\n"
)


@pytest.fixture
def proxy(dovecot: DovecotServer) -> Iterator[TcpProxy]:
    with TcpProxy(dovecot.host, dovecot.imaps_port) as running:
        yield running


def test_implicit_tls_login_verifies_the_generated_ca(mail_user: MailUser) -> None:
    with mail_user.connect(tls="implicit") as client:
        tls_socket = client.socket()
        assert isinstance(tls_socket, ssl.SSLSocket)
        names = tls_socket.getpeercert()["subjectAltName"]
        assert ("IP Address", "127.0.0.1") in names
        assert ("DNS", "localhost") in names
        assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 0


def test_starttls_upgrades_the_plain_port_before_login(
    dovecot: DovecotServer, mail_user: MailUser
) -> None:
    with IMAPClient(dovecot.host, dovecot.imap_port, ssl=False, timeout=10) as plain:
        assert plain.has_capability("STARTTLS")
        assert not isinstance(plain.socket(), ssl.SSLSocket)
    with mail_user.connect(tls="starttls") as client:
        assert isinstance(client.socket(), ssl.SSLSocket)
        assert client.noop()[0].startswith(b"NOOP completed")


def test_connection_that_does_not_trust_the_test_ca_is_refused(dovecot: DovecotServer) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, dovecot.imaps_port, ssl_context=ssl.create_default_context())


def test_wrong_password_is_refused(mail_user: MailUser) -> None:
    wrong = MailUser(mail_user.server, mail_user.name, "not-" + mail_user.password)
    with pytest.raises(imapclient.exceptions.LoginError):
        wrong.connect()


def test_special_use_flags_mark_drafts_and_sent(mail_user: MailUser) -> None:
    with mail_user.connect() as client:
        assert client.has_capability("SPECIAL-USE")
        assert client.find_special_folder(DRAFTS) == "Drafts"
        assert client.find_special_folder(SENT) == "Sent"
        folders = {name: flags for flags, _, name in client.list_folders()}
        assert TRASH in folders["Trash"]
        assert JUNK in folders["Junk"]


def test_idle_is_offered_and_its_keepalive_is_configured(
    dovecot: DovecotServer, mail_user: MailUser
) -> None:
    with mail_user.connect() as client:
        assert client.has_capability("IDLE")
    assert "imap_idle_notify_interval = 10 secs" in dovecot.config.read_text()


def test_poor_variant_offers_neither_idle_nor_special_use(poor_dovecot: DovecotServer) -> None:
    user = poor_dovecot.add_user(unique_user_name("poor"), "poor-password")
    with user.connect() as client:
        assert not client.has_capability("IDLE")
        assert not client.has_capability("SPECIAL-USE")
        folders = {name: flags for flags, _, name in client.list_folders()}
        assert DRAFTS not in folders["Drafts"]
        client.select_folder("INBOX", readonly=True)
        with pytest.raises(CapabilityError):
            client.idle()


def test_examine_and_body_peek_change_nothing_and_log_only_the_append(
    mail_user: MailUser,
) -> None:
    when = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
    mail_user.append("INBOX", MESSAGE, flags=[b"\\Flagged"], msg_time=when)
    before = mail_user.flags_snapshot()

    with mail_user.connect() as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"])

    assert [data[b"BODY[]"] for data in fetched.values()] == [MESSAGE]
    after = mail_user.flags_snapshot()
    assert after == before
    assert after == {
        "INBOX": {1: (b"\\Flagged",)},
        "Drafts": {},
        "Sent": {},
        "Trash": {},
        "Junk": {},
    }
    [line] = mail_user.server.mail_log_lines(mail_user.name)
    assert line.startswith("save: box=INBOX, uid=1, msgid=<lunch-1@example.net>")


def test_plain_body_fetch_shows_in_mail_log_and_snapshot_as_a_seen_flag(
    mail_user: MailUser,
) -> None:
    mail_user.append("INBOX", MESSAGE)
    before = mail_user.flags_snapshot()

    with mail_user.connect() as client:
        client.select_folder("INBOX")
        client.fetch(client.search("ALL"), ["BODY[]"])

    assert mail_user.flags_snapshot()["INBOX"] == {1: (b"\\Seen",)} != before["INBOX"]
    actions = [line.split(":")[0] for line in mail_user.server.mail_log_lines(mail_user.name)]
    assert actions == ["save", "flag_change"]


def test_mail_log_shows_what_a_still_open_session_did(mail_user: MailUser) -> None:
    with mail_user.connect() as client:
        client.append("Drafts", MESSAGE, flags=[b"\\Draft"])
        [line] = mail_user.server.mail_log_lines(mail_user.name)
        assert line.startswith("save: box=Drafts, uid=1,")
        assert client.noop()[0].startswith(b"NOOP completed")  # still open


def test_deliver_bypasses_imap_and_leaves_no_mail_log_line(mail_user: MailUser) -> None:
    mail_user.server.deliver(mail_user.name, "Sent", MESSAGE)

    assert mail_user.flags_snapshot()["Sent"] == {1: ()}
    assert mail_user.server.mail_log_lines(mail_user.name) == []
    [stored] = (mail_user.server.maildir(mail_user.name) / ".Sent" / "new").iterdir()
    assert stored.read_bytes() == MESSAGE.replace(b"\r\n", b"\n")


def test_set_uidvalidity_changes_what_clients_see(mail_user: MailUser) -> None:
    mail_user.server.set_uidvalidity(mail_user.name, "INBOX", 4242)

    with mail_user.connect() as client:
        assert client.select_folder("INBOX", readonly=True)[b"UIDVALIDITY"] == 4242


def test_kick_ends_an_idle_session_with_bye(mail_user: MailUser) -> None:
    with mail_user.connect(timeout=SocketTimeout(connect=5, read=5)) as client:
        client.select_folder("INBOX", readonly=True)
        client.idle()
        mail_user.server.kick(mail_user.name)
        responses = client.idle_check(timeout=5)
        assert responses and responses[0][0] == b"BYE"


def test_proxy_freeze_makes_reads_time_out_and_thaw_lets_new_sessions_through(
    proxy: TcpProxy, mail_user: MailUser
) -> None:
    client = mail_user.connect(port=proxy.port, timeout=SocketTimeout(connect=5, read=0.5))
    try:
        proxy.freeze()
        with pytest.raises((IMAPClient.AbortError, TimeoutError), match="timed out"):
            client.noop()
        assert proxy.connection_count == 1  # frozen, not closed
    finally:
        client.shutdown()

    proxy.thaw()
    with mail_user.connect(port=proxy.port, timeout=SocketTimeout(connect=5, read=5)) as again:
        assert again.noop()[0].startswith(b"NOOP completed")


def test_proxy_reset_all_breaks_open_sessions(proxy: TcpProxy, mail_user: MailUser) -> None:
    client = mail_user.connect(port=proxy.port, timeout=SocketTimeout(connect=5, read=5))
    try:
        proxy.reset_all()
        with pytest.raises((IMAPClient.AbortError, OSError)):
            client.noop()
        assert proxy.connection_count == 0
    finally:
        client.shutdown()


def test_proxy_close_ends_connections_and_refuses_new_ones(dovecot: DovecotServer) -> None:
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port).start()
    port = proxy.port
    held = socket.create_connection((dovecot.host, port), timeout=5)
    try:
        proxy.close()
        held.settimeout(5)
        assert held.recv(1) == b""  # the proxy closed its end too
    except ConnectionResetError:
        pass
    finally:
        held.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dovecot.host, port), timeout=5).close()


def test_restart_keeps_ports_users_and_mail(dovecot: DovecotServer, mail_user: MailUser) -> None:
    mail_user.append("Drafts", MESSAGE, flags=[b"\\Draft", b"\\Seen"])
    with mail_user.connect() as client:
        validity = client.select_folder("Drafts", readonly=True)[b"UIDVALIDITY"]
    pid = dovecot.pid

    dovecot.restart()

    assert dovecot.pid != pid
    with mail_user.connect() as client:
        assert client.select_folder("Drafts", readonly=True)[b"UIDVALIDITY"] == validity
    assert mail_user.flags_snapshot()["Drafts"] == {1: (b"\\Draft", b"\\Seen")}


def test_stop_says_bye_to_open_sessions_and_leaves_no_process_behind() -> None:
    base = make_server_dir()
    try:
        server = DovecotServer.start(base / "server")
        user = server.add_user("leaver", "leaver-password")
        client = user.connect(timeout=SocketTimeout(connect=5, read=5))
        try:
            client.select_folder("INBOX", readonly=True)
            client.idle()
            group = server.pid
            server.stop()
            assert client.idle_check(timeout=5)[0] == (b"BYE", b"Server", b"shutting", b"down.")
        finally:
            client.shutdown()
        assert _live_processes_in_group(group) == []
        assert "Disconnected: Server shutting down." in server.mail_log.read_text()
    finally:
        shutil.rmtree(base)


def _live_processes_in_group(group: int) -> list[str]:
    names = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat_file.read_text().rsplit(")", 1)
        except OSError:
            continue  # exited while we looked
        state, _, pgrp = tail.split()[:3]
        if int(pgrp) == group and state != "Z":
            names.append(head.split("(", 1)[1])
    return names


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs Dovecot's processes as others")
def test_start_refuses_a_folder_dovecot_users_cannot_reach(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir(mode=0o700)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "start", str(hidden / "server")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{hidden} (mode drwx------) cannot be searched by other users" in result.stderr
    assert list(hidden.iterdir()) == []


def test_script_help_documents_every_command() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    for usage in ("start DIR [--poor]", "stop DIR", "adduser DIR USER PASSWORD"):
        assert usage in result.stdout
