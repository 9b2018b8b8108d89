"""Drafting use cases: event shares, check-ins, any other draft; listing and discarding.

Every draft becomes a file in `drafts/` and a row in the journal, in batches
(`outreach.app.draft_batches`). Introductions live in
`outreach.app.introductions`; push and send in `outreach.app.sending`.
Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Literal

from outreach.app.draft_batches import (
    DraftInfo,
    DraftSpec,
    NewIntro,
    already_rendered,
    holding_the_outbox,
    write_drafts,
)
from outreach.app.post_sharing import plan_posts, post_share_specs
from outreach.app.posts import events_from_feeds
from outreach.app.waiting import already_waiting
from outreach.base.errors import InputError, OutreachError, Problem
from outreach.base.model import ME, SUPPORT_KINDS, Contact, TouchKind
from outreach.base.progress import Progress, no_progress
from outreach.core.compose import Party
from outreach.core.intros import IntroStatus
from outreach.core.personal_line import needs_line
from outreach.core.post_shares import PostSharePlan
from outreach.core.render import Me, Rendered, Templates, check_in_context, share_event_context
from outreach.core.shares import find_event, plan_shares
from outreach.core.validation import did_you_mean
from outreach.store.journal import Journal
from outreach.store.journal.drafts import (
    PENDING,
    DraftRecord,
    DraftStatus,
    SupportPlan,
    get_draft,
    list_drafts,
    set_status,
    shared_events,
)
from outreach.store.journal.intros import get_intro, set_intro_status
from outreach.store.journal.touches import contact_activity, touches_for
from outreach.store.outbox import Outbox, safe_stem
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class PlannedDraft:
    """A draft a dry run would write."""

    kind: str
    subject: str
    recipients: tuple[str, ...]
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class DraftBatch:
    """What a drafting use case did; `notes` say what it left out and why."""

    drafts: tuple[DraftInfo, ...] = ()
    planned: tuple[PlannedDraft, ...] = ()
    notes: tuple[str, ...] = ()
    self_promotion: int = 0  # drafts promoting the user's own events
    dry_run: bool = False
    pushed: int = 0
    push_error: str | None = None

    @property
    def count(self) -> int:
        return len(self.planned) if self.dry_run else len(self.drafts)


def me_of(workspace: Workspace) -> Me:
    return Me(name=workspace.config.me.name, email=workspace.config.me.email)


def party(contact: Contact) -> Party:
    return Party(contact.name, contact.email)


def sent_to(contact_ids: Iterable[str]) -> list[SupportPlan]:
    """A `sent` touch for each recipient: contact, not support, once the draft leaves."""
    return [SupportPlan(c, TouchKind.SENT) for c in contact_ids]


def finish_batch(
    workspace: Workspace,
    journal: Journal,
    drafts: Sequence[DraftInfo],
    *,
    now: datetime,
    push: bool | None,
    environ: Mapping[str, str] | None,
    notes: Sequence[str] = (),
    self_promotion: int = 0,
) -> DraftBatch:
    """The batch's result, pushing the new drafts first when `[drafts] push` (or `push`) says so.

    A failed push leaves the drafts drafted (the next push takes them) and is
    reported in `push_error` rather than raised: the drafting itself succeeded.
    """
    notes = [*notes, *already_waiting(workspace, journal, drafts)]
    pushed, push_error = 0, None
    if drafts and (push if push is not None else workspace.config.drafts.push):
        from outreach.app.sending import push_drafts  # IMAP only when pushing

        try:
            result = push_drafts(
                workspace, journal, ids=[d.id for d in drafts], now=now, environ=environ or {}
            )
            pushed = len(result.pushed) + len(result.already_there)
        except OutreachError as exc:
            push_error = exc.message
    return DraftBatch(
        drafts=tuple(drafts),
        notes=tuple(notes),
        self_promotion=self_promotion,
        pushed=pushed,
        push_error=push_error,
    )


# --- event shares ---


@holding_the_outbox
def draft_shares(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    progress: Progress = no_progress,
    event_id: str | None = None,
    contact_id: str | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
    again: bool = False,
) -> DraftBatch:
    """One personal email per chosen recipient of each upcoming event, never twice.

    Recipients are the event's `share_with`, else contacts whose tags overlap
    the event's; never the host, never an event already over, never someone
    with `shares = false`, never an event already drafted to that person. A
    discarded draft is a decision too: drafted again only with `again`. `event_id`
    and `contact_id` narrow the run to one event, one person, or both (the
    report's plan shares one event with one contact this way).
    """
    events = workspace.events + events_from_feeds(journal, now=now)
    if event_id is not None:
        events = (find_event(events, event_id),)
    only = None if contact_id is None else {contact_or_error(workspace, contact_id).id}
    already = shared_events(journal, [e.id for e in events], with_discarded=not again)
    plan = plan_shares(
        events, workspace.roster, now=now, already_shared=already, limit=limit, only=only
    )
    # Posts from followed feeds are shared too, unless one event was asked for.
    left = None if limit is None else max(limit - len(plan.shares), 0)
    posts = PostSharePlan((), ())
    if event_id is None and left != 0:
        posts = plan_posts(workspace, journal, now=now, limit=left, only=only, again=again)
    templates = Templates(workspace.template_overrides())
    me = me_of(workspace)

    def specs() -> Iterator[list[DraftSpec]]:
        for share in plan.shares:
            event, contact = share.event, share.contact
            host = None if event.host == ME else workspace.roster[event.host]
            render = templates.job(
                "share_event",
                share_event_context(me=me, contact=contact, event=event, host=host, now=now),
            )
            item = f"event:{event.id}"
            if host is None:
                support = [SupportPlan(contact.id, TouchKind.SHARE, self_promotion=True, item=item)]
            else:
                # Sharing someone's event promotes them, once per event however
                # many get it; the recipient is supported only by a draft
                # carrying the user's own line.
                support = [
                    SupportPlan(host.id, TouchKind.SHARE, item=item),
                    SupportPlan(contact.id, TouchKind.SHARE, needs_line=True),
                ]
            yield [
                DraftSpec(
                    kind="share_event",
                    stem=safe_stem("share", event.id, contact.id),
                    to=(party(contact),),
                    recipients=(contact.id,),
                    render=render,
                    support=(*support, *sent_to([contact.id])),
                    event_id=event.id,
                )
            ]
        yield from post_share_specs(posts, templates, me=me, now=now)

    if dry_run:
        planned = [
            PlannedDraft(s.kind, s.render().subject, s.recipients, s.event_id)
            for group in specs()
            for s in group
        ]
        return DraftBatch(
            planned=tuple(planned),
            notes=plan.notes + posts.notes,
            self_promotion=plan.self_promotion,
            dry_run=True,
        )
    drafts = write_drafts(
        workspace,
        journal,
        specs(),
        now=now,
        progress=progress,
        total=len(plan.shares) + len(posts.shares),
        label="drafting shares",
    )
    return finish_batch(
        workspace,
        journal,
        drafts,
        now=now,
        push=push,
        environ=environ,
        notes=plan.notes + posts.notes,
        self_promotion=plan.self_promotion,
    )


# --- check-ins and arbitrary drafts ---


def contact_or_error(workspace: Workspace, contact_id: str, where: str = "contact") -> Contact:
    contact = workspace.roster.get(contact_id)
    if contact is None:
        ids = [c.id for c in workspace.roster]
        raise InputError(
            [Problem(where, f"'{contact_id}' is not a contact id{did_you_mean(contact_id, ids)}")]
        )
    return contact


def last_support_said(journal: Journal, contact_id: str) -> str:
    """What the user last did for them, in the journal's words, for the personal line's hint."""
    for touch in touches_for(journal, contact_id, limit=20):
        if touch.kind in SUPPORT_KINDS and not touch.self_promotion:
            said = touch.detail if touch.detail and not touch.detail.startswith("draft ") else ""
            return f"{touch.kind} on {touch.at:%Y-%m-%d}" + (f", {said}" if said else "")
    return ""


def draft_check_in(
    workspace: Workspace,
    journal: Journal,
    contact_id: str,
    *,
    now: datetime,
    note: str = "",
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> DraftBatch:
    """A short, warm check-in to one contact (the report's plan uses it too)."""
    contact = contact_or_error(workspace, contact_id)
    activity = contact_activity(journal, contact.id)
    render = Templates(workspace.template_overrides()).job(
        "check_in",
        check_in_context(
            me=me_of(workspace),
            contact=contact,
            note=note,
            last_touch=activity.last_touch_at,
            now=now,
            last_support=last_support_said(journal, contact.id),
        ),
    )
    spec = DraftSpec(
        kind="check_in",
        stem=safe_stem("check_in", contact.id, f"{now:%Y%m%d}"),
        to=(party(contact),),
        recipients=(contact.id,),
        render=render,
        support=tuple(sent_to([contact.id])),
    )
    drafts = write_drafts(workspace, journal, [[spec]], now=now)
    return finish_batch(workspace, journal, drafts, now=now, push=push, environ=environ)


def replace_own_draft(
    workspace: Workspace,
    journal: Journal,
    *,
    kind: str,
    subject: str,
    text: str,
    html: str | None = None,
    now: datetime,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[DraftBatch, tuple[int, ...]]:
    """Save a draft to the user, first discarding any unsent earlier one of `kind`.

    A scheduled job (the report, the digest) leaves one current draft
    waiting, not a pile of stale ones. Returns the batch and the ids replaced.
    """
    replaced = []
    for old in pending_drafts(journal):
        if old.kind == kind:
            discard_draft(workspace, journal, old.id, now=now)
            replaced.append(old.id)
    batch = save_draft(
        workspace,
        journal,
        kind=kind,
        to="me",
        subject=subject,
        text=text,
        html=html,
        now=now,
        push=push,
        environ=environ,
    )
    return batch, tuple(replaced)


def save_draft(
    workspace: Workspace,
    journal: Journal,
    *,
    kind: str,
    to: Sequence[Contact] | Literal["me"],
    subject: str,
    text: str,
    html: str | None = None,
    now: datetime,
    support: Sequence[SupportPlan] = (),
    event_id: str | None = None,
    stem: str | None = None,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> DraftBatch:
    """Save any draft — the weekly report mailed to oneself, say — like the others.

    `to="me"` addresses the user's own address. `support` is what the draft
    records once sent (nothing by default). `stem` names the file (default:
    kind and time). With `[drafts] push = true` it is pushed at once; a failed
    push leaves it drafted for the next `outreach drafts push`. The draft is
    `result.drafts[0]`.
    """
    if to == "me":
        parties: tuple[Party, ...] = (Party(workspace.config.me.name, workspace.config.me.email),)
        recipients: tuple[str, ...] = ()
    else:
        parties = tuple(party(c) for c in to)
        recipients = tuple(c.id for c in to)
    spec = DraftSpec(
        kind=kind,
        stem=stem or safe_stem(kind, f"{now:%Y%m%dT%H%M%S}"),
        to=parties,
        recipients=recipients,
        render=already_rendered(Rendered(subject=" ".join(subject.split()), text=text, html=html)),
        support=tuple(support),
        event_id=event_id,
    )
    drafts = write_drafts(workspace, journal, [[spec]], now=now)
    return finish_batch(workspace, journal, drafts, now=now, push=push, environ=environ)


# --- reviewing: list, show, discard ---


def pending_drafts(journal: Journal, *, include_done: bool = False) -> list[DraftRecord]:
    """Drafts awaiting review (drafted or pushed); with `include_done`, every draft."""
    return list_drafts(journal, statuses=None if include_done else PENDING)


def needing_their_line(workspace: Workspace, records: Iterable[DraftRecord]) -> set[int]:
    """The pending drafts among `records` whose personal line is still to be written."""
    outbox = Outbox.of(workspace)
    waiting = set()
    for record in records:
        if record.status not in PENDING:
            continue
        try:
            data = outbox.read(record.path)
        except OutreachError:
            continue  # a missing file is `drafts show`'s to report, not the listing's
        if needs_line(data):
            waiting.add(record.id)
    return waiting


def draft_or_error(journal: Journal, draft_id: int) -> DraftRecord:
    record = get_draft(journal, draft_id)
    if record is None:
        raise InputError(
            [Problem("drafts", f"no draft {draft_id}")],
            hint="list them with `outreach drafts list --all`",
        )
    return record


@dataclass(frozen=True, slots=True)
class DraftView:
    record: DraftRecord
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    has_html: bool = False


def show_draft(workspace: Workspace, journal: Journal, draft_id: int) -> DraftView:
    """A draft's record, its main headers decoded, and its text body."""
    record = draft_or_error(journal, draft_id)
    raw = Outbox.of(workspace).read(record.path)
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    headers = {
        name: str(message[name])
        for name in ("From", "To", "Cc", "Subject", "Date", "Message-ID")
        if message[name] is not None
    }
    body = message.get_body(preferencelist=("plain",))
    text = ""
    if isinstance(body, EmailMessage):
        text = str(body.get_content()).replace("\r\n", "\n")
    return DraftView(
        record=record,
        headers=headers,
        text=text,
        has_html=message.get_body(preferencelist=("html",)) is not None,
    )


def discard_draft(
    workspace: Workspace, journal: Journal, draft_id: int, *, now: datetime
) -> DraftRecord:
    """Drop a pending draft: its file goes, the journal keeps the record as discarded.

    A discarded draft is a decision: that share is not drafted again, that
    pair not suggested again, unless asked with --again. A copy already pushed to the
    mail server's Drafts folder stays there (outreach never deletes mail).
    """
    record = draft_or_error(journal, draft_id)
    if record.status not in PENDING:
        raise InputError(
            [Problem("drafts", f"draft {draft_id} is {record.status}; only pending drafts go")]
        )
    outbox = Outbox.of(workspace)
    with outbox.lock():
        with journal.transaction():
            set_status(journal, draft_id, DraftStatus.DISCARDED, now=now)
            if record.intro_id is not None:
                intro = get_intro(journal, record.intro_id)
                if intro is not None and intro.status is not IntroStatus.DECLINED:
                    set_intro_status(journal, intro.id, IntroStatus.DECLINED, now=now)
        # After the commit: a file left by a crash here is harmless, as the
        # journal no longer counts it and a new draft may overwrite it.
        outbox.remove(record.path)
    return draft_or_error(journal, draft_id)


__all__ = [
    "DraftBatch",
    "DraftInfo",
    "DraftSpec",
    "DraftView",
    "NewIntro",
    "PlannedDraft",
    "contact_or_error",
    "discard_draft",
    "draft_check_in",
    "draft_or_error",
    "draft_shares",
    "finish_batch",
    "me_of",
    "needing_their_line",
    "party",
    "pending_drafts",
    "save_draft",
    "sent_to",
    "show_draft",
    "write_drafts",
]
