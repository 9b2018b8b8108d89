"""`outreach follow` over 500 feeds served locally, all unchanged (304), against fetching them all.

Serves 500 RSS feeds (20 items each, about 14 KB) from a real HTTP server on
loopback, in a process of its own so it does not share our interpreter. A
first `follow` records every feed and its validators. Then, in the same run:

- conditional: every feed answers 304 to If-None-Match;
- unconditional: the journal first forgets the validators, so every feed is
  downloaded and parsed again (nothing new is recorded).

Each is timed twice per run: the use case in this process (load the
workspace, fetch, record) and `outreach follow` end to end in a subprocess
(interpreter start and imports included, which a loaded machine slows most).
Prints the medians of several runs and exits 1 when the conditional use case
misses its targets: at most 2.0 s for 500 feeds, and at most 40% of the
unconditional one.

    python bench/bench_follow.py [--feeds 500] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from targets import Targets

from tests.support.feedserver import Route, feed_server

AS_OF = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TARGET_SECONDS = 2.0  # the use case, for 500 feeds: 4 ms a feed
TARGET_RATIO = 0.4


def rss(feed: int, items: int = 20) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://example.org/{feed}/</link>"
    ]
    for item in range(items):
        day = AS_OF - timedelta(days=item * 3 + feed % 3)
        parts.append(
            f"<item><title>Post {item} of feed {feed}</title>"
            f"<link>https://example.org/{feed}/{item}</link>"
            f"<guid>https://example.org/{feed}/{item}</guid>"
            f"<pubDate>{format_datetime(day, usegmt=True)}</pubDate>"
            f"<category>topic{(feed + item) % 40}</category>"
            "<description>&lt;p&gt;" + "A paragraph of what they wrote. " * 12 + "&lt;/p&gt;"
            "</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


def serve(feeds: int, conn: Connection) -> None:
    with feed_server() as server:
        for n in range(feeds):
            server.routes[f"/f{n}.xml"] = Route(rss(n), etag=f'"f{n}-v1"', gzip=True)
        conn.send(server.port)
        conn.recv()  # until the benchmark is done


def write_workspace(root: Path, feeds: int, port: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "outreach.toml").write_text('[me]\nname = "Dana Reyes"\nemail = "dana@example.org"\n')
    (root / "events.toml").write_text("")
    lines = []
    for n in range(0, feeds, 2):  # two feeds per contact
        urls = ", ".join(f'"http://127.0.0.1:{port}/f{m}.xml"' for m in (n, n + 1) if m < feeds)
        lines.append(
            f'[contacts.c{n:04d}]\nname = "Person {n}"\nemails = ["p{n}@example.net"]\n'
            f'tags = ["topic{n % 40}"]\nfeeds = [{urls}]\n'
        )
    (root / "roster.toml").write_text("\n".join(lines))


def follow(root: Path) -> float:
    command = [
        sys.executable,
        "-m",
        "outreach",
        "--home",
        str(root),
        "--as-of",
        "2026-06-15",
        "follow",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"follow failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def forget_validators(root: Path) -> None:
    with sqlite3.connect(root / "journal.db") as db:
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")


def follow_in_process(root: Path) -> float:
    """The use case alone: load the workspace, fetch, record (no interpreter start)."""
    from outreach.app.follow import follow_feeds
    from outreach.store.journal import Journal
    from outreach.store.workspace import load_workspace

    started = time.perf_counter()
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        result = follow_feeds(workspace, journal, now=AS_OF)
    elapsed = time.perf_counter() - started
    if result.read != result.feeds:
        raise SystemExit(f"follow read {result.read} of {result.feeds} feeds")
    return elapsed


def report(label: str, times: list[float], feeds: int) -> float:
    middle = statistics.median(times)
    print(f"  {label}: {middle:.2f} s  ({1000 * middle / feeds:.1f} ms per feed)")
    return middle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="build the workspace here and keep it")
    args = parser.parse_args()

    ours, theirs = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(args.feeds, theirs))
    server.start()
    times: dict[str, list[float]] = {
        "use case, conditional": [],
        "use case, unconditional": [],
        "command, conditional": [],
        "command, unconditional": [],
    }
    try:
        port = ours.recv()
        root = Path(args.keep or tempfile.mkdtemp(prefix="bench-follow-")) / "ws"
        write_workspace(root, args.feeds, port)
        first = follow(root)
        print(f"{args.feeds} feeds on 127.0.0.1:{port}; first follow: {first:.2f} s")
        # Untimed: the first in-process follow pays this process's imports (httpx,
        # feedparser) and cold caches, which a daemon pays once, not per follow.
        follow_in_process(root)
        for _ in range(args.runs):
            times["use case, conditional"].append(follow_in_process(root))
            forget_validators(root)
            times["use case, unconditional"].append(follow_in_process(root))
            times["command, conditional"].append(follow(root))
            forget_validators(root)
            times["command, unconditional"].append(follow(root))  # records the ETags again
        ours.send("stop")
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
    print(f"medians of {args.runs} runs (conditional: every feed answers 304):")
    medians = {label: report(label, values, args.feeds) for label, values in times.items()}
    cond, uncond = medians["use case, conditional"], medians["use case, unconditional"]
    print(f"conditional / unconditional (use case): {cond / uncond:.2f}")
    targets = Targets()
    # The absolute time is set for 500 feeds; a short run checks only the ratio.
    targets.check(
        "use case, conditional (s)",
        f"<= {TARGET_SECONDS:.1f} s for 500 feeds",
        cond <= TARGET_SECONDS,
        applies=args.feeds >= 500,
    )
    targets.check(
        "conditional / unconditional",
        f"<= {TARGET_RATIO:.0%}",
        cond <= TARGET_RATIO * uncond,
    )
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
