"""Renaming a contact without losing their history, and finding history nobody owns.

`rename_contact` edits roster.toml's table headers in place (atomically,
after checking the result validates), the events that name the id as host
or in share_with, and moves the journal's history in one transaction.
`orphaned_history` is what `check` warns about: ids with history that the
roster no longer has, naming the contact that now has their address.
History is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.base.errors import InputError, Problem
from outreach.core.roster import CONTACT_ID, read_roster
from outreach.core.roster_rename import (
    RenameError,
    rename_in_events_text,
    rename_in_roster_text,
)
from outreach.store.journal import Journal
from outreach.store.journal.renames import (
    Moved,
    addresses_of,
    has_history,
    ids_with_history,
    move_history,
)
from outreach.store.workspace import Workspace, atomic_write, read_text


@dataclass(frozen=True, slots=True)
class RenameResult:
    roster_edited: bool  # False: the roster named NEW already (renamed by hand)
    moved: Moved


def rename_contact(workspace: Workspace, journal: Journal, old: str, new: str) -> RenameResult:
    """Rename `old` to `new` in the roster (unless done by hand already) and in the journal."""
    path = workspace.roster_path
    origin = "contacts rename"
    if not CONTACT_ID.fullmatch(new):
        raise InputError(
            [Problem(origin, f"'{new}' is not a valid id: letters, digits, '.', '-', '_'")]
        )
    if old == new:
        raise InputError([Problem(origin, "the old and the new id are the same")])
    roster = workspace.roster
    edited = False
    if roster.get(old) is not None:
        if roster.get(new) is not None:
            raise InputError(
                [Problem(str(path), f"both '{old}' and '{new}' are in the roster")],
                hint=f"merge them by hand, remove [contacts.{old}], then run"
                f" `outreach contacts rename {old} {new}` to move its history",
            )
        text = read_text(path, str(path))
        try:
            updated = rename_in_roster_text(text, old, new)
        except RenameError as exc:
            raise InputError(
                [Problem(str(path), str(exc))],
                hint=f"rename it by hand, then run `outreach contacts rename {old} {new}`",
            ) from None
        _, problems = read_roster(updated, workspace.config.circles, str(path))
        InputError.collect(problems)
        atomic_write(path, updated)
        edited = True
        _rename_in_events(workspace, old, new)
    elif roster.get(new) is None:
        raise InputError(
            [Problem(origin, f"neither '{old}' nor '{new}' is in the roster")],
        )
    elif not has_history(journal, old):
        raise InputError(
            [Problem(origin, f"'{old}' has no history to move and is not in the roster")],
        )
    return RenameResult(edited, move_history(journal, old, new))


def _rename_in_events(workspace: Workspace, old: str, new: str) -> None:
    """Events hosted by or shared with `old` now name `new` (the file is left as is otherwise)."""
    path = workspace.events_path
    if not path.exists():
        return
    text = read_text(path, str(path))
    updated = rename_in_events_text(text, old, new)
    if updated != text:
        atomic_write(path, updated)


def orphaned_history(workspace: Workspace, journal: Journal) -> list[str]:
    """One warning per id with history that the roster no longer has."""
    roster = workspace.roster
    warnings = []
    for old in sorted(ids_with_history(journal)):
        if roster.get(old) is not None:
            continue
        heirs = sorted(
            {c.id for a in addresses_of(journal, old) if (c := roster.by_address(a)) is not None}
        )
        if len(heirs) == 1:
            new = heirs[0]
            warnings.append(
                f"{old}'s history now belongs to no one: did you rename {old} to {new}?"
                f" run `outreach contacts rename {old} {new}`"
            )
        else:
            warnings.append(
                f"{old}'s history now belongs to no one: if {old} was renamed in roster.toml,"
                f" run `outreach contacts rename {old} NEW_ID` to keep it"
            )
    return warnings


__all__ = ["RenameResult", "orphaned_history", "rename_contact"]
