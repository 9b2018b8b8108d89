"""The sync use case: read every configured mailbox and record who wrote and who was written to.

Drives the sources (IMAP folders by UID cursor, Maildir folders by file key)
through one batch pipeline (`sync_batch`). Never changes a mailbox: EXAMINE,
BODY.PEEK and plain file reads only. Prints nothing; returns a summary.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from outreach.app.sync_batch import FolderSummary, MailboxSync, RawMessage
from outreach.base.clock import Clock
from outreach.base.errors import InputError, MailboxError, OutreachError, Problem
from outreach.base.model import Touch, address_key
from outreach.base.progress import Progress, no_progress
from outreach.core.config import ImapMailbox, Mailbox, MaildirMailbox
from outreach.core.match import FolderRole, Ignored, role_by_name
from outreach.core.validation import did_you_mean
from outreach.mail.imap.connection import (
    SENT,
    describe_failure,
    find_special_folder,
    imap_session,
    mailbox_label,
)
from outreach.mail.imap.fetch import batches, examine, stream_headers, uids_after
from outreach.mail.maildir import MaildirFolder, maildir_folders, message_files, read_header
from outreach.store.journal.cursors import (
    ImapCursor,
    UnknownSender,
    add_maildir_keys,
    imap_cursor,
    maildir_keys,
    save_imap_cursor,
    unknown_senders,
)
from outreach.store.journal.store import Journal
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class SyncSummary:
    folders: tuple[FolderSummary, ...]
    dry_run: bool = False

    @property
    def read(self) -> int:
        return sum(f.read for f in self.folders)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.folders)

    @property
    def touches(self) -> tuple[Touch, ...]:
        return tuple(t for f in self.folders for t in f.touches)

    @property
    def ignored(self) -> Counter[str]:
        return sum((f.ignored for f in self.folders), Counter())

    @property
    def replies_linked(self) -> int:
        return sum(f.replies_linked for f in self.folders)

    @property
    def drafts_sent(self) -> int:
        return sum(f.drafts_sent for f in self.folders)


def run_sync(
    workspace: Workspace,
    journal: Journal,
    *,
    clock: Clock,
    progress: Progress = no_progress,
    mailbox: str | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> SyncSummary:
    """Sync every configured mailbox (or the one named), batch by batch.

    Each batch commits its touches with its cursor, so an interrupted sync
    resumes where it stopped. A dry run does all the work inside one
    transaction and rolls it back: it reports exactly what a sync would record.
    """
    chosen = _chosen_mailboxes(workspace, mailbox)
    environ = os.environ if environ is None else environ
    folders: list[FolderSummary] = []
    with _rolled_back(journal) if dry_run else nullcontext(), _rare_checkpoints(journal):
        for box in chosen:
            if isinstance(box, ImapMailbox):
                folders += sync_imap_mailbox(
                    workspace, journal, box, clock=clock, progress=progress, environ=environ
                )
            else:
                folders += sync_maildir_mailbox(
                    workspace, journal, box, clock=clock, progress=progress
                )
    return SyncSummary(tuple(folders), dry_run=dry_run)


def _chosen_mailboxes(workspace: Workspace, name: str | None) -> tuple[Mailbox, ...]:
    config = workspace.config
    if not config.mailboxes:
        raise InputError(
            [Problem(str(workspace.config_path), "no [[mailboxes]] configured: nothing to sync")],
            hint='add a [[mailboxes]] table (kind = "imap" or "maildir") to outreach.toml',
        )
    if name is None:
        return config.mailboxes
    found = config.mailbox(name)
    if found is None:
        names = [m.name for m in config.mailboxes]
        raise InputError(
            [Problem("--mailbox", f"no mailbox named '{name}'{did_you_mean(name, names)}")],
            hint=f"configured mailboxes: {', '.join(names)}",
        )
    return (found,)


@contextmanager
def _rare_checkpoints(journal: Journal) -> Iterator[None]:
    """Checkpoint the WAL every 40 MB instead of every 4 MB while syncing.

    Message-IDs are random keys, so each batch dirties pages all over
    seen_messages, and a checkpoint after nearly every batch copies them into
    the database again and again: about 0.4 s of a 100,000-message first sync.
    """
    db = journal.connection
    previous = int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    db.execute("PRAGMA wal_autocheckpoint = 10000")
    try:
        yield
    finally:
        db.execute(f"PRAGMA wal_autocheckpoint = {previous}")


class _DryRun(Exception):
    """Raised to roll a dry run's transaction back."""


