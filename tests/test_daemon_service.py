"""The daemon as a real process against the private Dovecot: push sync and service behaviour.

Each test starts `python -m outreach --home WS daemon --verbose` and watches
what it does through its log and its journal, polling both; it never sleeps
for a fixed time to let something happen. One test runs the mailbox watcher
in-process instead, to poll faster than the daemon's once a minute.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Protocol

import pytest

from outreach.base.clock import system_clock
from outreach.core.config import ImapMailbox
from outreach.daemon.watch import MailboxWatcher, WatchSettings
from outreach.store.journal import Journal
from outreach.store.journal.job_runs import last_runs
from outreach.store.workspace import load_workspace
from tests.support.dovecot import DovecotServer, MailUser
from tests.support.tcp_proxy import TcpProxy
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

PASSWORD_ENV = "OUTREACH_TEST_IMAP_PASSWORD"
REPO = Path(__file__).resolve().parents[1]


def imap_config(user: MailUser, *, port: int, timeout: float = 2.0, extra: str = "") -> str:
    # A short read timeout keeps dead-connection detection (three timeouts of
    # silence, then DONE unanswered for one) within a few seconds.
    return f"""
[[mailboxes]]
name = "work"
kind = "imap"
host = "{user.server.host}"
port = {port}
tls = "implicit"
username = "{user.name}"
password_env = "{PASSWORD_ENV}"
ca_file = "{user.server.ca_file}"
timeout_seconds = {timeout}

[daemon]
sync_every_minutes = 1
idle = true
{extra}"""


def reply(sender: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\r\n"
        "To: Dana Reyes <dana@example.org>\r\n"
        "Subject: Re: the spring convening\r\n"
        "Date: Mon, 15 Jun 2026 09:30:00 +0000\r\n"
        f"Message-ID: <{message_id}@example.net>\r\n"
        "\r\n"
        "Count me in.\r\n"
    ).encode()


def wait_for(
    what: str | Callable[[], str], condition: Callable[[], object], timeout: float
) -> None:
    """Poll `condition` until it holds, or fail the test after `timeout` seconds."""
    started = time.monotonic()
    while True:
        if condition():
            return
        if time.monotonic() - started > timeout:
            pytest.fail(f"not within {timeout:g} s: {what if isinstance(what, str) else what()}")
        time.sleep(0.02)


def replies(ws: Path) -> set[tuple[str, str]]:
    """(contact, Message-ID) of every reply touch in the workspace's journal."""
    path = ws / "journal.db"
    if not path.exists():
        return set()
    with Journal.open(path) as journal:
        rows = journal.connection.execute(
            "SELECT contact_id, message_id FROM touches WHERE kind = 'reply'"
        )
        return {(str(c), str(m)) for c, m in rows}


