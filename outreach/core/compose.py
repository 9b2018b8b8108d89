"""Drafts as RFC 5322 bytes: headers, RFC 2047 names, UTF-8 bodies, multipart.

Pure: the Message-ID and `now` are passed in, so the same inputs give the
same bytes. A value holding CR or LF is refused, never written into a header.
Written on the stdlib's own encoders (`formataddr`, `Header`, binascii's
quoted-printable) rather than `EmailMessage`, whose generator managed about
1,200 messages a second here against tens of thousands for this; the tests
parse every shape back with the stdlib parser to hold it to the same result.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from functools import lru_cache
from html import escape

from outreach.base.errors import InputError, Problem

CRLF = "\r\n"
MAX_LINE = 998  # RFC 5322 §2.1.1: a line is at most 998 characters
_MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_FORBIDDEN = re.compile(r"[\r\n\x00]")
_FOLD_AT = 78


@dataclass(frozen=True, slots=True)
class Party:
    """A name and an address, as in `"Ana Lima" <ana@example.net>`."""

    name: str
    address: str


def _refuse_breaks(field: str, value: str) -> None:
    if _FORBIDDEN.search(value):
        raise InputError(
            [
                Problem(
                    "draft",
                    f"{field} {value!r} contains a line break or NUL; refused, so that it"
                    " can never become a header of its own",
                )
            ]
        )


def _ascii_address(field: str, address: str) -> str:
    _refuse_breaks(field, address)
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InputError([Problem("draft", f"{field} {address!r} is not an email address")])
    if not local.isascii():
        raise InputError(
            [
                Problem(
                    "draft",
                    f"{field} {address!r} has a non-ASCII local part, which needs SMTPUTF8;"
                    " use an ASCII address for this contact",
                )
            ]
        )
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise InputError(
                [Problem("draft", f"{field} {address!r} has a domain IDNA cannot encode")]
            ) from None
    return f"{local}@{domain}"


_PLAIN_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$")  # atoms and spaces only


@lru_cache(maxsize=4096)
def format_party(field: str, party: Party) -> str:
    """One mailbox for a header: a quoted or RFC 2047-encoded name, then `<address>`."""
    _refuse_breaks(field + " name", party.name)
    address = _ascii_address(field, party.address)
    name = " ".join(party.name.split())
    if _PLAIN_NAME.match(name) and "=?" not in name:
        return f"{name} <{address}>" if name else address
    if "=?" in name:
        # A name that merely looks encoded is encoded for real, so that every
        # reader decodes it back to the text as written (many readers decode
        # encoded words even inside quotes, against RFC 2047 §5).
        return f"{Header(name, 'utf-8').encode()} <{address}>"
    return formataddr((name, address), "utf-8")


def _address_header(field: str, parties: Sequence[Party]) -> str:
    if len(parties) == 1:  # most drafts: nothing to fold between addresses
        return f"{field}: {format_party(field, parties[0])}"
    lines: list[str] = []
    current = f"{field}:"
    for index, party in enumerate(parties):
        item = format_party(field, party) + ("," if index < len(parties) - 1 else "")
        if len(current) + 1 + len(item) > _FOLD_AT and current != f"{field}:":
            lines.append(current)
            current = ""
        current += " " + item
    lines.append(current)
    return CRLF.join(lines)


def _fold_ascii(line: str) -> str:
    """Fold an ASCII header line at spaces to at most 78 characters where possible."""
    if len(line) <= _FOLD_AT:
        return line
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > _FOLD_AT:
            lines.append(current)
            current = " " + word  # the continuation starts with white space
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return CRLF.join(lines)


def _subject_header(subject: str) -> str:
    _refuse_breaks("subject", subject)
    if subject.isascii() and "=?" not in subject:
        # Header() would do the same for ASCII, at a quarter of a draft's time.
        return _fold_ascii(f"Subject: {' '.join(subject.split())}")
    encoded = Header(subject, "utf-8", header_name="Subject").encode(
        linesep=CRLF, maxlinelen=_FOLD_AT
    )
    return f"Subject: {encoded}"


@lru_cache(maxsize=64)
def _date_header(now: datetime, offset: timedelta | None) -> str:
    # A batch dates every draft alike. The offset is part of the key because
    # equal instants at other offsets are written differently.
    return f"Date: {format_datetime(now)}"


def _body(text: str) -> tuple[str, str]:
    """The transfer encoding and the encoded body, with CRLF line ends."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    crlf_text = CRLF.join(lines) + CRLF
    if crlf_text.isascii() and max(map(len, lines), default=0) <= MAX_LINE:
        return "7bit", crlf_text
    encoded = binascii.b2a_qp(crlf_text.encode("utf-8"), istext=True).decode("ascii")
    return "quoted-printable", encoded


def _part_headers(subtype: str, encoding: str) -> str:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}"
    )


