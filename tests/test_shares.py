"""Event shares: who gets which event, and never the same event twice to anyone."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from outreach.app.drafting import discard_draft, draft_shares
from outreach.base.errors import InputError
from outreach.base.model import Contact, Event, Roster, TouchKind
from outreach.core.shares import choose_recipients, is_over, plan_shares
from outreach.store.journal import Journal
from outreach.store.journal.drafts import get_draft, list_drafts, mark_sent
from outreach.store.journal.touches import all_activity
from outreach.store.workspace import load_workspace
from tests.conftest import NOW, RunCli
from tests.support.workspaces import make_workspace

ANA = Contact("ana", "Ana Lima", ("ana@example.net",), circle="focus", tags=("art", "housing"))
BEN = Contact("ben", "Ben Okafor", ("ben@example.net",), tags=("housing", "food"))
CAI = Contact("cai", "Cai Wen", ("cai@example.net",), tags=("music",))
ROSTER = Roster.of([ANA, BEN, CAI])


def event(**changes: object) -> Event:
    values: dict[str, object] = {
        "id": "salon",
        "title": "Housing Salon",
        "host": "ben",
        "start": NOW + timedelta(days=7),
        "tags": ("housing",),
    }
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def ids(pairs: list[tuple[Contact, str]]) -> list[str]:
    return [c.id for c, _ in pairs]


def test_tag_overlap_chooses_recipients_but_never_the_host() -> None:
    assert ids(choose_recipients(event(), ROSTER)) == ["ana"]
    assert ids(choose_recipients(event(host="me"), ROSTER)) == ["ana", "ben"]


@pytest.mark.parametrize(
    ("share_with", "expected"),
    [
        (("cai",), ["cai"]),
        (("tag:music", "ana"), ["ana", "cai"]),
        (("circle:focus",), ["ana"]),
        (("tag:housing",), ["ana"]),  # ben hosts it
        (("circle:extended", "tag:art"), ["ana", "cai"]),
    ],
)
def test_share_with_replaces_tag_overlap(share_with: tuple[str, ...], expected: list[str]) -> None:
    assert ids(choose_recipients(event(share_with=share_with), ROSTER)) == expected


def test_events_already_over_are_never_planned() -> None:
    started = event(start=NOW - timedelta(hours=1))
    running = event(id="festival", start=NOW - timedelta(days=1), end=NOW + timedelta(days=2))
    assert is_over(started, now=NOW) and not is_over(running, now=NOW)
    plan = plan_shares([started, running], ROSTER, now=NOW, already_shared={})
    assert [(s.event.id, s.contact.id) for s in plan.shares] == [("festival", "ana")]
    assert plan.notes == ("salon: already over, not shared",)


def test_already_shared_people_are_left_out_and_limit_caps_the_total() -> None:
    both = event(host="me", title="Open studio")
    plan = plan_shares([both], ROSTER, now=NOW, already_shared={"salon": {"ana"}})
    assert [s.contact.id for s in plan.shares] == ["ben"]
    assert plan.self_promotion == 1
    plan = plan_shares([both], ROSTER, now=NOW, already_shared={}, limit=1)
    assert [s.contact.id for s in plan.shares] == ["ana"]


EVENTS = """\
[events.salon]
title = "Housing Futures Salon"
host = "ben"
start = 2026-07-01T18:00:00
timezone = "Europe/Berlin"
tags = ["housing"]
url = "https://example.org/salon"

[events.studio]
title = "Open studio"
host = "me"
start = 2026-07-05T18:00:00+02:00
tags = ["art", "food"]

