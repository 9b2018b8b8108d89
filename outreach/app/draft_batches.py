"""Writing a batch of drafts: files first, then the journal, never one without the other.

The files of a batch are written atomically (on a second thread, so the disk
works while the next drafts render), synced to disk once, then recorded in
one journal transaction. File names are stable, so a rerun after an
interruption rewrites what was not recorded instead of adding duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from outreach.compose import Party, compose_message
from outreach.intros import IntroMode, IntroStatus
from outreach.journal import Journal
from outreach.journal.drafts import NewDraft, SupportPlan, add_drafts, pending_paths
from outreach.journal.intros import create_intro, set_intro_status
from outreach.outbox import FileWriter, Outbox, new_message_id
from outreach.progress import Progress, no_progress
from outreach.render import Rendered
from outreach.workspace import Workspace

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
    """One draft to write: who, what, and what it records once sent."""

    kind: str
    stem: str  # the file name without `.eml`; stable, so a rerun rewrites rather than adds
    to: tuple[Party, ...]
    recipients: tuple[str, ...]  # contact ids ("" never; the user themself is no contact)
    rendered: Rendered
    support: tuple[SupportPlan, ...] = ()
    event_id: str | None = None
    intro_id: int | None = None
    new_intro: NewIntro | None = None
    intro_status: IntroStatus | None = None  # set on the intro when this draft is recorded


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


_Made = tuple[DraftSpec, str, str]  # the spec, its Message-ID, its workspace-relative path


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
    every draft finished before it is still recorded, then the error is
    raised. Holds the outbox lock throughout.
    """
    outbox = Outbox.of(workspace)
    domain = workspace.config.me.domain
    sender = Party(workspace.config.me.name, workspace.config.me.email)
    recorded: list[DraftInfo] = []
    intro_ids: dict[NewIntro, int] = {}
    queued: list[tuple[int, list[_Made]]] = []  # batches and how many files precede their end
    batch: list[_Made] = []
    files: list[tuple[str, bytes]] = []  # made, not yet handed to the writer
    submitted = 0

    def record_ready(*, everything: bool) -> None:
        while queued and (everything or writer.written >= queued[0][0]):
            end, ready = queued.pop(0)
            writer.wait_for(end)
            recorded.extend(_record(outbox, journal, ready, intro_ids, now=now))
            progress(len(recorded), total, label)

    with outbox.lock():
        taken = pending_paths(journal)
        writer = FileWriter(outbox)
        try:
            try:
                for group in groups:
                    # A group is kept whole or not at all: never one ask of a pair.
                    made: list[tuple[_Made, tuple[str, bytes]]] = []
                    for spec in group:
                        message_id = new_message_id(domain, spec.kind)
                        data = compose_message(
                            message_id=message_id,
                            now=now,
                            sender=sender,
                            to=spec.to,
                            subject=spec.rendered.subject,
                            text=spec.rendered.text,
                            html=spec.rendered.html,
                        )
                        stem = _free_stem(outbox, spec.stem, taken)
                        path = outbox.draft_relative(stem)
                        taken.add(path)
                        made.append(((spec, message_id, path), (stem, data)))
                    batch.extend(item for item, _ in made)
                    files.extend(file for _, file in made)
                    submitted += len(made)
                    if len(files) >= 32:
                        writer.put(files)
                        files = []
                    if len(batch) >= BATCH_SIZE:
                        writer.put(files)
                        files = []
                        queued.append((submitted, batch))
                        batch = []
                        record_ready(everything=False)
            finally:
                # Whatever stopped the loop, what was made is whole and worth keeping.
                writer.put(files)
                if batch:
                    queued.append((submitted, batch))
                if writer.error is None:
                    record_ready(everything=True)
        finally:
            writer.close()
    # A write that failed after the last wait (late in a short batch) must not
    # pass for success: nothing of that batch was recorded.
    if writer.error is not None:
        raise writer.error
    return recorded


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
    batch: list[_Made],
    intro_ids: dict[NewIntro, int],
    *,
    now: datetime,
) -> list[DraftInfo]:
    outbox.flush()  # the files are on disk before the journal says they exist
    with journal.transaction():
        resolved: list[int | None] = []
        for spec, _, _ in batch:
            new = spec.new_intro
            if new is not None and new not in intro_ids:
                intro_ids[new] = create_intro(
                    journal, new.a, new.b, why=new.why, mode=new.mode, status=new.status, now=now
                )
            resolved.append(intro_ids[new] if new is not None else spec.intro_id)
        ids = add_drafts(
            journal,
            [
                NewDraft(
                    message_id=message_id,
                    kind=spec.kind,
                    subject=spec.rendered.subject,
                    path=path,
                    recipients=spec.recipients,
                    support=spec.support,
                    event_id=spec.event_id,
                    intro_id=intro_id,
                )
                for (spec, message_id, path), intro_id in zip(batch, resolved, strict=True)
            ],
            now=now,
        )
        for (spec, _, _), intro_id in zip(batch, resolved, strict=True):
            if spec.intro_status is not None and intro_id is not None:
                set_intro_status(journal, intro_id, spec.intro_status, now=now)
    return [
        DraftInfo(
            id=draft_id,
            message_id=message_id,
            kind=spec.kind,
            subject=spec.rendered.subject,
            path=path,
            recipients=spec.recipients,
            event_id=spec.event_id,
            intro_id=intro_id,
        )
        for (spec, message_id, path), intro_id, draft_id in zip(batch, resolved, ids, strict=True)
    ]
