"""The example workspace: a small, lived-in network that runs offline.

Pure: `example_workspace(now)` returns the files (relative path -> bytes) and
the history to seed the journal with, all dated relative to `now`, so the
workspace looks lived-in on whatever day `outreach init --example` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from outreach.base.model import Direction, Touch, TouchKind

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
        'kind = "org"\ngreeting = "Jo"\nnotes = "Ask for Jo in public programs."\n',
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

[me]
name = "{ME_NAME}"
email = "{ME_EMAIL}"

[circles.focus]
cadence_days = 14                      # people you most want to understand and promote

[circles.extended]
cadence_days = 60

# A local Maildir stands in for an IMAP account here.
[[mailboxes]]
name = "example"
kind = "maildir"
path = "mail"

[drafts]
push = false

[report]
days = 90

[daemon]
sync_every_minutes = 10
idle = false

[[daemon.jobs]]
run = "draft shares"
at = "daily 08:00"

[[daemon.jobs]]
run = "report --email"
at = "daily 08:00"
"""


def _roster() -> str:
    parts = ["# The example network: a focus list and an extended network.\n"]
    for cid, name, email, circle, why, tags, extra in _CONTACTS:
        parts.append(
            f'\n[contacts.{cid}]\nname = "{name}"\nemails = ["{email}"]\n'
            f'circle = "{circle}"\nwhy = {_toml_list(why)}\ntags = {_toml_list(tags)}\n{extra}'
        )
    return "".join(parts)


def _events(now: datetime) -> str:
    zone = ZoneInfo(EVENT_ZONE)
    local_today = now.astimezone(zone).date()
    parts = ['# Events worth sharing; host = "me" marks your own.\n']
    for eid, title, host, days, hour, tags, location in _EVENTS:
        day = local_today + timedelta(days=days)
        parts.append(
            f'\n[events.{eid}]\ntitle = "{title}"\nhost = "{host}"\n'
            f'start = {day.isoformat()}T{hour:02d}:00:00\ntimezone = "{EVENT_ZONE}"\n'
            f'url = "https://example.net/events/{eid}"\nlocation = "{location}"\n'
            f"tags = {_toml_list(tags)}\n"
        )
    return "".join(parts)


def _message(
    now: datetime, days_ago: float, headers: list[tuple[str, str]], body: str, seq: int
) -> bytes:
    sent = now - timedelta(days=days_ago)
    lines = [
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <example-{seq}.{int(sent.timestamp())}@example.invalid>",
    ]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode("utf-8")


def _mail(now: datetime) -> dict[str, bytes]:
    me = f"{ME_NAME} <{ME_EMAIL}>"
    messages: list[tuple[str, float, list[tuple[str, str]], str]] = [
        (
            "cur",
            3,
            [
                ("From", "Adrienne Moreau <adrienne@example.net>"),
                ("To", me),
                ("Subject", "Re: the mural opening"),
            ],
            "Dana, thank you for sending people our way. Twelve of them came!\n-- A.",
        ),
        (
            "cur",
            20,
            [
                ("From", "Kofi Mensah <kofi@tenants.example.org>"),
                ("To", me),
                ("Subject", "Re: intro: Kofi, meet Jordan"),
            ],
            "Jordan and I are meeting next week. Thanks for thinking of us.\nKofi",
        ),
        (
            "new",
            1,
            [
                ("From", "Priya Raman <priya@example.net>"),
                ("To", me),
                ("Subject", "Question about your asset map"),
            ],
            "Could I borrow the survey you used? I'd love to try it on our block.\nPriya",
        ),
        (
            "cur",
            2,
            [
                ("From", "Sam Whitfield <sam@coopenergy.example.org>"),
                ("To", me),
                ("Subject", "Automatic reply: checking in"),
                ("Auto-Submitted", "auto-replied"),
            ],
            "I'm away until the end of the month with limited access to email.",
        ),
        (
            "cur",
            6,
            [
                ("From", "Mail Delivery System <MAILER-DAEMON@mx.example.org>"),
                ("To", me),
                ("Subject", "Undelivered Mail Returned to Sender"),
                ("Auto-Submitted", "auto-replied"),
            ],
            "This is the mail system at host mx.example.org.\n\n<jordan@old-job.example.com>:"
            " host mail.example.com said: 550 5.1.1 user unknown",
        ),
        (
            "cur",
            4,
            [
                ("From", "Hana Sato <hana@example.net>"),
                ("To", "Urban growers <growers@lists.example.org>"),
                ("Subject", "[growers] Spare seedlings this weekend"),
                ("List-Id", "Urban growers <growers.lists.example.org>"),
                ("List-Unsubscribe", "<mailto:growers-leave@lists.example.org>"),
                ("Precedence", "list"),
            ],
            "I have forty tomato seedlings looking for homes. Come by Saturday.",
        ),
        (
            "new",
            8,
            [
                ("From", "Marisol Vega <marisol@example.com>"),
                ("To", me),
                ("Subject", "Loved your talk at the library"),
            ],
            "Hi Dana, I run the youth robotics club and would love to compare notes.\nMarisol",
        ),
    ]
    sent: list[tuple[float, list[tuple[str, str]], str]] = [
        (
            15,
            [
                ("From", me),
                ("To", "Rosa Delgado <rosa.delgado@example.com>"),
                ("Subject", "Your grant draft"),
            ],
            "Rosa, I read it twice; notes below.",
        ),
        (
            30,
            [
                ("From", me),
                ("To", "Mei Lin <mei@example.net>, Tomás Ibarra <tomas@example.com>"),
                ("Subject", "Garden gig?"),
            ],
            "Mei, Tomás: music at the seed swap?",
        ),
    ]
    files: dict[str, bytes] = {}
    for seq, (folder, days, headers, body) in enumerate(messages, start=1):
        stamp = int((now - timedelta(days=days)).timestamp())
        info = ":2,S" if folder == "cur" else ""
        files[f"mail/{folder}/{stamp}.example{seq}.localhost{info}"] = _message(
            now, days, headers, body, seq
        )
    for seq, (days, headers, body) in enumerate(sent, start=100):
        stamp = int((now - timedelta(days=days)).timestamp())
        files[f"mail/.Sent/cur/{stamp}.example{seq}.localhost:2,S"] = _message(
            now, days, headers, body, seq
        )
    for folder in ("mail/tmp", "mail/.Sent/new", "mail/.Sent/tmp"):
        files[f"{folder}/"] = b""  # an empty folder: Maildir needs cur, new and tmp
    return files


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
        **_mail(now),
    }
    return ExampleWorkspace(files=files, touches=_history(now))