class Daemon:
    """One `outreach daemon` process; its stdout and stderr captured in files.

    Its log is stderr, or `log_file` when the workspace names one.
    """

    def __init__(self, ws: Path, env: dict[str, str], *, log_file: Path | None = None) -> None:
        self.ws = ws
        stamp = time.monotonic_ns()
        self.stdout_path = ws.parent / f"daemon-{stamp}.out"
        self.stderr_path = ws.parent / f"daemon-{stamp}.err"
        self.log_path = log_file or self.stderr_path
        self._handles: list[IO[bytes]] = [
            self.stdout_path.open("wb"),
            self.stderr_path.open("wb"),
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "outreach", "--home", str(ws), "daemon", "--verbose"],
            stdin=subprocess.DEVNULL,
            stdout=self._handles[0],
            stderr=self._handles[1],
            env=env,
            cwd=ws,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def output(self) -> tuple[str, str]:
        """What it wrote to stdout and stderr."""
        return self.stdout_path.read_text(), self.stderr_path.read_text()

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_for_log(self, text: str, timeout: float = 10.0, *, after: int = 0) -> int:
        """Wait until `text` is logged (past character `after`); return where it ends."""

        def found() -> bool:
            if not self.running():
                pytest.fail(f"the daemon exited {self.process.returncode}:\n{self.log()}")
            return text in self.log()[after:]

        wait_for(
            lambda: f"the daemon logs {text!r}; it logged:\n{self.log()[after:]}", found, timeout
        )
        log = self.log()
        return log.index(text, after) + len(text)

    def terminate(self, *, within: float) -> int:
        """SIGTERM; the exit status, or a failed test when it has not exited `within` seconds."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the daemon did not exit within {within:g} s of SIGTERM:\n{self.log()}")

    def close(self) -> None:
        if self.running():
            self.process.kill()
            self.process.wait()
        for handle in self._handles:
            handle.close()


class StartDaemon(Protocol):
    def __call__(
        self, ws: Path, user: MailUser | None = None, *, log_file: Path | None = None
    ) -> Daemon: ...


@pytest.fixture
def daemons() -> Iterator[StartDaemon]:
    """Start daemons with a mail user's password in their environment; kill leftovers."""
    started: list[tuple[Daemon, str | None]] = []

    def start(ws: Path, user: MailUser | None = None, *, log_file: Path | None = None) -> Daemon:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("OUTREACH_HOME", None)
        if user is not None:
            env[PASSWORD_ENV] = user.password
        daemon = Daemon(ws, env, log_file=log_file)
        started.append((daemon, user.password if user else None))
        return daemon

    yield start
    for daemon, password in started:
        try:
            # Whatever a test did, the password never reaches the log, even at DEBUG.
            if password is not None:
                assert password not in daemon.log() + "".join(daemon.output())
        finally:
            daemon.close()


@pytest.fixture
def proxy(dovecot: DovecotServer) -> Iterator[TcpProxy]:
    with TcpProxy(dovecot.host, dovecot.imaps_port) as running:
        yield running


def stop_cleanly(daemon: Daemon) -> None:
    # The README promises an exit within two seconds of SIGTERM.
    status = daemon.terminate(within=2.0)
    assert (status, daemon.log().rstrip().endswith("INFO stopped")) == (0, True), daemon.log()


def test_a_reply_appended_while_the_daemon_runs_is_a_touch_within_5_seconds(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=mail_user.server.imaps_port)
    )
    daemon = daemons(ws, mail_user)
    daemon.wait_for_log("watching INBOX, Sent with IDLE")
    before = mail_user.flags_snapshot()
    mail_user.append("INBOX", reply("Ana Lima <ana@example.net>", "pushed-1"))
    wait_for(
        "the reply is a touch",
        lambda: ("ana", "<pushed-1@example.net>") in replies(ws),
        timeout=5.0,
    )
    daemon.wait_for_log("1 touch recorded: ana (reply)")
    # The daemon changed nothing in the mailbox: no \Seen, no flag at all.
    assert mail_user.flags_snapshot() == {**before, "INBOX": {1: ()}}
    stop_cleanly(daemon)


def test_a_second_daemon_exits_1_naming_the_first_and_sigterm_stops_the_first(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=mail_user.server.imaps_port)
    )
    first = daemons(ws, mail_user)
    first.wait_for_log("with IDLE")
    second = daemons(ws, mail_user)
    assert second.process.wait(timeout=30) == 1
    assert second.log() == (
        f"outreach: {ws}: an outreach daemon is already running here (pid {first.pid})\n"
        f"hint: stop it with `kill {first.pid}`\n"
    )
    assert first.running()
    stop_cleanly(first)
    # It left IDLE and logged out: Dovecot saw a LOGOUT, not a dropped socket.
    # (The daemon's was this user's only session; Dovecot logs asynchronously.)
    wait_for("Dovecot logs the session's end", lambda: _session_ends(mail_user), timeout=5.0)
    assert _session_ends(mail_user) == ["Logged out"]