def _boundary(message_id: str, bodies: Sequence[str]) -> str:
    # Derived from the content, so the same draft gives the same bytes; the
    # "=_" cannot occur in quoted-printable text, and 7bit bodies are checked.
    digest = hashlib.sha256("\0".join((message_id, *bodies)).encode("utf-8")).hexdigest()
    for offset in range(0, len(digest) - 24):
        candidate = f"=_outreach_{digest[offset : offset + 24]}"
        if not any(candidate in body for body in bodies):
            return candidate
    raise InputError([Problem("draft", "could not choose a MIME boundary")])  # pragma: no cover


def compose_message(
    *,
    message_id: str,
    now: datetime,
    sender: Party,
    to: Sequence[Party],
    subject: str,
    text: str,
    html: str | None = None,
) -> bytes:
    """The whole message as bytes with CRLF line ends, ready for a file, IMAP or SMTP.

    Text only is `text/plain`; with `html` it is `multipart/alternative`
    (plain first, as RFC 2046 §5.1.4 orders them from plainest to richest).
    """
    _refuse_breaks("Message-ID", message_id)
    if not _MESSAGE_ID.match(message_id):
        raise InputError([Problem("draft", f"Message-ID {message_id!r} is not <id@domain>")])
    if now.tzinfo is None:
        raise ValueError("compose_message needs a timezone-aware `now`")
    if not to:
        raise InputError([Problem("draft", "a draft needs at least one recipient")])
    headers = [
        _date_header(now, now.utcoffset()),
        _address_header("From", [sender]),
        _address_header("To", to),
        _subject_header(subject),
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    text_encoding, text_body = _body(text)
    if html is None:
        head = CRLF.join(headers) + CRLF + _part_headers("plain", text_encoding)
        return (head + CRLF + text_body).encode("ascii")
    html_encoding, html_body = _body(html)
    boundary = _boundary(message_id, (text_body, html_body))
    headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    # The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1),
    # so one is added after each body to keep its own final line break.
    parts = "".join(
        f"--{boundary}{CRLF}{_part_headers(subtype, encoding)}{CRLF}{body}{CRLF}"
        for subtype, encoding, body in (
            ("plain", text_encoding, text_body),
            ("html", html_encoding, html_body),
        )
    )
    message = CRLF.join(headers) + CRLF + CRLF + parts + f"--{boundary}--{CRLF}"
    return message.encode("ascii")


def html_from_text(text: str) -> str:
    """A plain HTML twin of edited text: a paragraph per blank-line block, <br> per line.

    When a person edits a draft's text, its HTML part follows that text
    rather than keeping words they removed.
    """
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    paragraphs = (
        "<p>" + "<br>\n".join(escape(line) for line in block.strip("\n").split("\n")) + "</p>"
        for block in blocks
    )
    return (
        '<!DOCTYPE html>\n<html><body style="font-family: sans-serif">\n'
        + "\n".join(paragraphs)
        + "\n</body></html>\n"
    )


_CONTENT_FIELD = re.compile(rb"^(content-type|content-transfer-encoding|mime-version)\s*:", re.I)


def replace_body(data: bytes, *, text: str | None, html: str | None) -> bytes:
    """`data` with its body replaced: its own headers kept, the content headers rewritten.

    Text alone is `text/plain`, HTML alone `text/html`, both
    `multipart/alternative`, encoded as `compose_message` encodes them.
    """
    head, sep, _ = data.partition(b"\r\n\r\n")
    if not sep:
        head, _, _ = data.replace(b"\r\n", b"\n").partition(b"\n\n")
        head = head.replace(b"\n", b"\r\n")
    kept: list[bytes] = []
    dropping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):  # a folded continuation belongs to the field above
            if not dropping:
                kept.append(line)
            continue
        dropping = _CONTENT_FIELD.match(line) is not None
        if not dropping:
            kept.append(line)
    # Bytes, not text: a header the user's editor wrote in raw UTF-8 stays as it was.
    headers = b"\r\n".join(kept) + b"\r\nMIME-Version: 1.0\r\n"
    bodies = [(s, b) for s, b in (("plain", text), ("html", html)) if b is not None]
    if not bodies:
        raise InputError([Problem("draft", "a draft needs a text or an HTML body")])
    if len(bodies) == 1:
        subtype, body = bodies[0]
        encoding, encoded = _body(body)
        return headers + (_part_headers(subtype, encoding) + CRLF + encoded).encode("ascii")
    encoded_parts = [(subtype, *_body(body)) for subtype, body in bodies]
    boundary = _boundary(headers.decode("latin-1"), [b for _, _, b in encoded_parts])
    parts = "".join(
        f"--{boundary}{CRLF}{_part_headers(subtype, encoding)}{CRLF}{body}{CRLF}"
        for subtype, encoding, body in encoded_parts
    )
    return headers + (
        f'Content-Type: multipart/alternative; boundary="{boundary}"{CRLF}{CRLF}'
        f"{parts}--{boundary}--{CRLF}"
    ).encode("ascii")
