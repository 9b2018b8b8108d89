"""Push and send use cases: drafts to the IMAP Drafts folder, approved drafts over SMTP.

Pushing uploads drafts for review in the user's own mail client. Sending
sends what `send_plan` decided, at most once each: the intent is committed
before the SMTP transaction, so a send cut short is reported as "may have
been sent" instead of going again. It stops at the first failure with
nothing recorded as sent that was not. Nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from outreach.app.mailbox_copies import drafts_mailbox, tidy_mailbox
from outreach.app.send_plan import Outgoing, plan_sends
from outreach.base.clock import Clock
from outreach.base.errors import InputError, Problem, SendError
from outreach.base.progress import Progress, no_progress
from outreach.core.config import SmtpConfig
from outreach.core.personal_line import needs_line, ready_to_send
from outreach.mail.imap.drafts_push import DraftUpload, PushOutcome, push_to_mailbox
from outreach.mail.imap.own_copies import SentCopy
from outreach.mail.smtp import DeliveryInDoubt, RecipientsRefused, smtp_session
from outreach.store.journal import Journal
from outreach.store.journal.drafts import (
    PENDING,
    DraftStatus,
    get_draft,
    list_drafts,
    mark_pushed,
    mark_sent,
    set_path,
)
from outreach.store.journal.intents import (
    Outcome,
    in_doubt,
    open_intent,
    settle_draft_intents,
    settle_intent,
)
from outreach.store.outbox import Outbox
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class PushResult:
    folder: str
    mailbox: str
    pushed: tuple[int, ...] = ()  # appended now
    already_there: tuple[int, ...] = ()  # found in Drafts by Message-ID, not appended again


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


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: tuple[int, ...] = ()
    refused: tuple[Refusal, ...] = ()  # a recipient was refused: the draft is kept
    skipped: tuple[str, ...] = ()  # drafts that changed state since the plan was made
    mailbox_notes: tuple[str, ...] = ()  # Drafts copies removed, Sent copies filed


OnSent = Callable[[Outgoing, int, int], None]


def _no_report(draft: Outgoing, done: int, total: int) -> None:
    """Say nothing after each message (tests, library use)."""


def smtp_config(workspace: Workspace) -> SmtpConfig:
    """The `[smtp]` settings, or an input error saying what to add."""
    smtp = workspace.config.smtp
    if smtp is None:
        raise InputError(
            [Problem(str(workspace.config_path), "no [smtp] section: outreach cannot send")],
            hint="add [smtp] with host, port, tls and username, or send the drafts"
            " from your mail client after `outreach drafts push`",
        )
    return smtp


def send_outgoing(
    workspace: Workspace,
    journal: Journal,
    drafts: Sequence[Outgoing],
    *,
    clock: Clock,
    environ: Mapping[str, str],
    resend: Sequence[int] = (),
    on_sent: OnSent = _no_report,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> SendResult:
    """Send planned drafts through `[smtp]`, at most once each.

    Before each SMTP transaction the intent is committed; after the server's
    250 the draft is marked sent (its support becomes touches) and its file
    moves to `sent/`. A refused recipient keeps that draft and the run goes
    on; any other failure stops the run with a SendError. A connection lost
    after the message was handed over leaves the intent open: that draft is
    then held as "may have been sent" until the user decides.
    """
    smtp = smtp_config(workspace)
    if not drafts:
        return SendResult()
    # An intent must survive a power cut as well as a kill: make each commit durable.
    journal.connection.execute("PRAGMA synchronous = FULL")
    outbox = Outbox.of(workspace)
    allowed_again = set(resend)
    sent: list[Outgoing] = []
    refused: list[Refusal] = []
    skipped: list[str] = []
    notes: list[str] = []
    with outbox.lock():
        # Another command may have sent or discarded a draft since the plan was shown.
        doubtful = in_doubt(journal)
        current: list[Outgoing] = []
        for draft in drafts:
            record = get_draft(journal, draft.id)
            if record is None or record.status not in PENDING:
                skipped.append(f"draft {draft.id}: no longer pending, not sent")
            elif draft.id in doubtful and draft.id not in allowed_again:
                skipped.append(f"draft {draft.id}: may have been sent meanwhile, not sent")
            else:
                current.append(draft)
        try:
            if current:
                _send_each(
                    workspace,
                    journal,
                    current,
                    smtp=smtp,
                    clock=clock,
                    environ=environ,
                    resend=allowed_again,
                    on_sent=on_sent,
                    sent=sent,
                    refused=refused,
                    sleep=sleep,
                    monotonic=monotonic,
                )
        finally:
            # Also after a failure midway: what was sent is filed, its Drafts copy goes.
            notes = tidy_mailbox(
                workspace,
                pushed=[d.record for d in sent],
                sent=[SentCopy(d.record.message_id, d.data, at) for d, at in _sent_times(sent)],
                environ=environ,
            ).notes()
    return SendResult(
        sent=tuple(d.id for d in sent),
        refused=tuple(refused),
        skipped=tuple(skipped),
        mailbox_notes=tuple(notes),
    )


def _sent_times(sent: Sequence[Outgoing]) -> list[tuple[Outgoing, datetime]]:
    return [(d, d.sent_at or d.record.created_at) for d in sent]


def _send_each(
    workspace: Workspace,
    journal: Journal,
    current: Sequence[Outgoing],
    *,
    smtp: SmtpConfig,
    clock: Clock,
    environ: Mapping[str, str],
    resend: set[int],
    on_sent: OnSent,
    sent: list[Outgoing],
    refused: list[Refusal],
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> None:
    """The SMTP loop: intent, transaction, record; appends to `sent` and `refused` as it goes."""
    outbox = Outbox.of(workspace)
    sender = workspace.config.me.email
    with smtp_session(
        smtp, root=workspace.root, environ=environ, sleep=sleep, monotonic=monotonic
    ) as session:
        for draft in current:
            now = clock()
            if draft.id in resend:
                settle_draft_intents(journal, [draft.id], Outcome.RESEND, now=now)
            intent = open_intent(journal, draft.id, now=now)
            # An open slot allowed by `personal_line = "optional"` leaves with
            # the draft, never to the recipient; support that needs the line
            # counts only when the user wrote it.
            data = ready_to_send(draft.data)
            written = not needs_line(draft.data)
            try:
                session.send(sender=sender, recipients=draft.recipients, data=data)
            except RecipientsRefused as exc:
                settle_intent(journal, intent, Outcome.NOT_SENT, now=clock())
                refused.append(Refusal(draft.id, exc.message))
                continue
            except DeliveryInDoubt as exc:
                raise SendError(
                    f"{exc.message} (draft {draft.id} may have been sent;"
                    f" {len(sent)} sent before it)",
                    hint=f"check your Sent folder or with the recipient; `outreach drafts"
                    f" send {draft.id} --resend` sends it again, a rerun of"
                    " `outreach drafts send` sends the rest",
                ) from exc
            except SendError as exc:
                settle_intent(journal, intent, Outcome.NOT_SENT, now=clock())
                left = len(current) - len(sent) - len(refused)
                raise SendError(
                    f"{exc.message} (draft {draft.id}; {len(sent)} sent before it,"
                    f" {left} left unsent)",
                    hint="fix the problem, then rerun `outreach drafts send`: what was"
                    " sent is not sent again",
                ) from exc
            at = clock()
            # mark_sent settles the intent in the same transaction.
            mark_sent(journal, draft.id, at=at, source="smtp", now=at, line_written=written)
            changed = None if data is draft.data else data
            moved = outbox.move_to_sent(draft.record.path, sent=changed)
            set_path(journal, draft.id, moved, now=at)
            sent.append(replace(draft, data=data, sent_at=at))
            on_sent(draft, len(sent), len(current))


def send_drafts(
    workspace: Workspace,
    journal: Journal,
    *,
    clock: Clock,
    environ: Mapping[str, str],
    ids: Sequence[int] | None = None,
    force: bool = False,
    on_sent: OnSent = _no_report,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[SendResult, tuple[str, ...]]:
    """Plan and send in one step, without asking (the caller asked already).

    Returns the result and the notes on what the plan held back or left out.
    """
    smtp_config(workspace)
    plan = plan_sends(workspace, journal, now=clock(), ids=ids, force=force)
    notes = [*plan.skipped]
    notes += [f"draft {h.draft.id} held back: {'; '.join(h.reasons)}" for h in plan.held]
    result = send_outgoing(
        workspace,
        journal,
        plan.ready,
        clock=clock,
        environ=environ,
        on_sent=on_sent,
        sleep=sleep,
        monotonic=monotonic,
    )
    return result, tuple(notes)
