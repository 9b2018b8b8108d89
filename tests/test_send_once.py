"""Every email is sent at most once, even when `drafts send` is killed at any moment.

300 drafts; `drafts send --all --yes` runs as its own process and is killed
with SIGKILL five times: at random moments, and inside the server's DATA
handler after it took a message and before its 250 (the moment that used
to deliver a message twice). Then it runs to the end. The SMTP server on
loopback counts what arrived: no Message-ID twice, and every draft either
sent or reported as "may have been sent".
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from outreach.store.journal import Journal
from outreach.store.journal.drafts import DraftStatus, list_drafts
from outreach.store.journal.intents import in_doubt
from tests.conftest import RunCli
from tests.support.drafts import write_every_personal_line
from tests.support.smtpd import smtp_sink
from tests.support.workspaces import make_workspace

DRAFTS = 300
KILLS = 5
EVENT = """\
[events.salon]
title = "Housing Salon"
host = "me"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
"""


def roster(count: int) -> str:
    return "".join(
        f'[contacts.p{i:03d}]\nname = "Person {i}"\nemails = ["p{i:03d}@example.net"]\n'
        'tags = ["housing"]\n\n'
        for i in range(count)
    )


def test_kill_9_during_send_never_delivers_a_message_twice(tmp_path: Path, run_cli: RunCli) -> None:
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    with smtp_sink() as server:
        root = make_workspace(
            tmp_path / "ws",
            roster=roster(DRAFTS),
            events=EVENT,
            # 50 a second: the 300 take six seconds, so random moments land mid-run.
            extra_config=server.config(rate_per_minute=3000),
        )
        home = ["--home", str(root), "--as-of", "2026-06-15"]
        run_cli(*home, "draft", "shares")
        write_every_personal_line(root / "drafts")
        command = [sys.executable, "-m", "outreach", *home, "drafts", "send", "--all", "--yes"]
        kills = inside = 0
        runs = 0
        while kills < KILLS and runs < 4 * KILLS:
            runs += 1
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if runs % 2:
                # Inside the server, after the message arrived, before its 250.
                target = len(server.sink.received) + chance.randint(1, 30)

                def kill_at(count: int, target: int = target, pid: int = process.pid) -> None:
                    if count == target:
                        os.kill(pid, signal.SIGKILL)

                server.sink.on_data = kill_at
                process.wait(timeout=120)
                server.sink.on_data = None
            else:
                try:
                    process.wait(timeout=chance.uniform(0.3, 1.5))
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=30)
            if process.returncode == -signal.SIGKILL:
                kills += 1
                inside += runs % 2
            elif process.returncode == 0:
                break  # it finished before the moment came; nothing is left to kill
        final = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        assert final.returncode == 0, final.stderr
        arrived = Counter(m.message_id for m in server.sink.received)

    note = f"seed {seed}, {kills} kills in {runs} runs"
    assert kills == KILLS, note
    assert arrived and max(arrived.values()) == 1, note
    with Journal.open(root / "journal.db") as journal:
        drafts = list_drafts(journal)
        doubtful = in_doubt(journal)
    assert len(drafts) == DRAFTS
    sent = {d.message_id for d in drafts if d.status is DraftStatus.SENT}
    held = {d.message_id for d in drafts if d.id in doubtful}
    # Sent means it arrived; what is neither sent nor arrived is reported as in doubt.
    assert sent <= set(arrived), note
    assert sent | held == {d.message_id for d in drafts}, note
    # Each kill inside DATA left exactly that message in doubt; a random one at most one.
    assert inside <= len(held) <= kills, note
