"""Words that are true: plurals, drafted versus sent, import exit statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.base.wording import noun, plural
from tests.conftest import RunCli
from tests.support.workspaces import make_workspace

MAILBOX = """
[[mailboxes]]
name = "home"
kind = "maildir"
path = "mail"
"""

SALON = """\
[events.salon]
title = "Housing Futures Salon"
host = "me"
start = 2026-07-01T18:00:00+02:00
tags = ["housing"]
"""


@pytest.mark.parametrize(
    ("count", "one", "many", "expected"),
    [
        (0, "share", None, "0 shares"),
        (1, "share", None, "1 share"),
        (2, "person", "people", "2 people"),
        (1_200, "touch", "touches", "1,200 touches"),
    ],
)
def test_plural(count: int, one: str, many: str | None, expected: str) -> None:
    assert plural(count, one, many) == expected
    assert noun(count, one, many) == expected.split(" ", 1)[1]


def test_one_share_is_one_share(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws", events=SALON.replace('tags = ["housing"]', 'share_with = ["ana"]')
    )
    result = run_cli("--home", str(ws), "--as-of", "2026-06-15", "draft", "shares", "--dry-run")
    assert result.stdout.splitlines()[-1] == (
        "1 share would be drafted (1 of your own events); nothing written (--dry-run)"
    )


def maildir(folder: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def test_events_list_tells_drafted_from_sent(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", events=SALON, extra_config=MAILBOX)
    maildir(ws / "mail")
    home = ["--home", str(ws), "--as-of", "2026-06-15"]
    run_cli(*home, "draft", "shares")
    assert run_cli(*home, "events", "list").stdout.splitlines()[2] == (
        "    drafted for 2, sent to 0 of 2 interested"
    )
    # Sent from the mail client: the copy in Sent is what the next sync sees.
    (sent_draft,) = sorted((ws / "drafts").glob("*ana*.eml"))
    sent = maildir(ws / "mail" / ".Sent")
    (sent / "cur" / "1781000001.M1P1.mail.example.org:2,S").write_bytes(sent_draft.read_bytes())
    run_cli(*home, "sync")
    assert run_cli(*home, "events", "list").stdout.splitlines()[2] == (
        "    drafted for 2, sent to 1 of 2 interested"
    )


def test_an_event_nobody_was_drafted_for_says_so(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(tmp_path / "ws", events=SALON)
    listing = run_cli("--home", str(ws), "--as-of", "2026-06-15", "events", "list").stdout
    assert listing.splitlines()[2] == "    not drafted yet; 2 interested"