@contextmanager
def _rolled_back(journal: Journal) -> Iterator[None]:
    """Everything inside joins one transaction that is rolled back at the end."""
    try:
        with journal.transaction():
            yield
            raise _DryRun
    except _DryRun:
        pass


# --- IMAP -------------------------------------------------------------------


def sync_imap_mailbox(
    workspace: Workspace,
    journal: Journal,
    mailbox: ImapMailbox,
    *,
    clock: Clock,
    progress: Progress = no_progress,
    environ: Mapping[str, str],
) -> list[FolderSummary]:
    """Connect once and sync each folder of `mailbox`, INBOX first."""
    with imap_session(mailbox, root=workspace.root, environ=environ) as client:
        batcher = MailboxSync(workspace, journal, mailbox.name, now=clock())
        summaries = []
        # Dovecot re-reads a maildir INBOX's whole uidlist when it is opened
        # after any LIST (about 50 ms per 100,000 messages, measured on 2.3.19):
        # opening INBOX before looking for Sent keeps a poll's cost constant.
        inbox_first = not mailbox.folders or any(f.upper() == "INBOX" for f in mailbox.folders)
        if inbox_first:
            summaries.append(
                _sync_imap_folder(client, mailbox, "INBOX", FolderRole.INBOX, batcher, progress)
            )
        for folder, role in imap_folders(client, mailbox):
            if inbox_first and folder.upper() == "INBOX":
                continue
            summaries.append(_sync_imap_folder(client, mailbox, folder, role, batcher, progress))
        return summaries


def imap_folders(client: Any, mailbox: ImapMailbox) -> list[tuple[str, FolderRole]]:
    """The folders to read and their roles: the configured ones, else INBOX and Sent.

    The Sent folder is found by its SPECIAL-USE flag, else by its usual names.
    """
    try:
        sent = find_special_folder(client, SENT)
    except OutreachError:
        raise
    except Exception as exc:
        error = _folder_error(exc, mailbox, None)
        if error is None:
            raise
        raise error from exc
    if not mailbox.folders:
        return [("INBOX", FolderRole.INBOX)] + ([(sent, FolderRole.SENT)] if sent else [])
    return [(f, FolderRole.SENT if f == sent else role_by_name(f)) for f in mailbox.folders]


def sync_imap_folder(
    client: Any,
    mailbox: ImapMailbox,
    folder: str,
    *,
    workspace: Workspace,
    journal: Journal,
    clock: Clock,
    role: FolderRole | None = None,
    progress: Progress = no_progress,
) -> FolderSummary:
    """Catch one folder up on a logged-in client (the daemon's long-lived one, say).

    `role` defaults to the folder's name-based role; pass the one from
    `imap_folders` to honour SPECIAL-USE.
    """
    batcher = MailboxSync(workspace, journal, mailbox.name, now=clock())
    return _sync_imap_folder(
        client, mailbox, folder, role or role_by_name(folder), batcher, progress
    )


def _sync_imap_folder(
    client: Any,
    mailbox: ImapMailbox,
    folder: str,
    role: FolderRole,
    batcher: MailboxSync,
    progress: Progress,
) -> FolderSummary:
    journal = batcher.journal
    try:
        status = examine(client, folder)
        cursor = imap_cursor(journal, mailbox.name, folder)
        rescan = cursor is not None and cursor.uidvalidity != status.uidvalidity
        last_uid = cursor.last_uid if cursor is not None and not rescan else 0
        summary = FolderSummary(mailbox.name, folder, role, rescanned=rescan)
        # UIDNEXT from EXAMINE answers "anything new?" without another round trip.
        if status.uidnext is not None and status.uidnext <= last_uid + 1 and not rescan:
            return summary
        uids = uids_after(client, last_uid)
        if not uids:
            # Whatever arrived since was expunged again: move the cursor past it
            # (and onto a new UIDVALIDITY), so the next poll needs no SEARCH.
            past = ImapCursor(status.uidvalidity, max(last_uid, (status.uidnext or 1) - 1))
            save_imap_cursor(journal, mailbox.name, folder, past, now=batcher.now)
        label = f"{mailbox.name}/{folder}"
        done = 0
        uid_batches = list(batches(uids, batcher.batch_size))
        with closing(stream_headers(client, uid_batches)) as stream:
            for batch, headers in zip(uid_batches, stream, strict=True):
                messages: list[RawMessage] = [
                    (h.raw, h.received_at) for h in headers if not h.oversized
                ]
                summary += _oversized(summary, len(headers) - len(messages))
                reached = ImapCursor(status.uidvalidity, batch[-1])

                def checkpoint(reached: ImapCursor = reached) -> None:
                    save_imap_cursor(journal, mailbox.name, folder, reached, now=batcher.now)

                summary += batcher.process(
                    messages, folder=folder, role=role, checkpoint=checkpoint
                )
                done += len(batch)
                progress(done, len(uids), label)
    except OutreachError:
        raise
    except Exception as exc:
        error = _folder_error(exc, mailbox, folder)
        if error is None:
            raise
        raise error from exc
    return summary


