"""Machine mail that carries no List-* header: the rules `classify` runs after the usual ones.

Pure: reads a header block (only fields in `headers.FETCH_FIELDS`) and
returns a verdict or None. Usenet articles, list managers' own stamps, bulk
mailers' headers, a bounce or VERP envelope on another domain, and the mark
of an announcement (sent to an empty group) for the caller to weigh against
the sender's history.
"""

from __future__ import annotations

import re
from collections.abc import Set

from outreach.core.headers import BULK_MAILER_FIELDS, LIST_MANAGER_FIELDS, HeaderBlock

# X-Mailer values of mass-mailing software (lower-cased substrings).
BULK_MAILERS: tuple[str, ...] = (
    "phplist",
    "mailchimp",
    "sendinblue",
    "brevo",
    "mailpoet",
    "sendy",
    "acymailing",
    "cleverreach",
    "newsletter2go",
    "rapidmail",
    "mailerlite",
    "campaign monitor",
    "constant contact",
    "emailoctopus",
    "mailjet",
    "listmonk",
)
USENET_FIELDS: tuple[str, ...] = ("Path", "Newsgroups")
ENVELOPE_FIELDS: tuple[str, ...] = ("Errors-To", "X-Mailer")

_LIST_MANAGER_KEYS = tuple((f.lower(), f) for f in LIST_MANAGER_FIELDS)
_BULK_MAILER_KEYS = tuple((f.lower(), f) for f in BULK_MAILER_FIELDS)
SIGNAL_FIELDS = frozenset(
    f.lower() for f in (*LIST_MANAGER_FIELDS, *BULK_MAILER_FIELDS, *USENET_FIELDS, "Errors-To")
)

_ADDRESS = re.compile(r"<?\s*([^<>\s@]+)@([^<>\s@]+?)\s*>?\s*$")
# A recipient's domain encoded at the end of the local part ("…-dana=example.org"):
# variable envelope return paths (VERP) carry one per recipient.
_VERP = re.compile(r"=[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
# Sender Rewriting (forwarders of a person's mail), BATV, and Gmail's own
# forwarding ("old.address+caf_=dana=example.org@gmail.com", when the user
# forwards an old mailbox) tag the envelope of human mail: never bulk.
_REWRITTEN = re.compile(r"^(?:srs[01][=+-]|prvs=|btv1==|[^+]*\+caf_=)", re.IGNORECASE)
# An empty group ("undisclosed-recipients:;", RFC 5322 §3.4): every real
# recipient was in Bcc, as announcements are sent.
_EMPTY_GROUP = re.compile(r'^\s*(?:"[^"]*"|[^:;,<>@"]*):\s*;\s*$')
# Second-level labels under which an organisation registers its own name.
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})


def organisation(domain: str) -> str:
    """The registrable part of a domain, roughly: mail.example.co.uk → example.co.uk."""
    labels = domain.lower().strip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _address(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    found = _ADDRESS.search(value.strip())
    if found is None:
        return None
    return found.group(1).strip('"').lower(), found.group(2).lower()


def _bounce_or_verp(local: str) -> bool:
    if _REWRITTEN.match(local):
        return False
    return "bounce" in local or _VERP.search(local) is not None


def _envelope_verdict(block: HeaderBlock, author_domains: set[str]) -> str | None:
    if not author_domains:
        return None
    for name in ("Return-Path", "Errors-To"):
        found = _address(block.get(name))
        if found is None:
            continue
        local, domain = found
        if _bounce_or_verp(local) and organisation(domain) not in author_domains:
            return f"{name} is the bounce address {local}@{domain} of another domain"
    return None


def machine_reason(
    block: HeaderBlock, present: Set[str], authors: list[str]
) -> tuple[str, str] | None:
    """(kind, reason) for machine mail without List-* headers, or None.

    `present` holds the lower-cased names of the block's fields among
    SIGNAL_FIELDS; `authors` the From and Sender addresses.
    """
    if "path" in present:
        return "list", "Path present (a Usenet article)"
    if "newsgroups" in present and not block.get("To") and not block.get("Cc"):
        return "list", "Newsgroups without To (a Usenet article)"
    for key, name in _LIST_MANAGER_KEYS:
        if key in present:
            return "list", f"{name} present (a list manager's stamp)"
    for key, name in _BULK_MAILER_KEYS:
        if key in present:
            return "bulk", f"{name} present (a bulk mailer's stamp)"
    mailer = (block.get("X-Mailer") or "").lower()
    if mailer:
        for marker in BULK_MAILERS:
            if marker in mailer:
                return "bulk", f"X-Mailer names the bulk mailer {marker}"
    domains = {organisation(a.rpartition("@")[2]) for a in authors if "@" in a}
    reason = _envelope_verdict(block, domains)
    if reason is not None:
        return "bulk", reason
    return None


def sent_to_empty_group(block: HeaderBlock) -> bool:
    """No visible recipient: To is an empty group (or missing) and there is no Cc."""
    if block.get("Cc"):
        return False
    to = block.get_all("To")
    return not to or all(_EMPTY_GROUP.match(v) for v in to)


__all__ = [
    "BULK_MAILER_FIELDS",
    "ENVELOPE_FIELDS",
    "LIST_MANAGER_FIELDS",
    "SIGNAL_FIELDS",
    "USENET_FIELDS",
    "machine_reason",
    "organisation",
    "sent_to_empty_group",
]
