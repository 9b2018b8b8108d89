"""What `drafts send` would send, and what it holds back and why.

Deciding is kept apart from sending so that the CLI can show the list, ask
for confirmation or stop at a dry run before anything leaves. Each reason to
hold a single draft back is one check in HOLD_CHECKS (the draft and the run's
facts in, a reason or None out); the pace per person is applied last, across
the run, in the order the drafts would go. Nothing here prints or sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.base.errors import InputError, Problem
from outreach.core.headers import parse_addresses, parse_header_block
from outreach.core.pace import over_pace
from outreach.core.personal_line import held_back
from outreach.store.journal import Journal
from outreach.store.journal.drafts import PENDING, DraftRecord, get_draft, list_drafts
from outreach.store.journal.intents import in_doubt
from outreach.store.journal.touches import emails_sent_since
from outreach.store.outbox import Outbox
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A draft as it would go: its file's bytes and the envelope's recipients."""

    record: DraftRecord
    data: bytes
    recipients: tuple[str, ...]  # the addresses in its own To and Cc: what the user reviewed
    sent_at: datetime | None = None  # once the server accepted it

    @property
    def id(self) -> int:
        return self.record.id


@dataclass(frozen=True, slots=True)
class Held:
    """A draft that stays a draft this time, with every reason why."""

    draft: Outgoing
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SendPlan:
    ready: tuple[Outgoing, ...] = ()
    held: tuple[Held, ...] = ()
    skipped: tuple[str, ...] = ()  # named drafts already sent or discarded
    to_self: tuple[Outgoing, ...] = ()  # addressed to the user alone: not part of --all


@dataclass(frozen=True, slots=True)
class Facts:
    """What the checks may consult about this run."""

    now: datetime
    in_doubt: Mapping[int, datetime] = field(default_factory=dict)
    resend: frozenset[int] = frozenset()
    personal_line: str = "required"  # [drafts] personal_line: "required" or "optional"


HoldCheck = Callable[[Outgoing, Facts], str | None]


def _interrupted(draft: Outgoing, facts: Facts) -> str | None:
    started = facts.in_doubt.get(draft.id)
    if started is None or draft.id in facts.resend:
        return None
    return (
        f"may have been sent: sending it was interrupted ({started:%Y-%m-%d %H:%M} UTC);"
        f" check your Sent folder, then `outreach drafts send {draft.id} --resend`"
        f" or `outreach drafts discard {draft.id}`"
    )


def _open_personal_line(draft: Outgoing, facts: Facts) -> str | None:
    reason = held_back(draft.data, setting=facts.personal_line)
    if reason is None:
        return None
    return (
        f"{draft.record.path}: {reason}; write it with `outreach drafts edit {draft.id}`"
        " (or in your mail client after `outreach drafts push`), or set"
        ' personal_line = "optional" under [drafts]'
    )


# Per-draft reasons to hold back, in the order they are reported.
HOLD_CHECKS: tuple[HoldCheck, ...] = (_interrupted, _open_personal_line)


def envelope_recipients(data: bytes) -> tuple[str, ...]:
    """The addresses in the draft's own To and Cc headers: what the user reviewed."""
    block = parse_header_block(data)
    addresses = [
        address
        for name in ("To", "Cc")
        for value in block.get_all(name)
        for _, address in parse_addresses(value)
    ]
    return tuple(dict.fromkeys(addresses))


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


def plan_sends(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    ids: Sequence[int] | None = None,
    force: bool = False,
    resend: Sequence[int] = (),
) -> SendPlan:
    """Decide what goes: the drafts named by `ids`, or every pending one (None).

    `force` lets drafts past the pace go; `resend` names drafts whose
    interrupted send the user has checked and wants sent again.
    """
    records, skipped = _chosen(journal, ids)
    outbox = Outbox.of(workspace)
    mine = {a.lower() for a in workspace.config.me.addresses}
    candidates: list[Outgoing] = []
    to_self: list[Outgoing] = []
    for record in records:
        data = outbox.read(record.path)
        draft = Outgoing(record, data, envelope_recipients(data))
        # The emailed report goes to the user: sending it with --all would
        # mail it alongside other people's drafts; named by id it may go.
        if ids is None and all(r.lower() in mine for r in draft.recipients):
            to_self.append(draft)
        else:
            candidates.append(draft)
    facts = Facts(
        now=now,
        in_doubt=in_doubt(journal),
        resend=frozenset(resend),
        personal_line=workspace.config.drafts.personal_line,
    )
    reasons: dict[int, list[str]] = {}
    for draft in candidates:
        found = [r for check in HOLD_CHECKS if (r := check(draft, facts)) is not None]
        if found:
            reasons[draft.id] = found
    if not force:
        pace = workspace.config.send
        recent = emails_sent_since(journal, now - timedelta(days=pace.per_days))
        going = [(d.id, d.record.recipients) for d in candidates if d.id not in reasons]
        for draft_id, contacts in over_pace(recent, going, limit=pace.max_per_person).items():
            names = ", ".join(contacts)
            reasons.setdefault(draft_id, []).append(
                f"pace: {names} would get more than {pace.max_per_person} emails within"
                f" {pace.per_days} days ([send] in outreach.toml); --force sends it anyway"
            )
    return SendPlan(
        ready=tuple(d for d in candidates if d.id not in reasons),
        held=tuple(Held(d, tuple(reasons[d.id])) for d in candidates if d.id in reasons),
        skipped=tuple(skipped),
        to_self=tuple(to_self),
    )
