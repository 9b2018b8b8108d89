"""The journal: idempotent touches, dates that never move backwards, migrations,
two writers at once, and nothing committed lost to a kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from outreach.base.errors import JournalError
from outreach.base.model import Touch, TouchKind
from outreach.store.journal import SCHEMA_VERSION, Journal
from outreach.store.journal.touches import (
    all_activity,
    contact_activity,
    count_touches,
    record_touch,
    record_touches,
)
from tests.conftest import NOW


def reply(contact: str, days_ago: float, message_id: str | None = None) -> Touch:
    return Touch(contact, TouchKind.REPLY, NOW - timedelta(days=days_ago), message_id=message_id)


def test_same_message_recorded_twice_leaves_one_touch(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.db") as journal:
        assert record_touch(journal, reply("ana", 1, "<m1@example.net>"), now=NOW) is True
        assert record_touch(journal, reply("ana", 1, "<m1@example.net>"), now=NOW) is False
        assert count_touches(journal) == 1


def test_one_message_is_one_touch_per_contact(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.db") as journal:
        sent = [Touch(c, TouchKind.SENT, NOW, message_id="<group@example.org>") for c in "ab"]
        assert all(record_touch(journal, t, now=NOW) for t in sent)
        assert count_touches(journal) == 2


def test_last_touch_never_moves_backwards() -> None:
    journal = Journal.memory()
    record_touch(journal, reply("ana", 1), now=NOW)
    record_touch(journal, reply("ana", 30), now=NOW)  # an old message found late
    activity = contact_activity(journal, "ana")
    assert activity.last_touch_at == NOW - timedelta(days=1)


def test_support_is_tracked_apart_from_contact() -> None:
    journal = Journal.memory()
    record_touch(journal, Touch("ana", TouchKind.MEETING, NOW - timedelta(days=9)), now=NOW)
    record_touch(journal, reply("ana", 2), now=NOW)
    record_touch(journal, Touch("ana", TouchKind.NOTE, NOW), now=NOW)
    activity = contact_activity(journal, "ana")
    assert (activity.last_touch_kind, activity.last_touch_at) == (TouchKind.NOTE, NOW)
    assert (activity.last_support_kind, activity.last_support_at) == (
        TouchKind.MEETING,
        NOW - timedelta(days=9),
    )


def test_sharing_ones_own_work_is_not_support() -> None:
    journal = Journal.memory()
    record_touch(journal, Touch("ana", TouchKind.SHARE, NOW, self_promotion=True), now=NOW)
    assert contact_activity(journal, "ana").last_support_at is None


def test_history_outlives_the_roster(tmp_path: Path) -> None:
    # The journal never deletes by roster membership: an id that comes back finds it.
    path = tmp_path / "journal.db"
    with Journal.open(path) as journal:
        record_touch(journal, reply("ana", 3), now=NOW)
    with Journal.open(path) as journal:
        assert "ana" in all_activity(journal)


def test_new_journal_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.db") as journal:
        assert journal.schema_version == SCHEMA_VERSION
        mode = journal.connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(JournalError) as caught:
        Journal.open(path)
    assert "newer than this outreach understands" in caught.value.message
    assert "upgrade outreach" in (caught.value.hint or "")
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
    assert raw.execute("SELECT COUNT(*) FROM sqlite_master").fetchone() == (0,)  # no tables
    raw.close()


def test_a_file_that_is_not_a_journal_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(JournalError) as caught:
        Journal.open(path)
    assert str(path) in caught.value.message


WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, UTC
    from outreach.store.journal import Journal
    from outreach.store.journal.touches import record_touch
    from outreach.base.model import Touch, TouchKind
    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    now = datetime(2026, 6, 15, tzinfo=UTC)
    with Journal.open(path) as journal:
        for i in range(count):
            record_touch(journal, Touch(name, TouchKind.REPLY, now,
                                        message_id=f"<{name}-{i}@example.net>"), now=now)
            print(i + 1, flush=True)
""")


