"""The drafts folder: whole files only, stable names, a rerun never duplicates."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from outreach.app.drafting import draft_shares, save_draft, show_draft
from outreach.base.errors import InputError, WorkspaceError
from outreach.store.journal import Journal
from outreach.store.journal.drafts import list_drafts
from outreach.store.outbox import Outbox, new_message_id, safe_stem
from outreach.store.workspace import load_workspace
from tests.conftest import NOW, RunCli
from tests.support.workspaces import make_workspace


def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path, tmp_path / "drafts", tmp_path / "sent")


def test_write_is_atomic_private_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    box = outbox(tmp_path)
    path = box.write("share-salon-ana", b"first")
    assert path == "drafts/share-salon-ana.eml"
    box.write("share-salon-ana", b"second")
    box.flush()
    assert (tmp_path / path).read_bytes() == b"second"
    assert stat.S_IMODE((tmp_path / path).stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "drafts").iterdir()) == ["share-salon-ana.eml"]


def test_sent_files_move_to_sent_without_overwriting(tmp_path: Path) -> None:
    box = outbox(tmp_path)
    box.write("intro-ana-ben", b"one")
    assert box.move_to_sent("drafts/intro-ana-ben.eml") == "sent/intro-ana-ben.eml"
    box.write("intro-ana-ben", b"two")
    assert box.move_to_sent("drafts/intro-ana-ben.eml") == "sent/intro-ana-ben-2.eml"
    assert (tmp_path / "sent" / "intro-ana-ben.eml").read_bytes() == b"one"
    assert (tmp_path / "sent" / "intro-ana-ben-2.eml").read_bytes() == b"two"
    assert not (tmp_path / "drafts" / "intro-ana-ben.eml").exists()
    assert box.remove("drafts/intro-ana-ben.eml") is False


def test_missing_draft_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="the draft's file is missing"):
        outbox(tmp_path).read("drafts/gone.eml")


def test_names_and_ids_are_safe_and_unique() -> None:
    assert safe_stem("share", "../etc", "a b") == "share-etc-a_b"
    first, second = new_message_id("example.org", "share_event"), new_message_id("example.org")
    assert first != second
    assert first.startswith("<share_event.") and first.endswith("@example.org>")


def many_contacts(count: int) -> str:
    return "".join(
        f'[contacts.c{i:04d}]\nname = "Person {i}"\nemails = ["p{i}@example.net"]\n'
        'tags = ["housing"]\n\n'
        for i in range(count)
    )


EVENT = """\
[events.salon]
title = "Housing Salon"
host = "me"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
"""


def failing_for_one(tmp_path: Path, count: int, contact_id: str, failure: str) -> Path:
    """A workspace of `count` contacts whose share template fails for one of them."""
    root = make_workspace(tmp_path / "ws", roster=many_contacts(count), events=EVENT)
    (root / "templates").mkdir()
    (root / "templates" / "share_event.txt").write_text(
        "Subject: {{ event.title }}\n\nHi {{ contact.first_name }}"
        f"{{% if contact.id == '{contact_id}' %}}{failure}{{% endif %}}\n"
    )
    return root


def test_failure_part_way_keeps_every_draft_made_before_it(tmp_path: Path) -> None:
    # The template fails for one person in the middle of the second batch.
    root = failing_for_one(tmp_path, 620, "c0550", "{{ contact.nickname }}")
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        with pytest.raises(InputError, match="nickname"):
            draft_shares(workspace, journal, now=NOW)
        assert len(list_drafts(journal)) == 550
        assert len(list((root / "drafts").glob("*.eml"))) == 550
        (root / "templates" / "share_event.txt").write_text(
            "Subject: {{ event.title }}\n\nHi {{ contact.first_name }}\n"
        )
        rerun = draft_shares(load_workspace(root), journal, now=NOW)
        assert [d.recipients for d in rerun.drafts][:1] == [("c0550",)]
        assert len(rerun.drafts) == 70
        assert len({r.recipients for r in list_drafts(journal)}) == 620


def test_failure_in_one_worker_keeps_no_file_the_journal_did_not_take(tmp_path: Path) -> None:
    # Three batches on two worker processes: the second fails part-way while
    # the third may already be on disk; only what the journal took stays.
    root = failing_for_one(tmp_path, 1200, "c0700", "{{ 1 // 0 }}")
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        with pytest.raises(InputError, match=r"share_event\.txt:3: integer division or modulo"):
            draft_shares(workspace, journal, now=NOW)
        records = list_drafts(journal)
    files = {f"drafts/{f.name}" for f in (root / "drafts").glob("*.eml")}
    assert len(records) == 700
    assert files == {r.path for r in records}
    assert not list((root / "drafts").glob(".*.tmp"))


def test_killed_batch_leaves_whole_drafts_and_a_rerun_does_not_duplicate(tmp_path: Path) -> None:
    count = 2000
    root = make_workspace(tmp_path / "ws", roster=many_contacts(count), events=EVENT)
    command = [sys.executable, "-m", "outreach", "--home", str(root), "--as-of", "2026-06-15"]
    drafts = root / "drafts"
    with subprocess.Popen([*command, "draft", "shares"], stdout=subprocess.DEVNULL) as child:
        deadline = time.monotonic() + 60
        while child.poll() is None and time.monotonic() < deadline:
            if drafts.is_dir() and sum(1 for _ in drafts.glob("*.eml")) >= 600:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    assert child.returncode == -signal.SIGKILL, "the batch finished before it could be killed"
    parser = BytesParser(policy=policy.default)
    survivors = sorted(drafts.glob("*.eml"))
    for path in survivors:
        message = parser.parsebytes(path.read_bytes())
        assert message.get_body(preferencelist=("plain",)) is not None, path
        assert path.read_bytes().endswith(b"--\r\n"), path  # the closing MIME boundary
    with Journal.open(root / "journal.db") as journal:
        assert len(list_drafts(journal)) <= len(survivors) < count
    # The killed command's worker processes died with it and left the lock free.
    subprocess.run(
        [*command, "draft", "shares"], check=True, stdout=subprocess.DEVNULL, timeout=120
    )
    with Journal.open(root / "journal.db") as journal:
        records = list_drafts(journal)
    files = sorted(drafts.glob("*.eml"))
    assert len(records) == len(files) == count
    assert {f"drafts/{f.name}" for f in files} == {r.path for r in records}
    assert len({r.recipients for r in records}) == count


def test_two_commands_at_once_draft_each_share_once(tmp_path: Path) -> None:
    # The outbox lock makes the second wait; it then finds every share made.
    count = 1200
    root = make_workspace(tmp_path / "ws", roster=many_contacts(count), events=EVENT)
    command = [sys.executable, "-m", "outreach", "--home", str(root), "--as-of", "2026-06-15"]
    children = [
        subprocess.Popen([*command, "draft", "shares"], stdout=subprocess.DEVNULL) for _ in range(2)
    ]
    assert [child.wait(timeout=120) for child in children] == [0, 0]
    with Journal.open(root / "journal.db") as journal:
        records = list_drafts(journal)
    files = {f"drafts/{f.name}" for f in (root / "drafts").glob("*.eml")}
    assert len(records) == count
    assert files == {r.path for r in records}
    assert len({r.recipients for r in records}) == count


def test_save_draft_to_oneself_and_show_it(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws")
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        batch = save_draft(
            workspace,
            journal,
            kind="report",
            to="me",
            subject="Who haven't I supported lately?",
            text="Ana: 40 days.\n",
            html="<p>Ana: 40 days.</p>\n",
            now=NOW,
        )
        (draft,) = batch.drafts
        assert draft.path == "drafts/report-20260615T120000.eml"
        view = show_draft(workspace, journal, draft.id)
    assert view.headers["To"] == "Dana Reyes <dana@example.org>"
    assert view.text == "Ana: 40 days.\n" and view.has_html
    result = run_cli("--home", str(root), "drafts", "show", str(draft.id))
    assert result.stdout == (
        "draft 1: report, drafted, file drafts/report-20260615T120000.eml\n"
        "From: Dana Reyes <dana@example.org>\n"
        "To: Dana Reyes <dana@example.org>\n"
        "Subject: Who haven't I supported lately?\n"
        "Date: Mon, 15 Jun 2026 12:00:00 +0000\n"
        f"Message-ID: {draft.message_id}\n"
        "\n"
        "Ana: 40 days.\n"
        "\n"
        "(an HTML version is included)\n"
    )


def test_a_pending_draft_file_is_never_overwritten(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        common = {"kind": "note", "to": "me", "text": "x\n", "now": NOW, "stem": "note"}
        first = save_draft(workspace, journal, subject="One", **common)  # type: ignore[arg-type]
        second = save_draft(workspace, journal, subject="Two", **common)  # type: ignore[arg-type]
    assert (first.drafts[0].path, second.drafts[0].path) == ("drafts/note.eml", "drafts/note-2.eml")
    assert b"Subject: One" in (root / "drafts" / "note.eml").read_bytes()


def test_cli_list_and_discard(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENT.replace('"me"', '"ben"'))
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    assert run_cli(*home, "drafts", "list").stdout == (
        "   ID  STATUS     KIND         CREATED     TO                        SUBJECT\n"
        "    1  drafted    share_event  2026-06-15  ana                       Housing Salon,"
        " Wednesday 1 July (Ben)  [your line]\n"
        "1 waiting for review; read one with `outreach drafts show ID`, then"
        " `outreach drafts send ID…` or `outreach drafts discard ID`\n"
        "1 still needs your personal line ([your line]): write it where the draft says"
        " [[ your line: … ]], with `outreach drafts edit ID` or in your mail client after"
        " `outreach drafts push`\n"
    )
    result = run_cli(*home, "drafts", "discard", "1")
    assert result.stdout == "discarded draft 1: Housing Salon, Wednesday 1 July (Ben)\n"
    assert run_cli(*home, "drafts", "list").stdout == "no drafts waiting for review\n"
    assert "discarded" in run_cli(*home, "drafts", "list", "--all").stdout
    result = run_cli(*home, "drafts", "discard", "1", expect=2)
    assert result.stderr == "drafts: draft 1 is discarded; only pending drafts go\n"
    assert os.listdir(root / "drafts") == [".outreach.lock"]
