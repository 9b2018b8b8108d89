"""The sync use case: read every configured mailbox and record who wrote and who was written to.

Drives the sources (IMAP folders by UID cursor in `sync_imap`, Maildir
folders by file key here) through one batch pipeline (`sync_batch`), after
giving contacts new to the roster their past from the message index. Never
changes a mailbox: EXAMINE, BODY.PEEK and plain file reads only. Prints
nothing; returns a summary.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from outreach.app.backfill import backfill_new_contacts
from outreach.app.sync_batch import FolderSummary, MailboxSync, RawMessage
from outreach.app.sync_imap import imap_folders, sync_imap_folder, sync_imap_mailbox
from outreach.base.clock import Clock
from outreach.base.errors import InputError, Problem
from outreach.base.model import Touch, address_key
from outreach.base.progress import Progress, no_progress
from outreach.core.config import ImapMailbox, Mailbox, MaildirMailbox
from outreach.core.delivery_report import BODY_PEEK_BYTES
from outreach.core.match import Ignored
from outreach.core.validation import did_you_mean
from outreach.mail.imap.fetch import ANSWER_BYTES, batches
from outreach.mail.maildir import (
    MaildirFolder,
    maildir_folders,
    message_files,
    read_body_start,
    read_header,
    read_message_start,
)
from outreach.store.journal.cursors import (
    UnknownSender,
    add_maildir_keys,
    maildir_keys,
    unknown_senders,
)
from outreach.store.journal.store import Journal
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class SyncSummary:
    folders: tuple[FolderSummary, ...]
    dry_run: bool = False
    warnings: tuple[str, ...] = ()  # a role's folder not found, say: the user must know
    backfilled: tuple[Touch, ...] = ()  # new contacts' touches from mail read before

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
    warnings: list[str] = []
    with _rolled_back(journal) if dry_run else nullcontext(), _rare_checkpoints(journal):
        backfilled = backfill_new_contacts(journal, workspace.roster, now=clock())
        for box in chosen:
            if isinstance(box, ImapMailbox):
                folders += sync_imap_mailbox(
                    workspace,
                    journal,
                    box,
                    clock=clock,
                    progress=progress,
                    environ=environ,
                    warn=warnings.append,
                )
            else:
                folders += sync_maildir_mailbox(
                    workspace, journal, box, clock=clock, progress=progress
                )
    return SyncSummary(
        tuple(folders), dry_run=dry_run, warnings=tuple(warnings), backfilled=backfilled
    )


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
        read: list[str] = []  # every key read, so marked processed
        kept: list[str] = []  # the keys of `messages`, in order
        oversized = 0
        for key in batch:
            header = read_header(files[key])
            # Gone since listing (moved new/ -> cur/ or deleted): not marked
            # as processed, so the next run finds it under its new name.
            if header is None:
                continue
            read.append(key)
            if not header.oversized:
                messages.append((header.raw, header.delivered_at))
                kept.append(key)
            else:
                oversized += 1

        def checkpoint(read: list[str] = read) -> None:
            add_maildir_keys(journal, mailbox.name, folder.name, read)

        def bodies(positions: Sequence[int], kept: list[str] = kept) -> dict[int, bytes]:
            return {i: read_body_start(files[kept[i]], BODY_PEEK_BYTES) for i in positions}

        summary += batcher.process(
            messages,
            folder=folder.name,
            role=folder.role,
            checkpoint=checkpoint,
            handles=[files[key] for key in kept],
            bodies=bodies,
        )
        answers = [
            (key, read_message_start(Path(str(path)), ANSWER_BYTES))
            for path, key in batcher.answers_to_read()
        ]
        batcher.judge_answers((key, raw) for key, raw in answers if raw is not None)
        if oversized:
            summary += FolderSummary(
                mailbox.name,
                folder.name,
                folder.role,
                read=oversized,
                new=oversized,
                ignored=Counter({Ignored.OVERSIZED.value: oversized}),
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
