"""Writing a batch of drafts: files first, then the journal, never one without the other.

Drafts are planned here (file name, Message-ID, batch), then made (rendered,
composed and written atomically to their files) batch by batch; a large run
makes its batches on every core (`outreach.app.parallel`). Each batch is
synced to disk once, then recorded in one journal transaction, in order.
File names are stable, so a rerun after an interruption rewrites what was
not recorded instead of adding duplicates.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

from outreach.app.parallel import results_in_order, usable_cores
from outreach.base.collector import collector_paused
from outreach.base.errors import OutreachError, WorkspaceError
from outreach.base.progress import Progress, no_progress
from outreach.core.compose import Party, compose_message
from outreach.core.intros import IntroMode, IntroStatus
from outreach.core.render import Rendered
from outreach.store.journal import Journal
from outreach.store.journal.drafts import NewDraft, SupportPlan, add_drafts, pending_paths
from outreach.store.journal.intros import create_intro, set_intro_status
from outreach.store.outbox import Outbox, new_message_id
from outreach.store.workspace import Workspace

P = ParamSpec("P")
R = TypeVar("R")

BATCH_SIZE = 500  # drafts per sync-and-commit: bounds what an interruption can lose


@dataclass(frozen=True, slots=True)
class NewIntro:
    """An intro row to create in the same transaction as its drafts."""

    a: str
    b: str
    why: str
    mode: IntroMode
    status: IntroStatus


@dataclass(frozen=True, slots=True)
class DraftSpec:
    """One draft to write: who, what, and what it records once sent.

    `render` is called when the draft is made, which may be in a worker
    process: rendering is most of a draft's cost, so it is spread over the
    cores with the rest (see `Templates.job`).
    """

    kind: str
    stem: str  # the file name without `.eml`; stable, so a rerun rewrites rather than adds
    to: tuple[Party, ...]
    recipients: tuple[str, ...]  # contact ids ("" never; the user themself is no contact)
    render: Callable[[], Rendered]
    support: tuple[SupportPlan, ...] = ()
    event_id: str | None = None
    intro_id: int | None = None
    new_intro: NewIntro | None = None
    intro_status: IntroStatus | None = None  # set on the intro when this draft is recorded


def already_rendered(rendered: Rendered) -> Callable[[], Rendered]:
    """A `DraftSpec.render` for text that was written out, not rendered from a template."""
    return lambda: rendered


@dataclass(frozen=True, slots=True)
class DraftInfo:
    """A draft that was written and recorded."""

    id: int
    message_id: str
    kind: str
    subject: str
    path: str  # relative to the workspace
    recipients: tuple[str, ...]
    event_id: str | None = None
    intro_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Planned:
    spec: DraftSpec
    message_id: str
    stem: str
    path: str  # workspace-relative


_Batch = list[list[_Planned]]  # whole groups only: never one ask of a pair without the other


@dataclass(frozen=True, slots=True)
class _BatchMade:
    """What a (possibly forked) maker sends back: small, and it pickles."""

    subjects: tuple[str, ...]  # of the batch's first drafts, made and on disk, whole groups
    error: OutreachError | None = None  # what stopped the batch early


class _Maker:
    """Renders, composes and writes the drafts of one batch, by batch number."""

    def __init__(self, outbox: Outbox, batches: list[_Batch], sender: Party, now: datetime) -> None:
        self._outbox, self._batches, self._sender, self._now = outbox, batches, sender, now

    def make(self, index: int) -> _BatchMade:
        finished: list[str] = []
        try:
            for group in self._batches[index]:
                # A group is composed whole before any of it is written.
                subjects, files = [], []
                for planned in group:
                    rendered = planned.spec.render()
                    subjects.append(rendered.subject)
                    files.append((planned.stem, self._compose(planned, rendered)))
                for stem, data in files:
                    self._outbox.write(stem, data)
                finished.extend(subjects)
        except OutreachError as exc:
            return _BatchMade(tuple(finished), exc)
        return _BatchMade(tuple(finished))

    def _compose(self, planned: _Planned, rendered: Rendered) -> bytes:
        return compose_message(
            message_id=planned.message_id,
            now=self._now,
            sender=self._sender,
            to=planned.spec.to,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
        )


def holding_the_outbox(
    use_case: Callable[Concatenate[Workspace, P], R],
) -> Callable[Concatenate[Workspace, P], R]:
    """Run a drafting use case under the outbox lock, from its first look at the journal.

    A use case decides what to draft from the journal (what was shared, which
    intros are open); two commands at once must not both decide to draft the
    same thing. A dry run drafts nothing and takes no lock.
    """

    @functools.wraps(use_case)
    def run(workspace: Workspace, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs.get("dry_run"):
            return use_case(workspace, *args, **kwargs)
        with Outbox.of(workspace).lock():
            return use_case(workspace, *args, **kwargs)

    return run


def write_drafts(
    workspace: Workspace,
    journal: Journal,
    groups: Iterable[Sequence[DraftSpec]],
    *,
    now: datetime,
    progress: Progress = no_progress,
    total: int | None = None,
    label: str = "drafting",
) -> list[DraftInfo]:
    """Write and record drafts batch by batch; returns the drafts recorded.

    `groups` keeps drafts that belong together (the two asks of an intro) in
    the same batch. If making a draft fails part-way (a template error, say),
    every batch before it and the whole groups before it in its own batch are
    still recorded, files made but not recorded are removed, then the error
    is raised. Holds the outbox lock throughout.
    """
    outbox = Outbox.of(workspace)
    sender = Party(workspace.config.me.name, workspace.config.me.email)
    recorded: list[DraftInfo] = []
    with outbox.lock(), collector_paused():
        batches = _plan(outbox, groups, pending_paths(journal), workspace.config.me.domain)
        maker = _Maker(outbox, batches, sender, now)
        workers = usable_cores() if len(batches) > 1 else 1
        try:
            with results_in_order(maker.make, len(batches), workers=workers) as runs:
                unrecorded = iter(batches)
                intro_ids: dict[NewIntro, int] = {}
                for run in runs:
                    # Every batch made by now goes to disk and journal together.
                    done: list[tuple[_Planned, str]] = []
                    error = None
                    for made in run:
                        drafts = [planned for group in next(unrecorded) for planned in group]
                        done.extend(zip(drafts, made.subjects, strict=False))
                        if made.error is not None:
                            error = made.error
                            break
                    if done:
                        recorded.extend(_record(outbox, journal, done, intro_ids, now=now))
                        progress(len(recorded), total, label)
                    if error is not None:
                        raise error
        except BaseException:
            # A draft is its file and its journal row: files the journal did
            # not take (other workers' batches made meanwhile) go too.
            _remove_unrecorded(outbox, batches, len(recorded))
            raise
    return recorded


def _remove_unrecorded(outbox: Outbox, batches: list[_Batch], recorded: int) -> None:
    planned = [draft for batch in batches for group in batch for draft in group]
    for draft in planned[recorded:]:
        with contextlib.suppress(WorkspaceError):  # the error in hand matters more
            outbox.remove(draft.path)


def _plan(
    outbox: Outbox, groups: Iterable[Sequence[DraftSpec]], taken: set[str], domain: str
) -> list[_Batch]:
    """Name every draft and cut the run into batches of whole groups."""
    batches: list[_Batch] = []
    batch: _Batch = []
    size = 0
    for group in groups:
        planned_group = []
        for spec in group:
            stem = _free_stem(outbox, spec.stem, taken)
            path = outbox.draft_relative(stem)
            taken.add(path)
            planned_group.append(_Planned(spec, new_message_id(domain, spec.kind), stem, path))
        batch.append(planned_group)
        size += len(planned_group)
        if size >= BATCH_SIZE:
            batches.append(batch)
            batch, size = [], 0
    if batch:
        batches.append(batch)
    return batches


def _free_stem(outbox: Outbox, stem: str, taken: set[str]) -> str:
    """`stem`, or `stem-2`… when a pending draft already owns that file."""
    candidate, counter = stem, 1
    while outbox.draft_relative(candidate) in taken:
        counter += 1
        candidate = f"{stem}-{counter}"
    return candidate


def _record(
    outbox: Outbox,
    journal: Journal,
    done: list[tuple[_Planned, str]],
    intro_ids: dict[NewIntro, int],
    *,
    now: datetime,
) -> list[DraftInfo]:
    """Record drafts made and on disk, with the subjects they rendered."""
    outbox.flush()  # the files are on disk before the journal says they exist
    with journal.transaction():
        resolved: list[int | None] = []
        for planned, _ in done:
            new = planned.spec.new_intro
            if new is not None and new not in intro_ids:
                intro_ids[new] = create_intro(
                    journal, new.a, new.b, why=new.why, mode=new.mode, status=new.status, now=now
                )
            resolved.append(intro_ids[new] if new is not None else planned.spec.intro_id)
        ids = add_drafts(
            journal,
            [
                NewDraft(
                    message_id=planned.message_id,
                    kind=planned.spec.kind,
                    subject=subject,
                    path=planned.path,
                    recipients=planned.spec.recipients,
                    support=planned.spec.support,
                    event_id=planned.spec.event_id,
                    intro_id=intro_id,
                )
                for (planned, subject), intro_id in zip(done, resolved, strict=True)
            ],
            now=now,
        )
        for (planned, _), intro_id in zip(done, resolved, strict=True):
            if planned.spec.intro_status is not None and intro_id is not None:
                set_intro_status(journal, intro_id, planned.spec.intro_status, now=now)
    return [
        DraftInfo(
            id=draft_id,
            message_id=planned.message_id,
            kind=planned.spec.kind,
            subject=subject,
            path=planned.path,
            recipients=planned.spec.recipients,
            event_id=planned.spec.event_id,
            intro_id=intro_id,
        )
        for (planned, subject), intro_id, draft_id in zip(done, resolved, ids, strict=True)
    ]
