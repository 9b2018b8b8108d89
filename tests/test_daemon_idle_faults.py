"""The daemon's watcher against an IMAP server that misbehaves around IDLE.

A server that syncs fine but drops IDLE at once must see the reconnect
back-off grow, not a login a second; `* N EXISTS` before IDLE's continuation
is new mail (RFC 3501 §7), not a protocol error.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.base.clock import system_clock
from outreach.core.config import ImapMailbox
from outreach.daemon.backoff import Backoff
from outreach.daemon.watch import MailboxWatcher, WatchSettings
from outreach.store.workspace import load_workspace
from tests.support.fake_imap import FakeImapServer, Misbehaviour
from tests.test_daemon_service import ListHandler, wait_for
from tests.test_imap_faults import PASSWORD, fake_workspace


def watcher_for(
    tmp_path: Path, server: FakeImapServer, network: Backoff, messages: list[str]
) -> MailboxWatcher:
    workspace = load_workspace(fake_workspace(tmp_path, server.port))
    (mailbox,) = workspace.config.mailboxes
    assert isinstance(mailbox, ImapMailbox)
    log = logging.getLogger(f"test-idle-faults-{id(server)}")
    log.addHandler(ListHandler(messages))
    log.setLevel(logging.DEBUG)
    return MailboxWatcher(
        mailbox,
        workspace=lambda: workspace,
        journal_path=workspace.journal_path,
        environ=PASSWORD,
        clock=system_clock,
        settings=WatchSettings(idle=True, poll_seconds=60.0, settled_seconds=60.0),
        log=log,
        network=network,
    )


@pytest.fixture
def running() -> Iterator[list[MailboxWatcher]]:
    watchers: list[MailboxWatcher] = []
    yield watchers
    for watcher in watchers:
        watcher.stop()
        watcher.join(timeout=10)
        assert not watcher.is_alive()


@pytest.mark.parametrize("step", ["IDLE", "EXAMINE", "SEARCH", "FETCH"])
def test_a_session_that_fails_after_login_makes_the_back_off_grow(
    tmp_path: Path, running: list[MailboxWatcher], step: str
) -> None:
    # Short delays keep the test fast; what matters is that each failed
    # session doubles the next wait instead of starting over after login.
    network = Backoff(base=0.02, cap=60.0, rng=random.Random(7))
    messages: list[str] = []
    with FakeImapServer(Misbehaviour("bye", step)) as server:
        watcher = watcher_for(tmp_path, server, network, messages)
        running.append(watcher)
        watcher.start()
        wait_for("five logins", lambda: server.logins >= 5, timeout=10.0)
        watcher.stop()
        watcher.join(timeout=10)
    # Never reset: one more delay per failed session (the last may have been stopped).
    assert network.attempts >= server.logins - 1 >= 4
    waits = [
        float(m.rsplit("reconnecting in ", 1)[1].split()[0])
        for m in messages
        if "reconnecting in" in m
    ]
    assert waits[:5] == sorted(waits[:5])
    assert server.idles_established == 0


def test_exists_before_the_idle_continuation_is_new_mail_and_idle_holds(
    tmp_path: Path, running: list[MailboxWatcher]
) -> None:
    network = Backoff(base=0.02, cap=60.0, rng=random.Random(7))
    messages: list[str] = []
    with FakeImapServer(Misbehaviour("exists-before-continuation", "IDLE")) as server:
        watcher = watcher_for(tmp_path, server, network, messages)
        running.append(watcher)
        watcher.start()
        # The early EXISTS makes the watcher sync and IDLE again at once.
        wait_for("IDLE established twice", lambda: server.idles_established >= 2, timeout=10.0)
        watcher.stop()
        watcher.join(timeout=10)
    assert server.logins == 1
    assert network.attempts == 0
    assert not [m for m in messages if "reconnecting" in m or "Unexpected" in m], messages
    assert f"mailbox 'work' (127.0.0.1:{server.port}): new mail in INBOX" in messages


def test_exists_in_the_same_packet_as_the_continuation_is_read_at_once(
    tmp_path: Path, running: list[MailboxWatcher]
) -> None:
    # select() cannot see a line already in the read buffer; without looking
    # there the news would wait for the silence probe (3 x timeout_seconds).
    network = Backoff(base=0.02, cap=60.0, rng=random.Random(7))
    messages: list[str] = []
    with FakeImapServer(Misbehaviour("exists-with-continuation", "IDLE")) as server:
        watcher = watcher_for(tmp_path, server, network, messages)
        running.append(watcher)
        watcher.start()
        # Within 3 s: the silence probe, which would also find the news, comes after 6 s.
        wait_for("IDLE again after the news", lambda: server.idles_established >= 3, 3.0)
        watcher.stop()
        watcher.join(timeout=10)
    assert server.logins == 1
    assert f"mailbox 'work' (127.0.0.1:{server.port}): new mail in INBOX" in messages
