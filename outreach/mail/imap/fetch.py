"""Read-only folder state and the lean bulk header FETCH, in UID batches.

An edge over one logged-in IMAPClient: EXAMINE only, `BODY.PEEK` only, so no
flag ever changes. The bulk FETCH is sent on the imaplib connection IMAPClient
wraps and its answer read here by a lean reader: imapclient's general response
parser reads about 9,000 messages a second, imaplib's about 75,000.
"""

from __future__ import annotations

import imaplib
import re
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from outreach.core.delivery_report import BODY_PEEK_BYTES
from outreach.core.headers import FETCH_FIELDS
from outreach.mail.imap.bounds import KIB, MIB, ServerLimitError, literal_limit, skip_literal

_FIELD_LIST = " ".join(FETCH_FIELDS).upper()
FETCH_ITEMS = f"(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ({_FIELD_LIST})])"
_ITEMS = FETCH_ITEMS.encode("ascii")

# The few header fields sync asks for fit in a few KiB; a long thread's
# References makes tens. A message whose fields are larger (up to the skip
# limit) is read past without keeping it and left uncounted; a larger
# announcement is no real message, and fails the FETCH at once.
HEADER_LIMIT = 256 * KIB
SKIP_LIMIT = 16 * MIB

_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_MONTHS = {
    m.encode(): i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_ZONES: dict[bytes, timezone] = {}

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FolderStatus:
    """What EXAMINE says about a folder."""

    uidvalidity: int
    uidnext: int | None  # None when the server does not say (RFC 3501 makes it optional)
    exists: int


@dataclass(frozen=True, slots=True)
class FetchedHeader:
    uid: int
    received_at: datetime | None  # INTERNALDATE, in UTC
    raw: bytes  # the requested header fields, CRLF line ends, blank line last
    oversized: bool = False  # the fields were over HEADER_LIMIT: raw is empty, not to be judged


def examine(client: Any, folder: str) -> FolderStatus:
    """Select `folder` read-only (EXAMINE): a second guard against changing flags."""
    response = client.select_folder(folder, readonly=True)
    uidnext = response.get(b"UIDNEXT")
    return FolderStatus(
        uidvalidity=int(response[b"UIDVALIDITY"]),
        uidnext=int(uidnext) if uidnext is not None else None,
        exists=int(response.get(b"EXISTS", 0)),
    )


def uids_after(client: Any, last_uid: int) -> list[int]:
    """UIDs above `last_uid` in the selected folder, ascending.

    `UID SEARCH UID n:*` always matches the folder's last message even when
    its UID is below n (RFC 3501 §6.4.8: `*` is the largest UID in use), so
    the answer is filtered here.
    """
    found = client.search(["UID", f"{last_uid + 1}:*"])
    return sorted(uid for uid in found if uid > last_uid)


def uid_set(uids: Iterable[int]) -> str:
    """A compact IMAP sequence set for ascending UIDs: `1:5,8,10:12`."""
    parts: list[str] = []
    start = prev = -1
    for uid in uids:
        if uid == prev + 1:
            prev = uid
            continue
        if start >= 0:
            parts.append(f"{start}:{prev}" if prev > start else str(start))
        start = prev = uid
    if start >= 0:
        parts.append(f"{start}:{prev}" if prev > start else str(start))
    return ",".join(parts)


def batches(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_headers(client: Any, uids: Sequence[int]) -> list[FetchedHeader]:
    """UID, INTERNALDATE and the FETCH_FIELDS header block of each message in `uids`.

    Messages expunged meanwhile are simply missing from the answer.
    """
    with closing(stream_headers(client, [uids])) as stream:
        return next(stream, [])


_BODY_START = f"BODY.PEEK[TEXT]<0.{BODY_PEEK_BYTES}>".encode("ascii")
_BODY_START_KEY = b"BODY[TEXT]<0>"


def fetch_body_starts(client: Any, uids: Sequence[int]) -> dict[int, bytes]:
    """The first BODY_PEEK_BYTES of each message's body, by UID (PEEK: no \\Seen set)."""
    found: dict[int, bytes] = {}
    for batch in batches(list(uids), 500):
        for uid, data in client.fetch(batch, [_BODY_START]).items():
            body = data.get(_BODY_START_KEY)
            if isinstance(body, bytes):
                found[int(uid)] = body
    return found


def stream_headers(
    client: Any, uid_batches: Iterable[Sequence[int]]
) -> Generator[list[FetchedHeader], None, None]:
    """The headers of each batch in turn, one FETCH always in flight ahead.

    While the caller works on one batch the server already sends the next, so
    its work and ours overlap. Close the iterator (`contextlib.closing`) when
    stopping early: it then reads the answer still in flight, leaving the
    connection usable.
    """
    imap = client._imap  # imapclient's wrapped imaplib connection
    pending: deque[bytes] = deque()
    queue = (batch for batch in uid_batches if batch)

    def send_next() -> None:
        batch = next(queue, None)
        if batch is not None:
            tag = imap._new_tag()
            imap.send(b"%s UID FETCH %s %s\r\n" % (tag, uid_set(batch).encode(), _ITEMS))
            pending.append(tag)

    send_next()
    try:
        with literal_limit(client, SKIP_LIMIT):
            yield from _answers(imap, pending, send_next)
    finally:
        _drain(imap, pending)


def _answers(
    imap: Any, pending: deque[bytes], send_next: Callable[[], None]
) -> Generator[list[FetchedHeader], None, None]:
    while pending:
        tag = pending.popleft()
        try:
            found = read_fetch_response(imap.readline, imap.read, tag)
        finally:
            imap.tagged_commands.pop(tag, None)
        send_next()
        yield found


def _drain(imap: Any, pending: deque[bytes]) -> None:
    """Read the answer of a FETCH still in flight, so the next command gets its own."""
    while pending:
        tag = pending.popleft()
        try:
            read_fetch_response(imap.readline, imap.read, tag)
        except Exception:
            pass  # the connection is broken; the session's close deals with it
        finally:
            imap.tagged_commands.pop(tag, None)


def read_fetch_response(
    readline: Callable[[], bytes], read: Callable[[int], bytes], tag: bytes
) -> list[FetchedHeader]:
    """Read untagged FETCH responses up to `tag`'s completion; the headers they carry.

    A lean reader for one shape of answer, `* 12 FETCH (UID 40 INTERNALDATE "…"
    BODY[HEADER.FIELDS (…)] {n}` CRLF, n bytes, `)` CRLF, with items in any
    order; other untagged responses (EXISTS, flag updates) are skipped.
    """
    found: list[FetchedHeader] = []
    done = tag + b" "
    while True:
        line = readline()
        if not line:
            raise imaplib.IMAP4.abort("the server closed the connection during FETCH")
        if line.startswith(done):
            if line[len(done) : len(done) + 2] == b"OK":
                return found
            raise imaplib.IMAP4.error(f"UID FETCH failed: {_text(line[len(done) :])}")
        if line.startswith(b"* BYE"):
            raise imaplib.IMAP4.abort(f"the server said goodbye: {_text(line[5:])}")
        meta = line
        literal: bytes | None = None
        oversized = False
        since = 0
        while meta.endswith(b"}\r\n"):
            brace = meta.rfind(b"{")
            size = _literal_size(meta[brace + 1 : -3])
            if size > HEADER_LIMIT:
                skip_literal(read, size)
                oversized = True
                data = b""
            else:
                data = read(size)
            if literal is None and b"BODY[" in meta[since:brace]:
                literal = data
            meta = meta[:brace]
            since = len(meta)
            meta += readline()
        _finish(meta, literal, found, oversized=oversized)


def _literal_size(text: bytes) -> int:
    try:
        size = int(text.rstrip(b"+"))  # LITERAL+ form {n+} is the client's, tolerated here
    except ValueError:
        raise imaplib.IMAP4.abort(f"malformed literal size in FETCH: {_text(text)}") from None
    if size > SKIP_LIMIT:
        raise ServerLimitError(
            f"the answer to UID FETCH announced {size:,} bytes for a few header fields"
            f" (at most {SKIP_LIMIT // MIB} MiB are read)"
        )
    return size


def _text(data: bytes) -> str:
    return data.decode("ascii", "replace").strip()


def _finish(
    meta: bytes, literal: bytes | None, found: list[FetchedHeader], *, oversized: bool = False
) -> None:
    """Add one FETCH response to `found`, unless it carries no header (a flag update)."""
    if b"BODY[" not in meta:
        return
    uid = _UID.search(meta)
    if uid is None:
        return
    date = _INTERNALDATE.search(meta)
    found.append(
        FetchedHeader(
            int(uid.group(1)),
            parse_internaldate(date.group(1)) if date else None,
            literal if literal is not None else b"",
            oversized,
        )
    )


def parse_internaldate(text: bytes) -> datetime | None:
    """`17-Jul-1996 02:44:25 -0700` (RFC 3501 date-time) in UTC; None when malformed."""
    try:
        day, month, rest = text.strip().split(b"-", 2)
        year, clock, zone = rest.split(b" ")
        hour, minute, second = clock.split(b":")
        tz = _ZONES.get(zone)
        if tz is None:
            sign = -1 if zone[:1] == b"-" else 1
            minutes = int(zone[1:3]) * 60 + int(zone[3:5])
            tz = _ZONES.setdefault(zone, timezone(timedelta(minutes=sign * minutes)))
        moment = datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=tz
        )
    except (ValueError, KeyError):
        return None
    return moment.astimezone(UTC)


# A reply's answer is in its first lines: the first 256 KiB of a message hold
# them with room to spare, and bound what one answer may cost.
ANSWER_BYTES = 256 * 1024


def fetch_answer(client: Any, uid: int) -> bytes | None:
    """The start of one message, for reading an answer: BODY.PEEK, so never \\Seen.

    One UID only, so nothing else is read; None when it was expunged meanwhile.
    """
    response = client.fetch([uid], [f"BODY.PEEK[]<0.{ANSWER_BYTES}>".encode()])
    for key, value in response.get(uid, {}).items():
        if key.startswith(b"BODY[]") and isinstance(value, bytes):
            return value
    return None


__all__ = [
    "ANSWER_BYTES",
    "FETCH_ITEMS",
    "HEADER_LIMIT",
    "FetchedHeader",
    "FolderStatus",
    "batches",
    "examine",
    "fetch_answer",
    "fetch_body_starts",
    "fetch_headers",
    "parse_internaldate",
    "read_fetch_response",
    "stream_headers",
    "uid_set",
    "uids_after",
]