def _oversized(summary: FolderSummary, count: int) -> FolderSummary:
    """Messages read but left unjudged because their header fields were too large."""
    return FolderSummary(
        summary.mailbox,
        summary.folder,
        summary.role,
        read=count,
        ignored=Counter({Ignored.OVERSIZED.value: count} if count else {}),
    )


def _folder_error(exc: Exception, mailbox: ImapMailbox, folder: str | None) -> MailboxError | None:
    """The failure as one line naming mailbox and folder; None when not a network or IMAP one."""
    what = describe_failure(exc, timeout=mailbox.timeout_seconds)
    if what is None:
        return None
    where = mailbox_label(mailbox) + (f", folder '{folder}'" if folder is not None else "")
    return MailboxError(f"{where}: {what}")


# --- Maildir ----------------------------------------------------------------


def sync_maildir_mailbox(
    workspace: Workspace,
    journal: Journal,
    mailbox: MaildirMailbox,
    *,
    clock: Clock,
    progress: Progress = no_progress,
) -> list[FolderSummary]:
    """Sync each folder of a local Maildir (tree) by the file keys not yet processed."""
    root = workspace.path(mailbox.path)
    batcher = MailboxSync(workspace, journal, mailbox.name, now=clock())
    return [
        _sync_maildir_folder(mailbox, folder, batcher, progress)
        for folder in maildir_folders(root, mailbox.folders, mailbox=mailbox.name)
    ]


def _sync_maildir_folder(
    mailbox: MaildirMailbox, folder: MaildirFolder, batcher: MailboxSync, progress: Progress
) -> FolderSummary:
    journal = batcher.journal
    files = message_files(folder)
    known = maildir_keys(journal, mailbox.name, folder.name)
    keys = sorted(k for k in files if k not in known)
    summary = FolderSummary(mailbox.name, folder.name, folder.role)
    label = f"{mailbox.name}/{folder.name}"
    done = 0
    for batch in batches(keys, batcher.batch_size):
        messages: list[RawMessage] = []
        read: list[str] = []
        for key in batch:
            header = read_header(files[key])
            # Gone since listing (moved new/ -> cur/ or deleted): not marked
            # as processed, so the next run finds it under its new name.
            if header is not None:
                if not header.oversized:
                    messages.append((header.raw, header.delivered_at))
                read.append(key)

        def checkpoint(read: list[str] = read) -> None:
            add_maildir_keys(journal, mailbox.name, folder.name, read)

        summary += _oversized(summary, len(read) - len(messages))
        summary += batcher.process(
            messages, folder=folder.name, role=folder.role, checkpoint=checkpoint
        )
        done += len(batch)
        progress(done, len(keys), label)
    return summary


# --- unknown senders -----------------------------------------------------------


def unknown_candidates(
    workspace: Workspace, journal: Journal, *, limit: int | None = 20
) -> list[UnknownSender]:
    """The most frequent human senders not in the roster (nor the user), most messages first."""
    exclude = {address_key(a) for c in workspace.roster for a in c.emails}
    exclude |= {address_key(a) for a in workspace.config.me.addresses}
    return unknown_senders(journal, exclude=exclude, limit=limit)


__all__ = [
    "FolderSummary",
    "SyncSummary",
    "imap_folders",
    "run_sync",
    "sync_imap_folder",
    "sync_imap_mailbox",
    "sync_maildir_mailbox",
    "unknown_candidates",
]
