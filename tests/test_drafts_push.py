"""Pushing drafts to the IMAP Drafts folder of a real Dovecot, never twice."""

from __future__ import annotations

import secrets
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from outreach.mail.imap.drafts_push import _uid_set
from outreach.store.journal import Journal
from outreach.store.journal.drafts import DraftStatus, list_drafts
from tests.conftest import NOW, RunCli
from tests.support.dovecot import DovecotServer, MailUser
from tests.support.fixtures import unique_user_name
from tests.support.workspaces import make_workspace

EVENTS = """\
[events.salon]
title = "Housing Salon"
host = "me"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
"""


def roster(count: int) -> str:
    people = [
        ("Ana Lima", "ana@example.net"),
        ("Zoë Ångström", "zoe@example.net"),
    ] + [(f"Person {i}", f"p{i}@example.net") for i in range(count - 2)]
    return "".join(
        f'[contacts.c{i:03d}]\nname = "{name}"\nemails = ["{email}"]\ntags = ["housing"]\n\n'
        for i, (name, email) in enumerate(people[:count])
    )


def workspace_for(tmp_path: Path, user: MailUser, *, count: int = 2, extra: str = "") -> Path:
    server = user.server
    mailbox = textwrap.dedent(
        f"""
        [[mailboxes]]
        name = "work"
        host = "{server.host}"
        port = {server.imaps_port}
        tls = "implicit"
        username = "{user.name}"
        password_env = "IMAP_PASSWORD"
        ca_file = "{server.ca_file}"
        timeout_seconds = 10
        """
    )
    return make_workspace(
        tmp_path / "ws", roster=roster(count), events=EVENTS, extra_config=extra + mailbox
    )


def drafts_in_folder(user: MailUser) -> list[tuple[bytes, tuple[bytes, ...], object]]:
    with user.connect() as client:
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"]) if uids else {}
    return [
        (data[b"BODY[]"], tuple(sorted(data[b"FLAGS"])), data[b"INTERNALDATE"])
        for _, data in sorted(fetched.items())
    ]


def env(user: MailUser) -> dict[str, str]:
    return {"IMAP_PASSWORD": user.password}


def test_pushed_draft_is_in_drafts_flagged_and_pushing_again_adds_nothing(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    inbox_before = mail_user.flags_snapshot()["INBOX"]
    result = run_cli(*home, "drafts", "push", environ=env(mail_user))
    assert result.stdout == "2 pushed to Drafts on mailbox 'work'\n"
    stored = drafts_in_folder(mail_user)
    files = sorted((root / "drafts").glob("*.eml"))
    assert sorted(body for body, _, _ in stored) == sorted(f.read_bytes() for f in files)
    for _, flags, internal in stored:
        assert b"\\Draft" in flags and b"\\Seen" in flags
        assert internal.astimezone(NOW.tzinfo) == NOW  # type: ignore[attr-defined]
    assert "=?utf-8?b?" in b"".join(body for body, _, _ in stored).decode()
    with Journal.open(root / "journal.db") as journal:
        assert {d.status for d in list_drafts(journal)} == {DraftStatus.PUSHED}
        assert all(d.pushed_uid for d in list_drafts(journal))
    again = run_cli(*home, "drafts", "push", environ=env(mail_user))
    assert again.stdout == "no drafts to push\n"
    assert len(drafts_in_folder(mail_user)) == 2
    # Nothing but the two APPENDs changed the mailbox.
    log = mail_user.server.mail_log_lines(mail_user.name)
    assert len(log) == 2 and all(line.startswith("save: box=Drafts") for line in log), log
    assert mail_user.flags_snapshot()["INBOX"] == inbox_before


@pytest.mark.parametrize("count", [2, 25], ids=["search-each", "read-all-ids"])
def test_retry_after_a_lost_connection_appends_nothing_twice(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli, count: int
) -> None:
    root = workspace_for(tmp_path, mail_user, count=count)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    # The server stored the first draft, but its OK never reached us: the
    # journal still says "drafted".
    first = root / "drafts" / "share-salon-c000.eml"
    mail_user.append("Drafts", first.read_bytes(), flags=[b"\\Draft", b"\\Seen"], msg_time=NOW)
    result = run_cli(*home, "drafts", "push", environ=env(mail_user))
    assert result.stdout == (f"{count - 1} pushed to Drafts on mailbox 'work', 1 already there\n")
    stored = [body for body, _, _ in drafts_in_folder(mail_user)]
    assert len(stored) == count
    assert stored.count(first.read_bytes()) == 1


def test_without_special_use_drafts_is_found_by_its_name(
    tmp_path: Path, poor_dovecot: DovecotServer, run_cli: RunCli
) -> None:
    # No Drafts folder at all is an error listing the folders seen: see
    # tests/test_other_servers.py (Dovecot creates its Drafts on login).
    user = poor_dovecot.add_user(unique_user_name("drafts-by-name"), secrets.token_hex(8))
    root = workspace_for(tmp_path, user)
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    with user.connect() as client:
        before = sorted(str(name) for _, _, name in client.list_folders())
    result = run_cli(*home, "drafts", "push", environ=env(user))
    assert result.stdout == "2 pushed to Drafts on mailbox 'work'\n"
    with user.connect() as client:
        after = sorted(str(name) for _, _, name in client.list_folders())
        client.select_folder("Drafts", readonly=True)
        assert len(client.search("ALL")) == 2
    assert after == before
    with Journal.open(root / "journal.db") as journal:
        assert {d.status for d in list_drafts(journal)} == {DraftStatus.PUSHED}


def test_push_true_pushes_each_new_draft_as_it_is_made(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user, extra="[drafts]\npush = true\n")
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    result = run_cli(*home, "draft", "intro", "c000", "c001", environ=env(mail_user))
    assert result.stdout.splitlines()[-1] == "1 pushed to your Drafts folder"
    (stored,) = drafts_in_folder(mail_user)
    assert stored[0] == (root / "drafts" / "intro-c000-c001.eml").read_bytes()
    with Journal.open(root / "journal.db") as journal:
        assert [d.status for d in list_drafts(journal)] == [DraftStatus.PUSHED]


def test_failed_push_keeps_the_drafts_for_the_next_push(
    tmp_path: Path, mail_user: MailUser, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, mail_user, extra="[drafts]\npush = true\n")
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    result = run_cli(
        *home, "draft", "shares", environ={"IMAP_PASSWORD": "not-this-one-4711"}, expect=1
    )
    assert "2 drafts written" in result.stdout
    assert result.stderr.startswith("outreach: the drafts are saved, but pushing them failed:")
    assert "login refused" in result.stderr and "4711" not in result.stderr
    later = ["--home", str(root), "--as-of", (NOW + timedelta(days=1)).date().isoformat()]
    assert run_cli(*later, "drafts", "push", environ=env(mail_user)).stdout.startswith("2 pushed")


@pytest.mark.parametrize(
    ("response", "uids"),
    [
        (b"[APPENDUID 1717 3] Append completed.", [3]),
        (b"[APPENDUID 1717 3:5,9] Append completed.", [3, 4, 5, 9]),
        (b"[appenduid 1 12:10] done", [12, 11, 10]),
        (b"Append completed.", None),
    ],
)
def test_appenduid_sets_are_read_in_order(response: bytes, uids: list[int] | None) -> None:
    assert _uid_set(response) == uids
