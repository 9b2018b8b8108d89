"""Sync bookkeeping in the journal: cursors, keys, seen messages, unknown senders."""

from __future__ import annotations

from datetime import UTC, datetime

from outreach.store.journal import Journal
from outreach.store.journal.cursors import (
    ImapCursor,
    UnknownSender,
    add_maildir_keys,
    add_seen,
    count_seen,
    count_unknown_senders,
    imap_cursor,
    maildir_keys,
    save_imap_cursor,
    seen_identities,
    unknown_senders,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return datetime(2026, 6, n, 9, 0, tzinfo=UTC)


def test_imap_cursor_is_per_mailbox_and_folder_and_replaced_on_save() -> None:
    journal = Journal.memory()
    assert imap_cursor(journal, "work", "INBOX") is None
    save_imap_cursor(journal, "work", "INBOX", ImapCursor(7, 40), now=NOW)
    save_imap_cursor(journal, "work", "INBOX", ImapCursor(8, 3), now=NOW)
    save_imap_cursor(journal, "work", "Sent", ImapCursor(7, 9), now=NOW)
    assert imap_cursor(journal, "work", "INBOX") == ImapCursor(8, 3)
    assert imap_cursor(journal, "home", "INBOX") is None


def test_maildir_keys_are_kept_per_folder() -> None:
    journal = Journal.memory()
    add_maildir_keys(journal, "home", "INBOX", ["k1", "k2"])
    add_maildir_keys(journal, "home", "INBOX", ["k2", "k3"])
    assert maildir_keys(journal, "home", "INBOX") == {"k1", "k2", "k3"}
    assert maildir_keys(journal, "home", "Sent") == set()


def test_seen_messages_keep_their_first_verdict_per_mailbox() -> None:
    journal = Journal.memory()
    add_seen(journal, "work", [("<a@x>", "reply"), ("<b@x>", "bulk mail")], now=NOW)
    add_seen(journal, "work", [("<a@x>", "own message")], now=NOW)
    assert seen_identities(journal, "work", {"<a@x>", "<c@x>"}) == {"<a@x>"}
    assert seen_identities(journal, "home", {"<a@x>"}) == set()
    verdict = journal.connection.execute(
        "SELECT verdict FROM seen_messages WHERE identity = '<a@x>'"
    ).fetchone()[0]
    assert (verdict, count_seen(journal), count_seen(journal, "home")) == ("reply", 2, 0)


def test_unknown_senders_add_up_across_batches_keeping_the_last_name_seen() -> None:
    journal = Journal.memory()
    count_unknown_senders(
        journal,
        [
            ("chen@example.com", "Chen", day(5)),
            ("chen@example.com", "", day(9)),
            ("f@x", "F", day(2)),
        ],
    )
    count_unknown_senders(
        journal, [("chen@example.com", "Chen Wei", day(7)), ("chen@example.com", "C. Wei", day(1))]
    )
    assert unknown_senders(journal) == [
        UnknownSender("chen@example.com", "C. Wei", 4, day(9)),
        UnknownSender("f@x", "F", 1, day(2)),
    ]
    first = journal.connection.execute(
        "SELECT first_at FROM unknown_senders WHERE address = 'chen@example.com'"
    ).fetchone()[0]
    assert first == "2026-06-01T09:00:00Z"


def test_unknown_senders_skip_excluded_addresses_and_stop_at_the_limit() -> None:
    journal = Journal.memory()
    count_unknown_senders(
        journal, [(f"p{n}@x", "", day(1)) for n in range(3) for _ in range(n + 1)]
    )
    found = unknown_senders(journal, exclude={"p2@x"}, limit=1)
    assert [(s.address, s.messages) for s in found] == [("p1@x", 2)]
