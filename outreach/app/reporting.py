"""The report use case: ask the journal, rank in the core, render, email, plan.

Shared by `outreach report` and the daemon's weekly job. The journal does the
counting in SQL; the pure `outreach.core.report` package ranks and renders; the
drafting use cases write the report's drafts. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from outreach.app.posts import events_from_feeds, recent_work
from outreach.base.progress import Progress, no_progress
from outreach.base.wording import plural
from outreach.core.recur import is_over
from outreach.core.report import cells
from outreach.core.report.html_page import render_html
from outreach.core.report.model import ContactLine, Report, StepKind
from outreach.core.report.rank import FOCUS, check_filters, compile_report
from outreach.core.report.render import render
from outreach.core.report.steps import ANSWER_WITHIN_DAYS
from outreach.core.report.table import render_table
from outreach.core.suggest import pair_key
from outreach.store.journal import Journal
from outreach.store.journal.drafts import shared_events
from outreach.store.journal.intros import introduced_pairs
from outreach.store.journal.report_queries import (
    activity_as_of,
    health_counts,
    pending_recipients,
)
from outreach.store.journal.situation import note_contacts_seen, situation
from outreach.store.workspace import Workspace

if TYPE_CHECKING:
    from outreach.app.draft_batches import DraftInfo
    from outreach.app.drafting import DraftBatch

# The drafting code (and Jinja2 with it) is imported by the functions that
# draft, so a plain `outreach report` starts without it.

REPORT_DRAFT = "report"  # the kind of the report's drafts to the user
PLAN_DEFAULT = 5  # next steps `report --plan` drafts when no --limit is given
# Steps no template can take for the user: their own answer, their own feedback.
YOURS_TO_WRITE = {
    StepKind.ANSWER: "answer their email yourself, in your mail client",
    # A template would only pretend to have read their work.
    StepKind.FEEDBACK: "feedback is yours to write",
}
MEET_NOTE = (
    "Could we meet in person in the next few weeks? A coffee, or a walk, whatever suits you."
)


def build_report(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    circle: str | None = None,
    overdue_only: bool = False,
    limit: int | None = None,
    days: int | None = None,
    progress: Progress = no_progress,
) -> Report:
    """Who haven't I supported lately, as of `now`; health over the last `days`
    (default `[report] days` in outreach.toml)."""
    config = workspace.config
    period = days if days is not None else config.report.days
    check_filters(config, circle=circle, limit=limit, days=period)
    roster = workspace.roster
    progress(0, 3, "report")
    activity = activity_as_of(journal, (c.id for c in roster), now=now)
    progress(1, 3, "report")
    counts = health_counts(journal, since=now - timedelta(days=period), until=now)
    events = workspace.events + events_from_feeds(journal, now=now)
    upcoming = [e.id for e in events if not is_over(e, now=now)]
    shared = shared_events(journal, upcoming, with_discarded=True)
    introduced = introduced_pairs(journal)
    # New roster ids start their wait today; a contact never supported ranks
    # by how long it has been waiting.
    note_contacts_seen(journal, (c.id for c in roster), now=now)
    known = situation(
        journal,
        now=now,
        answer_within_days=ANSWER_WITHIN_DAYS,
        focus=(c.id for c in roster.in_circle(FOCUS)),
        never_supported=(
            c.id for c in roster if c.id not in activity or activity[c.id].last_support_at is None
        ),
    )
    progress(2, 3, "report")
    report = compile_report(
        roster,
        activity,
        events,
        counts,
        config=config,
        now=now,
        days=period,
        shared_events=shared,
        introduced=introduced,
        situation=known,
        circle=circle,
        overdue_only=overdue_only,
        limit=limit,
        recent_work=recent_work(workspace, journal, now=now),
    )
    progress(3, 3, "report")
    return report


def render_report(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report as text in `fmt`: table, markdown, csv, json or html."""
    return render(report, fmt, color=color)


# --- the report as a draft to oneself ---


@dataclass(frozen=True, slots=True)
class EmailedReport:
    batch: DraftBatch  # the new draft is batch.drafts[0]
    replaced: tuple[int, ...]  # earlier report drafts, unsent, that this one replaces


