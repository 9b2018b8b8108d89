"""`drafts send` is deliberate: a list first, a confirmation, a pace, nothing twice.

Against a real SMTP server on loopback (aiosmtpd); the in-doubt case is made
by the server dropping the connection after it took the message, before its
250, which is what a crash at the worst moment looks like from the client.
"""

from __future__ import annotations

import io
import shutil
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from outreach.base.model import Direction, Touch, TouchKind
from outreach.store.journal import Journal
from outreach.store.journal.drafts import DraftStatus, list_drafts
from outreach.store.journal.touches import record_touches
from tests.conftest import NOW, RunCli
from tests.support.drafts import write_every_personal_line
from tests.support.smtpd import RunningSink, smtp_sink
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

EVENTS = """\
[events.salon]
title = "Housing Salon"
host = "ben"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
share_with = ["ana"]

[events.walk]
title = "Repair Walk"
host = "ben"
start = 2026-07-02T18:00:00Z
tags = ["housing"]
share_with = ["ana"]

[events.fair]
title = "Seed Fair"
host = "ben"
start = 2026-07-03T18:00:00Z
tags = ["housing"]
share_with = ["ana"]
"""


class Terminal(io.StringIO):
    """Standard input as a person at a terminal: isatty, and their typed answer."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def sink() -> Iterator[RunningSink]:
    with smtp_sink() as running:
        yield running


def workspace(tmp_path: Path, sink: RunningSink, extra: str = "") -> Path:
    return make_workspace(
        tmp_path / "ws",
        roster=DEFAULT_ROSTER,
        events=EVENTS,
        extra_config=sink.config() + textwrap.dedent(extra),
    )


def home(root: Path, day: int = 15) -> list[str]:
    return ["--home", str(root), "--as-of", f"2026-06-{day:02d}"]


def statuses(root: Path) -> dict[int, str]:
    with Journal.open(root / "journal.db") as journal:
        return {d.id: d.status.value for d in list_drafts(journal)}


LISTING = (
    "to send (3):\n"
    "     1  ana@example.net                   Housing Salon, Wednesday 1 July (Ben)\n"
    "     2  ana@example.net                   Repair Walk, Thursday 2 July (Ben)\n"
    "     3  ana@example.net                   Seed Fair, Friday 3 July (Ben)\n"
)
PACE_OFF = "[send]\nmax_per_person = 5\n"


def test_without_a_terminal_and_without_yes_nothing_is_sent(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink, PACE_OFF)
    run_cli(*home(root), "draft", "shares")
    write_every_personal_line(root / "drafts")
    result = run_cli(*home(root), "drafts", "send", "--all", expect=2)
    assert result.stdout == LISTING
    assert result.stderr == (
        "drafts send: not sending without confirmation: nothing sent\n"
        "hint: standard input is not a terminal; review the list above, then add --yes\n"
    )
    assert sink.sink.received == []
    assert statuses(root) == {1: "drafted", 2: "drafted", 3: "drafted"}


def test_dry_run_lists_and_sends_nothing(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink, PACE_OFF)
    run_cli(*home(root), "draft", "shares")
    write_every_personal_line(root / "drafts")
    result = run_cli(*home(root), "drafts", "send", "--all", "--yes", "--dry-run")
    assert result.stdout == LISTING + "dry run: nothing sent\n"
    assert sink.sink.received == []
    assert statuses(root) == {1: "drafted", 2: "drafted", 3: "drafted"}


def test_a_person_at_the_terminal_confirms_or_declines(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink, PACE_OFF)
    run_cli(*home(root), "draft", "shares")
    write_every_personal_line(root / "drafts")
    declined = run_cli(*home(root), "drafts", "send", "1", stdin=Terminal("n\n"))
    assert declined.stdout.endswith("Send this email? [y/N] nothing sent\n")
    assert sink.sink.received == []
    confirmed = run_cli(*home(root), "drafts", "send", "1", "2", stdin=Terminal("y\n"))
    assert confirmed.stdout == (
        "to send (2):\n"
        "     1  ana@example.net                   Housing Salon, Wednesday 1 July (Ben)\n"
        "     2  ana@example.net                   Repair Walk, Thursday 2 July (Ben)\n"
        "Send these 2 emails? [y/N] sent 1/2: draft 1 to ana@example.net\n"
        "sent 2/2: draft 2 to ana@example.net\n"
        "2 sent\n"
    )
    assert [m.rcpt_tos for m in sink.sink.received] == [["ana@example.net"]] * 2


def test_pace_holds_back_the_third_email_in_a_week_unless_forced(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink)  # the default pace: 2 emails a person per 7 days
    run_cli(*home(root), "draft", "shares")
    write_every_personal_line(root / "drafts")
    result = run_cli(*home(root), "drafts", "send", "--all", "--yes")
    assert result.stdout.splitlines()[0] == (
        "held back: draft 3 to ana@example.net: pace: ana would get more than 2 emails within"
        " 7 days ([send] in outreach.toml); --force sends it anyway"
    )
    assert result.stdout.splitlines()[-1] == "2 sent, 1 held back"
    assert statuses(root) == {1: "sent", 2: "sent", 3: "drafted"}
    # A week later the pace allows it again; before that only --force sends it.
    held = run_cli(*home(root, 21), "drafts", "send", "3", "--yes", expect=1)
    assert held.stdout.endswith("nothing to send\n")
    run_cli(*home(root, 21), "drafts", "send", "3", "--yes", "--force")
    assert len(sink.sink.received) == 3


def test_mail_seen_in_sent_counts_toward_the_pace(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink)
    run_cli(*home(root), "draft", "shares", "--event", "salon")
    write_every_personal_line(root / "drafts")
    with Journal.open(root / "journal.db") as journal:
        # Two emails to Ana from the user's own mail client, as sync records them.
        record_touches(
            journal,
            [
                Touch(
                    contact_id="ana",
                    kind=TouchKind.SENT,
                    direction=Direction.OUTBOUND,
                    at=NOW - timedelta(days=d),
                    message_id=f"<client.{d}@example.org>",
                    source="imap",
                )
                for d in (1, 3)
            ],
            now=NOW,
        )
    result = run_cli(*home(root), "drafts", "send", "--all", "--yes")
    assert result.stdout.startswith("held back: draft 1 to ana@example.net: pace: ana would")
    assert result.stdout.endswith("nothing to send\n")
    assert sink.sink.received == []


def test_the_report_to_oneself_is_not_part_of_all(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink, PACE_OFF)
    run_cli(*home(root), "draft", "shares", "--event", "salon")
    write_every_personal_line(root / "drafts")
    run_cli(*home(root), "report", "--email")
    result = run_cli(*home(root), "drafts", "send", "--all", "--yes")
    assert result.stderr == (
        "note: draft 2 is addressed to you alone, so not part of --all;"
        " send it with `outreach drafts send 2`\n"
    )
    assert [m.rcpt_tos for m in sink.sink.received] == [["ana@example.net"]]
    run_cli(*home(root), "drafts", "send", "2", "--yes")
    assert sink.sink.received[-1].rcpt_tos == ["dana@example.org"]


def test_a_send_cut_short_is_held_as_may_have_been_sent_until_resend_or_sync(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(
        tmp_path,
        sink,
        PACE_OFF + '\n[[mailboxes]]\nname = "home"\nkind = "maildir"\npath = "mail"\n',
    )
    run_cli(*home(root), "draft", "shares")
    write_every_personal_line(root / "drafts")
    sink.sink.drop_at = 2  # the server takes draft 2, then the connection dies before its 250
    result = run_cli(*home(root), "drafts", "send", "--all", "--yes", expect=1)
    first, hint = result.stderr.splitlines()
    assert first == (
        f"outreach: 127.0.0.1:{sink.port}: connection lost: the server closed it"
        " (draft 2 may have been sent; 1 sent before it)"
    )
    assert hint.startswith("hint: check your Sent folder or with the recipient;")
    assert statuses(root) == {1: "sent", 2: "drafted", 3: "drafted"}
    sink.sink.drop_at = None

    # A rerun sends the rest but never draft 2 on its own.
    rerun = run_cli(*home(root), "drafts", "send", "--all", "--yes")
    assert rerun.stdout.splitlines()[0] == (
        "held back: draft 2 to ana@example.net: may have been sent: sending it was interrupted"
        " (2026-06-15 12:00 UTC); check your Sent folder, then"
        " `outreach drafts send 2 --resend` or `outreach drafts discard 2`"
    )
    assert rerun.stdout.splitlines()[-1] == "1 sent, 1 held back"
    ids = [m.message_id for m in sink.sink.received]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert statuses(root) == {1: "sent", 2: "drafted", 3: "sent"}

    # The message did go: once sync sees it in Sent, the draft is settled as sent.
    for folder in (root / "mail", root / "mail" / ".Sent"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)
    sent_copy = root / "mail" / ".Sent" / "cur" / "1781000000.M1P1.mail.example.org:2,S"
    shutil.copy(root / "drafts" / "share-walk-ana.eml", sent_copy)
    run_cli(*home(root, 16), "sync")
    assert statuses(root) == {1: "sent", 2: "sent", 3: "sent"}
    with Journal.open(root / "journal.db") as journal:
        assert journal.connection.execute(
            "SELECT draft_id, outcome FROM send_intents ORDER BY id"
        ).fetchall() == [(1, "sent"), (2, "sent"), (3, "sent")]


def test_resend_sends_a_draft_in_doubt_on_the_users_word(
    tmp_path: Path, sink: RunningSink, run_cli: RunCli
) -> None:
    root = workspace(tmp_path, sink, PACE_OFF)
    run_cli(*home(root), "draft", "shares", "--event", "salon")
    write_every_personal_line(root / "drafts")
    sink.sink.drop_at = 1
    run_cli(*home(root), "drafts", "send", "1", "--yes", expect=1)
    sink.sink.drop_at = None
    refused = run_cli(*home(root), "drafts", "send", "1", "--yes", expect=1)
    assert refused.stdout.endswith("nothing to send\n")
    assert len(sink.sink.received) == 1
    resent = run_cli(*home(root), "drafts", "send", "1", "--yes", "--resend")
    assert resent.stdout.endswith("sent 1/1: draft 1 to ana@example.net\n1 sent\n")
    assert len(sink.sink.received) == 2
    with Journal.open(root / "journal.db") as journal:
        assert journal.connection.execute(
            "SELECT outcome FROM send_intents ORDER BY id"
        ).fetchall() == [("resend",), ("sent",)]
        assert [d.status for d in list_drafts(journal)] == [DraftStatus.SENT]
