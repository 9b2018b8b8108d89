"""`outreach sync` over a local Maildir tree: touches, incrementality, and files left alone."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.app.sync import run_sync
from outreach.base.clock import fixed_clock
from outreach.base.model import TouchKind
from outreach.store.journal import Journal
from outreach.store.journal.drafts import DraftStatus, SupportPlan, add_draft, get_draft
from outreach.store.journal.touches import contact_activity, touches_for
from outreach.store.workspace import load_workspace
from tests.conftest import NOW, CliResult, RunCli
from tests.support.workspaces import make_workspace

MAILBOX = """
[[mailboxes]]
name = "home"
kind = "maildir"
path = "mail"
"""
DELIVERED = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)

_count = 0


def deliver(folder: Path, raw: str, *, seen: bool = False, mtime: datetime = DELIVERED) -> Path:
    """Write one message file as an MDA would: new/ when unread, cur/ with flags once seen."""
    global _count
    _count += 1
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    name = f"{1781000000 + _count}.M{_count}P4242.mail.example.org"
    path = folder / ("cur" if seen else "new") / (f"{name}:2,S" if seen else name)
    path.write_bytes(raw.strip().replace("\n", "\r\n").encode() + b"\r\n")
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def message(
    sender: str,
    subject: str,
    *,
    to: str = "Dana Reyes <dana@example.org>",
    date: str | None = "Sat, 13 Jun 2026 18:05:00 +0200",
    msgid: str | None = None,
    extra: str = "",
    body: str = "Thanks, see you there.",
) -> str:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    if msgid is not None:
        lines.append(f"Message-ID: {msgid}")
    lines += [line for line in extra.strip().splitlines() if line]
    return "\n".join(lines) + "\n\n" + body + "\n"


REPLY = message("Ana Lima <ana@example.net>", "Re: the spring convening", msgid="<r1@example.net>")
OOF = message(
    "Ana Lima <ana@example.net>",
    "Automatic reply: the spring convening",
    msgid="<oof1@example.net>",
    extra="Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All",
)
BOUNCE = message(
    "Mail Delivery System <MAILER-DAEMON@mx.example.org>",
    "Undelivered Mail Returned to Sender",
    msgid="<b1@mx.example.org>",
    extra='Content-Type: multipart/report; report-type=delivery-status; boundary="x"',
    body="--x\nThis is the mail system at host mx.example.org.\n--x--",
)
LIST_POST = message(
    "Ana Lima <ana@example.net>",
    "[housing] minutes",
    to="housing@lists.example.org",
    msgid="<l1@example.net>",
    extra="List-Id: Housing <housing.lists.example.org>\nPrecedence: list",
)
STRANGER = message("Chen Wei <chen@example.com>", "hello", msgid="<s1@example.com>")
SENT = message(
    "Dana Reyes <dana@example.org>",
    "Lunch?",
    to="Ben Okafor <ben.okafor@example.com>",
    date="Fri, 12 Jun 2026 09:00:00 -0400",
    msgid="<sent1@example.org>",
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    inbox = root / "mail"
    for raw in (REPLY, OOF, BOUNCE, LIST_POST, STRANGER):
        deliver(inbox, raw)
    deliver(inbox / ".Sent", SENT, seen=True)
    return root


def snapshot(root: Path) -> dict[str, tuple[int, float, bytes]]:
    """Every file under `root` with its size, mtime and content: what "untouched" means."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[str(path.relative_to(root))] = (info.st_size, info.st_mtime, path.read_bytes())
    return found


def sync(run_cli: RunCli, root: Path, *args: str, expect: int = 0) -> CliResult:
    return run_cli("--home", str(root), "--as-of", NOW.isoformat(), "sync", *args, expect=expect)


