"""Running numbered tasks on every core, results in order, for large draft batches.

Rendering and composing a draft is pure Python: threads would take turns on
the GIL, so a batch of thousands uses forked worker processes instead. A
forked worker inherits the task (templates, specs, the outbox) from the
parent's memory, so nothing but an index goes to it and a small result comes
back. Fork is used only where it is safe: on Linux, in a process with a
single thread (a daemon's IMAP watchers are threads, so such a daemon makes
its drafts in-process), and only when there are tasks for more than one core.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from outreach.base.errors import OutreachError
from outreach.store.watchdog import other_threads

if TYPE_CHECKING:
    from concurrent.futures import Future

Result = TypeVar("Result")

# The task of the pool being started; a forked worker finds it here.
_inherited_task: Callable[[int], Any] | None = None


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork_workers() -> bool:
    return sys.platform.startswith("linux") and other_threads() == 0


def _run_inherited(index: int) -> Any:
    assert _inherited_task is not None, "worker forked without a task"
    return _inherited_task(index)


_PR_SET_PDEATHSIG = 1  # prctl(2)


def _start_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what
    # to keep, and its workers finish the batch in hand, then stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker holds copies of the parent's descriptors, the outbox lock among
    # them, and would wait for tasks forever: it must die with its parent,
    # even one killed with SIGKILL.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


@contextmanager
def results_in_order(
    task: Callable[[int], Result], count: int, *, workers: int
) -> Iterator[Iterator[list[Result]]]:
    """The results of `task(0)` … `task(count - 1)`, in order, in runs.

    With `workers` above one (and fork usable) the tasks run in that many
    forked processes, ahead of the consumer, and each run holds the next
    result and every one after it that is already done: a consumer slower
    than the workers (syncing a disk, say) catches up in one step instead of
    one per task. Otherwise tasks run here, one per run, as the consumer
    asks. Leaving the block early cancels the tasks not yet started and waits
    for those running. A result must pickle; an exception raised by a task
    is raised here when its result is reached.
    """
    workers = min(workers, count)
    if workers <= 1 or not can_fork_workers():
        yield ([task(index)] for index in range(count))
        return
    # Loaded only here: a command that drafts a few emails never needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _inherited_task
    _inherited_task = task
    # What exists now is shared with the workers; keeping the collector off
    # it spares them copying those pages (the `gc.freeze` recipe).
    gc.freeze()
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    try:
        futures = [executor.submit(_run_inherited, index) for index in range(count)]
        yield _runs(futures)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _inherited_task = None


def _runs(futures: list[Future[Result]]) -> Iterator[list[Result]]:
    next_index = 0
    while next_index < len(futures):
        run = [_outcome(futures[next_index])]
        next_index += 1
        # A failed task ends the run before it: the results ahead of it are
        # handed over first, and its error comes with the next run.
        while next_index < len(futures) and _succeeded(futures[next_index]):
            run.append(_outcome(futures[next_index]))
            next_index += 1
        yield run


def _succeeded(future: Future[Result]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _outcome(future: Future[Result]) -> Result:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise OutreachError(
            "a drafting worker process died (out of memory, or killed)",
            hint="run the command again: drafts already recorded are kept,"
            " and the rest are made afresh",
        ) from None
