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
        if self._workspace is None:
            self._workspace = load_workspace(self.home)
        return self._workspace

    def journal(self) -> Journal:
        """The workspace's journal, opened once and closed when the command ends."""
        if self._journal is None:
            self._journal = Journal.open(self.workspace().journal_path)
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
