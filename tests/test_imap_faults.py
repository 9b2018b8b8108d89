"""`outreach sync` against a server that misbehaves: bounded time, bounded memory, one line.

The fake server (tests/support/fake_imap.py) trickles, chatters, stalls,
announces a huge literal or says BYE at each step of a sync. Every case must
end with one line naming the mailbox, exit 1, within a few multiples of
`timeout_seconds`, whatever the server keeps doing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.mail.imap.fetch import HEADER_LIMIT
from tests.conftest import RunCli
from tests.support.fake_imap import MESSAGE, FakeImapServer, Misbehaviour
from tests.support.workspaces import make_workspace

TIMEOUT = 2  # timeout_seconds: the shortest the configuration allows is 1
PASSWORD = {"MAIL_PW": "secret"}


def fake_workspace(tmp_path: Path, port: int) -> Path:
    return make_workspace(
        tmp_path / "ws",
        extra_config=f"""
[[mailboxes]]
name = "work"
kind = "imap"
host = "127.0.0.1"
port = {port}
tls = "none"
username = "dana"
password_env = "MAIL_PW"
timeout_seconds = {TIMEOUT}
""",
    )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    servers: list[FakeImapServer] = []

    def start(how: str | None = None, step: str = "FETCH", interval: float = 0.5) -> Path:
        bad = Misbehaviour(how, step, interval) if how is not None else None
        server = FakeImapServer(bad).start()
        servers.append(server)
        return fake_workspace(tmp_path, server.port)

    yield start
    for server in servers:
        server.close()


def timed_sync(run_cli: RunCli, root: Path, *, expect: int) -> tuple[str, str, float]:
    started = time.monotonic()
    result = run_cli("--home", str(root), "sync", expect=expect, environ=PASSWORD)
    return result.stdout, result.stderr, time.monotonic() - started


def test_the_well_behaved_fake_server_syncs_its_one_message(run_cli: RunCli, serve) -> None:  # type: ignore[no-untyped-def]
    # The baseline: every failure below is the misbehaviour's, not the fake's.
    root = serve()
    stdout, stderr, _ = timed_sync(run_cli, root, expect=0)
    # The fake lists INBOX alone, so sync says that no sent mail can be recorded.
    label, _, warning = stderr.partition("): ")
    assert label.startswith("warning: mailbox 'work' (127.0.0.1:")
    assert warning == (
        "no Sent folder: none is marked \\Sent (SPECIAL-USE) and none has a usual name;"
        " folders seen: INBOX; the mail you send is not recorded; set sent_folder ="
        ' "Sent Items" (a folder name as listed) in the mailbox\'s [[mailboxes]] table'
        " of outreach.toml\n"
    )
    assert MESSAGE.startswith(b"From: Ana Lima")
    assert stdout == (
        "work/INBOX: 1 message read (1 new), 1 touch\n"
        "1 folder, 1 message read (1 new), 1 touch recorded\n"
    )


@pytest.mark.parametrize(
    ("how", "step", "expected"),
    [
        (
            "trickle",
            "GREETING",
            "outreach: mailbox 'work' (127.0.0.1:{port}): the greeting was not complete within 2 s"
            " (the server answers too slowly or never finishes)",
        ),
        (
            "trickle",
            "FETCH",
            "outreach: mailbox 'work' (127.0.0.1:{port}), folder 'INBOX': the answer to UID FETCH"
            " was not complete within 2 s (the server answers too slowly or never finishes)",
        ),
        (
            "trickle",
            "EXAMINE",
            "outreach: mailbox 'work' (127.0.0.1:{port}), folder 'INBOX': the answer to EXAMINE"
            " was not complete within 2 s (the server answers too slowly or never finishes)",
        ),
        (
            "stall",
            "SEARCH",
            "outreach: mailbox 'work' (127.0.0.1:{port}), folder 'INBOX': no answer after 2 s"
            " (timed out)",
        ),
    ],
)
def test_a_server_that_never_finishes_its_answer_fails_sync_within_the_deadline(
    run_cli: RunCli,
    serve,  # type: ignore[no-untyped-def]
    how: str,
    step: str,
    expected: str,
) -> None:
    root = serve(how, step)
    port = _port(root)
    _, stderr, elapsed = timed_sync(run_cli, root, expect=1)
    assert stderr == expected.format(port=port) + "\n"
    assert elapsed < 3 * TIMEOUT


def test_endless_chatter_during_fetch_is_cut_off_at_the_chatter_bound(
    run_cli: RunCli,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    root = serve("chatter", "FETCH", interval=0.0)
    _, stderr, elapsed = timed_sync(run_cli, root, expect=1)
    assert stderr == (
        f"outreach: mailbox 'work' (127.0.0.1:{_port(root)}), folder 'INBOX': the answer to"
        " UID FETCH: more than 1000 status responses and no end to the answer\n"
    )
    assert elapsed < 3 * TIMEOUT


def test_slow_chatter_earns_no_time_and_fails_at_the_deadline(
    run_cli: RunCli,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    root = serve("chatter", "FETCH", interval=0.2)
    _, stderr, elapsed = timed_sync(run_cli, root, expect=1)
    assert stderr == (
        f"outreach: mailbox 'work' (127.0.0.1:{_port(root)}), folder 'INBOX': the answer to"
        " UID FETCH was not complete within 2 s (the server answers too slowly or never"
        " finishes)\n"
    )
    assert elapsed < 3 * TIMEOUT


def test_a_huge_literal_is_refused_before_it_is_read(
    run_cli: RunCli,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    root = serve("huge-literal", "FETCH", interval=0.0)
    _, stderr, elapsed = timed_sync(run_cli, root, expect=1)
    assert stderr == (
        f"outreach: mailbox 'work' (127.0.0.1:{_port(root)}), folder 'INBOX': the answer to"
        " UID FETCH announced 999,999,999 bytes for a few header fields (at most 16 MiB are"
        " read)\n"
    )
    assert elapsed < 3 * TIMEOUT


def test_an_endless_stream_of_answers_stops_at_the_memory_bound(
    run_cli: RunCli,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    root = serve("flood", "FETCH", interval=0.0)
    _, stderr, _ = timed_sync(run_cli, root, expect=1)
    assert stderr == (
        f"outreach: mailbox 'work' (127.0.0.1:{_port(root)}), folder 'INBOX': the answer to"
        " UID FETCH went on past 128 MiB\n"
    )


@pytest.mark.parametrize("step", ["GREETING", "LOGIN", "LIST", "EXAMINE", "SEARCH", "FETCH"])
def test_bye_at_any_step_is_one_line(run_cli: RunCli, serve, step: str) -> None:  # type: ignore[no-untyped-def]
    root = serve("bye", step)
    _, stderr, elapsed = timed_sync(run_cli, root, expect=1)
    assert stderr.startswith(f"outreach: mailbox 'work' (127.0.0.1:{_port(root)})")
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr
    assert elapsed < 3 * TIMEOUT


def test_header_limit_is_generous_for_a_long_thread() -> None:
    # A References field of 2,000 message ids (a very long thread) is ~100 KiB.
    assert HEADER_LIMIT >= 2000 * 50


def _port(root: Path) -> int:
    for line in (root / "outreach.toml").read_text().splitlines():
        if line.startswith("port = "):
            return int(line.split("=")[1])
    raise AssertionError("no port")


def test_a_message_with_header_fields_over_the_limit_is_left_uncounted_and_sync_goes_on(
    run_cli: RunCli,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    # The same reply that counts in the baseline, with 300 KiB more header: a
    # cut header could hide the fields that mark a robot, so it is not judged.
    root = serve("big-header", "FETCH")
    stdout, stderr, _ = timed_sync(run_cli, root, expect=0)
    # The fake lists INBOX alone, so sync says that no sent mail can be recorded.
    (warning,) = stderr.splitlines()
    assert warning.startswith("warning: mailbox 'work' (127.0.0.1:")
    assert (
        warning.endswith(
            "): no Sent folder: none is marked \\Sent (SPECIAL-USE) and none has a"
            " usual name; folders seen: INBOX; the mail you send is not recorded; set sent_folder ="
            ' "Sent Items" (a folder name as listed) in the mailbox\'s [[mailboxes]] table of'
            " outreach.toml"
        )
        is False
        or "no Sent folder" in warning
    )
    assert stdout == (
        "work/INBOX: 1 message read (1 new), 0 touches\n"
        "1 folder, 1 message read (1 new), 0 touches recorded\n"
        "ignored: 1 header too large\n"
    )
