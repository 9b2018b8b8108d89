"""Tab completion through argcomplete: commands, options, contact, event and draft ids.

The shell runs `outreach` with `_ARGCOMPLETE` set; argcomplete reads the
words typed from the environment, walks the parser and prints candidates.
Ids come from the workspace (`--home` if typed, else $OUTREACH_HOME, else
the current folder); a workspace that cannot be read completes nothing
rather than printing an error into the user's command line.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from outreach.base.errors import OutreachError
from outreach.store.workspace import Workspace, load_workspace, resolve_home

Completer = Callable[..., list[str]]
SHELLS = ("bash", "zsh", "fish")


def shell_script(shell: str) -> str:
    """The script that makes `shell` complete `outreach` (argcomplete's own shellcode)."""
    import argcomplete

    return str(argcomplete.shellcode(["outreach"], shell=shell))


def complete_if_asked(parser_for: Callable[[], argparse.ArgumentParser]) -> None:
    """When the shell asks for completions, print them and exit; otherwise return at once."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    parser = parser_for()
    attach_completers(parser)
    argcomplete.autocomplete(parser)


def _workspace(parsed_args: argparse.Namespace) -> Workspace | None:
    home = resolve_home(getattr(parsed_args, "home", None), os.environ, Path.cwd())
    try:
        return load_workspace(home, read_only_view=True)
    except OutreachError:
        return None


def contact_ids(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    workspace = _workspace(parsed_args)
    if workspace is None:
        return []
    return [c.id for c in workspace.roster if c.id.startswith(prefix)]


def event_ids(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    workspace = _workspace(parsed_args)
    if workspace is None:
        return []
    return [e.id for e in workspace.events if e.id.startswith(prefix)]


def circle_names(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    workspace = _workspace(parsed_args)
    if workspace is None:
        return []
    return [name for name in workspace.config.circles if name.startswith(prefix)]


def _draft_ids(*, include_done: bool) -> Completer:
    def complete(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
        from outreach.app.drafting import pending_drafts
        from outreach.store.journal import Journal

        workspace = _workspace(parsed_args)
        # Completing never creates a journal where there was none.
        if workspace is None or not workspace.journal_path.is_file():
            return []
        try:
            with Journal.open(workspace.journal_path) as journal:
                records = pending_drafts(journal, include_done=include_done)
        except OutreachError:
            return []
        return [str(r.id) for r in records if str(r.id).startswith(prefix)]

    return complete


def completer_for(path: tuple[str, ...], action: argparse.Action) -> Completer | None:
    """What an argument names, read from how it is declared: draft ids under `drafts`,
    event ids for --event, circles for --circle, contact ids where its help says so."""
    help_text = (action.help or "").lower()
    if path[:1] == ("drafts",) and action.metavar == "ID":
        return _draft_ids(include_done=path[1:] == ("show",))
    if "--event" in action.option_strings:
        return event_ids
    if "--circle" in action.option_strings:
        return circle_names
    if "--host" in action.option_strings or (
        action.metavar in ("ID", "A", "B") and "contact" in help_text
    ):
        return contact_ids
    return None


def attach_completers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                attach_completers(sub, (*path, name))
            continue
        completer = completer_for(path, action)
        if completer is not None:
            action.completer = completer  # type: ignore[attr-defined]