[events.last-year]
title = "Last year's salon"
host = "ben"
start = 2025-07-01T18:00:00Z
tags = ["housing"]
"""


@pytest.fixture
def workspace_root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", events=EVENTS)


def test_drafting_twice_never_shares_an_event_twice(workspace_root: Path) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        first = draft_shares(workspace, journal, now=NOW)
        assert sorted((d.event_id, d.recipients) for d in first.drafts) == [
            ("salon", ("ana",)),
            ("studio", ("ana",)),
            ("studio", ("ben",)),
        ]
        assert first.self_promotion == 2
        assert "last-year: already over, not shared" in first.notes
        second = draft_shares(workspace, journal, now=NOW + timedelta(hours=1))
        assert second.drafts == ()
    # A new contact who cares gets the event on the next run; nobody else does.
    roster = (workspace_root / "roster.toml").read_text()
    (workspace_root / "roster.toml").write_text(
        roster + '\n[contacts.dee]\nname = "Dee Park"\nemails = ["dee@example.com"]\n'
        'tags = ["housing"]\n'
    )
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        third = draft_shares(workspace, journal, now=NOW + timedelta(days=1))
        assert [(d.event_id, d.recipients) for d in third.drafts] == [("salon", ("dee",))]
        assert len(list_drafts(journal)) == 4
    assert len(list((workspace_root / "drafts").glob("*.eml"))) == 4


def test_share_draft_is_a_personal_email_to_one_person(workspace_root: Path) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        batch = draft_shares(workspace, journal, now=NOW, event_id="salon")
    (draft,) = batch.drafts
    raw = (workspace_root / draft.path).read_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["To"] == "Ana Lima <ana@example.net>"
    assert message["From"] == "Dana Reyes <dana@example.org>"
    assert message["Message-ID"] == draft.message_id
    assert draft.message_id.endswith("@example.org>")
    assert message["Subject"] == "Housing Futures Salon, Wednesday 1 July (Ben)"
    assert draft.path == "drafts/share-salon-ana.eml"


def test_share_promotes_the_host_and_supports_the_recipient_only_with_their_line(
    workspace_root: Path,
) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        batch = draft_shares(workspace, journal, now=NOW)
        assert all_activity(journal) == {}  # nothing counts before it is sent
        salon, *own = batch.drafts
        assert salon.event_id == "salon" and salon.recipients == ("ana",)
        # The salon went out without a written line: Ben (its host) is promoted,
        # Ana was only in touch.
        mark_sent(journal, salon.id, at=NOW, source="test", now=NOW)
        activity = all_activity(journal)
        assert activity["ana"].last_support_kind is None
        assert activity["ana"].last_touch_kind is TouchKind.SENT
        assert activity["ben"].last_support_kind is TouchKind.SHARE
        # The user's own studio, with a line written: self-promotion, never support.
        for draft in own:
            mark_sent(journal, draft.id, at=NOW, source="test", now=NOW, line_written=True)
        rows = journal.connection.execute(
            "SELECT contact_id, kind, self_promotion, item FROM touches ORDER BY contact_id, kind"
        ).fetchall()
        assert rows == [
            ("ana", "sent", 0, None),
            ("ana", "sent", 0, None),
            ("ana", "share", 1, "event:studio"),
            ("ben", "sent", 0, None),
            ("ben", "share", 0, "event:salon"),
            ("ben", "share", 1, "event:studio"),
        ]
        assert all_activity(journal)["ana"].last_support_kind is None


def test_a_written_line_makes_the_share_support_for_its_recipient(workspace_root: Path) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        (salon,) = draft_shares(workspace, journal, now=NOW, event_id="salon").drafts
        mark_sent(journal, salon.id, at=NOW, source="test", now=NOW, line_written=True)
        activity = all_activity(journal)
        assert (activity["ana"].last_support_kind, activity["ben"].last_support_kind) == (
            TouchKind.SHARE,
            TouchKind.SHARE,
        )


def test_discarded_share_is_a_decision_drafted_again_only_when_asked(
    workspace_root: Path,
) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        (draft,) = draft_shares(workspace, journal, now=NOW, event_id="salon").drafts
        discard_draft(workspace, journal, draft.id, now=NOW)
        assert not (workspace_root / draft.path).exists()
        next_day = NOW + timedelta(days=1)
        assert draft_shares(workspace, journal, now=next_day, event_id="salon").drafts == ()
        (again,) = draft_shares(
            workspace, journal, now=next_day, event_id="salon", again=True
        ).drafts
        assert again.recipients == ("ana",) and again.id != draft.id
        assert draft_shares(workspace, journal, now=next_day, event_id="salon").drafts == ()
        record = get_draft(journal, draft.id)
        assert record is not None and record.status == "discarded"


def test_unknown_event_is_an_input_error_with_a_suggestion(workspace_root: Path) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal, pytest.raises(InputError) as caught:
        draft_shares(workspace, journal, now=NOW, event_id="salom")
    assert "did you mean 'salon'?" in str(caught.value)


def test_dry_run_writes_nothing(workspace_root: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "--home", str(workspace_root), "--as-of", "2026-06-15", "draft", "shares", "--dry-run"
    )
    assert result.stdout == textwrap.dedent(
        """\
        would draft: salon → ana: Housing Futures Salon, Wednesday 1 July (Ben)
        would draft: studio → ana: Open studio, Sunday 5 July
        would draft: studio → ben: Open studio, Sunday 5 July
        3 shares would be drafted (2 of your own events); nothing written (--dry-run)
        """
    )
    assert result.stderr == "note: last-year: already over, not shared\n"
    assert not (workspace_root / "drafts").exists()
    # Nothing remembered either: the real run drafts all three.
    real = run_cli("--home", str(workspace_root), "--as-of", "2026-06-15", "draft", "shares")
    assert "3 drafts written" in real.stdout


def test_cli_drafts_shares_and_says_what_to_do_next(workspace_root: Path, run_cli: RunCli) -> None:
    home = ["--home", str(workspace_root), "--as-of", "2026-06-15"]
    result = run_cli(*home, "draft", "shares", "--limit", "2")
    assert result.stdout.splitlines()[-1] == (
        "2 drafts written, 1 promoting your own events (self-promotion); review them, then"
        " `outreach drafts send ID…` (or send them from your mail client)"
    )
    result = run_cli(*home, "draft", "shares")
    assert (
        result.stdout.splitlines()[0]
        == "    3  drafts/share-studio-ben.eml  Open studio, Sunday 5 July"
    )
    result = run_cli(*home, "draft", "shares")
    assert result.stdout == "no new shares to draft\n"
    listing = run_cli(*home, "drafts", "list").stdout
    assert listing.count("share_event") == 3


def test_share_dates_use_the_event_zone_not_the_drafting_day(tmp_path: Path) -> None:
    root = make_workspace(
        tmp_path / "ws",
        events="""\
        [events.late]
        title = "Late talk"
        host = "ben"
        start = 2026-07-01T23:30:00-07:00
        tags = ["housing"]
        """,
    )
    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        (draft,) = draft_shares(workspace, journal, now=datetime(2026, 6, 30, tzinfo=UTC)).drafts
    assert draft.subject == "Late talk, Wednesday 1 July (Ben)"


def test_a_large_batch_is_summed_up_not_listed(tmp_path: Path, run_cli: RunCli) -> None:
    roster = "".join(
        f'[contacts.p{i:02d}]\nname = "Person {i}"\nemails = ["p{i}@example.net"]\n'
        'tags = ["housing"]\n\n'
        for i in range(25)
    )
    root = make_workspace(tmp_path / "ws", roster=roster, events=EVENTS.replace('"ben"', '"me"'))
    lines = run_cli("--home", str(root), "--as-of", "2026-06-15", "draft", "shares").stdout
    assert lines.splitlines()[20:] == [
        "  … and 5 more; see `outreach drafts list`",
        "25 drafts written, 25 promoting your own events (self-promotion); review them, then"
        " `outreach drafts send ID…` (or send them from your mail client)",
    ]


def test_sharing_one_event_with_one_person_leaves_the_others(workspace_root: Path) -> None:
    workspace = load_workspace(workspace_root)
    with Journal.open(workspace.journal_path) as journal:
        batch = draft_shares(workspace, journal, now=NOW, event_id="studio", contact_id="ben")
        assert [(d.event_id, d.recipients) for d in batch.drafts] == [("studio", ("ben",))]
        assert draft_shares(workspace, journal, now=NOW, contact_id="ben").drafts == ()
        rest = draft_shares(workspace, journal, now=NOW)
        assert sorted((d.event_id, d.recipients) for d in rest.drafts) == [
            ("salon", ("ana",)),
            ("studio", ("ana",)),
        ]
        with pytest.raises(InputError, match="'bn' is not a contact id — did you mean 'ben'"):
            draft_shares(workspace, journal, now=NOW, contact_id="bn")