def email_subject(report: Report) -> str:
    past = sum(1 for line in report.lines if line.past_cadence)
    return (
        f"Who haven't I supported lately? {cells.day(report.as_of, report.zone)}:"
        f" {plural(past, 'contact')} past their cadence"
    )


def email_report(
    workspace: Workspace,
    journal: Journal,
    report: Report,
    *,
    now: datetime,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> EmailedReport:
    """Save the report as a draft to the user (plain text and HTML), for review like any.

    A report draft still unsent from an earlier run is discarded first: a
    weekly job leaves one current report waiting, not a pile of stale ones.
    """
    from outreach.app.drafting import replace_own_draft

    batch, replaced = replace_own_draft(
        workspace,
        journal,
        kind=REPORT_DRAFT,
        subject=email_subject(report),
        text=render_table(report),
        html=render_html(report),
        now=now,
        push=push,
        environ=environ,
    )
    return EmailedReport(batch=batch, replaced=replaced)


# --- the top next steps as drafts ---


@dataclass(frozen=True, slots=True)
class PlannedStep:
    line: ContactLine  # the contact, their rank and their next step
    drafts: tuple[DraftInfo, ...] = ()
    skipped: str | None = None  # why nothing was drafted


@dataclass(frozen=True, slots=True)
class PlanResult:
    steps: tuple[PlannedStep, ...]
    pushed: int = 0
    push_errors: tuple[str, ...] = ()

    @property
    def drafts(self) -> tuple[DraftInfo, ...]:
        return tuple(d for step in self.steps for d in step.drafts)


def plan_next_steps(
    workspace: Workspace,
    journal: Journal,
    report: Report,
    *,
    now: datetime,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> PlanResult:
    """Draft each next step in `report`: share the event, introduce, or check in.

    A contact who already has a draft waiting for review gets no second one,
    and a pair is introduced once even when both ends of it are in the plan.
    """
    from outreach.app.drafting import draft_check_in, draft_shares, finish_batch
    from outreach.app.introductions import draft_intro

    waiting = pending_recipients(journal)
    paired: set[frozenset[str]] = set()
    steps: list[PlannedStep] = []
    for line in report.next_steps:
        step, contact = line.next_step, line.contact
        assert step is not None
        if contact.id in waiting:
            steps.append(PlannedStep(line, skipped="a draft to them is already waiting"))
            continue
        if step.kind in YOURS_TO_WRITE:
            steps.append(PlannedStep(line, skipped=YOURS_TO_WRITE[step.kind]))
            continue
        # Each step is drafted without pushing; the plan's drafts are pushed
        # together below, in one IMAP session.
        if step.kind is StepKind.SHARE_EVENT:
            assert step.event is not None
            batch = draft_shares(
                workspace,
                journal,
                now=now,
                event_id=step.event.id,
                contact_id=contact.id,
                push=False,
            )
        elif step.kind is StepKind.INTRODUCE:
            assert step.partner is not None
            pair = pair_key(contact.id, step.partner.id)
            if pair in paired:
                steps.append(PlannedStep(line, skipped="introduced above in this plan"))
                continue
            paired.add(pair)
            batch = draft_intro(
                workspace,
                journal,
                contact.id,
                step.partner.id,
                now=now,
                # The step's reason speaks to the user ("you want to connect
                # Mei…"), never to the two people: the draft leaves its own
                # personal line for the user's words instead.
                why="",
                push=False,
            )
        else:
            note = MEET_NOTE if step.kind is StepKind.MEET else ""
            batch = draft_check_in(workspace, journal, contact.id, now=now, note=note, push=False)
        waiting.update(r for d in batch.drafts for r in d.recipients)
        steps.append(PlannedStep(line, drafts=batch.drafts))
    drafts = [d for planned in steps for d in planned.drafts]
    pushing = finish_batch(workspace, journal, drafts, now=now, push=push, environ=environ)
    errors = (pushing.push_error,) if pushing.push_error else ()
    return PlanResult(steps=tuple(steps), pushed=pushing.pushed, push_errors=errors)
