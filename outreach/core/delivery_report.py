"""Plain-text delivery failures from ordinary-looking addresses, told by the start of the body.

Pure: `needs_body` says when a message from a contact that the headers call
human is still ambiguous; `delivery_report` reads the first few KB of its
body. Only the text above any quoted or forwarded part counts, so a person
who forwards a bounce ("Fwd: Undeliverable…") is never taken for one.
"""

from __future__ import annotations

import re

from outreach.core.headers import HeaderBlock, decode_header_value

# How much of the body sync reads (IMAP `BODY.PEEK[TEXT]<0.4096>`).
BODY_PEEK_BYTES = 4096

# Words of a delivery failure that may sit anywhere in the subject
# ("Your message to X couldn't be delivered", "Warning: message delayed").
_SUBJECT_WORDS = re.compile(
    r"deliver|returned|undeliv|bounce|failure|failed|rejected|mail system|"
    r"notification|delayed|unzustell|non remis|non recapit|no entregado",
    re.IGNORECASE,
)
# Display names mail systems sign with ("Mail Delivery System", "MAILER",
# "Mail Administrator", "System Administrator").
_SYSTEM_NAMES = re.compile(
    r"mail delivery|delivery (?:system|subsystem)|mailer|mail administrator|"
    r"system administrator|postmaster|mail system",
    re.IGNORECASE,
)
# Phrases of the delivery reports of Postfix, Exim, qmail, Sendmail, Exchange,
# Lotus Notes, Gmail and the RFC 3464 fields written out as text.
_REPORT_PHRASES = re.compile(
    r"this is the mail system at host|"
    r"i'm afraid i wasn't able to deliver|"
    r"this message was created automatically by mail delivery software|"
    r"could not be delivered to one or more (?:of its )?recipients|"
    r"delivery to the following recipients? (?:failed|has been delayed)|"
    r"the following addresses? (?:had permanent fatal errors|failed)|"
    r"your message did not reach some or all of the intended recipients|"
    r"hi\. this is the qmail-send program|"
    r"your message\b[\s\S]{0,200}?\b(?:was not|could not be|couldn't be) delivered|"
    r"delivery has failed to these recipients|"
    r"delivery to the following recipient failed permanently|"
    r"^\s*(?:final-recipient|diagnostic-code|reporting-mta|action: failed)\b|"
    r"\b(?:550|551|552|553|554) ?5\.\d\.\d+\b",
    re.IGNORECASE | re.MULTILINE,
)
# Where the sender's own words end: a quote or a forwarded message begins.
_QUOTE_START = re.compile(
    r"^(?:>|-{2,} ?(?:original message|forwarded message|weitergeleitete nachricht)|"
    r"begin forwarded message|on .{0,200} wrote:|am .{0,200} schrieb)",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|i)\s*:", re.IGNORECASE)


def needs_body(block: HeaderBlock) -> bool:
    """Whether a message the headers call human might still be a delivery failure.

    A forward is never one: it is a person passing a message on.
    """
    subject = decode_header_value(block.get("Subject") or "")
    if _FORWARD_SUBJECT.match(subject):
        return False
    if _SUBJECT_WORDS.search(subject):
        return True
    sender = decode_header_value(block.get("From") or "")
    name = sender.rpartition("<")[0] if "<" in sender else ""
    return bool(name and _SYSTEM_NAMES.search(name))


def delivery_report(body: bytes) -> str | None:
    """The phrase of a delivery report in the body's own text, or None."""
    text = body[:BODY_PEEK_BYTES].decode("utf-8", "replace").replace("\r\n", "\n")
    quote = _QUOTE_START.search(text)
    if quote is not None:
        text = text[: quote.start()]
    found = _REPORT_PHRASES.search(text)
    if found is None:
        return None
    return " ".join(found.group(0).split())


__all__ = ["BODY_PEEK_BYTES", "delivery_report", "needs_body"]