def test_first_sync_records_only_genuine_mail_and_prints_one_summary(
    workspace: Path, run_cli: RunCli
) -> None:
    result = sync(run_cli, workspace)
    assert result.stdout.splitlines() == [
        "home/INBOX: 5 messages read (5 new), 1 touch",
        "home/Sent: 1 message read (1 new), 1 touch",
        "2 folders, 6 messages read (6 new), 2 touches recorded",
        "ignored: 1 auto-reply, 1 bounce, 1 mailing list, 1 unknown sender",
    ]
    assert result.stderr == ""
    with Journal.open(workspace / "journal.db") as journal:
        ana = touches_for(journal, "ana")
        ben = touches_for(journal, "ben")
    replied = datetime(2026, 6, 13, 16, 5, tzinfo=UTC)
    assert [(t.kind, t.at, t.message_id, t.source) for t in ana] == [
        (TouchKind.REPLY, replied, "<r1@example.net>", "sync:home/INBOX"),
    ]
    assert [(t.kind, t.at, t.detail) for t in ben] == [
        (TouchKind.SENT, datetime(2026, 6, 12, 13, 0, tzinfo=UTC), "Lunch?"),
    ]


def test_sync_never_moves_renames_or_changes_a_message_file(
    workspace: Path, run_cli: RunCli
) -> None:
    before = snapshot(workspace / "mail")
    sync(run_cli, workspace)
    sync(run_cli, workspace)
    assert snapshot(workspace / "mail") == before
    assert len(list((workspace / "mail" / "new").iterdir())) == 5


def test_second_sync_without_new_mail_reads_nothing(workspace: Path, run_cli: RunCli) -> None:
    sync(run_cli, workspace)
    assert sync(run_cli, workspace).stdout.splitlines() == [
        "home/INBOX: 0 messages read (0 new), 0 touches",
        "home/Sent: 0 messages read (0 new), 0 touches",
        "2 folders, 0 messages read (0 new), 0 touches recorded",
    ]


def test_only_newly_delivered_mail_is_read_and_a_file_moved_to_cur_is_not_reread(
    workspace: Path, run_cli: RunCli
) -> None:
    sync(run_cli, workspace)
    # Another mail client reads the reply: new/NAME becomes cur/NAME:2,S.
    moved = next(p for p in (workspace / "mail" / "new").iterdir() if b"r1@" in p.read_bytes())
    moved.rename(workspace / "mail" / "cur" / f"{moved.name}:2,S")
    later = message(
        "Ben <ben@example.net>",
        "Re: Lunch?",
        date="Sun, 14 Jun 2026 10:00:00 +0000",
        msgid="<r2@example.net>",
    )
    deliver(workspace / "mail", later)
    result = sync(run_cli, workspace, "--mailbox", "home")
    assert result.stdout.splitlines()[0] == "home/INBOX: 1 message read (1 new), 1 touch"
    with Journal.open(workspace / "journal.db") as journal:
        assert contact_activity(journal, "ben").last_touch_at == datetime(
            2026, 6, 14, 10, 0, tzinfo=UTC
        )


def test_dry_run_prints_the_touches_and_records_nothing(workspace: Path, run_cli: RunCli) -> None:
    result = sync(run_cli, workspace, "--dry-run")
    assert result.stdout.splitlines()[2:] == [
        "dry run: 2 folders, 6 messages read (6 new), 2 touches would be recorded",
        "ignored: 1 auto-reply, 1 bounce, 1 mailing list, 1 unknown sender",
        "would record:",
        "  2026-06-12  sent      ben              Lunch?",
        "  2026-06-13  reply     ana              Re: the spring convening",
    ]
    with Journal.open(workspace / "journal.db") as journal:
        count = journal.connection.execute(
            "SELECT (SELECT COUNT(*) FROM touches) + (SELECT COUNT(*) FROM seen_messages)"
            " + (SELECT COUNT(*) FROM maildir_seen) + (SELECT COUNT(*) FROM unknown_senders)"
        ).fetchone()[0]
    assert count == 0
    # ...so the real sync afterwards still finds everything.
    assert "2 touches recorded" in sync(run_cli, workspace).stdout


