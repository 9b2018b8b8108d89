"""Match one classified message to the roster: which touches it makes, or why none.

Pure: takes a header block, its verdict, the folder's role, the delivery time
and `now`; returns touches and an ignore reason. No I/O, no clock. Anything
uncertain is not counted: a robot or a crowd counted as a friend is the worse error.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.base.model import Contact, Direction, Roster, Touch, TouchKind, address_key
from outreach.core.classify import Kind, Verdict
from outreach.core.folders import Role, role_of_name
from outreach.core.headers import HeaderBlock, decode_header_value, parse_addresses, parse_date

# A Date further ahead than this is a wrong clock, not a message from the future.
FUTURE_TOLERANCE = timedelta(days=1)
DETAIL_LIMIT = 200


class FolderRole(enum.StrEnum):
    INBOX = "inbox"  # mail to the user; the user's own messages here are copies
    SENT = "sent"  # every message here was sent by the user
    OTHER = "other"  # archives and the rest: direction decided by From


def role_by_name(name: str) -> FolderRole:
    """A folder's role guessed from its name alone, for stores without SPECIAL-USE.

    The delimiter is not known here: "/" and "." (Maildir++, Courier) are both tried.
    """
    if name.upper() == "INBOX":
        return FolderRole.INBOX
    if Role.SENT in (role_of_name(name, "/"), role_of_name(name, ".")):
        return FolderRole.SENT
    return FolderRole.OTHER


class Ignored(enum.StrEnum):
    """Why a message made no touch; the sync summary counts each."""

    AUTOREPLY = "auto-reply"
    BOUNCE = "bounce"
    LIST = "mailing list"
    BULK = "bulk mail"
    GROUP = "group mail"
    OWN = "own message"
    UNKNOWN_SENDER = "unknown sender"
    NO_CONTACT = "no contact among recipients"
    NO_SENDER = "no sender"
    # Header fields too large to read whole (see HEADER_LIMIT in the IMAP and
    # Maildir edges): judging a cut header could take a robot for a friend.
    OVERSIZED = "header too large"


_BY_KIND = {
    Kind.AUTOREPLY: Ignored.AUTOREPLY,
    Kind.BOUNCE: Ignored.BOUNCE,
    Kind.LIST: Ignored.LIST,
    Kind.BULK: Ignored.BULK,
}


@dataclass(frozen=True, slots=True)
class Match:
    """What one message means for the journal."""

    touches: tuple[Touch, ...] = ()
    ignored: Ignored | None = None
    # A human sender not in the roster: (address as written, display name).
    unknown_sender: tuple[str, str] | None = None
    # For the message index: whom a person's message was from (inbound) or to
    # (outbound), in address_key form, whether or not they are contacts yet.
    correspondents: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        """One word for the journal's seen_messages.verdict."""
        if self.ignored is not None:
            return self.ignored.value
        return self.touches[0].kind.value if self.touches else "none"


def touch_date(
    date_header: datetime | None, received_at: datetime | None, now: datetime
) -> datetime:
    """When a message happened: its Date, unless missing or more than a day ahead.

    Falls back to the delivery time (IMAP INTERNALDATE, a Maildir file's
    mtime), and to `now` when there is none.
    """
    if date_header is not None and date_header <= now + FUTURE_TOLERANCE:
        return date_header
    if received_at is not None:
        return received_at
    return now


