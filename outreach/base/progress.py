"""Progress reporting as a callback, so long work stays testable and quiet.

Services call `progress(done, total, label)`; the CLI passes a terminal
implementation on a TTY and `no_progress` otherwise.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int | None, label: str) -> None: ...


def no_progress(done: int, total: int | None, label: str) -> None:
    """Progress that says nothing: for tests, cron and non-terminals."""
