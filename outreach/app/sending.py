"""Push and send use cases: drafts to the IMAP Drafts folder, approved drafts over SMTP.

Pushing uploads drafts for review in the user's own mail client; sending
sends only the drafts named (or all pending ones when asked), records the
support they give, and stops at the first failure with nothing recorded as
sent that was not. Nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from outreach.base.clock import Clock
from outreach.base.errors import InputError, Problem, SendError
from outreach.base.progress import Progress, no_progress
from outreach.core.config import ImapMailbox
from outreach.core.headers import parse_addresses, parse_header_block
from outreach.core.personal_line import held_back, needs_line, ready_to_send
from outreach.mail.imap.drafts_push import DraftUpload, PushOutcome, push_to_mailbox
from outreach.mail.smtp import RecipientsRefused, smtp_session
from outreach.store.journal import Journal
from outreach.store.journal.drafts import (
    PENDING,
    DraftRecord,
    DraftStatus,
    get_draft,
    list_drafts,
    mark_pushed,
    mark_sent,
    set_path,
)
from outreach.store.outbox import Outbox
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class PushResult:
    folder: str
    mailbox: str
    pushed: tuple[int, ...] = ()  # appended now
    already_there: tuple[int, ...] = ()  # found in Drafts by Message-ID, not appended again


def drafts_mailbox(workspace: Workspace) -> ImapMailbox:
    """The IMAP account drafts go to: `[drafts] mailbox`, else the first IMAP mailbox."""
    config = workspace.config
    if config.drafts.mailbox is not None:
        chosen = config.mailbox(config.drafts.mailbox)
        if isinstance(chosen, ImapMailbox):
            return chosen
    for mailbox in config.mailboxes:
        if isinstance(mailbox, ImapMailbox):
            return mailbox
    raise InputError(
        [Problem(str(workspace.config_path), "no IMAP mailbox to push drafts to")],
        hint='add an [[mailboxes]] entry with kind = "imap", or review the .eml files'
        " in drafts/ directly",
    )


def push_drafts(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    environ: Mapping[str, str],
    ids: Sequence[int] | None = None,
    progress: Progress = no_progress,
) -> PushResult:
    """APPEND drafts not yet pushed to the Drafts folder; each is marked pushed as it goes.

    Idempotent: a draft whose Message-ID is already in Drafts (say, stored
    just before a connection was lost) is marked pushed without a second copy.
    """
    mailbox = drafts_mailbox(workspace)
    if ids is None:
        records = list_drafts(journal, statuses=(DraftStatus.DRAFTED,))
    else:
        records = [r for r in (get_draft(journal, i) for i in ids) if r is not None]
        records = [r for r in records if r.status is DraftStatus.DRAFTED]
    if not records:
        return PushResult(folder="", mailbox=mailbox.name)
    outbox = Outbox.of(workspace)
    total = len(records)
    done: list[PushOutcome] = []

    def record(outcomes: list[PushOutcome]) -> None:
        mark_pushed(journal, [(o.key, o.uid) for o in outcomes], now=now)
        done.extend(outcomes)
        progress(len(done), total, "pushing drafts")

    with outbox.lock():
        uploads = [
            DraftUpload(r.id, r.message_id, outbox.read(r.path), r.created_at) for r in records
        ]
        folder, _ = push_to_mailbox(
            mailbox, uploads, root=workspace.root, environ=environ, on_done=record
        )
    return PushResult(
        folder=folder,
        mailbox=mailbox.name,
        pushed=tuple(o.key for o in done if not o.already_there),
        already_there=tuple(o.key for o in done if o.already_there),
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    draft_id: int
    reason: str
    hint: str = ""  # what to do about it, when not the usual (a refused address)


def personal_line_hold(record: DraftRecord, data: bytes, *, setting: str) -> Refusal | None:
    """A refusal when the draft's personal line is still open and `[drafts]` requires it."""
    reason = held_back(data, setting=setting)
    if reason is None:
        return None
    return Refusal(
        record.id,
        f"{record.path}: {reason}",
        hint=f"write it with `outreach drafts edit {record.id}` (or in your mail client after"
        ' `outreach drafts push`), or set personal_line = "optional" under [drafts]',
    )


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: tuple[int, ...] = ()
    refused: tuple[Refusal, ...] = ()  # a recipient was refused: the draft is kept
    skipped: tuple[str, ...] = ()  # named drafts already sent or discarded


