"""Push sync for one IMAP mailbox: a long-lived IDLE connection on a thread of its own.

Owns the connection's life: connect, catch up by UID, IDLE, wake on new
mail, renew IDLE, notice a dead connection, reconnect with backoff, or poll
when the server has no IDLE. The reading and recording of mail is the sync
use case's (`outreach.app.sync`); IDLE pushes are only a hint to run it.
"""

from __future__ import annotations

import logging
import select
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imapclient.exceptions import LoginError  # type: ignore[import-untyped]

from outreach.app.sync import imap_folders, sync_imap_folder
from outreach.app.sync_batch import FolderSummary
from outreach.base.clock import Clock
from outreach.base.errors import MailboxError, OutreachError
from outreach.core.config import ImapMailbox
from outreach.core.match import FolderRole
from outreach.daemon.backoff import Backoff, auth_backoff, network_backoff
from outreach.daemon.signals import Wakeup
from outreach.daemon.wording import sync_line
from outreach.mail.imap.bounds import has_buffered_line
from outreach.mail.imap.connection import imap_session, mailbox_label
from outreach.mail.imap.idle import buffered_responses, start_idle
from outreach.store.journal.store import Journal
from outreach.store.workspace import Workspace

# RFC 2177: servers may drop an IDLE after 30 minutes; imapclient's advice is
# to re-issue it every 10. Each renewal also catches up every folder.
RENEW_SECONDS = 600.0

Folders = Sequence[tuple[str, FolderRole]]


@dataclass(frozen=True, slots=True)
class WatchSettings:
    idle: bool  # use IDLE when the server offers it
    poll_seconds: float  # without IDLE: how often to sync
    renew_seconds: float = RENEW_SECONDS
    # How long IDLE must hold before the session counts as working and the
    # reconnect back-off starts again from its base: a server that logs in,
    # syncs and then drops IDLE at once must not get a login every second.
    settled_seconds: float = 60.0


def silence_limit(mailbox: ImapMailbox) -> float:
    """How long a quiet IDLE may stay quiet before it is probed with DONE.

    A silent partition looks exactly like a quiet mailbox, and imapclient
    waits forever on it; a DONE that gets no answer within the read timeout
    tells them apart. Three read timeouts of silence (3 minutes by default)
    lets servers that send `* OK Still here` every 2 minutes (Dovecot's
    default) never be probed at all.
    """
    return 3.0 * mailbox.timeout_seconds


class ConnectionDropped(Exception):
    """The server ended the session (BYE as data) or the socket reached its end."""


