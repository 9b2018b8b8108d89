"""The example workspace: a small, lived-in network that runs offline.

Pure: `example_workspace(now)` returns the files (relative path -> bytes) and
the history to seed the journal with, all dated relative to `now`, so the
workspace looks lived-in on whatever day `outreach init --example` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.base.model import Direction, Touch, TouchKind
from outreach.core.example_mail import example_mail

ME_NAME, ME_EMAIL = "Dana Reyes", "dana@example.org"
EVENT_ZONE = "America/Chicago"


@dataclass(frozen=True, slots=True)
class ExampleWorkspace:
    files: dict[str, bytes]
    touches: tuple[Touch, ...]


# id, name, email, circle, why, tags, extra TOML lines
_CONTACTS: list[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], str]] = [
    (
        "adrienne",
        "Adrienne Moreau",
        "adrienne@example.net",
        "focus",
        ("learn",),
        ("emergence", "art", "activism"),
        'notes = "Met at the spring convening; runs the mural collective."\n',
    ),
    (
        "kofi",
        "Kofi Mensah",
        "kofi@tenants.example.org",
        "focus",
        ("contribute",),
        ("housing", "tenant-organising"),
        'org = "Eastside Tenants Union"\n',
    ),
    (
        "mei",
        "Mei Lin",
        "mei@example.net",
        "focus",
        ("connect",),
        ("food", "urban-farming", "housing"),
        'notes = "Knows every community garden in town."\n',
    ),
    (
        "rosa",
        "Rosa Delgado",
        "rosa.delgado@example.com",
        "focus",
        ("learn", "contribute"),
        ("youth", "education", "art"),
        "cadence_days = 21\n",
    ),
    (
        "sam",
        "Sam Whitfield",
        "sam@coopenergy.example.org",
        "focus",
        ("connect",),
        ("climate", "energy", "co-ops"),
        'org = "Co-op Energy"\n',
    ),
    (
        "priya",
        "Priya Raman",
        "priya@example.net",
        "focus",
        ("learn",),
        ("data", "civic-tech", "housing"),
        "",
    ),
    (
        "tomas",
        "Tomás Ibarra",
        "tomas@example.com",
        "focus",
        ("contribute",),
        ("music", "art", "youth"),
        "",
    ),
    (
        "library",
        "Eastside Library",
        "programs@library.example.org",
        "focus",
        ("contribute",),
        ("education", "events"),
        "# kind: an organisation is greeted as a whole, never by the first word of its name\n"
        'kind = "org"\n'
        "# greeting: whom its emails greet\n"
        'greeting = "Jo"\nnotes = "Ask for Jo in public programs."\n',
    ),
    (
        "jordan",
        "Jordan Price",
        "jordan.price@example.com",
        "extended",
        ("connect",),
        ("climate", "policy"),
        "",
    ),
    (
        "hana",
        "Hana Sato",
        "hana@example.net",
        "extended",
        ("learn",),
        ("urban-farming", "food"),
        "",
    ),
    (
        "leo",
        "Leo Brandt",
        "leo@civic.example.org",
        "extended",
        ("contribute",),
        ("civic-tech", "data"),
        'links = ["https://example.org/leo"]\n',
    ),
    (
        "ngozi",
        "Ngozi Eze",
        "ngozi@example.net",
        "extended",
        ("connect",),
        ("activism", "education"),
        "",
    ),
]

# id, title, host, days from now, hour, tags, location
_EVENTS = [
    (
        "tenant-clinic",
        "Tenant rights clinic",
        "kofi",
        5,
        18,
        ("housing",),
        "Eastside Library, room B",
    ),
    (
        "seed-swap",
        "Seed swap and community potluck",
        "mei",
        9,
        17,
        ("food", "urban-farming"),
        "Eastside Community Garden",
    ),
    (
        "asset-mapping",
        "Workshop: mapping your neighbourhood's assets",
        "me",
        12,
        18,
        ("civic-tech", "data"),
        "Eastside Library",
    ),
    ("open-mic", "Youth open-mic night", "tomas", 16, 19, ("music", "youth", "art"), "The Loft"),
    (
        "mural-opening",
        "Mural collective: opening night",
        "adrienne",
        -10,
        18,
        ("art", "emergence"),
        "Fifth Street underpass",
    ),
]

# (days ago, contact, kind, detail, self_promotion)
_HISTORY = [
    (10, "adrienne", TouchKind.SHARE, "shared the mural opening with the arts list", False),
    (45, "kofi", TouchKind.INTRO, "introduced to Jordan about housing policy", False),
    (45, "jordan", TouchKind.INTRO, "introduced to Kofi about housing policy", False),
    (5, "mei", TouchKind.MEETING, "coffee at the garden", False),
    (70, "rosa", TouchKind.FEEDBACK, "notes on her youth arts grant draft", False),
    (100, "sam", TouchKind.SHARE, "shared the co-op energy fair", False),
    (20, "tomas", TouchKind.PROMOTION, "posted about his album", False),
    (200, "library", TouchKind.MEETING, "planned the spring talks", False),
    (30, "leo", TouchKind.SHARE, "shared his open-data meetup", False),
    (90, "ngozi", TouchKind.FEEDBACK, "read her op-ed draft", False),
    (15, "priya", TouchKind.SHARE, "told her about my asset-mapping workshop", True),
    (15, "leo", TouchKind.SHARE, "told him about my asset-mapping workshop", True),
]


def _toml_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _config() -> str:
    return f"""\
