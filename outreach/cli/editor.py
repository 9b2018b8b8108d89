"""The user's editor: $VISUAL, else $EDITOR, run on one file until it exits.

The command is split like a shell would (`code --wait`, `emacsclient -t`)
and given the file's path as its last argument; a script works as well as
an interactive editor, so editing can be scripted and tested.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from outreach.base.errors import InputError, OutreachError, Problem


def editor_command(environ: Mapping[str, str]) -> list[str]:
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError as exc:
                raise InputError([Problem(f"${name}", f"cannot split '{value}': {exc}")]) from None
    raise InputError(
        [Problem("drafts edit", "no editor: set $VISUAL or $EDITOR")],
        hint="for example: EDITOR=nano outreach drafts edit ID",
    )


def run_editor(command: list[str], path: Path, environ: Mapping[str, str]) -> None:
    """Run the editor on `path` and wait; an editor that fails leaves the draft as it was."""
    try:
        done = subprocess.run([*command, str(path)], check=False, env=dict(environ))
    except OSError as exc:
        raise OutreachError(
            f"cannot run the editor '{command[0]}': {exc.strerror}",
            hint="check $VISUAL or $EDITOR",
        ) from exc
    if done.returncode != 0:
        raise OutreachError(
            f"the editor '{command[0]}' exited with status {done.returncode};"
            " the draft is unchanged"
        )