@dataclass(frozen=True, slots=True)
class Matcher:
    """The roster and the user's addresses, ready to match many messages."""

    roster: Roster
    own: frozenset[str]  # the user's addresses, in address_key form
    group_threshold: int = 10

    @classmethod
    def of(cls, roster: Roster, own_addresses: Iterable[str], group_threshold: int) -> Matcher:
        return cls(roster, frozenset(address_key(a) for a in own_addresses), group_threshold)

    def match(
        self,
        block: HeaderBlock,
        verdict: Verdict,
        *,
        role: FolderRole,
        received_at: datetime | None,
        now: datetime,
        source: str,
        identity: str,
        wrote_personally: Callable[[str], bool] | None = None,
    ) -> Match:
        """The touches `block` makes, or the reason it makes none.

        `identity` (Message-ID or header hash) becomes each touch's
        message_id, so the same message seen twice is one touch.
        `wrote_personally(contact_id)` says whether a contact has written to
        the user before; without it, an announcement (no visible recipient)
        never counts.
        """
        ignored = _BY_KIND.get(verdict.kind)
        if ignored is not None:
            return Match(ignored=ignored)
        if role is FolderRole.SENT:
            return self._outgoing(block, received_at, now, source, identity)
        sender = _sender(block)
        if sender is None:
            return Match(ignored=Ignored.NO_SENDER)
        address, name = sender
        if address_key(address) in self.own:
            if role is FolderRole.INBOX:
                return Match(ignored=Ignored.OWN)
            return self._outgoing(block, received_at, now, source, identity)
        if self._is_group(block):
            return Match(ignored=Ignored.GROUP)
        contact = self.roster.by_address(address)
        if verdict.announcement and (
            contact is None or wrote_personally is None or not wrote_personally(contact.id)
        ):
            # Bcc to everyone from someone who never wrote personally: a newsletter.
            return Match(ignored=Ignored.BULK)
        key = (address_key(address),)
        if contact is None:
            return Match(
                ignored=Ignored.UNKNOWN_SENDER, unknown_sender=(address, name), correspondents=key
            )
        return Match(
            correspondents=key,
            touches=_touches(
                [contact],
                TouchKind.REPLY,
                Direction.INBOUND,
                block,
                received_at,
                now,
                source,
                identity,
            ),
        )

    def _is_group(self, block: HeaderBlock) -> bool:
        # Every address but a field's first needs a separator before it, so a
        # block with few separators cannot be group mail: most skip the parse.
        upper_bound = 0
        for value in (*block.get_all("To"), *block.get_all("Cc")):
            upper_bound += value.count(",") + value.count(";") + 1
        if upper_bound <= self.group_threshold:
            return False
        return len(_recipients(block)) > self.group_threshold

    def _outgoing(
        self,
        block: HeaderBlock,
        received_at: datetime | None,
        now: datetime,
        source: str,
        identity: str,
    ) -> Match:
        recipients = _recipients(block)
        if len(recipients) > self.group_threshold:
            return Match(ignored=Ignored.GROUP)
        contacts: dict[str, Contact] = {}
        others = tuple(a for a in recipients if a not in self.own)
        for address in others:
            contact = self.roster.by_address(address)
            if contact is not None:
                contacts.setdefault(contact.id, contact)
        if not contacts:
            return Match(ignored=Ignored.NO_CONTACT, correspondents=others)
        return Match(
            correspondents=others,
            touches=_touches(
                contacts.values(),
                TouchKind.SENT,
                Direction.OUTBOUND,
                block,
                received_at,
                now,
                source,
                identity,
            ),
        )


def _recipients(block: HeaderBlock) -> list[str]:
    """Distinct To and Cc addresses, in address_key form."""
    seen: dict[str, None] = {}
    for name in ("To", "Cc"):
        for value in block.get_all(name):
            for _, address in parse_addresses(value):
                seen.setdefault(address_key(address), None)
    return list(seen)


def _sender(block: HeaderBlock) -> tuple[str, str] | None:
    """(address, name) of the author: From, or Sender when From names several."""
    authors = parse_addresses(block.get("From"))
    if len(authors) > 1:
        # RFC 5322 §3.6.2: with several authors, Sender names who sent it.
        agents = parse_addresses(block.get("Sender"))
        if agents:
            return agents[0][1], agents[0][0]
    if not authors:
        return None
    return authors[0][1], authors[0][0]


def subject_of(block: HeaderBlock) -> str:
    """The decoded subject with white space collapsed."""
    return " ".join(decode_header_value(block.get("Subject") or "").split())


def _touches(
    contacts: Iterable[Contact],
    kind: TouchKind,
    direction: Direction,
    block: HeaderBlock,
    received_at: datetime | None,
    now: datetime,
    source: str,
    identity: str,
) -> tuple[Touch, ...]:
    at = touch_date(parse_date(block.get("Date")), received_at, now)
    detail = subject_of(block)[:DETAIL_LIMIT]
    return tuple(
        Touch(
            contact_id=c.id,
            kind=kind,
            at=at,
            direction=direction,
            message_id=identity,
            source=source,
            detail=detail,
        )
        for c in contacts
    )


__all__ = [
    "FolderRole",
    "Ignored",
    "Match",
    "Matcher",
    "role_by_name",
    "subject_of",
    "touch_date",
]