# The example workspace: a small network that runs offline.
# Try: outreach check, outreach sync, outreach report, outreach draft shares --dry-run
# Every key is optional unless marked required. Check this file, the roster and
# the events with: outreach check

# The time zone of the daemon's job times, and of every event in events.toml
# that names none (default: this machine's zone for jobs; events then need one).
timezone = "{EVENT_ZONE}"

[me]                                   # required: you, as drafts' From
name = "{ME_NAME}"
email = "{ME_EMAIL}"
# aliases = ["dana@work.example.com"]  # other addresses of yours, so your own mail is not a "reply"

# Circles and how often (in days) you want to support someone in each.
# focus: the 8-10 people and organisations you most want to understand and promote.
[circles.focus]
cadence_days = 14

[circles.extended]                     # everyone else worth keeping in touch with
cadence_days = 60

# Where outreach reads replies. A local Maildir stands in for an IMAP account here;
# outreach init writes a commented IMAP example (host, tls, password_command, folders).
[[mailboxes]]
name = "example"
kind = "maildir"
path = "mail"                          # relative to this folder; a Maildir or a Maildir++ tree

# Drafts wait in drafts/ for your review; nothing is sent without you.
[drafts]
push = false                           # true: put each new draft in your IMAP Drafts folder too

# Sending approved drafts (outreach drafts send ...) needs an [smtp] table:
# [smtp]
# host = "smtp.example.org"
# port = 465
# tls = "implicit"                     # implicit | starttls
# username = "dana@example.org"
# password_command = "pass show mail/work"
# rate_per_minute = 20                 # providers lock accounts that send too fast

# outreach report: who haven't I supported lately?
[report]
days = 90                              # the period of the health figures

# The background daemon (outreach daemon) or cron (outreach daemon --once).
[daemon]
sync_every_minutes = 10                # how often to read a mailbox without IMAP IDLE
idle = false                           # true: push sync through IMAP IDLE where offered

# Each job is one of outreach's own commands; jobs draft, they never send.
[[daemon.jobs]]
run = "draft shares"
at = "daily 08:00"                     # a weekday and time ("monday 09:00"), "daily 08:30",
                                       # "hourly" or "every 15 minutes"
