"""Drafting throughput against mailmerge, and pushing drafts into Dovecot.

1. Drafts 10,000 event shares (10,000 contacts, one event) to `.eml` files:
   `outreach draft shares` end to end as a subprocess (startup, roster,
   rendering, composing, atomic files, one sync per batch, journal), and the
   use case alone in-process. Checks every draft is a complete file on disk.
2. In the same run, `mailmerge --dry-run --no-limit` on the same Jinja2
   bodies (text and HTML, as a MIME template) and the same recipients, and
   on the text alone, installed into a throwaway venv (it is not a project
   dependency); skipped with a message when it cannot be installed. Each
   round times every contender once, so a slow spell of the machine falls
   on all of them alike.
3. `outreach drafts push` of 1,000 drafts into a private Dovecot started with
   scripts/dovecot-test-server (skipped when Dovecot is not installed).

Prints medians of several runs in messages per second, and the ratios.
File creation on ext4 slows down for minutes after many files were deleted
(the bench deletes its own at the end): leave a few minutes between runs.

Target: outreach's command at least 2x mailmerge's messages per second on
the same text and HTML bodies, checked at 10,000 contacts or more (below,
start-up dominates both). Exits 1 when it is missed, or when mailmerge or
Dovecot cannot run and OUTREACH_REQUIRE_SERVERS=1.

    python bench/bench_drafts.py [--contacts 10000] [--runs 5] [--push 1000] [--dir DIR]
                                 [--no-mailmerge]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import compat32
from functools import partial
from pathlib import Path

from targets import Targets

from outreach.app.drafting import draft_shares
from outreach.base.model import Contact
from outreach.core.render import Me, Templates, share_event_context
from outreach.store.journal import Journal
from outreach.store.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
AS_OF = "2026-06-15"
CONFIG = '[me]\nname = "Dana Reyes"\nemail = "dana@example.org"\n'
EVENTS = """\
[events.salon]
title = "Housing Futures Salon"
host = "me"
start = 2026-07-01T18:00:00
timezone = "Europe/Berlin"
location = "Eastside Library"
url = "https://example.org/salon"
tags = ["housing"]
"""
FIRST = ["Ana", "Ben", "Chen", "Dário", "Émile", "Farah", "Grace", "Hiro", "Inès", "Jon"]
LAST = ["Lima", "Okafor", "Wei", "Sousa", "Roux", "Haddad", "Hopper", "Tanaka", "Dupré"]


def people(count: int) -> list[tuple[str, str, str]]:
    """(id, name, email) for `count` contacts; some names need RFC 2047."""
    return [
        (f"c{i:05d}", f"{FIRST[i % 10]} {LAST[i % 9]}", f"person{i}@example.net")
        for i in range(count)
    ]


def make_workspace(folder: Path, count: int, extra_config: str = "") -> Path:
    folder.mkdir(parents=True)
    (folder / "outreach.toml").write_text(CONFIG + extra_config)
    (folder / "events.toml").write_text(EVENTS)
    lines = []
    for cid, name, email in people(count):
        lines.append(f'[contacts.{cid}]\nname = "{name}"\nemails = ["{email}"]\n')
        lines.append('tags = ["housing", "food"]\n\n')
    (folder / "roster.toml").write_text("".join(lines))
    return folder


def outreach(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "outreach", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def check_drafts(folder: Path, expected: int) -> None:
    """Every draft is a whole message: parsed, its multipart closed, its body there."""
    files = list(folder.glob("*.eml"))
    assert len(files) == expected, f"{len(files)} drafts on disk, expected {expected}"
    parser = BytesParser(policy=compat32)
    for path in files:
        raw = path.read_bytes()
        message = parser.parsebytes(raw)
        assert message["Message-ID"] and message["To"], path
        assert raw.endswith(b"--\r\n") and message.is_multipart(), path
        assert len(message.get_payload()) == 2, path


def time_outreach_cli(root: Path, count: int, *, warm: bool) -> float:
    """Messages per second of `outreach draft shares` as a subprocess on a new workspace.

    Cold: the first command after the roster was written, which validates
    it. Warm: after another command (`outreach check`) left the validated
    roster in the workspace's cache, as any earlier sync or report does.
    """
    make_workspace(root, count)
    if warm:
        outreach("--home", str(root), "check")
    started = time.perf_counter()
    outreach("--home", str(root), "--as-of", AS_OF, "draft", "shares")
    elapsed = time.perf_counter() - started
    check_drafts(root / "drafts", count)
    return count / elapsed


def time_outreach_in_process(root: Path, count: int) -> float:
    make_workspace(root, count)
    started = time.perf_counter()
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        batch = draft_shares(workspace, journal, now=NOW)
    elapsed = time.perf_counter() - started
    assert len(batch.drafts) == count
    return count / elapsed


@dataclass(frozen=True)
class MailmergeFiles:
    templates: dict[str, Path]  # "text+html" (what outreach writes) and "text"
    database: Path
    config: Path


def mailmerge_files(base: Path, count: int) -> MailmergeFiles:
    """The same share as mailmerge templates (one column per variable) and database."""
    # Rendering our templates for a contact named by mailmerge's own
    # placeholders gives mailmerge the very same bodies, with the same Jinja2
    # variables left in them.
    contact = Contact(
        id="x",
        name="{{first_name}} {{last_name}}",
        emails=("x@example.net",),
        tags=("housing", "food"),
    )
    workspace = load_workspace(make_workspace(base / "mm-ws", 1))
    rendered = Templates(None).render(
        "share_event",
        share_event_context(
            me=Me("Dana Reyes", "dana@example.org"),
            contact=contact,
            event=workspace.events[0],
            host=None,
            now=NOW,
        ),
    )
    assert rendered.html is not None
    head = (
        "TO: {{first_name}} {{last_name}} <{{email}}>\n"
        f"SUBJECT: {rendered.subject}\n"
        "FROM: Dana Reyes <dana@example.org>\n"
    )
    text_only = base / "mailmerge_text.txt"
    text_only.write_text(head + "\n" + rendered.text)
    # A MIME template is how mailmerge sends text and HTML together, as every
    # share outreach drafts does.
    both = base / "mailmerge_text_html.txt"
    both.write_text(
        head
        + "MIME-Version: 1.0\n"
        + 'Content-Type: multipart/alternative; boundary="bench-boundary"\n\n'
        + '--bench-boundary\nContent-Type: text/plain; charset="utf-8"\n\n'
        + rendered.text
        + '\n--bench-boundary\nContent-Type: text/html; charset="utf-8"\n\n'
        + rendered.html
        + "\n--bench-boundary--\n"
    )
    database = base / "mailmerge_database.csv"
    with database.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "first_name", "last_name"])
        for _, name, email in people(count):
            first, last = name.split(" ", 1)
            writer.writerow([email, first, last])
    config = base / "mailmerge_server.conf"
    config.write_text("[smtp_server]\nhost = 127.0.0.1\nport = 25\nsecurity = Never\n")
    return MailmergeFiles({"text+html": both, "text": text_only}, database, config)


def install_mailmerge(base: Path, targets: Targets) -> Path | None:
    folder = base / "mailmerge-venv"
    venv.EnvBuilder(with_pip=True).create(folder)
    pip = folder / "bin" / "pip"
    result = subprocess.run(
        [str(pip), "install", "--quiet", "mailmerge"], capture_output=True, text=True
    )
    if result.returncode != 0:
        print(result.stderr.strip()[-800:])
        targets.cannot_run("mailmerge", "pip could not install it")
        return None
    return folder / "bin" / "mailmerge"


def time_mailmerge(
    program: Path, files: MailmergeFiles, body: str, count: int, output_format: str
) -> float:
    command = [
        str(program),
        "--dry-run",
        "--no-limit",
        "--output-format",
        output_format,
        "--template",
        str(files.templates[body]),
        "--database",
        str(files.database),
        "--config",
        str(files.config),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=files.database.parent)
    return count / (time.perf_counter() - started)


def time_push(base: Path, count: int, runs: int, targets: Targets) -> list[float] | None:
    script = ROOT / "scripts" / "dovecot-test-server"
    if not targets.needs_programs("push into Dovecot", "dovecot", "doveadm", "openssl"):
        return None
    server_dir = Path(tempfile.mkdtemp(prefix="outreach-bench-dovecot-"))
    server_dir.chmod(0o755)
    started = subprocess.run(
        [sys.executable, str(script), "start", str(server_dir / "server")],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(started.stdout.strip().splitlines()[-1])
    try:
        rates = []
        for run in range(runs):
            user, password = f"bench{run}-{secrets.token_hex(3)}", secrets.token_hex(8)
            subprocess.run(
                [sys.executable, str(script), "adduser", info["base"], user, password],
                check=True,
                capture_output=True,
            )
            mailbox = (
                f'\n[[mailboxes]]\nname = "bench"\nhost = "{info["host"]}"\n'
                f'port = {info["imaps_port"]}\ntls = "implicit"\nusername = "{user}"\n'
                f'password_env = "BENCH_IMAP_PASSWORD"\nca_file = "{info["ca_file"]}"\n'
            )
            root = make_workspace(base / f"push-{run}", count, extra_config=mailbox)
            outreach("--home", str(root), "--as-of", AS_OF, "draft", "shares")
            env = {"BENCH_IMAP_PASSWORD": password}
            began = time.perf_counter()
            outreach("--home", str(root), "--as-of", AS_OF, "drafts", "push", env=env)
            rates.append(count / (time.perf_counter() - began))
        return rates
    finally:
        subprocess.run(
            [sys.executable, str(script), "stop", str(server_dir / "server")],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(server_dir, ignore_errors=True)


# (name, body, output format): the same text and HTML as outreach's drafts,
# printed whole (raw) and in mailmerge's default shorter view; and its text
# part alone, the plainest mail merge.
MAILMERGE_RUNS = (
    ("text+html raw", "text+html", "raw"),
    ("text+html colorized", "text+html", "colorized"),
    ("text raw", "text", "raw"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--push", type=int, default=1_000, help="drafts to push (0: skip)")
    parser.add_argument(
        "--dir", default=None, help="where to write the drafts (default: the system temp folder)"
    )
    parser.add_argument(
        "--no-mailmerge", action="store_true", help="do not install and time mailmerge"
    )
    args = parser.parse_args()
    targets = Targets()
    base = Path(tempfile.mkdtemp(prefix="outreach-bench-drafts-", dir=args.dir))
    print(f"drafts written under {base} (file creation speed depends on this disk)")
    try:
        program = None if args.no_mailmerge else install_mailmerge(base, targets)
        files = mailmerge_files(base, args.contacts) if program is not None else None
        rates: dict[str, list[float]] = {}
        # Each round times every contender once, so that a slow spell of this
        # shared machine's disk or CPU falls on all of them alike.
        for run in range(args.runs):
            contenders: dict[str, Callable[[], float]] = {
                "cold": partial(time_outreach_cli, base / f"cold-{run}", args.contacts, warm=False),
                "warm": partial(time_outreach_cli, base / f"warm-{run}", args.contacts, warm=True),
                "in-process": partial(time_outreach_in_process, base / f"lib-{run}", args.contacts),
            }
            if program is not None and files is not None:
                for name, body, output_format in MAILMERGE_RUNS:
                    contenders[name] = partial(
                        time_mailmerge, program, files, body, args.contacts, output_format
                    )
            for name, measure in contenders.items():
                rates.setdefault(name, []).append(measure())
        median = {name: statistics.median(values) for name, values in rates.items()}
        print(f"outreach draft shares, {args.contacts:,} drafts, median of {args.runs}:")
        print(f"  command, roster just edited:   {median['cold']:8,.0f} messages/s")
        print(f"  command, roster cached:        {median['warm']:8,.0f} messages/s")
        print(f"  use case in-process:           {median['in-process']:8,.0f} messages/s")
        print("  every draft checked: a whole multipart message on disk")
        if program is not None:
            print(f"mailmerge --dry-run, same bodies and recipients, median of {args.runs}:")
            for name, body, output_format in MAILMERGE_RUNS:
                label = f"{body}, {output_format} output:"
                print(f"  {label:<30} {median[name]:8,.0f} messages/s")
            print("ratio of outreach's command to mailmerge (target >= 2x):")
            for case, ours in (("roster just edited", "cold"), ("roster cached", "warm")):
                for name, _, _ in MAILMERGE_RUNS:
                    print(f"  {case:>18} / {name:<20}  {median[ours] / median[name]:.2f}x")
            # The target is on the same bodies: text and HTML, in either output.
            slowest = min(median["cold"], median["warm"])
            fastest = max(median[name] for name, body, _ in MAILMERGE_RUNS if body == "text+html")
            targets.check(
                f"outreach / mailmerge, text+html: {slowest / fastest:.2f}x",
                ">= 2x",
                slowest >= 2 * fastest,
                applies=args.contacts >= 10_000,
            )
        if args.push:
            push = time_push(base, args.push, args.runs, targets)
            if push is not None:
                median = statistics.median(push)
                print(
                    f"outreach drafts push, {args.push:,} drafts into Dovecot,"
                    f" median of {args.runs}:"
                )
                print(
                    f"  command end to end:  {median:8,.0f} drafts/s ({args.push / median:.2f} s)"
                )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return targets.exit_status()


if __name__ == "__main__":
    raise SystemExit(main())
