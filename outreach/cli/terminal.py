"""Terminal output helpers: a throttled progress line on stderr, TTY only."""

from __future__ import annotations

import time
from typing import TextIO

from outreach.base.progress import Progress, no_progress


class TerminalProgress:
    """Rewrites one status line at most ten times a second, with a rate."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._label = ""
        self._drawn = False

    def __call__(self, done: int, total: int | None, label: str) -> None:
        now = time.monotonic()
        if label != self._label:
            self._started, self._label = now, label
        finished = total is not None and done >= total
        if not finished and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        elapsed = max(now - self._started, 1e-6)
        count = f"{done:,}/{total:,}" if total is not None else f"{done:,}"
        self._stream.write(f"\r\033[K{label}: {count} ({done / elapsed:,.0f}/s)")
        self._drawn = True
        if finished:
            self.finish()

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


def progress_for(stream: TextIO) -> Progress:
    """A progress line on a terminal; silence anywhere else (pipes, cron, tests)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return TerminalProgress(stream)
    return no_progress
