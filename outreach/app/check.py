"""`outreach check`: validate everything a run would read, report it all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from outreach.workspace import load_workspace


@dataclass(frozen=True, slots=True)
class CheckResult:
    contacts: int
    events: int
    mailboxes: int
    templates: int


def check_workspace(root: Path) -> CheckResult:
    """Raise InputError listing every problem; otherwise count what was checked."""
    workspace = load_workspace(root)
    return CheckResult(
        contacts=len(workspace.roster),
        events=len(workspace.events),
        mailboxes=len(workspace.config.mailboxes),
        templates=0,
    )
