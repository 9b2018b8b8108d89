"""Waking sleeping loops: a self-pipe, and signal handlers that only set flags.

A signal handler must not take locks the interrupted code may hold (a queue's
or a logger's), so the handlers here set a flag and write one byte to a
pipe; the loops wait on that pipe with `select` and act on the flags. That
also makes waiting free: no polling tick burns CPU while the daemon idles.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType


class Wakeup:
    """A pipe to wait on: `notify()` from any thread or handler ends a `wait()`."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def fileno(self) -> int:
        return self._read

    def notify(self) -> None:
        # A full pipe means a wake-up is pending anyway; a closed one, nobody waits.
        with contextlib.suppress(OSError):
            os.write(self._write, b"!")

    def drain(self) -> None:
        try:
            while os.read(self._read, 512):
                pass
        except (BlockingIOError, OSError):
            pass

    def wait(self, timeout: float | None) -> bool:
        """Wait up to `timeout` seconds (None: forever); True when woken."""
        readable, _, _ = select.select([self._read], [], [], timeout)
        if readable:
            self.drain()
        return bool(readable)

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass
class SignalFlags:
    """What the signals asked for since the loop last looked."""

    wakeup: Wakeup
    stop_signal: str | None = None
    reload: bool = False
    _previous: dict[int, object] = field(default_factory=dict)

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signal.Signals(signum).name
        self.wakeup.notify()

    def _on_reload(self, signum: int, frame: FrameType | None) -> None:
        self.reload = True
        self.wakeup.notify()

    def install(self) -> None:
        """Take over SIGTERM, SIGINT and SIGHUP (main thread only)."""
        handlers: dict[int, Callable[[int, FrameType | None], None]] = {
            signal.SIGTERM: self._on_stop,
            signal.SIGINT: self._on_stop,
            signal.SIGHUP: self._on_reload,
        }
        for signum, handler in handlers.items():
            self._previous[signum] = signal.signal(signum, handler)

    def restore(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous.clear()


__all__ = ["SignalFlags", "Wakeup"]