def test_same_message_in_two_folders_is_one_touch_and_counted_new_once(
    workspace: Path, run_cli: RunCli
) -> None:
    deliver(workspace / "mail" / ".Archive", REPLY, seen=True)
    result = sync(run_cli, workspace)
    assert "home/Archive: 1 message read (0 new), 0 touches" in result.stdout.splitlines()
    assert "3 folders, 7 messages read (6 new), 2 touches recorded" in result.stdout


def test_message_without_message_id_delivered_twice_counts_once(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    raw = message("ana@example.net", "Re: zine", msgid=None)
    deliver(root / "mail", raw)
    # A second delivery of the same message: other Received lines, same author fields.
    deliver(root / "mail", "Received: from relay2.example.net\n" + raw)
    result = sync(run_cli, root)
    assert result.stdout.splitlines()[0] == "home/INBOX: 2 messages read (1 new), 1 touch"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Wed, 01 Jan 2031 10:00:00 +0000", DELIVERED),
        (None, DELIVERED),
        ("sometime last week", DELIVERED),
        ("Sat, 13 Jun 2026 18:05:00 +0200", datetime(2026, 6, 13, 16, 5, tzinfo=UTC)),
    ],
    ids=["future", "missing", "unparseable", "valid"],
)
def test_reply_date_falls_back_to_the_delivery_time(
    tmp_path: Path, run_cli: RunCli, date: str | None, expected: datetime
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(root / "mail", message("ana@example.net", "Re: zine", date=date, msgid="<d@x>"))
    sync(run_cli, root)
    with Journal.open(root / "journal.db") as journal:
        assert [t.at for t in touches_for(journal, "ana")] == [expected]


def test_an_older_reply_synced_later_never_moves_the_last_touch_back(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    deliver(
        root / "mail", message("ana@example.net", "new", date="Sat, 13 Jun 2026 10:00:00 +0000")
    )
    sync(run_cli, root)
    deliver(
        root / "mail", message("ana@example.net", "old", date="Mon, 01 Jun 2026 10:00:00 +0000")
    )
    sync(run_cli, root)
    with Journal.open(root / "journal.db") as journal:
        assert len(touches_for(journal, "ana")) == 2
        activity = contact_activity(journal, "ana")
    assert activity.last_touch_at == datetime(2026, 6, 13, 10, 0, tzinfo=UTC)


def test_group_mail_from_a_contact_is_no_touch(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX + "\n[sync]\ngroup_threshold = 3\n")
    crowd = ", ".join(f"p{n}@example.com" for n in range(3))
    deliver(
        root / "mail", message("ana@example.net", "Re: potluck", to=f"dana@example.org, {crowd}")
    )
    result = sync(run_cli, root)
    assert result.stdout.splitlines()[-1] == "ignored: 1 group mail"


def test_reply_to_a_draft_links_it_and_a_draft_sent_from_the_mail_client_is_marked_sent(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    with Journal.open(root / "journal.db") as journal:
        by_id = add_draft(
            journal,
            message_id="<draft1@example.org>",
            kind="share_event",
            subject="An event you may like",
            path="drafts/1.eml",
            recipients=["ana"],
            support=[SupportPlan("ana", TouchKind.SHARE)],
            now=NOW,
        )
        by_content = add_draft(
            journal,
            message_id="<draft2@example.org>",
            kind="intro",
            subject="Ben, meet Ana",
            path="drafts/2.eml",
            recipients=["ana", "ben"],
            support=[SupportPlan("ana", TouchKind.INTRO), SupportPlan("ben", TouchKind.INTRO)],
            now=NOW,
        )
    # The first draft went out with our Message-ID; the second through a client
    # that wrote its own, so only recipients and subject identify it.
    sent = root / "mail" / ".Sent"
    with_our_id = message(
        "dana@example.org",
        "An event you may like",
        to="ana@example.net",
        msgid="<draft1@example.org>",
    )
    with_own_id = message(
        "dana@example.org",
        "Ben,  meet Ana",
        to="ana@example.net",
        extra="Cc: Ben <ben@example.net>",
        msgid="<x9@mua.example.org>",
    )
    reply = message(
        "ana@example.net",
        "Re: An event you may like",
        msgid="<r9@example.net>",
        extra="In-Reply-To: <draft1@example.org>",
    )
    deliver(sent, with_our_id, seen=True)
    deliver(sent, with_own_id, seen=True)
    deliver(root / "mail", reply)
    result = sync(run_cli, root)
    assert "drafts: 2 seen sent, 1 reply to drafts" in result.stdout.splitlines()
    with Journal.open(root / "journal.db") as journal:
        first, second = get_draft(journal, by_id), get_draft(journal, by_content)
        kinds = {t.kind for t in touches_for(journal, "ana")}
    assert first is not None and second is not None
    assert first.status is DraftStatus.REPLIED and first.sent_at is not None
    assert second.status is DraftStatus.SENT
    assert kinds == {TouchKind.SHARE, TouchKind.INTRO, TouchKind.SENT, TouchKind.REPLY}


def test_unknown_lists_frequent_human_senders_not_in_the_roster(
    workspace: Path, run_cli: RunCli
) -> None:
    assert sync(run_cli, workspace, "--unknown").stdout == (
        "no mail synced yet; run `outreach sync` first\n"
    )
    deliver(workspace / "mail", message("Chen Wei <Chen@Example.com>", "again", msgid="<s2@x>"))
    deliver(workspace / "mail", message("Farah <farah@example.org>", "hi", msgid="<s3@x>"))
    sync(run_cli, workspace)
    assert sync(run_cli, workspace, "--unknown", "--limit", "5").stdout.splitlines() == [
        "senders not in your roster, most messages first:",
        "  2  Chen Wei <chen@example.com>  (last 2026-06-10)",
        "  1  Farah <farah@example.org>  (last 2026-06-10)",
        "hint: add the people you want to keep in touch with to roster.toml",
    ]


def test_unknown_mailbox_name_is_bad_input(workspace: Path, run_cli: RunCli) -> None:
    result = sync(run_cli, workspace, "--mailbox", "hom", expect=2)
    assert result.stderr.splitlines()[0].startswith("--mailbox: no mailbox named 'hom'")


def test_missing_maildir_is_a_clear_runtime_error(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    result = sync(run_cli, root, expect=1)
    assert result.stderr == f"outreach: mailbox 'home': {root / 'mail'} is not a folder\n"


def test_progress_reports_each_batch_by_mailbox_and_folder(workspace: Path) -> None:
    calls: list[tuple[int, int | None, str]] = []

    def record(done: int, total: int | None, label: str) -> None:
        calls.append((done, total, label))

    (workspace / "outreach.toml").write_text(
        (workspace / "outreach.toml").read_text() + "\n[sync]\nbatch_size = 2\n"
    )
    with Journal.open(workspace / "journal.db") as journal:
        run_sync(load_workspace(workspace), journal, clock=fixed_clock(NOW), progress=record)
    assert calls == [
        (2, 5, "home/INBOX"),
        (4, 5, "home/INBOX"),
        (5, 5, "home/INBOX"),
        (1, 1, "home/Sent"),
    ]


def test_an_auto_reply_whose_marks_follow_over_a_mebibyte_of_header_is_not_counted(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # Reading stops at the limit; judging the first MiB alone would take this
    # robot (its Auto-Submitted and List-Id come later) for a friend's reply.
    root = make_workspace(tmp_path / "ws", extra_config=MAILBOX)
    padding = "\n".join(f"X-Trace-{i}: " + "z" * 100 for i in range(11_000))
    deliver(
        root / "mail",
        message(
            "Ana Lima <ana@example.net>",
            "Re: the spring convening",
            msgid="<big1@example.net>",
            extra=padding + "\nAuto-Submitted: auto-replied\nList-Id: <news.example.net>",
        ),
    )
    result = sync(run_cli, root)
    assert result.stdout.splitlines() == [
        "home/INBOX: 1 message read (1 new), 0 touches",
        "1 folder, 1 message read (1 new), 0 touches recorded",
        "ignored: 1 header too large",
    ]
    with Journal.open(root / "journal.db") as journal:
        assert touches_for(journal, "ana") == []
