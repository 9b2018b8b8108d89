"""Speed and memory of `outreach report --format json` on a large journal.

Builds a workspace of 10,000 contacts and a real SQLite journal of 1,000,000
touches spread over three years, then times the installed command end to end
(a subprocess, median of several runs) against a naive baseline that loads
every touch into Python, and compares peak memory at 100,000 and 1,000,000
touches to show it does not follow the number of touches. Targets: under 1 s
(median) at 10,000 contacts and 1,000,000 touches or more, and at any size
the peak memory with all the touches at most 1.25x the peak with the smaller
number; exits 1 when one is missed.

    python bench/bench_report.py [--contacts 10000] [--touches 1000000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from targets import Targets

from outreach.base.clock import iso_utc
from outreach.store.journal import Journal

AS_OF = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
YEARS = 3
TAGS = [f"topic{n:03d}" for n in range(300)]
# Weights roughly as a real mailbox gives them: contact far more often than support.
KINDS = {
    "reply": 34,
    "sent": 26,
    "share": 14,
    "intro": 5,
    "feedback": 5,
    "meeting": 6,
    "promotion": 4,
    "note": 6,
}
WHYS = ["learn", "contribute", "connect"]


def write_workspace(root: Path, contacts: int, rng: random.Random) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "outreach.toml").write_text(
        '[me]\nname = "Dana Reyes"\nemail = "dana@example.org"\n\n'
        "[circles.focus]\ncadence_days = 14\n\n[circles.extended]\ncadence_days = 60\n"
    )
    lines: list[str] = []
    for n in range(contacts):
        tags = ", ".join(f'"{t}"' for t in rng.sample(TAGS, rng.randint(1, 3)))
        why = ", ".join(f'"{w}"' for w in rng.sample(WHYS, rng.randint(1, 2)))
        circle = "focus" if n < 10 else "extended"
        cadence = f"cadence_days = {rng.choice((21, 30, 90))}\n" if n % 17 == 0 else ""
        lines.append(
            f"[contacts.c{n:05d}]\n"
            f'name = "Person {n:05d}"\n'
            f'emails = ["person{n}@example.net"]\n'
            f'circle = "{circle}"\n'
            f"why = [{why}]\n"
            f"tags = [{tags}]\n{cadence}"
        )
    (root / "roster.toml").write_text("\n".join(lines))
    events: list[str] = []
    for n in range(80):
        start = AS_OF + timedelta(days=rng.randint(-120, 120), hours=rng.randint(0, 10))
        host = f"c{rng.randrange(contacts):05d}" if n % 8 else "me"
        tags = ", ".join(f'"{t}"' for t in rng.sample(TAGS, 2))
        events.append(
            f'[events.e{n:03d}]\ntitle = "Gathering {n}"\nhost = "{host}"\n'
            f"start = {start.strftime('%Y-%m-%dT%H:%M:%SZ')}\ntags = [{tags}]\n"
        )
    (root / "events.toml").write_text("\n".join(events))


def fill_journal(path: Path, contacts: int, touches: int, rng: random.Random) -> None:
    """`touches` rows over the three years before AS_OF, in one transaction."""
    kinds = list(KINDS)
    weights = list(KINDS.values())
    span = int(timedelta(days=365 * YEARS).total_seconds())
    start = AS_OF - timedelta(seconds=span)
    recorded = iso_utc(AS_OF)

    def rows() -> Iterator[tuple[str, str, str, str, str | None, str, int, str]]:
        for n in range(touches):
            kind = rng.choices(kinds, weights)[0]
            at = iso_utc(start + timedelta(seconds=rng.randrange(span)))
            own = int(kind in ("share", "promotion") and rng.random() < 0.25)
            message_id = f"<m{n}@example.org>" if kind in ("reply", "sent", "share") else None
            yield (
                f"c{rng.randrange(contacts):05d}",
                kind,
                "in" if kind == "reply" else "out",
                at,
                message_id,
                "bench",
                own,
                recorded,
            )

    with Journal.open(path) as journal:
        # A page cache big enough for the indexes keeps a million inserts from
        # thrashing the disk; it lasts for this connection only.
        journal.connection.execute("PRAGMA cache_size = -500000")
        with journal.transaction() as db:
            db.executemany(
                "INSERT INTO touches (contact_id, kind, direction, at, message_id, source,"
                " self_promotion, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows(),
            )
            for _ in range(40):
                a, b = sorted(rng.sample(range(contacts), 2))
                status = rng.choice(("asked", "introduced"))
                db.execute(
                    "INSERT INTO intros (contact_a, contact_b, mode, status, created_at,"
                    " updated_at) VALUES (?, ?, 'double_opt_in', ?, ?, ?)",
                    (f"c{a:05d}", f"c{b:05d}", status, recorded, recorded),
                )


def peak_rss_kib() -> int:
    """This process's own high-water resident set (VmHWM), in KiB.

    Read from /proc rather than getrusage(): after fork and exec, ru_maxrss
    starts from the parent's size, which here is the benchmark's own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status (Linux only)")


