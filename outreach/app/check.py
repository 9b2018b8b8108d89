"""`outreach check`: validate everything a run would read, report it all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from outreach.base.errors import InputError
from outreach.core.render import KINDS, Me, check_templates
from outreach.store.workspace import load_workspace


@dataclass(frozen=True, slots=True)
class CheckResult:
    contacts: int
    events: int
    mailboxes: int
    templates: int


def check_workspace(root: Path) -> CheckResult:
    """Raise InputError listing every problem; otherwise count what was checked."""
    workspace = load_workspace(root)
    me = Me(workspace.config.me.name, workspace.config.me.email)
    InputError.collect(check_templates(workspace.template_overrides(), me=me))
    return CheckResult(
        contacts=len(workspace.roster),
        events=len(workspace.events),
        mailboxes=len(workspace.config.mailboxes),
        templates=len(KINDS),
    )
