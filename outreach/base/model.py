"""The shared vocabulary: contacts, circles, events and touches as frozen values.

Everything here is plain data. Parsing lives in `roster`, `events` and
`config`; persistence in `journal`. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

ME = "me"  # the user, as an event host or a touch's subject
PERSON, ORG = "person", "org"  # a contact's kind


class Why(enum.StrEnum):
    """Why a relationship matters to the user."""

    LEARN = "learn"  # I want to learn from them
    CONTRIBUTE = "contribute"  # I want to contribute to their work
    CONNECT = "connect"  # I want to connect them with others


class TouchKind(enum.StrEnum):
    REPLY = "reply"  # a genuine message from them
    SENT = "sent"  # a message from the user to them
    SHARE = "share"  # shared their event or work, or shared an event with them
    INTRO = "intro"  # introduced them to someone
    FEEDBACK = "feedback"  # gave them honest feedback
    MEETING = "meeting"  # met in person or by call
    PROMOTION = "promotion"  # promoted their work elsewhere (a post, a mention)
    NOTE = "note"  # anything worth remembering that is neither


# Support is something done *for* someone; a reply from them is contact, not support.
SUPPORT_KINDS: frozenset[TouchKind] = frozenset(
    {TouchKind.SHARE, TouchKind.INTRO, TouchKind.FEEDBACK, TouchKind.MEETING, TouchKind.PROMOTION}
)


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"
    NONE = "none"  # a meeting, a note


@dataclass(frozen=True, slots=True)
class Circle:
    name: str
    cadence_days: int


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    name: str
    emails: tuple[str, ...]  # normalised; the first is where mail goes
    circle: str = "extended"
    why: tuple[Why, ...] = ()
    tags: tuple[str, ...] = ()
    cadence_days: int | None = None  # overrides the circle's cadence
    org: str | None = None
    notes: str | None = None
    links: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()  # their RSS, Atom, JSON Feed or iCalendar URLs, as written
    # Kinds of mail the person agreed to get; `false` in the roster opts them out.
    shares: bool = True
    intros: bool = True
    kind: str = PERSON  # PERSON | ORG
    greeting: str | None = None  # whom emails greet: "Jo and the library team", "Dr. Okafor"
    timezone: str | None = None  # an IANA zone: dates in drafts read in their time

    @property
    def email(self) -> str:
        return self.emails[0]

    @property
    def is_org(self) -> bool:
        return self.kind == ORG

    @property
    def first_name(self) -> str:
        """A person's first word; an organisation's whole name ("Eastside", alone, is rude)."""
        if self.is_org:
            return self.name
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def addressed(self) -> str:
        """Whom a greeting names: `greeting`, else a person's first name or "<Org> team"."""
        if self.greeting:
            return self.greeting
        return f"{self.name} team" if self.is_org else self.first_name


def address_key(address: str) -> str:
    """The form addresses are matched in: no real provider tells `Ana@` from `ana@`."""
    return address.strip().lower()


@dataclass(frozen=True, slots=True)
class Roster:
    contacts: tuple[Contact, ...] = ()
    _by_id: Mapping[str, Contact] = field(default_factory=dict, repr=False, compare=False)
    _by_address: Mapping[str, Contact] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, contacts: Iterable[Contact]) -> Roster:
        contacts = tuple(contacts)
        by_address = {address_key(a): c for c in contacts for a in c.emails}
        return cls(contacts, {c.id: c for c in contacts}, by_address)

    def __len__(self) -> int:
        return len(self.contacts)

    def __iter__(self) -> Iterator[Contact]:
        return iter(self.contacts)

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self._by_id

    def get(self, contact_id: str) -> Contact | None:
        return self._by_id.get(contact_id)

    def __getitem__(self, contact_id: str) -> Contact:
        return self._by_id[contact_id]

    def by_address(self, address: str) -> Contact | None:
        """The contact owning `address`, matched without regard to case."""
        return self._by_address.get(address_key(address))

    def in_circle(self, circle: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.circle == circle)


@dataclass(frozen=True, slots=True)
class Moved:
    """One occurrence of a series held at another time (iCalendar's RECURRENCE-ID)."""

    original: datetime  # the start the rule gives it, timezone-aware
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a series repeats, as iCalendar says it (RFC 5545 3.8.5).

    Times are aware, in the series' own zone; for an all-day series they are
    midnight there. Expanding it is `outreach.core.recur`'s job.
    """

    rule: str | None = None  # an RRULE value, such as "FREQ=WEEKLY;BYDAY=TH"
    extra: tuple[datetime, ...] = ()  # RDATE: occurrences besides the rule's
    skipped: tuple[datetime, ...] = ()  # EXDATE: the rule's occurrences that do not happen
    moved: tuple[Moved, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """Someone's event worth sharing (or the user's own, when host is `me`).

    A series keeps its first occurrence in `start` and `end` and how it repeats
    in `recurrence`; `outreach.core.recur.next_occurrence` gives the one to share.
    """

    id: str
    title: str
    host: str  # a contact id, or ME
    start: datetime  # timezone-aware
    end: datetime | None = None
    url: str | None = None
    location: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    share_with: tuple[str, ...] = ()  # contact ids, "tag:X" or "circle:C"
    # A day or days rather than a time: start is midnight in the event's zone
    # and end the midnight after its last day.
    all_day: bool = False
    recurrence: Recurrence | None = None

    @property
    def is_self_promotion(self) -> bool:
        return self.host == ME


@dataclass(frozen=True, slots=True)
class Touch:
    """One moment of contact or support between the user and a contact."""

    contact_id: str
    kind: TouchKind
    at: datetime  # timezone-aware; stored in UTC
    direction: Direction = Direction.NONE
    message_id: str | None = None  # recording the same message twice is a no-op
    source: str = "manual"  # "manual", "sync:<mailbox>/<folder>", "send", "import"…
    detail: str = ""
    self_promotion: bool = False  # a share of the user's own work
    item: str | None = None  # what it promoted ("event:ID"): the ratio counts items, not emails