def report_argv(home: Path, as_of: datetime) -> list[str]:
    return ["--home", str(home), "--as-of", as_of.date().isoformat(), "report", "--format", "json"]


def timed(argv: list[str], runs: int, sink: Path) -> float:
    """Median wall time of `argv` over `runs` runs, stdout to `sink`."""
    times = []
    for _ in range(runs):
        with sink.open("wb") as out:
            began = time.perf_counter()
            subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, check=True)
            times.append(time.perf_counter() - began)
    return statistics.median(times)


def peak_memory(mode: str, home: Path, sink: Path) -> int:
    """Peak RSS of one report run (`cli`: the real command; `naive`: the baseline)."""
    with sink.open("wb") as out:
        done = subprocess.run(
            [sys.executable, __file__, f"--child-{mode}", str(home)],
            stdout=out,
            stderr=subprocess.PIPE,
            check=True,
        )
    return int(done.stderr.decode().split()[-1])


def child_cli(home: Path) -> None:
    from outreach.cli.main import main

    status = main(report_argv(home, AS_OF))
    sys.stdout.flush()
    sys.stderr.write(f"{peak_rss_kib()}\n")
    raise SystemExit(status)


def child_naive(home: Path) -> None:
    """The baseline: the same report, its per-contact answers and health figures
    computed in Python from every touch loaded out of the journal."""
    import sqlite3

    from outreach.base.model import SUPPORT_KINDS, TouchKind
    from outreach.core.report.json_out import render_json
    from outreach.core.report.model import HealthCounts
    from outreach.core.report.rank import compile_report
    from outreach.store.journal.touches import ContactActivity
    from outreach.store.workspace import load_workspace

    workspace = load_workspace(home)
    db = sqlite3.connect(workspace.journal_path)
    rows = db.execute(
        "SELECT id, contact_id, kind, at, message_id, self_promotion FROM touches"
    ).fetchall()
    drafts = db.execute("SELECT COUNT(*) FROM drafts WHERE status IN ('drafted', 'pushed')")
    waiting = drafts.fetchone()[0]
    db.close()
    until = iso_utc(AS_OF)
    since = iso_utc(AS_OF - timedelta(days=workspace.config.report.days))
    support = {k.value for k in SUPPORT_KINDS}
    touch: dict[str, tuple[str, str]] = {}
    given: dict[str, tuple[str, str]] = {}
    others, own, supported, replies = set(), set(), set(), set()
    for row_id, contact_id, kind, at, message_id, self_promotion in rows:
        if at > until:
            continue
        if contact_id not in touch or touch[contact_id][0] < at:
            touch[contact_id] = (at, kind)
        is_support = kind in support and not self_promotion
        if is_support and (contact_id not in given or given[contact_id][0] < at):
            given[contact_id] = (at, kind)
        if at > since:
            key = message_id or row_id
            if kind in ("share", "promotion") and not self_promotion:
                others.add(key)
            if self_promotion:
                own.add(key)
            if is_support:
                supported.add(contact_id)
            if kind == "reply":
                replies.add(key)
    activity = {
        cid: ContactActivity(
            cid,
            datetime.fromisoformat(at),
            TouchKind(kind),
            datetime.fromisoformat(given[cid][0]) if cid in given else None,
            TouchKind(given[cid][1]) if cid in given else None,
        )
        for cid, (at, kind) in touch.items()
    }
    counts = HealthCounts(
        since=datetime.fromisoformat(since),
        until=AS_OF,
        others_promoted=len(others),
        own_promoted=len(own),
        contacts_supported=len(supported),
        replies_received=len(replies),
        drafts_waiting=waiting,
    )
    report = compile_report(
        workspace.roster,
        activity,
        workspace.events,
        counts,
        config=workspace.config,
        now=AS_OF,
    )
    sys.stdout.write(render_json(report))
    sys.stdout.flush()
    sys.stderr.write(f"{peak_rss_kib()}\n")


