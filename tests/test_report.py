"""`outreach report` on a small network with known answers, as of 2026-06-15.

The roster holds one contact never supported with only replies (ana), one
never touched at all (dev), one supported today (ben, and gia by the same
message), one with its own cadence (cleo, 30 days in a 14-day circle), and
others at known distances from their cadence. Every figure below is worked
out by hand from the touches recorded in `network`.
"""

# ruff: noqa: E501  (the expected outputs are literal, and wider than 100 columns)

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.app.reporting import build_report
from outreach.base.clock import iso_utc
from outreach.base.model import Contact, Direction, Event, Roster, Touch, TouchKind, Why
from outreach.core.report.model import NextStep, StepKind
from outreach.core.report.rank import days_between
from outreach.core.report.steps import EventIndex, IntroFinder, next_step
from outreach.core.suggest import pair_key, suggest_introductions
from outreach.store.journal import Journal
from outreach.store.journal.drafts import DraftStatus, add_draft, set_status
from outreach.store.journal.report_queries import activity_as_of, health_counts
from outreach.store.journal.touches import record_touches
from outreach.store.workspace import load_workspace
from tests.conftest import NOW, RunCli
from tests.support.workspaces import make_workspace

AS_OF = "2026-06-15"

ROSTER = """\
[contacts.ana]
name = "Ana Lima"
emails = ["ana@example.net"]
circle = "focus"
why = ["learn"]
tags = ["art", "housing"]

[contacts.ben]
name = "Ben Okafor"
emails = ["ben@example.net"]
why = ["connect"]
tags = ["housing", "food"]

[contacts.cleo]
name = "Cleo Park"
emails = ["cleo@example.com"]
circle = "focus"
why = ["contribute"]
tags = ["food"]
cadence_days = 30

[contacts.dev]
name = "Dev Sharma"
emails = ["dev@example.org"]
why = ["learn"]
tags = ["music"]

[contacts.eli]
name = "Eli Novak"
emails = ["eli@example.net"]
circle = "focus"
why = ["connect"]
tags = ["art"]

[contacts.fay]
name = "Fay Adeyemi"
emails = ["fay@example.com"]
why = ["contribute"]
tags = ["housing"]

[contacts.gia]
name = "Gia Rossi"
emails = ["gia@example.net"]
why = ["learn"]
tags = ["food"]
"""

