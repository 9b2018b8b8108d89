"""Contacts use cases: list, add, import and export.

The roster is the user's hand-edited file: adding and importing append new
tables to its end (comments and order stay) and write it atomically, after
checking that the result still validates as a whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import tomli_w

from outreach.base.errors import InputError, Problem
from outreach.base.model import PERSON, Contact, Roster
from outreach.core.contacts_import import (
    ImportPlan,
    decode_contacts_file,
    parse_contacts_file,
    plan_import,
)
from outreach.core.roster import read_roster
from outreach.core.roster_edit import append_contacts, contact_toml
from outreach.store.journal import Journal
from outreach.store.journal.touches import ContactActivity, all_activity
from outreach.store.workspace import Workspace, atomic_write, read_bytes, read_text


def contacts_in(workspace: Workspace, *, circle: str | None = None) -> tuple[Contact, ...]:
    if circle is not None and circle not in workspace.config.circles:
        raise InputError(
            f"--circle '{circle}' is not a circle; circles are"
            f" {', '.join(sorted(workspace.config.circles))}"
        )
    return workspace.roster.in_circle(circle) if circle else workspace.roster.contacts


def _write_roster_with(workspace: Workspace, tables: Sequence[str], origin: str) -> Roster:
    """Append `tables` to roster.toml if the whole result validates; the new roster."""
    path = workspace.roster_path
    original = read_text(path, str(path)) if path.exists() else ""
    updated = append_contacts(original, list(tables))
    roster, problems = read_roster(updated, workspace.config.circles, str(path))
    if problems:
        # Problems past the original text come from what we were asked to add.
        first_new_line = original.count("\n") + 1
        raise InputError(
            [
                Problem(origin, p.message) if p.line is None or p.line >= first_new_line else p
                for p in problems
            ]
        )
    atomic_write(path, updated)
    return roster


def add_contact(
    workspace: Workspace,
    contact_id: str,
    *,
    name: str,
    emails: Sequence[str],
    circle: str | None,
    why: Sequence[str],
    tags: Sequence[str],
    org: str | None,
    notes: str | None,
) -> Contact:
    if contact_id in workspace.roster:
        raise InputError(
            f"a contact '{contact_id}' is already in {workspace.roster_path}",
            hint="pick another id, or edit roster.toml by hand",
        )
    try:
        table = contact_toml(
            contact_id,
            name=name,
            emails=emails,
            circle=circle,
            why=why,
            tags=tags,
            org=org,
            notes=notes,
        )
    except ValueError as exc:
        raise InputError(f"contacts add: {exc}") from None
    roster = _write_roster_with(workspace, [table], "contacts add")
    return roster[contact_id]


def import_contacts(
    workspace: Workspace,
    source: Path,
    *,
    circle: str | None,
    dry_run: bool,
    encoding: str | None = None,
) -> ImportPlan:
    """Append the people in a vCard, CSV or TOML export who are not in the roster yet."""
    data = read_bytes(source, str(source))
    text = decode_contacts_file(data, str(source), encoding=encoding)
    batch = parse_contacts_file(text, str(source))
    if circle is not None and circle not in workspace.config.circles:
        raise InputError(
            f"--circle '{circle}' is not a circle; circles are"
            f" {', '.join(sorted(workspace.config.circles))}"
        )
    plan = plan_import(batch, workspace.roster, circle=circle)
    if plan.new and not dry_run:
        _write_roster_with(workspace, plan.tables(), str(source))
    return plan


def _iso(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else ""


def export_contacts(roster: Roster, activity: dict[str, ContactActivity], *, fmt: str) -> str:
    """The roster with last touch and last support merged in, as TOML or CSV text."""
    empty = ContactActivity("", None, None, None, None)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "id",
                "name",
                "emails",
                "circle",
                "why",
                "tags",
                "cadence_days",
                "org",
                "notes",
                "links",
                "kind",
                "greeting",
                "timezone",
                "last_touch",
                "last_touch_kind",
                "last_support",
                "last_support_kind",
            ]
        )
        for c in roster:
            a = activity.get(c.id, empty)
            writer.writerow(
                [
                    c.id,
                    c.name,
                    " ".join(c.emails),
                    c.circle,
                    " ".join(c.why),
                    " ".join(c.tags),
                    c.cadence_days or "",
                    c.org or "",
                    c.notes or "",
                    " ".join(c.links),
                    c.kind,
                    c.greeting or "",
                    c.timezone or "",
                    _iso(a.last_touch_at),
                    a.last_touch_kind or "",
                    _iso(a.last_support_at),
                    a.last_support_kind or "",
                ]
            )
        return out.getvalue()
    tables: dict[str, dict[str, object]] = {}
    for c in roster:
        a = activity.get(c.id, empty)
        table: dict[str, object] = {
            "name": c.name,
            "emails": list(c.emails),
            "circle": c.circle,
            "why": [str(w) for w in c.why],
            "tags": list(c.tags),
        }
        optional = {
            "cadence_days": c.cadence_days,
            "kind": None if c.kind == PERSON else c.kind,
            "greeting": c.greeting,
            "timezone": c.timezone,
            "org": c.org,
            "notes": c.notes,
            "links": list(c.links) or None,
            "feeds": list(c.feeds) or None,
            "last_touch": a.last_touch_at,
            "last_touch_kind": a.last_touch_kind and str(a.last_touch_kind),
            "last_support": a.last_support_at,
            "last_support_kind": a.last_support_kind and str(a.last_support_kind),
        }
        table.update({k: v for k, v in optional.items() if v is not None})
        tables[c.id] = table
    return tomli_w.dumps({"contacts": tables})


def export_workspace_contacts(workspace: Workspace, journal: Journal, *, fmt: str) -> str:
    return export_contacts(workspace.roster, all_activity(journal), fmt=fmt)
