"""Interrupting a template's rendering that runs past its time.

An edge for threads and the clock, which the pure renderer must not touch:
one watchdog thread per process keeps each rendering thread's deadline and,
when one passes, raises `RenderTimeout` inside that thread (CPython's
PyThreadState_SetAsyncExc: the exception arrives between bytecodes, so a
template's loops stop wherever they are). Arming and disarming cost a lock,
not a thread, since a batch renders thousands of drafts.
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from outreach.core.render_limits import RenderTimeout

T = TypeVar("T")


class _Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._deadlines: dict[int, tuple[float, int]] = {}  # thread id -> (deadline, token)
        self._token = 0
        self._thread: threading.Thread | None = None
        self._wake_at = math.inf  # when the watchdog thread will look next

    def run(self, work: Callable[[], T], seconds: float) -> T:
        token = self._arm(seconds)
        try:
            return work()
        finally:
            # A timeout fired just as `work` ended still lands in here (the
            # watchdog holds the lock while it fires), never in the caller.
            self._disarm(token)

    def _arm(self, seconds: float) -> int:
        with self._lock:
            # After a fork the child has no watchdog thread: start its own.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._watch, name="render-watchdog")
                self._thread.daemon = True
                self._thread.start()
            self._token += 1
            at = time.monotonic() + seconds
            self._deadlines[threading.get_ident()] = (at, self._token)
            # Waking the watchdog for every render would cost a thread switch
            # each time; it need only hear of a deadline earlier than its next look.
            if at < self._wake_at:
                self._wake_at = at
                self._lock.notify()
            return self._token

    def _disarm(self, token: int) -> None:
        with self._lock:
            ident = threading.get_ident()
            entry = self._deadlines.get(ident)
            if entry is not None and entry[1] == token:
                del self._deadlines[ident]

    def _watch(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                for ident, (at, _) in list(self._deadlines.items()):
                    if at <= now:
                        # Under the lock: the thread cannot have disarmed yet,
                        # so the exception lands inside its render.
                        del self._deadlines[ident]
                        _raise_in(ident)
                self._wake_at = min((d for d, _ in self._deadlines.values()), default=math.inf)
                wait = None if self._wake_at == math.inf else max(self._wake_at - now, 0.0)
                self._lock.wait(wait)

    def reset_in_child(self) -> None:
        """After fork: the thread is gone and the lock may be in any state; start afresh."""
        self._lock = threading.Condition()
        self._deadlines = {}
        self._thread = None
        self._wake_at = math.inf

    def is_own(self, thread: threading.Thread) -> bool:
        return thread is self._thread


def _raise_in(ident: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(ident), ctypes.py_object(RenderTimeout)
    )


_WATCHDOG = _Watchdog()
# Forking while the watchdog thread holds its lock would leave the child a
# lock nobody releases: take it across the fork, and start afresh in the child.
os.register_at_fork(
    before=lambda: _WATCHDOG._lock.acquire(),
    after_in_parent=lambda: _WATCHDOG._lock.release(),
    after_in_child=_WATCHDOG.reset_in_child,
)


def other_threads() -> int:
    """Threads besides the caller's and the watchdog's: forking is safe with none.

    The watchdog is fork-safe (see above); a parallel batch need not give up
    its worker processes because a template was rendered earlier.
    """
    current = threading.current_thread()
    return sum(1 for t in threading.enumerate() if t is not current and not _WATCHDOG.is_own(t))


def run_timed(work: Callable[[], T], seconds: float) -> T:
    """`work()`, or RenderTimeout raised inside it once `seconds` have passed."""
    return _WATCHDOG.run(work, seconds)


__all__ = ["other_threads", "run_timed"]