def writer(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    Journal.open(path).close()
    first, second = writer(path, "ana", 300), writer(path, "ben", 300)
    for process in (first, second):
        process.communicate(timeout=120)
        assert process.returncode == 0
    with Journal.open(path) as journal:
        assert count_touches(journal) == 600


OPENER = textwrap.dedent("""
    import sys
    from outreach.store.journal import Journal
    sys.stdin.readline()  # everyone starts together
    Journal.open(sys.argv[1]).close()
""")


def test_processes_creating_the_journal_at_once_all_succeed(tmp_path: Path) -> None:
    # Without the setup lock, one of two first commands failed ("database is
    # locked", or "table touches already exists"): always while the disk was
    # slow, rarely when it was quiet. Four at once, five times, to give the
    # race its chances.
    for attempt in range(5):
        path = tmp_path / f"journal-{attempt}.db"
        openers = [
            subprocess.Popen(
                [sys.executable, "-c", OPENER, str(path)],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).resolve().parents[1],
            )
            for _ in range(4)
        ]
        for process in openers:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in openers:
            _, errors = process.communicate(timeout=120)
            assert process.returncode == 0, errors
        with Journal.open(path) as journal:
            assert journal.schema_version == SCHEMA_VERSION
            assert journal.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_kill_9_mid_write_keeps_every_committed_touch(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    Journal.open(path).close()
    process = writer(path, "ana", 100_000)
    assert process.stdout is not None
    committed = 0
    for line in process.stdout:
        committed = int(line)
        if committed >= 200:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    with Journal.open(path) as journal:
        assert journal.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert count_touches(journal) >= committed


def test_an_older_journal_is_migrated_forward_with_its_history(tmp_path: Path) -> None:
    from outreach.store.journal.store import MIGRATIONS

    path = tmp_path / "journal.db"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    raw.execute(
        "INSERT INTO touches (contact_id, kind, at, recorded_at)"
        " VALUES ('ana', 'meeting', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z')"
    )
    raw.commit()
    raw.close()
    with Journal.open(path) as journal:
        assert journal.schema_version == SCHEMA_VERSION
        assert count_touches(journal) == 1
        assert contact_activity(journal, "ana").last_support_kind == "meeting"


def test_a_journal_from_before_feeds_gains_the_feed_tables_and_keeps_its_history(
    tmp_path: Path,
) -> None:
    from outreach.store.journal.store import MIGRATIONS

    path = tmp_path / "journal.db"
    raw = sqlite3.connect(path)
    raw.executescript(
        "\n".join(MIGRATIONS[:3]) + "\nPRAGMA user_version = 3;\n"
        "INSERT INTO touches (contact_id, kind, at, recorded_at)"
        " VALUES ('ana', 'share', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z');"
    )
    raw.close()
    with Journal.open(path) as journal:
        assert journal.schema_version == SCHEMA_VERSION
        assert count_touches(journal) == 1
        tables = {
            str(r[0])
            for r in journal.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"feeds", "posts", "feed_events"} <= tables


def test_replies_taken_as_yes_before_answers_were_read_become_unclear(tmp_path: Path) -> None:
    from outreach.store.journal.answers import latest_answers
    from outreach.store.journal.intros import ready_intros
    from outreach.store.journal.store import MIGRATIONS

    path = tmp_path / "journal.db"
    raw = sqlite3.connect(path)
    raw.executescript("\n".join(MIGRATIONS[:3]) + "\nPRAGMA user_version = 3;")
    stamp = "2026-06-15T12:00:00Z"
    raw.execute(
        "INSERT INTO intros (id, contact_a, contact_b, mode, status, created_at, updated_at)"
        " VALUES (1, 'ana', 'ben', 'double_opt_in', 'ready', ?, ?)",
        (stamp, stamp),
    )
    for draft_id, who in ((1, "ana"), (2, "ben")):
        raw.execute(
            "INSERT INTO drafts (id, message_id, kind, subject, path, intro_id, created_at,"
            " updated_at) VALUES (?, ?, 'intro_ask', 's', 'p', 1, ?, ?)",
            (draft_id, f"<ask.{who}@example.org>", stamp, stamp),
        )
        raw.execute("INSERT INTO draft_recipients VALUES (?, ?)", (draft_id, who))
        raw.execute(
            "INSERT INTO draft_replies VALUES (?, ?, ?, '2026-06-16T09:00:00Z')",
            (draft_id, who, f"<reply.{who}@example.net>"),
        )
    raw.commit()
    raw.close()
    with Journal.open(path) as journal:
        answers = latest_answers(journal)[1]
        assert {c: a.answer.value for c, a in answers.items()} == {
            "ana": "unclear",
            "ben": "unclear",
        }
        assert ready_intros(journal) == []
        status = journal.connection.execute("SELECT status FROM intros").fetchone()[0]
        assert status == "asked"


def test_support_not_volume_migration_reclassifies_old_shares(tmp_path: Path) -> None:
    from outreach.store.journal.report_queries import health_counts
    from outreach.store.journal.store import MIGRATIONS

    path = tmp_path / "journal.db"
    raw = sqlite3.connect(path)
    raw.executescript("\n".join(MIGRATIONS[:3]) + "\nPRAGMA user_version = 3;")
    stamp = "2026-06-01T09:00:00Z"
    # Drafts as the old schema knew them: ben's fair shared with gia (sent) and
    # with hal (waiting), and the user's own talk shared with gia (sent).
    for draft_id, event_id, status in (
        (1, "fair", "sent"),
        (2, "fair", "drafted"),
        (3, "talk", "sent"),
    ):
        raw.execute(
            "INSERT INTO drafts (id, message_id, kind, status, subject, path, event_id,"
            " created_at, updated_at) VALUES (?, ?, 'share_event', ?, 's', 'p', ?, ?, ?)",
            (draft_id, f"<d{draft_id}@example.org>", status, event_id, stamp, stamp),
        )
    raw.executemany(
        "INSERT INTO draft_recipients (draft_id, contact_id) VALUES (?, ?)",
        [(1, "gia"), (2, "hal"), (3, "gia")],
    )
    raw.executemany(
        "INSERT INTO draft_support (draft_id, contact_id, kind, self_promotion)"
        " VALUES (?, ?, ?, ?)",
        [
            (1, "ben", "share", 0),
            (1, "gia", "share", 0),
            (1, "gia", "sent", 0),
            (2, "ben", "share", 0),
            (2, "hal", "share", 0),
            (2, "hal", "sent", 0),
            (3, "gia", "share", 1),
        ],
    )
    raw.executemany(
        "INSERT INTO touches (contact_id, kind, direction, at, message_id, source, detail,"
        " self_promotion, recorded_at) VALUES (?, ?, ?, ?, ?, 'smtp', ?, ?, ?)",
        [
            ("gia", "meeting", "none", "2026-05-01T09:00:00Z", None, "coffee", 0, stamp),
            ("ben", "share", "out", stamp, "<d1@example.org>", "draft 1", 0, stamp),
            ("gia", "share", "out", stamp, "<d1@example.org>", "draft 1", 0, stamp),
            ("gia", "sent", "out", stamp, "<d1@example.org>", "draft 1", 0, stamp),
            ("gia", "share", "out", stamp, "<d3@example.org>", "draft 3", 1, stamp),
        ],
    )
    raw.commit()
    raw.close()
    with Journal.open(path) as journal:
        db = journal.connection
        assert journal.schema_version == SCHEMA_VERSION
        touches = db.execute(
            "SELECT contact_id, kind, detail, self_promotion, item FROM touches ORDER BY id"
        ).fetchall()
        assert touches == [
            ("gia", "meeting", "coffee", 0, None),
            ("ben", "share", "draft 1", 0, "event:fair"),
            ("gia", "note", "received a share (draft 1)", 0, None),
            ("gia", "sent", "draft 1", 0, None),
            ("gia", "share", "draft 3", 1, "event:talk"),
        ]
        support = db.execute(
            "SELECT draft_id, contact_id, kind, item, needs_line FROM draft_support"
            " ORDER BY draft_id, contact_id, kind"
        ).fetchall()
        assert support == [
            (1, "ben", "share", "event:fair", 0),
            (1, "gia", "sent", None, 0),
            (1, "gia", "share", None, 1),
            (2, "ben", "share", "event:fair", 0),
            (2, "hal", "sent", None, 0),
            (2, "hal", "share", None, 1),
            (3, "gia", "share", "event:talk", 0),
        ]
        # Gia's last support goes back to the coffee: the old share was only contact.
        state = db.execute("SELECT * FROM contact_state ORDER BY contact_id").fetchall()
        assert state == [
            ("ben", stamp, "share", stamp, "share"),
            ("gia", stamp, "note", "2026-05-01T09:00:00Z", "meeting"),
        ]
        counts = health_counts(journal, since=NOW - timedelta(days=90), until=NOW)
        assert (counts.others_promoted, counts.own_promoted, counts.contacts_supported) == (
            1,
            1,
            2,
        )


def test_a_reply_is_unanswered_until_something_goes_back_to_them(tmp_path: Path) -> None:
    from outreach.base.model import Direction
    from outreach.store.journal.situation import unanswered_replies

    def reply(who: str, days_ago: int, subject: str) -> Touch:
        return Touch(
            who,
            TouchKind.REPLY,
            NOW - timedelta(days=days_ago),
            Direction.INBOUND,
            f"<{who}{days_ago}@example.net>",
            detail=subject,
        )

    with Journal.open(tmp_path / "journal.db") as journal:
        record_touches(
            journal,
            [
                reply("ana", 40, "Too old"),
                reply("ana", 5, "Garden plans"),
                reply("ben", 9, "Answered"),
                Touch("ben", TouchKind.SENT, NOW - timedelta(days=8), Direction.OUTBOUND, "<a@x>"),
                reply("cai", 2, ""),
            ],
            now=NOW,
        )
        found = unanswered_replies(journal, now=NOW, days=30)
    assert {k: (v.at, v.subject) for k, v in found.items()} == {
        "ana": (NOW - timedelta(days=5), "Garden plans"),
        "cai": (NOW - timedelta(days=2), "(no subject)"),
    }