EVENTS = """\
[events.salon]
title = "Spring salon"
host = "ben"
start = 2026-06-20T18:00:00Z
tags = ["art"]

[events.potluck]
title = "Our potluck"
host = "me"
start = 2026-06-25T18:00:00Z
tags = ["food"]

[events.fair]
title = "Record fair"
host = "gia"
start = 2026-05-01T10:00:00Z
tags = ["music"]

[events.jam]
title = "Summer jam"
host = "fay"
start = 2026-07-02T19:00:00Z
tags = ["music"]
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


TOUCHES = [
    # ana: replies only; the one in January is outside the 90-day period
    Touch("ana", TouchKind.REPLY, at("2026-01-10T08:00"), Direction.INBOUND, "<r0@example.net>"),
    Touch("ana", TouchKind.REPLY, at("2026-04-02T08:00"), Direction.INBOUND, "<r2@example.net>"),
    Touch("ana", TouchKind.REPLY, at("2026-06-01T08:00"), Direction.INBOUND, "<r1@example.net>"),
    # ben and gia: this morning a message shared ben's fair with gia, with a personal line:
    # it promoted ben (one item) and supported gia
    Touch(
        "ben",
        TouchKind.SHARE,
        at("2026-06-15T09:00"),
        Direction.OUTBOUND,
        "<s1@example.org>",
        item="event:fair",
    ),
    Touch("gia", TouchKind.SHARE, at("2026-06-15T09:00"), Direction.OUTBOUND, "<s1@example.org>"),
    # cleo: feedback 45 days ago, against her own 30-day cadence
    Touch("cleo", TouchKind.FEEDBACK, at("2026-05-01T15:00")),
    # eli: an old share before the period, then a meeting 28 days ago
    Touch("eli", TouchKind.SHARE, at("2025-12-01T10:00"), Direction.OUTBOUND, "<s0@example.org>"),
    Touch("eli", TouchKind.MEETING, at("2026-05-18T17:00")),
    # fay: promoted 30 days ago; since then only a share of the user's own event
    Touch("fay", TouchKind.PROMOTION, at("2026-05-16T12:00")),
    Touch(
        "fay",
        TouchKind.SHARE,
        at("2026-06-12T10:00"),
        Direction.OUTBOUND,
        "<own1@example.org>",
        self_promotion=True,
    ),
]


def add_intro(journal: Journal, a: str, b: str, status: str, asked: str) -> None:
    with journal.transaction() as db:
        db.execute(
            "INSERT INTO intros (contact_a, contact_b, mode, status, created_at, updated_at)"
            " VALUES (?, ?, 'double_opt_in', ?, ?, ?)",
            (a, b, status, asked, asked),
        )


def add_plain_draft(journal: Journal, n: int, status: DraftStatus, **extra: object) -> None:
    draft_id = add_draft(
        journal,
        message_id=f"<d{n}@example.org>",
        kind="share_event",
        subject=f"draft {n}",
        path=f"drafts/{n}.eml",
        recipients=extra.pop("recipients", ["gia"]),  # type: ignore[arg-type]
        support=[],
        now=at("2026-06-10T09:00"),
        **extra,  # type: ignore[arg-type]
    )
    if status is not DraftStatus.DRAFTED:
        set_status(journal, draft_id, status, now=at("2026-06-11T09:00"))


@pytest.fixture
def network(tmp_path: Path) -> Path:
    home = make_workspace(tmp_path / "ws", roster=ROSTER, events=EVENTS)
    with Journal.open(home / "journal.db") as journal:
        record_touches(journal, TOUCHES, now=NOW)
        # Drafts: the jam went to dev already (waiting), one pushed, one sent, one discarded.
        add_plain_draft(journal, 1, DraftStatus.DRAFTED, recipients=["dev"], event_id="jam")
        add_plain_draft(journal, 2, DraftStatus.PUSHED)
        add_plain_draft(journal, 3, DraftStatus.SENT)
        add_plain_draft(journal, 4, DraftStatus.DISCARDED)
        # Intros: ana & eli asked 26 days ago (stale after 14), cleo & gia 5 days ago,
        # ben & fay done.
        add_intro(journal, "ana", "eli", "asked", "2026-05-20T09:00:00Z")
        add_intro(journal, "cleo", "gia", "asked", "2026-06-10T09:00:00Z")
        add_intro(journal, "ben", "fay", "introduced", "2026-04-01T09:00:00Z")
    return home


def report(run_cli: RunCli, home: Path, *args: str, expect: int = 0) -> str:
    return run_cli("--home", str(home), "--as-of", AS_OF, "report", *args, expect=expect).stdout


TABLE = """\
Who haven't I supported lately? As of 2026-06-15, last 90 days

  Promotion ratio       2:1 (2 shares of others' work, 1 of your own; aim 3:1)
                        (!)
  Focus list            3 people (guideline 8-10) (!)
  Supported             5 contacts
  Replies received      2
  Drafts waiting        2 for review
  Double opt-in intros  2 waiting for an answer; 1 over 14 days (Ana Lima & Eli
                        Novak, 26 days) (!)
  To do                 share 1 more item of others' work to get back to 3:1
  To do                 the focus list is under its guideline: choose 5 more
                        contacts to understand and promote (circle = "focus")

#  Name         Circle    Last support   Last touch    Cadence  Overdue
1  Ana Lima     focus     never          reply 14d         14d    never
2  Eli Novak    focus     meeting 28d    meeting 28d       14d    2.00x
3  Cleo Park    focus     feedback 45d   feedback 45d      30d    1.50x
4  Fay Adeyemi  extended  promotion 30d  share 3d          60d    0.50x
5  Ben Okafor   extended  share 0d       share 0d          60d    0.00x
6  Dev Sharma   extended  never          never             60d    never
7  Gia Rossi    extended  share 0d       share 0d          60d    0.00x

7 contacts.

Next steps
  1. Ana Lima: answer their email of 2026-06-01, "(no subject)"
  2. Eli Novak: share "Spring salon" (2026-06-20): it is about art
  3. Cleo Park: introduce to Ben Okafor: both care about food; you want to
     connect Ben with others
  6. Dev Sharma: review draft 1, waiting for them (`outreach drafts show 1`)
"""


def test_table_ranks_by_days_without_support_over_cadence_never_supported_included(
    network: Path, run_cli: RunCli
) -> None:
    # Days without support over cadence: Ana, never supported, has waited since her
    # first reply in January (156/14); Eli 28/14, Cleo 45 over her own 30, Fay 30/60
    # (her later share of the user's own event is contact, not support); Dev, never
    # supported but first seen today, ties with Ben and Gia, supported this morning
    # (by name). Ana's reply of June waits for an answer; a draft to Dev waits.
    assert report(run_cli, network) == TABLE
    assert max(len(line) for line in TABLE.splitlines()) <= 80


def test_next_steps_skip_own_past_and_already_shared_events(network: Path, run_cli: RunCli) -> None:
    data = json.loads(report(run_cli, network, "--format", "json"))
    steps = {c["id"]: c["next_step"] for c in data["contacts"]}
    # Dev's only music events are over (the fair) or already drafted to him (the jam),
    # and that draft waits for review. Cleo's food event is the user's own potluck: an
    # intro instead. Ana's reply waits for an answer before anything else.
    assert (steps["dev"]["kind"], steps["dev"]["draft_id"]) == ("review_draft", 1)
    assert steps["cleo"]["kind"] == "introduce"
    assert (steps["cleo"]["partner_id"], steps["cleo"]["shared_tags"]) == ("ben", ["food"])
    assert (steps["ana"]["kind"], steps["ana"]["about_at"]) == ("answer", "2026-06-01T08:00:00Z")
    assert steps["eli"]["event_id"] == "salon"
    assert steps["fay"] is None and steps["ben"] is None  # within their cadence


MARKDOWN = """\
# Who haven't I supported lately? As of 2026-06-15, last 90 days

- **Promotion ratio:** 2:1 (2 shares of others' work, 1 of your own; aim 3:1) (!)
- **Focus list:** 3 people (guideline 8-10) (!)
- **Supported:** 5 contacts
- **Replies received:** 2
- **Drafts waiting:** 2 for review
- **Double opt-in intros:** 2 waiting for an answer; 1 over 14 days (Ana Lima & Eli Novak, 26 days) (!)
- **To do:** share 1 more item of others' work to get back to 3:1
- **To do:** the focus list is under its guideline: choose 5 more contacts to understand and promote (circle = "focus")

| # | Name | Circle | Why | Last support | Days | Last touch | Days | Cadence | Overdue |
|---:|---|---|---|---|---:|---|---:|---:|---:|
| 1 | Ana Lima | focus | learn | never | - | 2026-06-01 reply | 14 | 14d | never |
| 2 | Eli Novak | focus | connect | 2026-05-18 meeting | 28 | 2026-05-18 meeting | 28 | 14d | 2.00x |
| 3 | Cleo Park | focus | contribute | 2026-05-01 feedback | 45 | 2026-05-01 feedback | 45 | 30d | 1.50x |
| 4 | Fay Adeyemi | extended | contribute | 2026-05-16 promotion | 30 | 2026-06-12 share | 3 | 60d | 0.50x |
| 5 | Ben Okafor | extended | connect | 2026-06-15 share | 0 | 2026-06-15 share | 0 | 60d | 0.00x |
| 6 | Dev Sharma | extended | learn | never | - | never | - | 60d | never |
| 7 | Gia Rossi | extended | learn | 2026-06-15 share | 0 | 2026-06-15 share | 0 | 60d | 0.00x |

7 contacts.

## Next steps

- **Ana Lima** (#1): answer their email of 2026-06-01, "(no subject)"
- **Eli Novak** (#2): share "Spring salon" (2026-06-20): it is about art
- **Cleo Park** (#3): introduce to Ben Okafor: both care about food; you want to connect Ben with others
- **Dev Sharma** (#6): review draft 1, waiting for them (\\`outreach drafts show 1\\`)
"""


def test_markdown_format(network: Path, run_cli: RunCli) -> None:
    assert report(run_cli, network, "--format", "markdown") == MARKDOWN


CSV = (
    "rank,id,name,circle,why,tags,cadence_days,last_touch,last_touch_kind,last_support,"
    "last_support_kind,days_since_touch,days_since_support,overdue,past_cadence,"
    "next_step_kind,next_step\r\n"
    "1,ana,Ana Lima,focus,learn,art;housing,14,2026-06-01T08:00:00Z,reply,,,14,,,true,"
    'answer,"answer their email of 2026-06-01, ""(no subject)"""\r\n'
    "2,eli,Eli Novak,focus,connect,art,14,2026-05-18T17:00:00Z,meeting,2026-05-18T17:00:00Z,"
    'meeting,28,28,2.00,true,share_event,"share ""Spring salon"" (2026-06-20): it is about art"\r\n'
    "3,cleo,Cleo Park,focus,contribute,food,30,2026-05-01T15:00:00Z,feedback,"
    "2026-05-01T15:00:00Z,feedback,45,45,1.50,true,introduce,"
    "introduce to Ben Okafor: both care about food; you want to connect Ben with others\r\n"
    "4,fay,Fay Adeyemi,extended,contribute,housing,60,2026-06-12T10:00:00Z,share,"
    "2026-05-16T12:00:00Z,promotion,3,30,0.50,false,,\r\n"
    "5,ben,Ben Okafor,extended,connect,housing;food,60,2026-06-15T09:00:00Z,share,"
    "2026-06-15T09:00:00Z,share,0,0,0.00,false,,\r\n"
    "6,dev,Dev Sharma,extended,learn,music,60,,,,,,,,true,review_draft,"
    '"review draft 1, waiting for them (`outreach drafts show 1`)"\r\n'
    "7,gia,Gia Rossi,extended,learn,food,60,2026-06-15T09:00:00Z,share,"
    "2026-06-15T09:00:00Z,share,0,0,0.00,false,,\r\n"
)


def test_csv_format(network: Path, run_cli: RunCli) -> None:
    text = report(run_cli, network, "--format", "csv")
    assert text == CSV
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["ana", "eli", "cleo", "fay", "ben", "dev", "gia"]


def test_json_health_figures(network: Path, run_cli: RunCli) -> None:
    data = json.loads(report(run_cli, network, "--format", "json"))
    assert data["as_of"] == "2026-06-15T12:00:00Z"
    assert data["period"] == {"days": 90, "since": "2026-03-17T12:00:00Z"}
    assert data["health"] == {
        # Others: the message sharing an event with Ben and Gia (once), Fay's promotion.
        # Own: the share of the user's own event with Fay.
        "promotion": {"others": 2, "own": 1, "ratio": 2.0, "target": 3.0, "meets_target": False},
        "focus": {"size": 3, "min": 8, "max": 10, "within_guideline": False},
        # Ben, Gia, Cleo, Eli (the meeting; his share was before the period), Fay.
        "contacts_supported": 5,
        "replies_received": 2,  # Ana in April and June; January is before the period
        "drafts_waiting": 2,  # one drafted, one pushed; sent and discarded ones are done
        "intros_waiting": {
            "count": 2,
            "needs_decision": 0,
            "timeout_days": 14,
            "intros": [
                {
                    "id": 1,
                    "contact_a": "ana",
                    "contact_b": "eli",
                    "asked_at": "2026-05-20T09:00:00Z",
                    "days_waiting": 26,
                    "stale": True,
                    "needs_decision": False,
                },
                {
                    "id": 2,
                    "contact_a": "cleo",
                    "contact_b": "gia",
                    "asked_at": "2026-06-10T09:00:00Z",
                    "days_waiting": 5,
                    "stale": False,
                    "needs_decision": False,
                },
            ],
        },
    }


def test_json_contacts_carry_dates_days_and_overdue_ratio(network: Path, run_cli: RunCli) -> None:
    data = json.loads(report(run_cli, network, "--format", "json"))
    fields = (
        "id",
        "cadence_days",
        "last_support",
        "last_support_kind",
        "last_touch_kind",
        "days_since_touch",
        "days_since_support",
        "overdue",
        "past_cadence",
    )
    assert [tuple(c[f] for f in fields) for c in data["contacts"]] == [
        ("ana", 14, None, None, "reply", 14, None, None, True),
        ("eli", 14, "2026-05-18T17:00:00Z", "meeting", "meeting", 28, 28, 2.0, True),
        ("cleo", 30, "2026-05-01T15:00:00Z", "feedback", "feedback", 45, 45, 1.5, True),
        ("fay", 60, "2026-05-16T12:00:00Z", "promotion", "share", 3, 30, 0.5, False),
        ("ben", 60, "2026-06-15T09:00:00Z", "share", "share", 0, 0, 0.0, False),
        ("dev", 60, None, None, None, None, None, None, True),
        ("gia", 60, "2026-06-15T09:00:00Z", "share", "share", 0, 0, 0.0, False),
    ]
    assert data["contacts"][0] == {
        "rank": 1,
        "id": "ana",
        "name": "Ana Lima",
        "circle": "focus",
        "why": ["learn"],
        "tags": ["art", "housing"],
        "cadence_days": 14,
        "last_touch": "2026-06-01T08:00:00Z",
        "last_touch_kind": "reply",
        "last_support": None,
        "last_support_kind": None,
        "days_since_touch": 14,
        "days_since_support": None,
        "overdue": None,
        "past_cadence": True,
        "next_step": {
            "kind": "answer",
            "text": 'answer their email of 2026-06-01, "(no subject)"',
            "event_id": None,
            "event_title": None,
            "event_start": None,
            "partner_id": None,
            "partner_name": None,
            "shared_tags": [],
            "draft_id": None,
            "about": "(no subject)",
            "about_at": "2026-06-01T08:00:00Z",
        },
    }
    assert data["contacts"][1]["next_step"] == {
        "kind": "share_event",
        "text": 'share "Spring salon" (2026-06-20): it is about art',
        "event_id": "salon",
        "event_title": "Spring salon",
        "event_start": "2026-06-20T18:00:00Z",
        "partner_id": None,
        "partner_name": None,
        "shared_tags": ["art"],
        "draft_id": None,
        "about": None,
        "about_at": None,
    }


class _Page(HTMLParser):
    """Collects what the HTML test needs: tags seen, table rows, chart rows, texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.table_rows: list[str] = []
        self.chart_rows: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        found = dict(attrs)
        if tag == "tr" and "data-contact" in found:
            self.table_rows.append(str(found["data-contact"]))
        if tag == "g" and found.get("class") == "row":
            self.chart_rows.append(str(found["data-contact"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_page_with_the_table_and_a_chart_row_per_contact(
    network: Path, run_cli: RunCli
) -> None:
    page = _Page()
    html = report(run_cli, network, "--format", "html")
    page.feed(html)
    order = ["ana", "eli", "cleo", "fay", "ben", "dev", "gia"]
    assert page.table_rows == order
    assert page.chart_rows == order
    assert page.tags.count("svg") == 1 and page.tags.count("table") == 1
    # Self-contained: nothing is fetched, and the page forbids itself the network.
    assert not {"script", "link", "img", "iframe"} & set(page.tags)
    assert not [v for k, v in page.attributes if k in ("src", "href")]
    assert "default-src 'none'" in html
    text = " ".join(" ".join(page.text).split())
    assert "Eli Novak: 28 days since support; cadence 14 days" in text
    assert "Ana Lima: never supported; cadence 14 days" in text
    assert "2:1 (2 shares of others' work, 1 of your own; aim 3:1)" in text


def test_filters_circle_overdue_and_limit(network: Path, run_cli: RunCli) -> None:
    text = report(run_cli, network, "--circle", "focus", "--overdue", "--limit", "2")
    lines = text.splitlines()
    assert lines[0] == (
        "Who haven't I supported lately? As of 2026-06-15, last 90 days, circle focus,"
        " past cadence only"
    )
    header = next(i for i, line in enumerate(lines) if line.startswith("#  Name"))
    assert [row.split()[:3] for row in lines[header + 1 : header + 3]] == [
        ["1", "Ana", "Lima"],
        ["2", "Eli", "Novak"],
    ]
    assert "Showing 2 of 7 contacts." in lines
    data = json.loads(report(run_cli, network, "--format", "json", "--overdue"))
    assert [c["id"] for c in data["contacts"]] == ["ana", "eli", "cleo", "dev"]
    assert data["filters"] == {"circle": None, "overdue_only": True, "limit": None}


def test_days_sets_the_health_period(network: Path, run_cli: RunCli) -> None:
    data = json.loads(report(run_cli, network, "--format", "json", "--days", "30"))
    health = data["health"]
    assert data["period"] == {"days": 30, "since": "2026-05-16T12:00:00Z"}
    # The period is (since, as-of]: Fay's promotion at exactly 2026-05-16 12:00 is out.
    assert health["promotion"]["others"] == 1
    assert health["contacts_supported"] == 3  # Ben, Gia, Eli
    assert health["replies_received"] == 1


def test_days_default_comes_from_the_config(tmp_path: Path, run_cli: RunCli) -> None:
    home = make_workspace(tmp_path / "ws", roster=ROSTER, extra_config="[report]\ndays = 7\n")
    data = json.loads(report(run_cli, home, "--format", "json"))
    assert data["period"]["days"] == 7


def test_as_of_ignores_touches_recorded_after_it(network: Path, run_cli: RunCli) -> None:
    with Journal.open(network / "journal.db") as journal:
        record_touches(journal, [Touch("ana", TouchKind.INTRO, at("2026-06-20T10:00"))], now=NOW)
    before = json.loads(report(run_cli, network, "--format", "json"))
    assert before["contacts"][0]["id"] == "ana"
    assert before["contacts"][0]["last_support"] is None
    later = run_cli("--home", str(network), "--as-of", "2026-06-21", "report", "--format", "json")
    ana = next(c for c in json.loads(later.stdout)["contacts"] if c["id"] == "ana")
    assert (ana["last_support_kind"], ana["days_since_support"]) == ("intro", 1)


def test_activity_as_of_agrees_with_contact_state_when_nothing_is_later(network: Path) -> None:
    ids = ["ana", "ben", "cleo", "dev", "eli", "fay", "gia"]
    with Journal.open(network / "journal.db") as journal:
        quick = activity_as_of(journal, ids, now=NOW)  # from contact_state
        # One second before the newest touch (Ben's and Gia's share) forces the
        # per-contact index lookups; it must agree on everyone else.
        slow = activity_as_of(journal, ids, now=at("2026-06-15T08:59:59"))
    assert sorted(quick) == ["ana", "ben", "cleo", "eli", "fay", "gia"]
    assert sorted(slow) == ["ana", "cleo", "eli", "fay"]
    assert {k: quick[k] for k in slow} == slow


def test_unknown_circle_is_bad_input(network: Path, run_cli: RunCli) -> None:
    result = run_cli("--home", str(network), "report", "--circle", "focsu", expect=2)
    assert result.stderr == (
        "--circle: unknown circle 'focsu'; circles are extended, focus — did you mean 'focus'?\n"
    )
    result = run_cli("--home", str(network), "report", "--limit", "0", "--days", "0", expect=2)
    assert result.stderr == (
        "--limit: 0 is not a positive number of contacts\n"
        "--days: 0 is not a number of days from 1 to 36,500\n"
    )


def test_output_writes_the_file_and_nothing_to_stdout(network: Path, run_cli: RunCli) -> None:
    target = network / "out" / "report.md"
    result = run_cli(
        "--home", str(network), "--as-of", AS_OF, "report", "--format", "markdown",
        "--output", str(target),
    )  # fmt: skip
    assert result.stdout == ""
    assert target.read_text() == MARKDOWN
    assert result.stderr == f"wrote the report (markdown) to {target}\n"
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]  # no temp file left


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("environ", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False)])
def test_colour_only_on_a_terminal(network: Path, environ: dict[str, str], coloured: bool) -> None:
    from outreach.cli.main import main

    stdout, stderr = _Terminal(), io.StringIO()
    argv = ["--home", str(network), "--as-of", AS_OF, "report"]
    assert main(argv, stdout=stdout, stderr=stderr, environ=environ) == 0
    text = stdout.getvalue()
    assert ("\033[31m" in text) is coloured  # red for the contacts past their cadence
    plain = text
    for code in ("\033[31m", "\033[33m", "\033[32m", "\033[1m", "\033[0m"):
        plain = plain.replace(code, "")
    assert plain == TABLE


def test_health_queries_read_indexes_not_the_touches_table(network: Path) -> None:
    from outreach.store.journal import report_queries

    with Journal.open(network / "journal.db") as journal:
        db = journal.connection

        def plan(sql: str, params: tuple[str, ...] | dict[str, str]) -> str:
            return " | ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, params))

        period = ("2026-03-17T12:00:00Z", "2026-06-15T12:00:00Z")
        assert "COVERING INDEX touches_support_by_time" in plan(
            report_queries._PERIOD_SUPPORT, period
        )
        assert "COVERING INDEX touches_replies_by_time" in plan(
            report_queries._PERIOD_REPLIES, period
        )
        as_of = plan(report_queries._AS_OF, {"at": period[1]})
        assert "SEARCH t USING INDEX touches_by_contact (contact_id=? AND at<?)" in as_of
        assert "SEARCH t USING INDEX touches_support_by_contact (contact_id=? AND at<?)" in as_of


def test_build_report_as_a_use_case(network: Path) -> None:
    workspace = load_workspace(network)
    with Journal.open(workspace.journal_path) as journal:
        result = build_report(workspace, journal, now=NOW, circle="extended", limit=3)
        counts = health_counts(journal, since=NOW - timedelta(days=90), until=NOW)
    assert [line.contact.id for line in result.lines] == ["fay", "ben", "dev"]
    assert [line.rank for line in result.lines] == [1, 2, 3]
    assert result.contacts_total == 7
    assert counts.drafts_waiting == result.health.drafts_waiting == 2
    assert iso_utc(result.health.since) == "2026-03-17T12:00:00Z"


# --- the pure core ---


def _contact(
    cid: str, tags: tuple[str, ...], why: tuple[Why, ...] = (), circle: str = "extended"
) -> Contact:
    return Contact(
        id=cid,
        name=f"{cid.title()} Example",
        emails=(f"{cid}@example.net",),
        circle=circle,
        why=why,
        tags=tags,
    )


@pytest.mark.parametrize("seed", range(5))
def test_intro_finder_gives_the_whole_rosters_best_suggestion(seed: int) -> None:
    rng = random.Random(seed)
    tags = [f"t{n}" for n in range(12)]
    roster = Roster.of(
        _contact(
            f"c{n:02d}",
            tuple(rng.choices(tags, k=rng.randint(0, 4))),  # repeats allowed, as in code
            tuple(rng.sample(list(Why), rng.randint(0, 2))),
        )
        for n in range(60)
    )
    ids = [c.id for c in roster]
    introduced = {pair_key(*rng.sample(ids, 2)) for _ in range(40)}
    finder = IntroFinder(roster, introduced)
    suggested = 0
    for contact in roster:
        whole = suggest_introductions(roster, already_introduced=introduced, involving=contact.id)
        found = finder.best_for(contact)
        assert found == (whole[0] if whole else None), contact.id
        suggested += found is not None
    assert suggested > 20  # the comparison was not vacuous


def test_next_step_never_suggests_a_pair_the_intros_table_knows() -> None:
    roster = Roster.of(
        [_contact("ana", ("art",), (Why.CONNECT,)), _contact("eli", ("art",), (Why.CONNECT,))]
    )
    events = EventIndex((), now=NOW, shared={})
    fresh = next_step(roster["eli"], events, IntroFinder(roster, set()))
    assert (fresh.kind, fresh.partner) == (StepKind.INTRODUCE, roster["ana"])
    known = next_step(roster["eli"], events, IntroFinder(roster, {pair_key("ana", "eli")}))
    assert known == NextStep(StepKind.CHECK_IN, "check in: ask whom they would like to meet")


def test_events_with_share_with_go_only_to_those_named() -> None:
    ana = _contact("ana", ("art",), circle="focus")
    ben = _contact("ben", ("art",))
    named = Event("open", "Open studio", "ben", NOW + timedelta(days=3), tags=("art",),
                  share_with=("circle:focus",))  # fmt: skip
    ongoing = Event("fest", "Festival", "ben", NOW - timedelta(days=1),
                    end=NOW + timedelta(days=2), tags=("art",))  # fmt: skip
    started = Event("talk", "Talk", "ben", NOW - timedelta(hours=1), tags=("art",))
    index = EventIndex([named, ongoing, started], now=NOW, shared={})
    # Ana is in the focus circle the open studio names, and the festival still runs;
    # the talk has begun. Ben hosts both, so neither is a step for him.
    assert index.best_for(ana) == (ongoing, ("art",))
    assert index.best_for(ben) is None
    assert EventIndex([named], now=NOW, shared={}).best_for(ana) == (named, ("art",))
    assert EventIndex([named], now=NOW, shared={"open": {"ana"}}).best_for(ana) is None


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("UTC", 0), ("America/Los_Angeles", 1), ("Asia/Tokyo", 0)],
)
def test_days_are_counted_in_the_users_time_zone(zone: str, expected: int) -> None:
    # 03:00 UTC on the 15th is the evening of the 14th in Los Angeles; the as-of
    # moment (noon UTC) is the morning of the 15th there.
    assert days_between(at("2026-06-15T03:00"), NOW, ZoneInfo(zone)) == expected


# --- the report as drafts: --email and --plan ---


def read_eml(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_email_saves_the_report_as_a_draft_to_the_user(network: Path, run_cli: RunCli) -> None:
    first = report(run_cli, network, "--email")
    path = network / "drafts" / "report-20260615T120000.eml"
    subject = "Who haven't I supported lately? 2026-06-15: 4 contacts past their cadence"
    assert first == (
        f"    5  drafts/report-20260615T120000.eml  {subject}\n"
        "the report is a draft to you (dana@example.org)\n"
    )
    message = read_eml(path)
    assert (message["To"], message["Subject"]) == ("Dana Reyes <dana@example.org>", subject)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    assert plain.get_content().replace("\r\n", "\n") == TABLE
    assert '<table id="contacts">' in html.get_content() and "<svg" in html.get_content()
    # A second run replaces the unsent report; report drafts never count as waiting.
    second = report(run_cli, network, "--email")
    assert second.endswith(
        "the report is a draft to you (dana@example.org), replacing unsent draft 5\n"
    )
    assert sorted(p.name for p in (network / "drafts").glob("report-*")) == [path.name]
    data = json.loads(report(run_cli, network, "--format", "json"))
    assert data["health"]["drafts_waiting"] == 2


def test_plan_drafts_the_top_next_steps(network: Path, run_cli: RunCli) -> None:
    out = report(run_cli, network, "--plan", "--limit", "4")
    assert out == (
        "#1 Ana Lima: skipped, answer their email yourself, in your mail client\n"
        "#2 Eli Novak: 5  drafts/share-salon-eli.eml  Spring salon, Saturday 20 June (Ben)\n"
        "#3 Cleo Park: 6  drafts/intro-ben-cleo.eml  Cleo, meet Ben (food)\n"
        "#4 Dev Sharma: skipped, a draft to them is already waiting\n"
        "2 drafts written; review them (`outreach drafts list`), then send from your mail"
        " client or with `outreach drafts send ID…`\n"
    )
    share = read_eml(network / "drafts" / "share-salon-eli.eml")
    assert share["To"] == "Eli Novak <eli@example.net>"
    with Journal.open(network / "journal.db") as journal:
        db = journal.connection
        shared = db.execute("SELECT contact_id FROM event_shares WHERE event_id = 'salon'")
        assert sorted(r[0] for r in shared) == ["eli"]
        support = db.execute(
            "SELECT contact_id, kind, item, needs_line FROM draft_support WHERE draft_id = 5"
            " ORDER BY contact_id, kind"
        ).fetchall()
        # Once sent, the share promotes the salon's host, Ben, and is contact with Eli;
        # support for Eli too only if the draft's personal line was written.
        assert support == [
            ("ben", "share", "event:salon", 0),
            ("eli", "sent", None, 0),
            ("eli", "share", None, 1),
        ]
        intros = db.execute("SELECT contact_a, contact_b, status FROM intros WHERE id > 3")
        assert intros.fetchall() == [("ben", "cleo", "introduced")]
    # Nobody gets a second draft while the first waits for review.
    again = report(run_cli, network, "--plan", "--limit", "4")
    assert again.count("skipped, a draft to them is already waiting") == 3


def test_markdown_cells_cannot_break_the_table(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        roster='[contacts.pipe]\nname = "A | B *bold* [link](x)"\nemails = ["p@example.net"]\n',
    )
    out = run_cli("--home", str(ws), "--as-of", AS_OF, "report", "--format", "markdown").stdout
    (row,) = [line for line in out.splitlines() if line.startswith("|") and "A \\| B" in line]
    assert "A \\| B \\*bold\\* \\[link\\](x)" in row
    header = next(line for line in out.splitlines() if line.startswith("| #"))
    # Escaped pipes do not count as cell borders: the row has the header's cells.
    assert row.replace("\\|", "").count("|") == header.count("|")
