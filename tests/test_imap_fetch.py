"""The lean FETCH reader and its helpers, on literal server answers (no server needed)."""

from __future__ import annotations

import imaplib
import io
from datetime import UTC, datetime

import pytest

from outreach.mail.imap.fetch import (
    FetchedHeader,
    parse_internaldate,
    read_fetch_response,
    uid_set,
)

HEADER = b"From: ana@example.net\r\nSubject: hi\r\n\r\n"
DATE = b'"13-Jun-2026 18:05:00 +0200"'
WHEN = datetime(2026, 6, 13, 16, 5, tzinfo=UTC)


def answer(*lines: bytes) -> list[FetchedHeader]:
    stream = io.BytesIO(b"".join(lines))
    return read_fetch_response(stream.readline, stream.read, b"A7")


def body(uid: int, data: bytes = HEADER) -> bytes:
    return (
        b"* %d FETCH (UID %d INTERNALDATE %s BODY[HEADER.FIELDS (FROM SUBJECT)] {%d}\r\n"
        % (uid, uid, DATE, len(data))
        + data
        + b")\r\n"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [body(1), body(2), b"A7 OK Fetch completed (0.001 + 0.000 secs).\r\n"],
            [FetchedHeader(1, WHEN, HEADER), FetchedHeader(2, WHEN, HEADER)],
            id="dovecot's usual answer",
        ),
        pytest.param(
            [
                b"* 3 FETCH (INTERNALDATE %s BODY[HEADER.FIELDS (FROM)] {%d}\r\n"
                % (DATE, len(HEADER)),
                HEADER,
                b" UID 40)\r\n",
                b"A7 OK done\r\n",
            ],
            [FetchedHeader(40, WHEN, HEADER)],
            id="uid after the literal",
        ),
        pytest.param(
            [
                b"* 9 EXISTS\r\n",
                b"* 1 FETCH (FLAGS (\\Seen))\r\n",
                body(5),
                b"* 2 EXPUNGE\r\n",
                b"A7 OK done\r\n",
            ],
            [FetchedHeader(5, WHEN, HEADER)],
            id="unsolicited responses skipped",
        ),
        pytest.param(
            [
                body(6, b"\r\n"),
                b'* 7 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)] "")\r\n',
                b"A7 OK\r\n",
            ],
            [FetchedHeader(6, WHEN, b"\r\n"), FetchedHeader(7, None, b"")],
            id="empty headers, no internaldate",
        ),
        pytest.param(
            [b"A7 OK nothing matched\r\n"],
            [],
            id="no message",
        ),
    ],
)
def test_fetch_answers_are_read_into_headers(
    lines: list[bytes], expected: list[FetchedHeader]
) -> None:
    assert answer(*lines) == expected


def test_a_literal_with_a_closing_brace_line_inside_is_read_by_its_length() -> None:
    tricky = b"Subject: {3}\r\n\r\n"
    assert answer(body(1, tricky), b"A7 OK\r\n") == [FetchedHeader(1, WHEN, tricky)]


@pytest.mark.parametrize(
    ("lines", "error", "message"),
    [
        ([b"A7 NO [SERVERBUG] Internal error\r\n"], imaplib.IMAP4.error, "UID FETCH failed: NO"),
        ([b"A7 BAD Error in IMAP command\r\n"], imaplib.IMAP4.error, "UID FETCH failed: BAD"),
        ([body(1), b"* BYE Server shutting down.\r\n"], imaplib.IMAP4.abort, "goodbye"),
        ([body(1)], imaplib.IMAP4.abort, "closed the connection"),
    ],
)
def test_failed_fetch_raises_imaplib_errors(
    lines: list[bytes], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        answer(*lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"17-Jul-1996 02:44:25 -0700", datetime(1996, 7, 17, 9, 44, 25, tzinfo=UTC)),
        (b" 7-Jan-2026 23:30:00 +0530", datetime(2026, 1, 7, 18, 0, tzinfo=UTC)),
        (b"01-Mar-2026 00:00:00 +0000", datetime(2026, 3, 1, tzinfo=UTC)),
        (b"31-Foo-2026 00:00:00 +0000", None),
        (b"yesterday", None),
    ],
)
def test_internaldate_is_read_in_utc(text: bytes, expected: datetime | None) -> None:
    assert parse_internaldate(text) == expected


def test_uid_set_compresses_runs() -> None:
    assert uid_set([1, 2, 3, 5, 7, 8, 10]) == "1:3,5,7:8,10"
    assert uid_set([4]) == "4"
    assert uid_set([]) == ""