class MailboxWatcher(threading.Thread):
    """Keeps one mailbox synced until `stop()`; never raises out of `run()`."""

    def __init__(
        self,
        mailbox: ImapMailbox,
        *,
        workspace: Callable[[], Workspace],
        journal_path: Path,
        environ: Mapping[str, str],
        clock: Clock,
        settings: WatchSettings,
        log: logging.Logger,
        network: Backoff | None = None,
        auth: Backoff | None = None,
    ) -> None:
        super().__init__(name=f"watch-{mailbox.name}", daemon=True)
        self.mailbox = mailbox
        self._workspace = workspace
        self._journal_path = journal_path
        self._environ = environ
        self._clock = clock
        self.settings = settings
        self._log = log
        self._network = network or network_backoff()
        self._auth = auth or auth_backoff()
        self._wakeup = Wakeup()
        self._stopping = False
        self._sessions = 0
        self.label = mailbox_label(mailbox)

    # --- control, from the main thread -------------------------------------

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.notify()

    # --- the thread --------------------------------------------------------

    def run(self) -> None:
        try:
            journal = Journal.open(self._journal_path)
        except OutreachError as exc:
            self._log.error("%s: %s", self.label, exc.message)
            return
        try:
            while not self._stopping:
                delay = self._one_session(journal)
                if delay:
                    self._sleep(delay)
        finally:
            journal.close()
            self._wakeup.close()

    def _one_session(self, journal: Journal) -> float:
        """Connect, sync and watch until stopped or the connection fails; the next wait."""
        try:
            return self._session(journal)
        except ConnectionDropped as exc:
            if self._stopping:
                return 0.0
            delay = self._network.next_delay()
            self._log.warning("%s: %s; reconnecting in %.1f s", self.label, exc, delay)
            return delay
        except MailboxError as exc:
            if self._stopping:
                return 0.0
            if _is_refusal(exc):
                delay = self._auth.next_delay()
                self._log.error("%s; retrying in %.0f s", exc.message, delay)
            else:
                delay = self._network.next_delay()
                self._log.warning("%s; reconnecting in %.1f s", exc.message, delay)
            return delay
        except OutreachError as exc:  # the journal, say: busy or unwritable
            delay = self._network.next_delay()
            self._log.error("%s: %s; trying again in %.1f s", self.label, exc.message, delay)
            return delay
        except Exception:
            delay = self._network.next_delay()
            self._log.exception("%s: unexpected failure; trying again in %.1f s", self.label, delay)
            return delay

    def _session(self, journal: Journal) -> float:
        workspace = self._workspace()
        with imap_session(self.mailbox, root=workspace.root, environ=self._environ) as client:
            recovering = self._network.attempts > 0 or self._auth.attempts > 0
            # The login worked: the slow back-off for refused logins is over.
            # The network back-off keeps growing until the session has done
            # useful work (a completed poll, or IDLE that holds), so a server
            # that fails each session just after login is not hammered.
            self._auth.reset()
            self._sessions += 1
            # A missing Sent folder is said once, not at every reconnect.
            folders = imap_folders(
                client,
                self.mailbox,
                warn=(lambda text: self._log.warning("%s", text)) if self._sessions == 1 else None,
            )
            use_idle = self.settings.idle and client.has_capability("IDLE")
            if use_idle:
                how = "with IDLE"
            elif self.settings.idle:
                how = f"by polling every {self._poll_words()} (the server offers no IDLE)"
            else:
                how = f"by polling every {self._poll_words()}"
            # Polling reconnects on purpose every round: say so once, not every time.
            first = self._sessions == 1
            self._log.log(
                logging.INFO if first or recovering or use_idle else logging.DEBUG,
                "%s: %s; watching %s %s",
                self.label,
                "connected" if first else "reconnected",
                ", ".join(f for f, _ in folders),
                how,
            )
            self._catch_up(client, journal, folders)
            if use_idle:
                # A catch-up alone is not yet useful work for an IDLE session:
                # the back-off settles only once IDLE has held (see _idle).
                if not self._stopping:
                    self._idle(client, journal, folders)
                return 0.0
            self._network.reset()  # a poll that completed its sync
        # Polling: the connection is closed between polls, so a server's
        # autologout (30 minutes at least, RFC 3501 §5.4) never bites.
        return self.settings.poll_seconds

    def _poll_words(self) -> str:
        minutes = self.settings.poll_seconds / 60
        return f"{minutes:g} min" if minutes >= 1 else f"{self.settings.poll_seconds:g} s"

    def _catch_up(self, client: Any, journal: Journal, folders: Folders) -> None:
        workspace = self._workspace()
        summaries: list[FolderSummary] = []
        for folder, role in folders:
            if self._stopping:
                break
            summaries.append(
                sync_imap_folder(
                    client,
                    self.mailbox,
                    folder,
                    workspace=workspace,
                    journal=journal,
                    clock=self._clock,
                    role=role,
                )
            )
        level = logging.INFO if any(s.new for s in summaries) else logging.DEBUG
        self._log.log(level, "%s: %s", self.label, sync_line(summaries))

    def _idle(self, client: Any, journal: Journal, folders: Folders) -> None:
        """IDLE on the inbox until stopped; raises when the connection dies."""
        watched = _watched_folder(folders)
        silence = silence_limit(self.mailbox)
        client.select_folder(watched[0], readonly=True)
        news = start_idle(client)
        self._log.debug("%s: idling on %s", self.label, watched[0])
        idle_since = heard_at = time.monotonic()
        settle_at: float | None = idle_since + self.settings.settled_seconds
        sock = client.socket()
        while True:
            now = time.monotonic()
            if settle_at is not None and now >= settle_at:
                self._network.reset()
                settle_at = None
            renew_at = idle_since + self.settings.renew_seconds
            probe_at = heard_at + silence
            wake_at = min(renew_at, probe_at, settle_at or renew_at)
            # A line that came in one packet with "+ idling" already sits in
            # the read buffer, where select() cannot see it: read it now.
            buffered = has_buffered_line(client)
            timeout = 0.0 if news or buffered else max(0.0, wake_at - now)
            # Waiting on the socket and the wake-up pipe together, instead of
            # idle_check(timeout), lets stop() end the wait at once.
            readable, _, _ = select.select([sock, self._wakeup.fileno()], [], [], timeout)
            self._wakeup.drain()
            if self._stopping:
                client.idle_done()
                return
            probe = False
            if news:
                # EXISTS came before IDLE's continuation (RFC 3501 §7 allows
                # untagged data at any time): new mail, fetched at once.
                news = False
                self._log.debug("%s: new mail in %s", self.label, watched[0])
                to_sync: Folders = [watched]
            elif sock in readable or buffered:
                responses = buffered_responses(client)
                if sock in readable:
                    responses += client.idle_check(timeout=0)
                if responses:
                    heard_at = time.monotonic()
                    _raise_on_bye(responses)
                    if not _has_news(responses):
                        self._log.debug("%s: %s", self.label, _brief(responses))
                        continue
                    self._log.debug("%s: new mail in %s", self.label, watched[0])
                    to_sync = [watched]
                else:
                    # Readable with no whole line: the end of the stream, or a
                    # line cut in two. DONE settles which.
                    probe, to_sync = True, [watched]
            elif time.monotonic() >= renew_at:
                to_sync = folders
            elif time.monotonic() < probe_at:
                continue  # woken for the settling mark only: keep idling
            else:
                probe, to_sync = True, [watched]
                self._log.debug("%s: silent for %.0f s; checking it lives", self.label, silence)
            # DONE doubles as the liveness check: on a dead connection it
            # times out (the socket's read timeout) instead of hanging.
            client.idle_done()
            if probe:
                self._log.debug("%s: the connection answers", self.label)
            self._catch_up(client, journal, to_sync)
            if self._stopping:
                return
            client.select_folder(watched[0], readonly=True)
            news = start_idle(client)
            idle_since = heard_at = time.monotonic()

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._wakeup.wait(left)


