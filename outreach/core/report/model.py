"""The report as data: one line per contact, the health figures, the next steps.

Plain frozen values shared by the ranking and every output format. The
journal's queries fill `HealthCounts`; nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from outreach.base.model import Contact, Event, TouchKind


class Activity(Protocol):
    """A contact's latest touch and support (the journal's `ContactActivity` fits)."""

    @property
    def last_touch_at(self) -> datetime | None: ...
    @property
    def last_touch_kind(self) -> TouchKind | None: ...
    @property
    def last_support_at(self) -> datetime | None: ...
    @property
    def last_support_kind(self) -> TouchKind | None: ...


@dataclass(frozen=True, slots=True)
class WaitingIntro:
    """A double opt-in introduction asked about and not yet answered."""

    id: int
    contact_a: str
    contact_b: str
    asked_at: datetime
    needs_decision: bool = False  # an answer came that is neither a clear yes nor a no


@dataclass(frozen=True, slots=True)
class HealthCounts:
    """Aggregates over the period `(since, until]`, plus what is waiting now."""

    since: datetime
    until: datetime
    others_promoted: int  # distinct items of other people's shared or promoted
    own_promoted: int  # distinct items of the user's own promoted
    contacts_supported: int
    replies_received: int
    drafts_waiting: int  # drafted or pushed, not yet sent or discarded
    intros_waiting: tuple[WaitingIntro, ...] = ()


class StepKind(enum.StrEnum):
    """Next steps, most urgent first (docs/report-json.md explains each)."""

    ANSWER = "answer"  # they wrote and nothing went back since
    REVIEW_DRAFT = "review_draft"  # a draft to them is waiting for review
    FEEDBACK = "feedback"  # they published or hosted something lately: say what you thought
    SHARE_EVENT = "share_event"
    INTRODUCE = "introduce"
    MEET = "meet"  # a focus contact not met in `[report] meet_every_days`
    CHECK_IN = "check_in"


@dataclass(frozen=True, slots=True)
class Reply:
    """A genuine message from a contact."""

    at: datetime
    subject: str


@dataclass(frozen=True, slots=True)
class Work:
    """Something a contact published or hosted: an event that took place, a post."""

    title: str
    at: datetime
    kind: str = "event"  # "event" | "post"
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Situation:
    """What the journal and the workspace know is going on with each contact.

    Keyed by contact id. Filled at the edges (the journal's queries, the
    events; later the contacts' feeds) and read by the next steps.
    """

    unanswered: Mapping[str, Reply] = field(default_factory=dict)
    drafts_waiting: Mapping[str, int] = field(default_factory=dict)  # the oldest draft's id
    recent_work: Mapping[str, Work] = field(default_factory=dict)
    last_meeting: Mapping[str, datetime] = field(default_factory=dict)
    first_seen: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NextStep:
    """Something to do for a contact who is past their cadence."""

    kind: StepKind
    text: str  # one line, for people
    event: Event | None = None  # share_event: the event to share with them
    partner: Contact | None = None  # introduce: whom to introduce them to
    shared_tags: tuple[str, ...] = ()
    reason: str = ""  # introduce: why the two should meet, for the intro draft
    link: str | None = None  # feedback: where their post or event is
    draft_id: int | None = None  # review_draft: the draft waiting
    about: str | None = None  # answer: their subject; feedback: the work's title
    about_at: datetime | None = None  # when they wrote, or when the work appeared


@dataclass(frozen=True, slots=True)
class ContactLine:
    rank: int  # 1-based position in this report
    contact: Contact
    cadence_days: int  # the contact's own, else their circle's
    last_touch_at: datetime | None
    last_touch_kind: TouchKind | None
    last_support_at: datetime | None
    last_support_kind: TouchKind | None
    days_since_touch: int | None
    days_since_support: int | None
    next_step: NextStep | None = None

    @property
    def overdue(self) -> float | None:
        """Days since support over cadence, to two places; None when never supported."""
        if self.days_since_support is None:
            return None
        return round(self.days_since_support / self.cadence_days, 2)

    @property
    def past_cadence(self) -> bool:
        """Never supported, or more days since support than the cadence allows."""
        return self.days_since_support is None or self.days_since_support > self.cadence_days


@dataclass(frozen=True, slots=True)
class Promotion:
    others: int  # shares and promotions of other people's work
    own: int  # shares of the user's own work
    target: float  # others per own, e.g. 3.0

    @property
    def ratio(self) -> float | None:
        """Others per own, to two places; None when nothing of one's own was shared."""
        return None if self.own == 0 else round(self.others / self.own, 2)

    @property
    def meets_target(self) -> bool:
        return self.others >= self.target * self.own


@dataclass(frozen=True, slots=True)
class IntroLine:
    id: int
    a: str  # contact ids; a name may be missing when a contact left the roster
    b: str
    a_name: str
    b_name: str
    asked_at: datetime
    days_waiting: int
    stale: bool  # waiting longer than intro_timeout_days: flagged, never chased
    needs_decision: bool = False  # an unclear answer waits for the user (`outreach intros`)


@dataclass(frozen=True, slots=True)
class Health:
    days: int
    since: datetime
    promotion: Promotion
    focus_size: int
    focus_min: int
    focus_max: int
    contacts_supported: int
    replies_received: int
    drafts_waiting: int
    intros: tuple[IntroLine, ...]
    intro_timeout_days: int

    @property
    def focus_within_guideline(self) -> bool:
        return self.focus_min <= self.focus_size <= self.focus_max

    @property
    def stale_intros(self) -> tuple[IntroLine, ...]:
        return tuple(i for i in self.intros if i.stale)


@dataclass(frozen=True, slots=True)
class Report:
    as_of: datetime
    health: Health
    lines: tuple[ContactLine, ...]
    contacts_total: int  # in the roster, before any filter
    circle: str | None = None
    overdue_only: bool = False
    limit: int | None = None
    zone: str = "UTC"  # the time zone days are counted in, and dates shown in

    @property
    def next_steps(self) -> tuple[ContactLine, ...]:
        return tuple(line for line in self.lines if line.next_step is not None)
