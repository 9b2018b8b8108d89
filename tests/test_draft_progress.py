"""Progress while drafting thousands: reported batch by batch, shown on a terminal."""

from __future__ import annotations

import multiprocessing
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

from outreach.app.drafting import draft_shares
from outreach.app.parallel import usable_cores
from outreach.store.journal import Journal
from outreach.store.workspace import load_workspace
from tests.conftest import NOW
from tests.support.workspaces import make_workspace
from tests.test_outbox import EVENT, many_contacts


def progress_of_a_batch(tmp_path: Path, name: str) -> list[tuple[int, int]]:
    """(drafts done, worker processes alive) at each progress report of 1,200 shares."""
    root = make_workspace(tmp_path / name, roster=many_contacts(1200), events=EVENT)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int | None, label: str) -> None:
        assert (total, label) == (1200, "drafting shares")
        calls.append((done, len(multiprocessing.active_children())))

    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        draft_shares(workspace, journal, now=NOW, progress=progress)
    return calls


def test_progress_counts_up_batch_by_batch(tmp_path: Path) -> None:
    # Made here, in-process (a live second thread rules out forking), every
    # batch of 500 is reported as it is recorded.
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        calls = progress_of_a_batch(tmp_path, "in-process")
    finally:
        release.set()
        thread.join()
    assert calls == [(500, 0), (1000, 0), (1200, 0)]


def test_progress_from_workers_climbs_by_whole_batches(tmp_path: Path) -> None:
    # Workers may finish several batches before the parent records them; it
    # then reports them together, so the counts are batch ends, rising.
    assert usable_cores() > 1, "workers need a machine with more than one core"
    calls = progress_of_a_batch(tmp_path, "workers")
    counts = [done for done, _ in calls]
    assert counts == sorted(set(counts)) and set(counts) <= {500, 1000, 1200}
    assert counts[-1] == 1200
    # The batches were made by worker processes, alive while progress came in.
    assert calls[0][1] >= 1


def test_a_terminal_sees_the_progress_line(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", roster=many_contacts(1200), events=EVENT)
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "outreach", "--home", str(root), "--as-of", "2026-06-15"]
    with subprocess.Popen(
        [*command, "draft", "shares"],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        cwd=Path(__file__).resolve().parents[1],
    ) as child:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the command
                break
            if not chunk:
                break
            shown += chunk
        assert child.wait(timeout=120) == 0
    os.close(leader)
    assert b"drafting shares: 1,200/1,200" in shown