def _watched_folder(folders: Folders) -> tuple[str, FolderRole]:
    """The folder to IDLE on: the inbox, else the first folder configured."""
    for folder, role in folders:
        if role is FolderRole.INBOX:
            return folder, role
    return folders[0] if folders else ("INBOX", FolderRole.INBOX)


def _raise_on_bye(responses: list[Any]) -> None:
    # A server ending the session sends BYE as untagged data, which
    # idle_check() returns instead of raising (checked with Dovecot).
    for response in responses:
        if isinstance(response, tuple) and response and _text(response[0]).upper() == "BYE":
            reason = " ".join(_text(part) for part in response[1:]).rstrip(".")
            raise ConnectionDropped(f"the server ended the session (BYE {reason})")


def _has_news(responses: list[Any]) -> bool:
    return any(
        isinstance(r, tuple) and len(r) >= 2 and _text(r[1]).upper() in ("EXISTS", "RECENT")
        for r in responses
    )


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _brief(responses: list[Any]) -> str:
    return "; ".join(
        " ".join(_text(p) for p in r) if isinstance(r, tuple) else _text(r) for r in responses
    )


def _is_refusal(exc: BaseException) -> bool:
    """A refused login or a setup problem, not a network fault: retry slowly.

    Network failures arrive translated from an OSError or an imaplib abort;
    a MailboxError with no such cause is the project's own verdict (no
    STARTTLS, a password command that fails, an unreadable CA file).
    """
    cause = exc.__cause__
    if isinstance(cause, LoginError | ssl.SSLCertVerificationError):
        return True
    return cause is None


__all__ = ["ConnectionDropped", "MailboxWatcher", "WatchSettings", "silence_limit"]