def _chosen(journal: Journal, ids: Sequence[int] | None) -> tuple[list[DraftRecord], list[str]]:
    if ids is None:
        return list_drafts(journal, statuses=PENDING), []
    records, skipped, missing = [], [], []
    for draft_id in dict.fromkeys(ids):
        record = get_draft(journal, draft_id)
        if record is None:
            missing.append(Problem("drafts", f"no draft {draft_id}"))
        elif record.status in PENDING:
            records.append(record)
        else:
            skipped.append(f"draft {draft_id}: already {record.status}, not sent again")
    InputError.collect(missing)
    return records, skipped


def envelope_recipients(data: bytes) -> list[str]:
    """The addresses in the draft's own To and Cc headers: what the user reviewed."""
    block = parse_header_block(data)
    addresses = [
        address
        for name in ("To", "Cc")
        for value in block.get_all(name)
        for _, address in parse_addresses(value)
    ]
    return list(dict.fromkeys(addresses))


def send_drafts(
    workspace: Workspace,
    journal: Journal,
    *,
    clock: Clock,
    environ: Mapping[str, str],
    ids: Sequence[int] | None = None,
    progress: Progress = no_progress,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> SendResult:
    """Send the drafts named by `ids` (None: every pending draft) through `[smtp]`.

    Each sent draft is recorded (its support becomes touches) and its file
    moved to `sent/` before the next one goes. A refused recipient keeps that
    draft and the run goes on; any other failure stops the run with a
    SendError, leaving the rest unsent and unrecorded for a rerun.
    """
    smtp = workspace.config.smtp
    if smtp is None:
        raise InputError(
            [Problem(str(workspace.config_path), "no [smtp] section: outreach cannot send")],
            hint="add [smtp] with host, port, tls and username, or send the drafts"
            " from your mail client after `outreach drafts push`",
        )
    records, skipped = _chosen(journal, ids)
    if not records:
        return SendResult(skipped=tuple(skipped))
    outbox = Outbox.of(workspace)
    sender = workspace.config.me.email
    sent: list[int] = []
    refused: list[Refusal] = []
    with outbox.lock():
        loaded = []
        for record in records:
            data = outbox.read(record.path)
            hold = personal_line_hold(record, data, setting=workspace.config.drafts.personal_line)
            if hold is not None:
                refused.append(hold)
            else:
                ready = ready_to_send(data)
                written = not needs_line(data)
                loaded.append((record, ready, None if ready is data else ready, written))
        if not loaded:
            return SendResult(refused=tuple(refused), skipped=tuple(skipped))
        with smtp_session(
            smtp, root=workspace.root, environ=environ, sleep=sleep, monotonic=monotonic
        ) as session:
            for record, data, changed, written in loaded:
                recipients = envelope_recipients(data)
                try:
                    session.send(sender=sender, recipients=recipients, data=data)
                except RecipientsRefused as exc:
                    refused.append(Refusal(record.id, exc.message))
                    continue
                except SendError as exc:
                    left = len(records) - len(sent) - len(refused)
                    raise SendError(
                        f"{exc.message} (draft {record.id}; {len(sent)} sent before it,"
                        f" {left} left unsent)",
                        hint="fix the problem, then rerun `outreach drafts send`: what was"
                        " sent is not sent again",
                    ) from exc
                at = clock()
                mark_sent(journal, record.id, at=at, source="smtp", now=at, line_written=written)
                moved = outbox.move_to_sent(record.path, sent=changed)
                set_path(journal, record.id, moved, now=at)
                sent.append(record.id)
                progress(len(sent), len(records), "sending drafts")
    return SendResult(sent=tuple(sent), refused=tuple(refused), skipped=tuple(skipped))
