"""Renaming a contact keeps their history; history the roster lost is warned about."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from outreach.core.roster_rename import (
    RenameError,
    rename_in_events_text,
    rename_in_roster_text,
)
from outreach.store.journal import Journal
from outreach.store.journal.renames import Moved, has_history, move_history
from outreach.store.journal.touches import contact_activity, touches_for
from tests.conftest import RunCli


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("[contacts.mei]\nname = 'Mei'\n", "[contacts.meilin]\nname = 'Mei'\n"),
        ('[contacts."mei"]  # my friend\n', "[contacts.meilin]  # my friend\n"),
        ("[ contacts . mei ]\n", "[ contacts . meilin ]\n"),
        (
            "[contacts.mei]\n[contacts.mei.links]\nsite = 'x'\n[[contacts.mei.feeds]]\n",
            "[contacts.meilin]\n[contacts.meilin.links]\nsite = 'x'\n[[contacts.meilin.feeds]]\n",
        ),
        # Another contact whose id starts the same, and text that merely mentions it, stay.
        (
            "[contacts.meiko]\nnotes = '[contacts.mei] moved'\n\n[contacts.mei]\n",
            "[contacts.meiko]\nnotes = '[contacts.mei] moved'\n\n[contacts.meilin]\n",
        ),
    ],
    ids=["plain", "quoted with a comment", "spaces", "sub-tables", "neighbours"],
)
def test_rename_rewrites_only_the_contacts_table_headers(before: str, after: str) -> None:
    assert rename_in_roster_text(before, "mei", "meilin") == after


def test_a_new_id_with_a_dot_is_quoted() -> None:
    assert rename_in_roster_text("[contacts.mei]\n", "mei", "mei.lin") == '[contacts."mei.lin"]\n'


def test_events_name_the_new_id_as_host_and_in_share_with() -> None:
    before = (
        '[events.a]\nhost = "mei"  # hers\ntitle = "mei\'s day"\n'
        'share_with = ["ben", "mei", "tag:mei"]\n[events.b]\nhost = \'meiko\'\n'
    )
    assert rename_in_events_text(before, "mei", "meilin") == (
        '[events.a]\nhost = "meilin"  # hers\ntitle = "mei\'s day"\n'
        'share_with = ["ben", "meilin", "tag:mei"]\n[events.b]\nhost = \'meiko\'\n'
    )


def test_an_inline_table_is_reported_not_guessed() -> None:
    with pytest.raises(RenameError, match=r"no \[contacts.mei\] table header"):
        rename_in_roster_text("[contacts]\nmei = { name = 'Mei' }\n", "mei", "meilin")


@pytest.fixture
def synced_example(tmp_path: Path, run_cli: RunCli) -> Path:
    root = tmp_path / "example"
    run_cli("init", str(root), "--example")
    run_cli("--home", str(root), "sync")
    return root


def test_contacts_rename_keeps_last_touch_and_last_support(
    synced_example: Path, run_cli: RunCli
) -> None:
    root = synced_example
    run_cli("--home", str(root), "touch", "priya", "--kind", "feedback", "--note", "her survey")
    roster_before = (root / "roster.toml").read_text()
    with Journal.open(root / "journal.db") as journal:
        before = contact_activity(journal, "priya")
        touches_before = touches_for(journal, "priya")
    assert before.last_touch_at is not None and before.last_support_at is not None
    result = run_cli("--home", str(root), "contacts", "rename", "priya", "priyar")
    assert result.stdout.startswith("priya → priyar: renamed in roster.toml; moved ")
    assert (root / "roster.toml").read_text() == roster_before.replace(
        "[contacts.priya]", "[contacts.priyar]"
    )
    with Journal.open(root / "journal.db") as journal:
        assert contact_activity(journal, "priyar") == replace(before, contact_id="priyar")
        assert touches_for(journal, "priyar") == [
            replace(t, contact_id="priyar") for t in touches_before
        ]
        assert touches_for(journal, "priya") == []
    check = run_cli("--home", str(root), "check")
    assert check.stderr == ""
    # A sync afterwards records nothing twice for the renamed contact.
    run_cli("--home", str(root), "sync")
    with Journal.open(root / "journal.db") as journal:
        assert len(touches_for(journal, "priyar")) == len(touches_before)


def test_renaming_by_hand_makes_check_warn_naming_both_ids(
    synced_example: Path, run_cli: RunCli
) -> None:
    root = synced_example
    # By hand, as a user would: the roster's table and the event Kofi hosts.
    for name, old, new in (
        ("roster.toml", "[contacts.kofi]", "[contacts.kofim]"),
        ("events.toml", 'host = "kofi"', 'host = "kofim"'),
    ):
        path = root / name
        path.write_text(path.read_text().replace(old, new))
    result = run_cli("--home", str(root), "check")
    assert result.status == 0
    assert result.stderr == (
        "warning: kofi's history now belongs to no one: did you rename kofi to kofim?"
        " run `outreach contacts rename kofi kofim`\n"
    )
    moved = run_cli("--home", str(root), "contacts", "rename", "kofi", "kofim")
    assert moved.stdout.startswith("kofi → kofim: already renamed in roster.toml; moved ")
    assert run_cli("--home", str(root), "check").stderr == ""
    with Journal.open(root / "journal.db") as journal:
        assert contact_activity(journal, "kofim").last_support_at is not None
        intros = journal.connection.execute(
            "SELECT contact_a, contact_b FROM intros WHERE 'kofi' IN (contact_a, contact_b)"
        ).fetchall()
        assert intros == []


def test_a_removed_contact_with_history_is_warned_about_without_a_guess(
    synced_example: Path, run_cli: RunCli
) -> None:
    root = synced_example
    roster = root / "roster.toml"
    text = roster.read_text()
    start = text.index("[contacts.kofi]")
    end = text.index("[contacts.", start + 1)
    roster.write_text(text[:start] + text[end:])
    events = root / "events.toml"
    events.write_text(events.read_text().replace('host = "kofi"', 'host = "me"'))
    result = run_cli("--home", str(root), "check")
    assert result.stderr == (
        "warning: kofi's history now belongs to no one: if kofi was renamed in roster.toml,"
        " run `outreach contacts rename kofi NEW_ID` to keep it\n"
    )


def test_rename_refuses_an_id_that_is_taken_and_changes_nothing(
    synced_example: Path, run_cli: RunCli
) -> None:
    root = synced_example
    before = (root / "roster.toml").read_text()
    result = run_cli("--home", str(root), "contacts", "rename", "priya", "kofi", expect=2)
    assert result.stderr.startswith(
        f"{root / 'roster.toml'}: both 'priya' and 'kofi' are in the roster\n"
    )
    assert (root / "roster.toml").read_text() == before


def test_move_history_moves_every_row_and_keeps_shared_history_once() -> None:
    journal = Journal.memory()
    db = journal.connection
    stamp = "2026-06-01T00:00:00Z"
    db.executescript(
        f"""
        INSERT INTO touches (contact_id, kind, at, message_id, recorded_at) VALUES
            ('mei', 'reply', '2026-05-01T00:00:00Z', '<m1@x>', '{stamp}'),
            ('mei', 'share', '2026-05-02T00:00:00Z', NULL, '{stamp}'),
            ('zoe', 'reply', '2026-05-01T00:00:00Z', '<m1@x>', '{stamp}');
        INSERT INTO drafts (id, message_id, kind, subject, path, created_at, updated_at)
            VALUES (1, '<d1@x>', 'share_event', 's', 'drafts/a.eml', '{stamp}', '{stamp}');
        INSERT INTO draft_recipients VALUES (1, 'mei');
        INSERT INTO event_shares VALUES ('salon', 'mei', 1);
        INSERT INTO intros (contact_a, contact_b, mode, status, created_at, updated_at)
            VALUES ('ana', 'mei', 'direct', 'introduced', '{stamp}', '{stamp}');
        INSERT INTO indexed_addresses VALUES ('mei@example.net', 'mei');
        """
    )
    moved = move_history(journal, "mei", "zoe")
    # zoe already held the reply to the same message: it stays once.
    assert moved == Moved(touches=1, drafts=1, intros=1)
    assert db.execute(
        "SELECT contact_id, kind, message_id FROM touches ORDER BY id"
    ).fetchall() == [
        ("zoe", "share", None),
        ("zoe", "reply", "<m1@x>"),
    ]
    assert db.execute("SELECT * FROM event_shares").fetchall() == [("salon", "zoe", 1)]
    # contact_a < contact_b still holds: the new id sorts after "ana".
    assert db.execute("SELECT contact_a, contact_b FROM intros").fetchall() == [("ana", "zoe")]
    assert db.execute("SELECT * FROM indexed_addresses").fetchall() == [("mei@example.net", "zoe")]
    assert contact_activity(journal, "zoe").last_support_kind is not None
    assert db.execute("SELECT COUNT(*) FROM contact_state WHERE contact_id = 'mei'").fetchone() == (
        0,
    )
    assert not has_history(journal, "mei")


def test_move_history_to_an_id_that_sorts_first_reorders_intro_pairs() -> None:
    journal = Journal.memory()
    journal.connection.execute(
        "INSERT INTO intros (contact_a, contact_b, mode, status, created_at, updated_at)"
        " VALUES ('ana', 'mei', 'direct', 'asked', 'x', 'x')"
    )
    move_history(journal, "mei", "abe")
    rows = journal.connection.execute("SELECT contact_a, contact_b FROM intros").fetchall()
    assert rows == [("abe", "ana")]
