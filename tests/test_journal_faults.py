"""The journal and the workspace on a bad day: damaged, empty, foreign, full, read-only.

Each is one line saying what is wrong and what to do (exit 1), never a
traceback, and outreach never replaces or adds to a file that is not its
journal. The full and read-only disks are small tmpfs mounts made here,
which needs root; elsewhere those tests are skipped, saying why.
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.daemon.logs import LogSetup
from outreach.store.journal import Journal
from tests.conftest import RunCli
from tests.support.workspaces import make_workspace
from tests.test_sync_maildir import MAILBOX, REPLY, deliver, message

AS_OF = "2026-06-20"
DAMAGED_HINT = (
    "hint: restore it from a backup, or recover what it holds with"
    " `sqlite3 {path} .recover | sqlite3 recovered.db`; outreach will not replace it"
)


def run(run_cli: RunCli, root: Path, *args: str, expect: int) -> tuple[str, str]:
    result = run_cli("--home", str(root), "--as-of", AS_OF, *args, expect=expect)
    return result.stdout, result.stderr


@pytest.fixture
def synced(tmp_path: Path, run_cli: RunCli) -> Path:
    """A workspace whose journal holds a touch and a synced Maildir, checkpointed."""
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", REPLY)
    run(run_cli, root, "sync", expect=0)
    run(run_cli, root, "touch", "ben", "--kind", "meeting", expect=0)
    with sqlite3.connect(root / "journal.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root


def damage_page(path: Path, table: str) -> None:
    """Overwrite the root page of `table` with junk, as a bad sector or a torn copy would."""
    with sqlite3.connect(path) as db:
        (page,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xde\xad\xbe\xef" * (size // 4))


@pytest.mark.parametrize(
    "args",
    [
        ("report",),
        ("touch", "ana", "--kind", "meeting"),
        ("sync",),
    ],
)
def test_a_damaged_journal_page_is_one_line_with_what_to_do(
    synced: Path, run_cli: RunCli, args: tuple[str, ...]
) -> None:
    deliver(synced / "mail", message("Ana Lima <ana@example.net>", "Re: again", msgid="<r2@x>"))
    damage_page(synced / "journal.db", "touches")
    before = (synced / "journal.db").read_bytes()
    _, stderr = run(run_cli, synced, *args, expect=1)
    journal = synced / "journal.db"
    assert stderr.splitlines() == [
        f"outreach: {journal}: the journal is damaged (database disk image is malformed);"
        " nothing was changed",
        DAMAGED_HINT.format(path=journal),
    ]
    assert (synced / "journal.db").read_bytes() == before


def test_an_empty_journal_file_is_refused_and_left_as_it_is(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws")
    (root / "journal.db").write_bytes(b"")
    for args in (("report",), ("touch", "ana", "--kind", "meeting")):
        _, stderr = run(run_cli, root, *args, expect=1)
        assert stderr.splitlines() == [
            f"outreach: {root / 'journal.db'}: the journal file is empty (0 bytes);"
            " outreach will not replace it",
            "hint: restore it from a backup; to start a new journal, move journal.db aside and"
            " run the command again",
        ]
    assert (root / "journal.db").read_bytes() == b""


def test_another_programs_database_is_never_turned_into_a_journal(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws")
    with sqlite3.connect(root / "journal.db") as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
    before = (root / "journal.db").read_bytes()
    _, stderr = run(run_cli, root, "report", expect=1)
    assert stderr.splitlines()[0] == (
        f"outreach: {root / 'journal.db'}: an SQLite database but not an outreach journal"
        " (it has a table 'recipes'); nothing was changed"
    )
    assert (root / "journal.db").read_bytes() == before


def test_a_file_that_is_not_a_database_is_named_as_such(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws")
    (root / "journal.db").write_text("my notes, not a database\n" * 100)
    _, stderr = run(run_cli, root, "report", expect=1)
    assert stderr.splitlines() == [
        f"outreach: {root / 'journal.db'}: not an outreach journal (not an SQLite database);"
        " nothing was changed",
        "hint: check [paths] journal in outreach.toml; outreach will not replace the file",
    ]


def test_the_journal_its_companions_and_the_daemon_log_are_created_owner_only(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # Drafts and the cache were private already; the journal holds the same
    # history of who wrote to whom, and the log names people and mailboxes.
    root = make_workspace(tmp_path / "ws")
    old = os.umask(0o022)
    try:
        run(run_cli, root, "touch", "ana", "--kind", "meeting", expect=0)
        with Journal.open(root / "journal.db"):  # open: SQLite's -wal and -shm exist
            made = sorted(p.name for p in root.iterdir() if p.name.startswith("journal.db"))
            modes = {name: stat.S_IMODE((root / name).stat().st_mode) for name in made}
        setup = LogSetup(stream=io.StringIO(), log_file=root / "logs" / "daemon.log", verbose=False)
        setup.logger.info("hello")
        setup.close()
    finally:
        os.umask(old)
    assert modes == {
        "journal.db": 0o600,
        "journal.db-setup.lock": 0o600,
        "journal.db-shm": 0o600,
        "journal.db-wal": 0o600,
    }
    assert stat.S_IMODE((root / "logs" / "daemon.log").stat().st_mode) == 0o600


# --- full and read-only disks: small tmpfs mounts -----------------------------


def _can_mount() -> str | None:
    if os.geteuid() != 0:
        return "mounting a small tmpfs needs root"
    return None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    reason = _can_mount()
    if reason:
        pytest.skip(reason)
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Write until the disk refuses another byte (unbuffered: nothing left to flush)."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("touch", "ana", "--kind", "meeting"),
            "journal.db: the disk is full; nothing was recorded",
        ),
        (("sync",), "journal.db: the disk is full; nothing was recorded"),
    ],
)
def test_a_full_disk_is_one_line(
    small_disk: Path, run_cli: RunCli, args: tuple[str, ...], expected: str
) -> None:
    root = make_workspace(small_disk / "ws", extra_config=MAILBOX)
    deliver(root / "mail", REPLY)
    run(run_cli, root, "report", expect=0)  # the journal exists, set up
    fill(small_disk)
    _, stderr = run(run_cli, root, *args, expect=1)
    assert stderr.splitlines() == [
        f"outreach: {root}/{expected}",
        "hint: free some space and run the command again",
    ]


def test_a_full_disk_before_the_journal_exists_leaves_no_empty_journal(
    small_disk: Path, run_cli: RunCli
) -> None:
    root = make_workspace(small_disk / "ws")
    fill(small_disk)
    _, stderr = run(run_cli, root, "touch", "ana", "--kind", "meeting", expect=1)
    assert len(stderr.splitlines()) == 2
    assert "disk is full" in stderr or "No space left" in stderr
    assert not (root / "journal.db").exists()


def test_the_daemon_lock_file_on_a_full_disk_is_one_line(small_disk: Path, run_cli: RunCli) -> None:
    root = make_workspace(small_disk / "ws")
    fill(small_disk)
    _, stderr = run(run_cli, root, "daemon", "--once", expect=1)
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) <= 2
    assert "No space left on device" in stderr or "disk is full" in stderr


def test_a_read_only_disk_is_one_line(small_disk: Path, run_cli: RunCli) -> None:
    root = make_workspace(small_disk / "ws")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    _, stderr = run(run_cli, root, "touch", "ana", "--kind", "meeting", expect=1)
    assert stderr.splitlines() == [
        f"outreach: {root / 'journal.db-setup.lock'}: cannot lock the journal to set it up:"
        " Read-only file system (the folder is read-only)",
        "hint: check the permissions of the workspace folder",
    ]