[[daemon.jobs]]
run = "report --email"                 # the report as a draft to you
at = "daily 08:00"
"""


# How the first contact's keys are explained, the first time each appears.
_ROSTER_NOTES = {
    "emails": "one or more; the first is where drafts go",
    "circle": "focus | extended | a circle from outreach.toml (default extended)",
    "why": "learn (from them) | contribute (to their work) | connect (them with others)",
    "tags": "what they care about: events and introductions match on these",
    "notes": "anything worth remembering about them",
    "org": "the organisation they belong to",
    "cadence_days": "overrides the circle's cadence for this person",
    "links": "their site, their profile",
}

_ROSTER_HEADER = """\
# The example network: a focus list and an extended network.
# One [contacts.ID] table per person or organisation. The ID is how commands
# name them (outreach touch ID ..., outreach draft intro ID1 ID2); it is letters,
# digits, '-' and '_'. Required: name and emails. Add people with
# `outreach contacts add`, or import them with `outreach contacts import FILE`.
"""


def _commented(line: str, explained: set[str]) -> str:
    key = line.partition(" =")[0]
    note = _ROSTER_NOTES.get(key)
    if note is None or key in explained:
        return line + "\n"
    explained.add(key)
    return f"# {key}: {note}\n{line}\n"


def _roster() -> str:
    parts = [_ROSTER_HEADER]
    explained: set[str] = set()
    circle_now = ""
    for cid, name, email, circle, why, tags, extra in _CONTACTS:
        if circle != circle_now:
            parts.append(
                "\n# The focus list: the people you most want to understand and promote.\n"
                if circle == "focus"
                else "\n# The extended network: supported every 60 days or so.\n"
            )
            circle_now = circle
        lines = [
            f'name = "{name}"',
            f'emails = ["{email}"]',
            f'circle = "{circle}"',
            f"why = {_toml_list(why)}",
            f"tags = {_toml_list(tags)}",
            *extra.splitlines(),
        ]
        parts.append(f"\n[contacts.{cid}]\n")
        parts.extend(_commented(line, explained) for line in lines)
    return "".join(parts)


_EVENTS_HEADER = f"""\
# Events worth sharing: other people's, and your own (host = "me", counted as
# self-promotion). outreach draft shares drafts one personal email per person
# who would care: everyone whose tags overlap the event's, or exactly the
# people in share_with = ["ID", "tag:X", "circle:C"]. Import calendars with
# `outreach events import FILE.ics`.
#
# start is a local time in outreach.toml's timezone ({EVENT_ZONE}); an event
# elsewhere adds its own, timezone = "Europe/Berlin", or writes an offset:
# start = 2026-05-02T17:00:00-05:00.
"""


def _events(now: datetime) -> str:
    zone = ZoneInfo(EVENT_ZONE)
    local_today = now.astimezone(zone).date()
    parts = [_EVENTS_HEADER]
    for number, (eid, title, host, days, hour, tags, location) in enumerate(_EVENTS):
        day = local_today + timedelta(days=days)
        host_note = '                      # a contact ID, or "me"' if number == 0 else ""
        tags_note = "                     # who it is shared with" if number == 0 else ""
        parts.append(
            f'\n[events.{eid}]\ntitle = "{title}"\nhost = "{host}"{host_note}\n'
            f"start = {day.isoformat()}T{hour:02d}:00:00\n"
            f'url = "https://example.net/events/{eid}"\nlocation = "{location}"\n'
            f"tags = {_toml_list(tags)}{tags_note}\n"
        )
    return "".join(parts)


def _history(now: datetime) -> tuple[Touch, ...]:
    return tuple(
        Touch(
            contact_id=cid,
            kind=kind,
            at=now - timedelta(days=days),
            detail=detail,
            direction=Direction.OUTBOUND if kind is TouchKind.SHARE else Direction.NONE,
            source="example",
            self_promotion=self_promo,
        )
        for days, cid, kind, detail, self_promo in _HISTORY
    )


def example_workspace(now: datetime) -> ExampleWorkspace:
    """Every file of the example workspace and its history, dated relative to `now`."""
    files = {
        "outreach.toml": _config().encode(),
        "roster.toml": _roster().encode(),
        "events.toml": _events(now).encode(),
        "templates/": b"",
        **example_mail(now, me_name=ME_NAME, me_email=ME_EMAIL),
    }
    return ExampleWorkspace(files=files, touches=_history(now))
