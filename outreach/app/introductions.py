"""Introduction use cases: direct intros, double opt-in asks, ready intros, batches, suggestions.

A direct intro is one email to both people. A double opt-in intro first asks
each person separately; once sync has linked a reply from each to their ask,
`draft_ready_intros` drafts the joint introduction. Asks that go unanswered
are shown by the report and never chased. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from outreach.app.draft_batches import holding_the_outbox
from outreach.app.drafting import (
    DraftBatch,
    DraftSpec,
    NewIntro,
    finish_batch,
    me_of,
    party,
    sent_to,
    write_drafts,
)
from outreach.base.errors import InputError, Problem
from outreach.base.model import Contact, TouchKind
from outreach.base.progress import Progress, no_progress
from outreach.core.intros import (
    IntroMode,
    IntroRequest,
    IntroStatus,
    ordered_pair,
    parse_intro_requests,
    resolve_pair,
)
from outreach.core.render import Me, Templates, intro_ask_context, intro_context
from outreach.core.suggest import IntroSuggestion, suggest_introductions
from outreach.store.journal import Journal
from outreach.store.journal.drafts import SupportPlan
from outreach.store.journal.intros import (
    IntroRecord,
    declined_intro_for,
    introduced_pairs,
    open_intro_for,
    ready_intros,
)
from outreach.store.outbox import safe_stem
from outreach.store.workspace import Workspace, read_text


def _intro_spec(
    templates: Templates,
    me: Me,
    a: Contact,
    b: Contact,
    *,
    why: str,
    now: datetime,
    asked: bool,
    intro_id: int | None = None,
    new_intro: NewIntro | None = None,
) -> DraftSpec:
    render = templates.job("intro", intro_context(me=me, a=a, b=b, why=why, asked=asked, now=now))
    first, second = ordered_pair(a.id, b.id)
    return DraftSpec(
        kind="intro",
        stem=safe_stem("intro", first, second),
        to=(party(a), party(b)),
        recipients=(a.id, b.id),
        render=render,
        # An introduction supports both people it connects.
        support=(
            SupportPlan(a.id, TouchKind.INTRO),
            SupportPlan(b.id, TouchKind.INTRO),
            *sent_to([a.id, b.id]),
        ),
        intro_id=intro_id,
        new_intro=new_intro,
        intro_status=IntroStatus.INTRODUCED if intro_id is not None else None,
    )


def _ask_specs(
    templates: Templates, me: Me, a: Contact, b: Contact, *, why: str, now: datetime
) -> list[DraftSpec]:
    new = NewIntro(*ordered_pair(a.id, b.id), why, IntroMode.DOUBLE_OPT_IN, IntroStatus.ASKED)
    specs = []
    for person, other in ((a, b), (b, a)):
        render = templates.job(
            "intro_ask", intro_ask_context(me=me, contact=person, other=other, why=why, now=now)
        )
        specs.append(
            DraftSpec(
                kind="intro_ask",
                stem=safe_stem("intro_ask", *ordered_pair(a.id, b.id), "to", person.id),
                to=(party(person),),
                recipients=(person.id,),
                render=render,
                support=tuple(sent_to([person.id])),
                new_intro=new,
            )
        )
    return specs


def _open_intro_note(intro: IntroRecord) -> str:
    pair = f"{intro.contact_a} and {intro.contact_b}"
    since = f"{intro.created_at:%Y-%m-%d}"
    if intro.status is IntroStatus.ASKED:
        return f"{pair}: asked on {since}, waiting for both to answer"
    if intro.status is IntroStatus.READY:
        return f"{pair}: both answered; draft it with `outreach draft intros --ready`"
    return f"{pair}: already introduced on {since}"


def _refusal(journal: Journal, a: Contact, b: Contact, *, again: bool) -> str | None:
    """Why this pair is not to be drafted: a decision already made, or an opt-out."""
    for person in (a, b):
        if not person.intros:
            return f"{a.id} and {b.id}: {person.id} has intros = false in roster.toml"
    if again:
        return None
    declined = declined_intro_for(journal, a.id, b.id)
    if declined is not None:
        return (
            f"{declined.contact_a} and {declined.contact_b}: declined or withdrawn on"
            f" {declined.updated_at:%Y-%m-%d}; --again drafts it anyway"
        )
    return None


@holding_the_outbox
def draft_intro_requests(
    workspace: Workspace,
    journal: Journal,
    requests: Sequence[IntroRequest],
    *,
    now: datetime,
    double_opt_in: bool = False,
    progress: Progress = no_progress,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
    again: bool = False,
) -> DraftBatch:
    """Draft each intro (or its two asks); pairs already under way are noted, not redone.

    A pair declined before (a no, or a discarded draft) is left out unless
    `again`; a person with `intros = false` always is.
    """
    templates = Templates(workspace.template_overrides())
    me = me_of(workspace)
    notes: list[str] = []
    groups: list[list[DraftSpec]] = []
    for request in requests:
        a, b = resolve_pair(workspace.roster, request.a, request.b, request.where or "intro")
        existing = open_intro_for(journal, a.id, b.id)
        if existing is not None:
            notes.append(_open_intro_note(existing))
            continue
        refusal = _refusal(journal, a, b, again=again)
        if refusal is not None:
            notes.append(refusal)
            continue
        why = " ".join(request.why.split())
        opt_in = double_opt_in if request.double_opt_in is None else request.double_opt_in
        if opt_in:
            groups.append(_ask_specs(templates, me, a, b, why=why, now=now))
        else:
            new = NewIntro(*ordered_pair(a.id, b.id), why, IntroMode.DIRECT, IntroStatus.INTRODUCED)
            groups.append(
                [_intro_spec(templates, me, a, b, why=why, now=now, asked=False, new_intro=new)]
            )
    total = sum(len(g) for g in groups)
    drafts = write_drafts(
        workspace, journal, groups, now=now, progress=progress, total=total, label="drafting intros"
    )
    return finish_batch(
        workspace, journal, drafts, now=now, push=push, environ=environ, notes=notes
    )


@holding_the_outbox
def draft_intro(
    workspace: Workspace,
    journal: Journal,
    a: str,
    b: str,
    *,
    now: datetime,
    why: str = "",
    double_opt_in: bool = False,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
    again: bool = False,
) -> DraftBatch:
    """`outreach draft intro A B`: one email to both, or with `double_opt_in` two asks.

    A pair already introduced, or asked and waiting, is refused: the user
    should not send the same introduction twice by accident. So is a pair
    declined before, unless `again`, and anyone with `intros = false`.
    """
    first, second = resolve_pair(workspace.roster, a, b, "intro")
    existing = open_intro_for(journal, a, b)
    if existing is not None:
        raise InputError(
            [Problem("intro", _open_intro_note(existing))],
            hint="see the drafts with `outreach drafts list --all`",
        )
    refusal = _refusal(journal, first, second, again=again)
    if refusal is not None:
        raise InputError([Problem("intro", refusal)])
    request = IntroRequest(a, b, why, double_opt_in, where="intro")
    return draft_intro_requests(
        workspace,
        journal,
        [request],
        now=now,
        double_opt_in=double_opt_in,
        push=push,
        environ=environ,
        again=again,
    )


def draft_intros_from_file(
    workspace: Workspace,
    journal: Journal,
    path: Path,
    *,
    now: datetime,
    double_opt_in: bool = False,
    progress: Progress = no_progress,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
    again: bool = False,
) -> DraftBatch:
    """A batch from a TOML (`[[intros]]` with a, b, why) or CSV (a,b,why) file of pairs."""
    text = read_text(path, str(path))
    requests = parse_intro_requests(text, str(path), workspace.roster)
    return draft_intro_requests(
        workspace,
        journal,
        requests,
        now=now,
        double_opt_in=double_opt_in,
        progress=progress,
        push=push,
        environ=environ,
        again=again,
    )


@holding_the_outbox
def draft_ready_intros(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    progress: Progress = no_progress,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> DraftBatch:
    """The joint introduction for every double opt-in whose two people both answered.

    An answer counts as willingness to review, not as a yes: the joint
    introduction is a draft, and the user discards it if someone declined.
    """
    templates = Templates(workspace.template_overrides())
    me = me_of(workspace)
    notes: list[str] = []
    groups: list[list[DraftSpec]] = []
    for intro in ready_intros(journal):
        a = workspace.roster.get(intro.contact_a)
        b = workspace.roster.get(intro.contact_b)
        if a is None or b is None:
            missing = intro.contact_a if a is None else intro.contact_b
            notes.append(f"{intro.contact_a} and {intro.contact_b}: '{missing}' left the roster")
            continue
        groups.append(
            [
                _intro_spec(
                    templates, me, a, b, why=intro.why, now=now, asked=True, intro_id=intro.id
                )
            ]
        )
    drafts = write_drafts(
        workspace,
        journal,
        groups,
        now=now,
        progress=progress,
        total=len(groups),
        label="drafting ready intros",
    )
    return finish_batch(
        workspace, journal, drafts, now=now, push=push, environ=environ, notes=notes
    )


def suggested_intros(
    workspace: Workspace, journal: Journal, *, limit: int | None = None
) -> list[IntroSuggestion]:
    """Pairs who should know each other and have not been introduced, best first."""
    return suggest_introductions(
        workspace.roster, already_introduced=introduced_pairs(journal), limit=limit
    )


def draft_suggested_intros(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    limit: int,
    double_opt_in: bool = False,
    progress: Progress = no_progress,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> DraftBatch:
    """Draft the top `limit` suggestions.

    The suggestion's reason speaks to the user ("you want to connect Ben…"),
    not to the two people, so the drafts say why through their shared tags;
    add your own words in review.
    """
    requests = [
        IntroRequest(s.a.id, s.b.id, "", None, where="suggestion")
        for s in suggested_intros(workspace, journal, limit=limit)
    ]
    return draft_intro_requests(
        workspace,
        journal,
        requests,
        now=now,
        double_opt_in=double_opt_in,
        progress=progress,
        push=push,
        environ=environ,
    )