def _session_ends(user: MailUser) -> list[str]:
    text = user.server.mail_log.read_text(errors="replace")
    return [
        line.split("Disconnected: ", 1)[1].split(" in=", 1)[0]
        for line in text.splitlines()
        if f"imap({user.name})" in line and "Disconnected: " in line
    ]


def test_dovecot_restarted_while_the_daemon_runs_costs_nothing(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=mail_user.server.imaps_port)
    )
    daemon = daemons(ws, mail_user)
    mark = daemon.wait_for_log("with IDLE")
    mail_user.server.restart()  # its sessions end with BYE, as a real restart's do
    mark = daemon.wait_for_log("reconnecting in", after=mark)
    mail_user.append("INBOX", reply("Ben Okafor <ben@example.net>", "meanwhile-1"))
    wait_for(
        "the reply sent during the restart is a touch",
        lambda: ("ben", "<meanwhile-1@example.net>") in replies(ws),
        timeout=30.0,
    )
    daemon.wait_for_log("reconnected; watching INBOX, Sent with IDLE", after=mark)
    assert daemon.running()
    stop_cleanly(daemon)


def test_a_silent_partition_is_detected_and_recovered_from(
    tmp_path: Path, mail_user: MailUser, proxy: TcpProxy, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=proxy.port, timeout=1.0)
    )
    daemon = daemons(ws, mail_user)
    mark = daemon.wait_for_log("connected; watching INBOX, Sent with IDLE")
    proxy.freeze()
    # Nothing arrives, nothing fails: only the silence gives it away.
    mark = daemon.wait_for_log(
        "no answer after 1 s (timed out); reconnecting in", after=mark, timeout=15
    )
    # Reconnecting while the partition lasts fails the same way, and is retried.
    mark = daemon.wait_for_log("reconnecting in", after=mark, timeout=15)
    proxy.reset_all()
    proxy.thaw()
    mark = daemon.wait_for_log(
        "reconnected; watching INBOX, Sent with IDLE", after=mark, timeout=30
    )
    mail_user.append("INBOX", reply("Ana Lima <ana@example.net>", "after-partition"))
    wait_for(
        "a reply after the partition is a touch",
        lambda: ("ana", "<after-partition@example.net>") in replies(ws),
        timeout=5.0,
    )
    assert daemon.running()
    stop_cleanly(daemon)


def test_a_failing_job_is_logged_and_the_daemon_lives_on(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    jobs = """
[[daemon.jobs]]
run = "touch nobody --kind note"
at = "daily 00:00"

[[daemon.jobs]]
run = "touch ana --kind note --note 'still here'"
at = "daily 00:00"
"""
    ws = make_workspace(
        tmp_path / "ws",
        extra_config=imap_config(mail_user, port=mail_user.server.imaps_port, extra=jobs),
    )
    daemon = daemons(ws, mail_user)
    # A daily job never run before is due at start (its 24-hour look-back).
    daemon.wait_for_log("ERROR `touch nobody --kind note` failed (exit 2)")
    daemon.wait_for_log("no contact 'nobody' in the roster")
    daemon.wait_for_log("`touch ana --kind note --note 'still here'` done in")
    daemon.wait_for_log("with IDLE")
    mail_user.append("INBOX", reply("Ana Lima <ana@example.net>", "after-the-failure"))
    wait_for(
        "the daemon still syncs",
        lambda: ("ana", "<after-the-failure@example.net>") in replies(ws),
        timeout=5.0,
    )
    assert daemon.running()
    stop_cleanly(daemon)
    # The run that worked is remembered, so cron mode won't repeat it; the
    # failed one is not, so it is tried again while still due.
    with Journal.open(ws / "journal.db") as journal:
        recorded = set(last_runs(journal))
    assert recorded == {"touch ana --kind note --note 'still here'"}


def test_sighup_reloads_the_roster_and_keeps_the_old_config_when_the_new_is_broken(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=mail_user.server.imaps_port)
    )
    daemon = daemons(ws, mail_user)
    mark = daemon.wait_for_log("with IDLE")
    (ws / "roster.toml").write_text(
        DEFAULT_ROSTER + '\n[contacts.cleo]\nname = "Cleo Park"\nemails = ["cleo@example.net"]\n'
    )
    daemon.process.send_signal(signal.SIGHUP)
    mark = daemon.wait_for_log("reloaded: 3 contacts, 0 jobs", after=mark)
    mail_user.append("INBOX", reply("Cleo Park <cleo@example.net>", "new-contact"))
    wait_for(
        "a reply from the contact added by the reload",
        lambda: ("cleo", "<new-contact@example.net>") in replies(ws),
        timeout=5.0,
    )
    config = ws / "outreach.toml"
    good = config.read_text()
    config.write_text(good.replace("[daemon]", "[daemon\n"))
    daemon.process.send_signal(signal.SIGHUP)
    mark = daemon.wait_for_log("reload failed: keeping the previous configuration", after=mark)
    assert f"ERROR {config}:" in daemon.log()
    mail_user.append("INBOX", reply("Ben Okafor <ben@example.net>", "old-config"))
    wait_for(
        "the old configuration still syncs",
        lambda: ("ben", "<old-config@example.net>") in replies(ws),
        timeout=5.0,
    )
    assert daemon.running()
    stop_cleanly(daemon)


