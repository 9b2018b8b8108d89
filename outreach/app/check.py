"""`outreach check`: validate everything a run would read, report it all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from outreach.base.errors import InputError, Problem
from outreach.core.render import KINDS, Me, check_templates
from outreach.store.workspace import load_config, load_workspace, template_overrides


@dataclass(frozen=True, slots=True)
class CheckResult:
    contacts: int
    events: int
    mailboxes: int
    templates: int


def check_workspace(root: Path) -> CheckResult:
    """Raise InputError listing every problem; otherwise count what was checked.

    The templates are checked even when the roster or events do not
    validate, so one run shows everything that can be checked; the roster
    and events need the config's circles, so a broken config stops there.
    """
    config = load_config(root)
    problems: list[Problem] = []
    counts = (0, 0)
    try:
        workspace = load_workspace(root)
        counts = (len(workspace.roster), len(workspace.events))
    except InputError as exc:
        problems += exc.problems
    templates = template_overrides(root, config)
    problems += check_templates(templates, me=Me(config.me.name, config.me.email))
    InputError.collect(problems)
    return CheckResult(
        contacts=counts[0],
        events=counts[1],
        mailboxes=len(config.mailboxes),
        templates=len(KINDS),
    )
