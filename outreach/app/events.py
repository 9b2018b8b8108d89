"""Event use cases: listing events with their shares, importing iCalendar files.

Importing appends to `events.toml` atomically and leaves the text already
there exactly as the user wrote it; the whole file is validated before it
is written, so an import never leaves a file outreach cannot read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from outreach.base.errors import InputError, Problem
from outreach.base.model import ME, Event
from outreach.core.events import parse_events
from outreach.core.recur import next_occurrence
from outreach.core.shares import choose_recipients
from outreach.core.validation import did_you_mean
from outreach.store.journal import Journal
from outreach.store.journal.drafts import sent_event_shares, shared_events
from outreach.store.localzone import local_zone_name
from outreach.store.workspace import Workspace, atomic_write, read_bytes, read_text

if TYPE_CHECKING:
    from outreach.core.events_import import CalendarImport, ImportedEvent


@dataclass(frozen=True, slots=True)
class EventRow:
    event: Event
    next: Event | None  # as of its next occurrence not over (None: it is over)
    shared: int  # people it has been drafted to (sent or not; not discarded)
    audience: int  # people it would go to in all (share_with or tag overlap)
    sent: int = 0  # of `shared`, the people it was sent to

    @property
    def over(self) -> bool:
        return self.next is None


def list_events(
    workspace: Workspace, journal: Journal, *, now: datetime, include_over: bool = False
) -> list[EventRow]:
    """Events by their next occurrence, soonest first (those over last), with how
    many people each has been drafted and sent to so far."""
    ids = [e.id for e in workspace.events]
    shared, sent = shared_events(journal, ids), sent_event_shares(journal, ids)
    rows = []
    for event in workspace.events:
        following = next_occurrence(event, now=now)
        if following is None and not include_over:
            continue
        audience = len(choose_recipients(event, workspace.roster))
        rows.append(
            EventRow(
                event,
                following,
                len(shared.get(event.id, ())),
                audience,
                sent=len(sent.get(event.id, ())),
            )
        )
    rows.sort(key=lambda r: (r.next is None, (r.next or r.event).start, r.event.id))
    return rows


@dataclass(frozen=True, slots=True)
class ImportResult:
    found: CalendarImport
    dry_run: bool = False
    text: str = ""  # the TOML appended (or that would be)

    @property
    def added(self) -> tuple[ImportedEvent, ...]:
        return self.found.events


def import_calendar(
    workspace: Workspace,
    path: Path,
    *,
    now: datetime,
    host: str | None = None,
    tags: Sequence[str] = (),
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> ImportResult:
    """Append the calendar's upcoming events to events.toml; organizers map to hosts.

    `host` (a contact id or "me") hosts the events whose organizer is not in
    the roster; without it those are returned in `needs_host` and left out.
    Floating and all-day times are read in the calendar's zone, else the
    workspace's `timezone`, else the machine's.
    """
    # iCalendar parsing loads only here, not for every command that lists events.
    from outreach.core.events_import import append_text, events_toml, read_calendar

    if host is not None and host != ME and host not in workspace.roster:
        ids = [c.id for c in workspace.roster]
        raise InputError(
            [
                Problem(
                    "--host", f"'{host}' is not a contact id (or \"me\"){did_you_mean(host, ids)}"
                )
            ]
        )
    data = read_bytes(path, str(path))
    events_path = workspace.events_path
    existing = read_text(events_path, str(events_path)) if events_path.is_file() else ""
    found = read_calendar(
        data,
        path=str(path),
        roster=workspace.roster,
        my_addresses=workspace.config.me.addresses,
        events_text=existing,
        now=now,
        default_zone=workspace.config.timezone
        or local_zone_name(os.environ if environ is None else environ),
        host=host,
        extra_tags=[t.strip().lower() for t in tags if t.strip()],
    )
    addition = events_toml(found.events)
    result = ImportResult(found, dry_run, addition)
    if dry_run or not found.events:
        return result
    combined = append_text(existing, addition)
    # Validate the whole file as the next run will read it, before writing it.
    parse_events(
        combined,
        workspace.roster,
        workspace.config.circles,
        str(events_path),
        default_zone=workspace.config.timezone,
    )
    atomic_write(events_path, combined)
    return result
