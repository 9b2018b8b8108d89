"""Syncing an IMAP mailbox: its folders and their roles, then each folder by UID cursor.

An edge user, not an edge: drives the IMAP fetch functions and the batch
pipeline (`sync_batch`). EXAMINE and BODY.PEEK only, so nothing is marked
read; a reply whose headers are ambiguous waits for its body until the
pipelined header FETCHes are done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import closing
from typing import Any

from outreach.app.backfill import backfill_new_contacts
from outreach.app.sync_batch import FolderSummary, MailboxSync, RawMessage
from outreach.base.clock import Clock
from outreach.base.errors import MailboxError, OutreachError
from outreach.base.progress import Progress, no_progress
from outreach.core.config import ImapMailbox
from outreach.core.folders import Found, FoundBy, Role, missing_role_message, setting_hint
from outreach.core.match import FolderRole, Ignored, role_by_name
from outreach.mail.imap.connection import (
    describe_failure,
    imap_session,
    mailbox_label,
    server_folders,
)
from outreach.mail.imap.fetch import (
    FetchedHeader,
    batches,
    examine,
    fetch_answer,
    fetch_body_starts,
    stream_headers,
    uids_after,
)
from outreach.store.journal.cursors import ImapCursor, imap_cursor, save_imap_cursor
from outreach.store.journal.store import Journal
from outreach.store.workspace import Workspace


def sync_imap_mailbox(
    workspace: Workspace,
    journal: Journal,
    mailbox: ImapMailbox,
    *,
    clock: Clock,
    progress: Progress = no_progress,
    environ: Mapping[str, str],
    warn: Callable[[str], None] | None = None,
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
        for folder, role in imap_folders(client, mailbox, warn=warn):
            if inbox_first and folder.upper() == "INBOX":
                continue
            summaries.append(_sync_imap_folder(client, mailbox, folder, role, batcher, progress))
        return summaries


def imap_folders(
    client: Any, mailbox: ImapMailbox, *, warn: Callable[[str], None] | None = None
) -> list[tuple[str, FolderRole]]:
    """The folders to read and their roles: the configured ones, else INBOX and Sent.

    The Sent folder is the `sent_folder` setting, else the one SPECIAL-USE
    marks, else one with a usual name. Without one, `warn` hears which
    folders were seen: the user's own mail would otherwise go unrecorded silently.
    """
    try:
        found = None
        if mailbox.sent_folder is not None:
            found = Found(mailbox.sent_folder, FoundBy.SETTING)
        else:
            listed = server_folders(client)
            found = listed.find(Role.SENT)
            if found is None and warn is not None:
                warn(
                    f"{mailbox_label(mailbox)}: {missing_role_message(Role.SENT, listed.listing)};"
                    f" the mail you send is not recorded; {setting_hint(Role.SENT)}"
                )
    except OutreachError:
        raise
    except Exception as exc:
        error = _folder_error(exc, mailbox, None)
        if error is None:
            raise
        raise error from exc
    sent = None if found is None else found.folder
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
    backfill_new_contacts(journal, workspace.roster, now=batcher.now)
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
        # Replies whose headers leave them ambiguous wait for their bodies until
        # the pipelined header FETCHes are over; the cursor stays before the
        # first of them, so a crash meanwhile reads them again.
        held: list[FetchedHeader] = []
        with closing(stream_headers(client, uid_batches)) as stream:
            for batch, fetched in zip(uid_batches, stream, strict=True):
                # Header fields over the limit were read past, not kept: such a
                # message is left unjudged, never classified on a cut header.
                headers = [h for h in fetched if not h.oversized]
                summary += _oversized(summary, len(fetched) - len(headers))
                messages: list[RawMessage] = [(h.raw, h.received_at) for h in headers]

                def checkpoint(end: int = batch[-1]) -> None:
                    upto = min(end, held[0].uid - 1) if held else end
                    cursor = ImapCursor(status.uidvalidity, upto)
                    save_imap_cursor(journal, mailbox.name, folder, cursor, now=batcher.now)

                def defer(index: int, headers: list[FetchedHeader] = headers) -> None:
                    held.append(headers[index])

                summary += batcher.process(
                    messages,
                    folder=folder,
                    role=role,
                    checkpoint=checkpoint,
                    handles=[h.uid for h in headers],
                    defer=defer,
                )
                done += len(batch)
                progress(done, len(uids), label)
        if held:
            reached = ImapCursor(status.uidvalidity, uids[-1])
            summary += _process_held(client, batcher, held, folder, role, reached)
        # After the header stream, so no FETCH is in flight: the text of each
        # reply to an introduction ask, one message at a time, with BODY.PEEK.
        answers = [
            (key, fetch_answer(client, int(str(uid)))) for uid, key in batcher.answers_to_read()
        ]
        batcher.judge_answers((key, raw) for key, raw in answers if raw is not None)
    except OutreachError:
        raise
    except Exception as exc:
        error = _folder_error(exc, mailbox, folder)
        if error is None:
            raise
        raise error from exc
    return summary


def _process_held(
    client: Any,
    batcher: MailboxSync,
    held: list[FetchedHeader],
    folder: str,
    role: FolderRole,
    reached: ImapCursor,
) -> FolderSummary:
    """Decide the held replies by the start of their bodies (BODY.PEEK: nothing marked read)."""
    bodies = fetch_body_starts(client, [h.uid for h in held])
    messages: list[RawMessage] = [(h.raw, h.received_at) for h in held]

    def checkpoint() -> None:
        save_imap_cursor(batcher.journal, batcher.mailbox, folder, reached, now=batcher.now)

    return batcher.process(
        messages,
        folder=folder,
        role=role,
        checkpoint=checkpoint,
        handles=[h.uid for h in held],
        bodies=lambda positions: {i: bodies.get(held[i].uid, b"") for i in positions},
    )


def _oversized(summary: FolderSummary, count: int) -> FolderSummary:
    """Messages read but left unjudged because their header fields were too large."""
    return FolderSummary(
        summary.mailbox,
        summary.folder,
        summary.role,
        read=count,
        new=count,
        ignored=Counter({Ignored.OVERSIZED.value: count} if count else {}),
    )


def _folder_error(exc: Exception, mailbox: ImapMailbox, folder: str | None) -> MailboxError | None:
    """The failure as one line naming mailbox and folder; None when not a network or IMAP one."""
    what = describe_failure(exc, timeout=mailbox.timeout_seconds)
    if what is None:
        return None
    where = mailbox_label(mailbox) + (f", folder '{folder}'" if folder is not None else "")
    return MailboxError(f"{where}: {what}")


__all__ = ["imap_folders", "sync_imap_folder", "sync_imap_mailbox"]
