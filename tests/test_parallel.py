"""Tasks on every core: results in order, errors where they belong, no stray workers."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from outreach.app.parallel import can_fork_workers, results_in_order
from outreach.base.errors import InputError, OutreachError, Problem

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)


def pid_of_task(index: int) -> tuple[int, int]:
    return index, os.getpid()


def collect(task, count: int, workers: int) -> list:  # type: ignore[no-untyped-def]
    with results_in_order(task, count, workers=workers) as runs:
        return [result for run in runs for result in run]


def test_results_come_in_order_from_other_processes() -> None:
    assert can_fork_workers(), "the test process must have a single thread"
    results = collect(pid_of_task, 12, workers=2)
    assert [index for index, _ in results] == list(range(12))
    assert os.getpid() not in {pid for _, pid in results}
    assert gc.get_freeze_count() == 0  # what was frozen for the workers is thawed


def test_one_worker_runs_here_one_task_per_run() -> None:
    with results_in_order(pid_of_task, 3, workers=1) as runs:
        assert [run for run in runs] == [[(i, os.getpid())] for i in range(3)]


def test_a_process_with_threads_runs_its_tasks_itself() -> None:
    # Forking beside a running thread can copy a lock it holds: never done.
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not can_fork_workers()
        assert {pid for _, pid in collect(pid_of_task, 4, workers=2)} == {os.getpid()}
    finally:
        release.set()
        thread.join()


class FailAtThree:
    """Tasks 0-7; 3 fails. Task 0 finishes only after 1, 2 and 3 have, so the
    results ahead of the failure and the failure itself are all done at once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, index: int) -> int:
        if index == 0:
            deadline = time.monotonic() + 30
            while not all((self.folder / str(i)).exists() for i in (1, 2, 3)):
                assert time.monotonic() < deadline, "tasks 1 to 3 never ran"
                time.sleep(0.005)
        (self.folder / str(index)).touch()
        if index == 3:
            raise InputError([Problem("templates/share_event.txt", "no such variable", line=4)])
        return index


def test_an_error_arrives_at_its_place_whole(tmp_path: Path) -> None:
    seen: list[int] = []
    task = FailAtThree(tmp_path)
    with pytest.raises(InputError) as caught, results_in_order(task, 8, workers=2) as runs:
        for run in runs:
            seen.extend(run)
    # The results ahead of the failure are handed over before it is raised.
    assert seen == [0, 1, 2]
    # It crossed a process boundary and kept its problems, line included.
    assert caught.value.problems == (Problem("templates/share_event.txt", "no such variable", 4),)


def die_at_one(index: int) -> int:
    if index == 1:
        os._exit(9)
    return index


def test_a_worker_that_dies_is_a_clear_error() -> None:
    with pytest.raises(OutreachError, match="worker process died"):
        collect(die_at_one, 4, workers=2)


PARENT = textwrap.dedent(
    """
    import os, sys, time
    from outreach.app.parallel import results_in_order

    folder = sys.argv[1]

    def hang(index):
        open(os.path.join(folder, f"worker-{os.getpid()}"), "w").close()
        while True:
            time.sleep(60)

    with results_in_order(hang, 2, workers=2) as runs:
        for run in runs:
            pass
    """
)


def is_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # dead, waiting to be reaped


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    # Workers hold the parent's descriptors (the outbox lock among them):
    # outliving it would lock every later command out.
    root = Path(__file__).resolve().parents[1]
    with subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=root) as parent:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("worker-*"))) < 2:
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.01)
        workers = [int(p.name.removeprefix("worker-")) for p in tmp_path.glob("worker-*")]
        parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not all(is_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their parent"
        time.sleep(0.01)