def inbox_with_one_reply(tmp_path: Path, server: DovecotServer, user: MailUser) -> Path:
    """A workspace watching only `user`'s INBOX, which holds a reply from Ana."""
    user.append("INBOX", reply("Ana Lima <ana@example.net>", "before-start"))
    return make_workspace(
        tmp_path / "ws",
        extra_config=imap_config(user, port=server.imaps_port).replace(
            "[[mailboxes]]", '[[mailboxes]]\nfolders = ["INBOX"]', 1
        ),
    )


def test_a_server_without_idle_is_polled(
    tmp_path: Path, poor_dovecot: DovecotServer, daemons: StartDaemon
) -> None:
    user = poor_dovecot.add_user("no-idle", "poor-password-1")
    ws = inbox_with_one_reply(tmp_path, poor_dovecot, user)
    daemon = daemons(ws, user)
    daemon.wait_for_log("watching INBOX by polling every 1 min (the server offers no IDLE)")
    wait_for(
        "the catch-up on connecting",
        lambda: ("ana", "<before-start@example.net>") in replies(ws),
        timeout=5.0,
    )
    stop_cleanly(daemon)


def test_new_mail_on_a_server_without_idle_arrives_by_polling(
    tmp_path: Path, poor_dovecot: DovecotServer
) -> None:
    # The daemon polls at least a minute apart; its watcher, run here with a
    # short poll, shows a message that came after the catch-up is fetched by
    # a later poll (the server offers no IDLE to announce it).
    user = poor_dovecot.add_user("no-idle-poll", "poor-password-2")
    ws = inbox_with_one_reply(tmp_path, poor_dovecot, user)
    workspace = load_workspace(ws)
    (mailbox,) = workspace.config.mailboxes
    assert isinstance(mailbox, ImapMailbox)
    messages: list[str] = []
    log = logging.getLogger("test-watcher-polling")
    log.addHandler(ListHandler(messages))
    log.setLevel(logging.DEBUG)
    watcher = MailboxWatcher(
        mailbox,
        workspace=lambda: workspace,
        journal_path=workspace.journal_path,
        environ={PASSWORD_ENV: user.password},
        clock=system_clock,
        settings=WatchSettings(idle=True, poll_seconds=0.2),
        log=log,
    )
    watcher.start()
    try:
        wait_for(
            "the catch-up on connecting",
            lambda: ("ana", "<before-start@example.net>") in replies(ws),
            timeout=10.0,
        )
        assert any("by polling every 0.2 s" in m for m in messages), messages
        user.append("INBOX", reply("Ben Okafor <ben@example.net>", "after-start"))
        wait_for(
            "the next poll",
            lambda: ("ben", "<after-start@example.net>") in replies(ws),
            timeout=10.0,
        )
    finally:
        watcher.stop()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


class ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__()
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_refused_login_is_retried_slowly_and_never_logs_the_password(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    wrong = dataclasses.replace(mail_user, password="not-the-password-42")
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=mail_user.server.imaps_port)
    )
    daemon = daemons(ws, wrong)
    daemon.wait_for_log(f"login refused for user '{mail_user.name}'")
    found = re.search(r"ERROR .*login refused.*; retrying in (\d+) s", daemon.log())
    assert found is not None, daemon.log()
    # A minute or so, not a tight loop that gets the account locked.
    assert int(found[1]) >= 30
    assert daemon.running()
    stop_cleanly(daemon)


def test_a_maildir_is_synced_on_start_and_the_log_goes_to_the_configured_file(
    tmp_path: Path, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        extra_config="""
[[mailboxes]]
name = "home"
kind = "maildir"
path = "mail"

[daemon]
log_file = "logs/daemon.log"
""",
    )
    for sub in ("cur", "new", "tmp"):
        (ws / "mail" / sub).mkdir(parents=True)
    (ws / "mail" / "new" / "1781000001.M1P1.mail.example.org").write_bytes(
        reply("Ana Lima <ana@example.net>", "from-maildir")
    )
    daemon = daemons(ws, log_file=ws / "logs" / "daemon.log")
    daemon.wait_for_log(
        "INFO mailbox 'home': 1 message read (1 new), 1 touch recorded: ana (reply)"
    )
    assert replies(ws) == {("ana", "<from-maildir@example.net>")}
    daemon.wait_for_log("mailbox 'home' (Maildir mail): polled every 10 minutes")
    stop_cleanly(daemon)
    assert daemon.output() == ("", "")


def test_bye_from_the_server_during_idle_means_reconnect(
    tmp_path: Path, mail_user: MailUser, daemons: StartDaemon
) -> None:
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=mail_user.server.imaps_port)
    )
    daemon = daemons(ws, mail_user)
    mark = daemon.wait_for_log("connected; watching INBOX, Sent with IDLE")
    mail_user.server.kick(mail_user.name)
    mark = daemon.wait_for_log("the server ended the session (BYE", after=mark)
    mark = daemon.wait_for_log("reconnected; watching INBOX, Sent with IDLE", after=mark)
    mail_user.append("INBOX", reply("Ana Lima <ana@example.net>", "after-bye"))
    wait_for(
        "a reply after the BYE is a touch",
        lambda: ("ana", "<after-bye@example.net>") in replies(ws),
        timeout=5.0,
    )
    stop_cleanly(daemon)


def test_a_reset_connection_is_noticed_at_once(
    tmp_path: Path, mail_user: MailUser, proxy: TcpProxy, daemons: StartDaemon
) -> None:
    # A long read timeout: noticing the reset must not wait for a silence.
    ws = make_workspace(
        tmp_path / "ws", extra_config=imap_config(mail_user, port=proxy.port, timeout=30.0)
    )
    daemon = daemons(ws, mail_user)
    mark = daemon.wait_for_log("connected; watching INBOX, Sent with IDLE")
    proxy.reset_all()
    # Seconds, where a silence would take three read timeouts (90 s) to show.
    mark = daemon.wait_for_log("reconnecting in", after=mark, timeout=5.0)
    mark = daemon.wait_for_log("reconnected; watching INBOX, Sent with IDLE", after=mark)
    mail_user.append("INBOX", reply("Ana Lima <ana@example.net>", "after-reset"))
    wait_for(
        "a reply after the reset is a touch",
        lambda: ("ana", "<after-reset@example.net>") in replies(ws),
        timeout=5.0,
    )
    stop_cleanly(daemon)
