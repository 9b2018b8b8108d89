"""Progress while drafting thousands: reported batch by batch, shown on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from outreach.app.drafting import draft_shares
from outreach.journal import Journal
from outreach.workspace import load_workspace
from tests.conftest import NOW
from tests.support.workspaces import make_workspace
from tests.test_outbox import EVENT, many_contacts


def test_progress_counts_up_to_the_whole_batch(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", roster=many_contacts(1200), events=EVENT)
    calls: list[tuple[int, int | None, str]] = []
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        draft_shares(workspace, journal, now=NOW, progress=lambda *call: calls.append(call))
    counts = [done for done, _, _ in calls]
    assert counts == sorted(counts) and counts[-1] == 1200
    assert {(total, label) for _, total, label in calls} == {(1200, "drafting shares")}


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
