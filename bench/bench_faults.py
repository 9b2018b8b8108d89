"""Time and peak memory of `outreach` against hostile servers and files.

Runs the installed command as a child process under `/usr/bin/time -v` for
each case and prints wall time, peak resident memory, exit status and the
error line, then checks each against its target (within 30 s, under 300 MB,
the promised exit status, one line and no traceback) and exits 1 on a miss:

- `sync` against the fake IMAP server (tests/support/fake_imap.py) that
  trickles its greeting, trickles a FETCH answer, chatters forever, or
  announces a 999,999,999-byte literal, with `timeout_seconds = 5`;
- `check` of a roster nested 500 levels deep and of a template computing
  `'x' * 10**9`.

    python bench/bench_faults.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from targets import Targets  # noqa: E402

from tests.support.fake_imap import FakeImapServer, Misbehaviour  # noqa: E402
from tests.support.workspaces import make_workspace  # noqa: E402

OUTREACH = Path(sys.executable).with_name("outreach")
SERVER_CASES = [
    ("trickled greeting", Misbehaviour("trickle", "GREETING", 0.5)),
    ("trickled FETCH answer", Misbehaviour("trickle", "FETCH", 0.5)),
    ("endless slow chatter in FETCH", Misbehaviour("chatter", "FETCH", 0.1)),
    ("endless fast chatter in FETCH", Misbehaviour("chatter", "FETCH", 0.0)),
    ("1 GB literal announced", Misbehaviour("huge-literal", "FETCH", 0.0)),
    ("endless FETCH answers", Misbehaviour("flood", "FETCH", 0.0)),
]


def measured(args: list[str], env: dict[str, str]) -> tuple[float, int, int, str, bool]:
    """Wall seconds, peak RSS in MB, exit status, the error line and whether a traceback showed."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", *args], capture_output=True, text=True, env=env, check=False
    )
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    status = re.search(r"Exit status: (\d+)", done.stderr)
    assert wall and rss and status, done.stderr
    hours, minutes, seconds = wall.groups()
    elapsed = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    lines = [line for line in done.stderr.splitlines() if line.startswith(("outreach:", "/"))]
    first = lines[0] if lines else ""
    return (
        elapsed,
        int(rss.group(1)) // 1024,
        int(status.group(1)),
        first,
        "Traceback" in done.stderr,
    )


def report(
    name: str, figures: tuple[float, int, int, str, bool], targets: Targets, *, status: int
) -> None:
    elapsed, rss, got, line, traceback = figures
    print(f"{name:34} {elapsed:6.1f} s {rss:5d} MB  exit {got}  {line[:110]}")
    targets.check(f"{name}: {elapsed:.1f} s", "< 30 s", elapsed < 30)
    targets.check(f"{name}: {rss} MB", "< 300 MB", rss < 300)
    targets.check(
        f"{name}: exit {got}", f"exit {status}, one line", got == status and not traceback
    )


def main() -> int:
    targets = Targets()
    env = {**os.environ, "MAIL_PW": "secret"}
    print(f"{'case':34} {'time':>8} {'peak':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, bad) in enumerate(SERVER_CASES):
            with FakeImapServer(bad) as server:
                root = make_workspace(
                    Path(tmp) / f"ws{index}",
                    extra_config=f"""
[[mailboxes]]
name = "work"
kind = "imap"
host = "127.0.0.1"
port = {server.port}
tls = "none"
username = "dana"
password_env = "MAIL_PW"
timeout_seconds = 5
""",
                )
                sync = [str(OUTREACH), "--home", str(root), "sync"]
                report(f"sync: {name}", measured(sync, env), targets, status=1)
        root = make_workspace(Path(tmp) / "nested")
        with open(root / "roster.toml", "a") as roster:
            roster.write('\n[contacts.x]\nname = "X"\nemails = ["x@example.org"]\n')
            roster.write("notes = " + "[" * 500 + "]" * 500 + "\n")
        report(
            "check: roster nested 500 deep",
            measured([str(OUTREACH), "--home", str(root), "check"], env),
            targets,
            status=2,
        )
        root = make_workspace(Path(tmp) / "template")
        (root / "templates").mkdir()
        (root / "templates" / "share_event.txt").write_text("Subject: Hi\n\n{{ 'x' * 10**9 }}\n")
        report(
            "check: template 'x' * 10**9",
            measured([str(OUTREACH), "--home", str(root), "check"], env),
            targets,
            status=2,
        )
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
