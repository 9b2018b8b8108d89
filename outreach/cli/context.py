"""What every command handler is given: streams, environment, clock, workspace.

Streams, environment and the clock are passed in (never read from globals)
so tests drive the CLI in-process with a fixed `--as-of` and captured output.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from outreach.base.clock import Clock
from outreach.base.progress import Progress
from outreach.base.wording import plural
from outreach.cli.terminal import progress_for
from outreach.core.config import Config
from outreach.store.journal import Journal
from outreach.store.workspace import Workspace, load_config, load_workspace, resolve_home


@dataclass
class Context:
    args: argparse.Namespace
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    environ: Mapping[str, str]
    cwd: Path
    clock: Clock
    _workspace: Workspace | None = field(default=None, repr=False)
    _journal: Journal | None = field(default=None, repr=False)

    @property
    def home(self) -> Path:
        return resolve_home(getattr(self.args, "home", None), self.environ, self.cwd)

    def now(self) -> datetime:
        return self.clock()

    def config(self) -> Config:
        if self._workspace is not None:
            return self._workspace.config
        return load_config(self.home)

    def workspace(self) -> Workspace:
        if self._workspace is None or self._workspace.broken:
            self._workspace = load_workspace(self.home)
        return self._workspace

    def view_workspace(self, *, shows_contacts: bool = False) -> Workspace:
        """The workspace for a read-only view, which still works when the roster or
        events do not validate: one line on stderr says which file and where."""
        if self._workspace is None:
            self._workspace = load_workspace(self.home, read_only_view=True)
            if self._workspace.broken:
                self.err(broken_note(self._workspace, shows_contacts=shows_contacts))
        return self._workspace

    def journal(self) -> Journal:
        """The workspace's journal, opened once and closed when the command ends."""
        if self._journal is None:
            loaded = self._workspace if self._workspace is not None else self.workspace()
            self._journal = Journal.open(loaded.journal_path)
        return self._journal

    def progress(self) -> Progress:
        return progress_for(self.stderr)

    def interactive(self) -> bool:
        """Whether a person is at the keyboard: standard input is a terminal."""
        isatty = getattr(self.stdin, "isatty", None)
        try:
            return bool(isatty is not None and isatty())
        except ValueError:  # a closed stream
            return False

    def ask(self, question: str) -> bool:
        """Ask a yes/no question on the terminal; anything but y or yes is a no."""
        self.stdout.write(question)
        self.stdout.flush()
        answer = self.stdin.readline()
        return answer.strip().lower() in ("y", "yes")

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        self.stderr.write(text + "\n")

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def broken_note(workspace: Workspace, *, shows_contacts: bool) -> str:
    """`note: roster.toml:12:8: what is wrong; …`: the first problem, and what is shown."""
    first = workspace.broken[0]
    more = len(workspace.broken) - 1
    note = f"note: {first}" + (f" (and {plural(more, 'more problem')})" if more else "")
    if shows_contacts:
        note += (
            "; showing the contacts as they were when last read"
            if workspace.stale
            else "; showing no contacts"
        )
    return note + "; `outreach check` lists every problem"