def in_process_breakdown(home: Path, as_of: datetime) -> dict[str, float]:
    """Where the time goes inside one run: loading files, the report, rendering."""
    from outreach.app.reporting import build_report, render_report
    from outreach.store.workspace import load_workspace

    began = time.perf_counter()
    workspace = load_workspace(home)
    loaded = time.perf_counter()
    with Journal.open(workspace.journal_path) as journal:
        report = build_report(workspace, journal, now=as_of)
    built = time.perf_counter()
    render_report(report, "json")
    rendered = time.perf_counter()
    return {
        "load workspace (config, roster, events)": loaded - began,
        "build report (SQL + ranking + next steps)": built - loaded,
        "render JSON": rendered - built,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="touches in the memory check")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the workspaces here and keep them")
    parser.add_argument("--child-cli", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-naive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cli:
        child_cli(args.child_cli)
    if args.child_naive:
        child_naive(args.child_naive)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-report-") as temp:
        base = args.keep or Path(temp)
        big, small = base / "big", base / "small"
        rng = random.Random(20260615)
        for home, touches in ((big, args.touches), (small, args.small)):
            if (home / "journal.db").exists():
                print(f"reusing {home}")
                continue
            began = time.perf_counter()
            write_workspace(home, args.contacts, random.Random(1))
            fill_journal(home / "journal.db", args.contacts, touches, rng)
            print(
                f"built {home.name}: {args.contacts:,} contacts, {touches:,} touches"
                f" in {time.perf_counter() - began:.1f} s"
            )
        size = (big / "journal.db").stat().st_size
        print(f"journal: {size / 1e6:.0f} MB\n")
        sink = base / "out.json"
        command = [sys.executable, "-m", "outreach"]

        startup = timed([*command, "--help"], args.runs, sink)
        print(f"outreach --help (interpreter and imports alone): median {startup:.3f} s")
        seconds = timed([*command, *report_argv(big, AS_OF)], args.runs, sink)
        print(f"outreach report --format json, {args.touches:,} touches: median {seconds:.3f} s")
        past = AS_OF - timedelta(days=30)
        seconds_past = timed([*command, *report_argv(big, past)], args.runs, sink)
        print(f"  --as-of {past.date()} (before the newest touches): median {seconds_past:.3f} s")
        naive = [sys.executable, __file__, "--child-naive", str(big)]
        naive_seconds = timed(naive, args.runs, sink)
        print(f"baseline, every touch loaded into Python: median {naive_seconds:.3f} s")

        print("\npeak RSS (VmHWM) of one run:")
        peaks: list[float] = []
        for label, mode, home in (
            (f"outreach report, {args.small:,} touches", "cli", small),
            (f"outreach report, {args.touches:,} touches", "cli", big),
            (f"baseline, {args.small:,} touches", "naive", small),
            (f"baseline, {args.touches:,} touches", "naive", big),
        ):
            peaks.append(peak_memory(mode, home, sink) / 1024)
            print(f"  {label:<40} {peaks[-1]:6.1f} MiB")

        print("\nin-process breakdown of one run:")
        for label, spent in in_process_breakdown(big, AS_OF).items():
            print(f"  {label:<44} {spent:.3f} s")
        print("\ntargets:")
        targets = Targets()
        targets.check(
            f"report --format json: {seconds:.3f} s",
            "< 1 s (median)",
            seconds < 1.0,
            applies=args.contacts >= 10_000 and args.touches >= 1_000_000,
        )
        targets.check(
            f"peak memory, {args.touches:,} / {args.small:,} touches = {peaks[1] / peaks[0]:.2f}",
            "<= 1.25",
            peaks[1] <= 1.25 * peaks[0],
        )
        return targets.exit_status()


if __name__ == "__main__":
    raise SystemExit(main())
