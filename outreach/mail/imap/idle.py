"""Entering IDLE as RFC 2177 and RFC 3501 allow, not only as the happy path goes.

An edge over a logged-in IMAPClient. imapclient's `idle()` takes anything but
the `+` continuation as an error, yet a server may send untagged responses at
any time (RFC 3501 §7): `* 2 EXISTS` before `+ idling` is new mail, not a
fault. `BYE` instead of the continuation ends the session; a tagged `NO` or
`BAD` refuses IDLE. Responses are read under the connection's bounds.
"""

from __future__ import annotations

import imaplib
import re
from typing import Any

from imapclient.imapclient import _parse_untagged_response  # type: ignore[import-untyped]

from outreach.mail.imap.bounds import has_buffered_line

_NEWS = re.compile(rb"^\* \d+ (EXISTS|RECENT)\b", re.IGNORECASE)


class IdleEnded(imaplib.IMAP4.abort):
    """The server said BYE instead of continuing IDLE."""


def start_idle(client: Any) -> bool:
    """Put `client` into IDLE; True when new mail was announced before the continuation.

    Afterwards imapclient's `idle_check()` and `idle_done()` work as usual.
    """
    imap = client._imap  # the imaplib connection imapclient wraps
    tag = imap._command("IDLE")
    client._idle_tag = tag
    news = False
    while True:
        response = imap._get_response()
        if response is None:  # the "+" continuation: IDLE is established
            return news
        done = imap.tagged_commands.get(tag)
        if done is not None:
            imap.tagged_commands.pop(tag, None)
            kind, data = done
            text = b" ".join(part for part in data if isinstance(part, bytes))
            raise imaplib.IMAP4.error(f"IDLE refused: {kind} {_text(text)}")
        if response[:5].upper() == b"* BYE":
            raise IdleEnded(f"the server ended the session instead of IDLE ({_text(response[5:])})")
        if _NEWS.match(response):
            news = True


def buffered_responses(client: Any) -> list[Any]:
    """IDLE responses already read into the buffer (with "+ idling", say), parsed.

    select() on the socket cannot see them; imapclient's idle_check() looks
    only when the socket is readable.
    """
    found = []
    while has_buffered_line(client):
        found.append(_parse_untagged_response(client._imap._get_line()))
    return found


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").strip().rstrip(".")


__all__ = ["IdleEnded", "buffered_responses", "start_idle"]
