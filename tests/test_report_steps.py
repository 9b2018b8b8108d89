"""Next steps that know what is going on, and who ranks first: the pure rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from outreach.base.model import Contact, Event, Roster, TouchKind, Why
from outreach.core.config import Config, Identity
from outreach.core.report.model import HealthCounts, NextStep, Reply, Situation, StepKind
from outreach.core.report.rank import compile_report
from outreach.core.report.steps import EventIndex, IntroFinder, StepFinder, hosted_lately
from outreach.core.suggest import pair_key
from outreach.store.journal.touches import ContactActivity
from tests.conftest import NOW, RunCli
from tests.support.workspaces import make_workspace

CONFIG = Config(me=Identity("Dana Reyes", "dana@example.org"))
MEI = Contact("mei", "Mei Lin", ("mei@example.net",), "focus", (Why.CONNECT,), ("food",))
HANA = Contact("hana", "Hana Sato", ("hana@example.net",), "extended", (Why.LEARN,), ("food",))
KOFI = Contact("kofi", "Kofi Mensah", ("kofi@example.net",), "extended", (), ("housing",))
ROSTER = Roster.of([MEI, HANA, KOFI])
POTLUCK = Event("potluck", "Community potluck", "kofi", NOW + timedelta(days=4), tags=("food",))
SEED_SWAP = Event("seed-swap", "Seed swap", "mei", NOW - timedelta(days=6), tags=("food",))
EVERYTHING = Situation(
    unanswered={"mei": Reply(NOW - timedelta(days=3), "Garden plans")},
    drafts_waiting={"mei": 7},
    recent_work=hosted_lately([SEED_SWAP, POTLUCK], now=NOW),
)


def step_for(
    situation: Situation,
    *,
    events: tuple[Event, ...] = (POTLUCK,),
    introduced: frozenset[frozenset[str]] = frozenset(),
) -> NextStep:
    finder = StepFinder(
        EventIndex(events, now=NOW, shared={}),
        IntroFinder(ROSTER, introduced),
        situation,
        now=NOW,
        meet_every_days=180,
    )
    return finder.next_step(MEI)


def less(**changes: object) -> Situation:
    fields = {
        "unanswered": EVERYTHING.unanswered,
        "drafts_waiting": EVERYTHING.drafts_waiting,
        "recent_work": EVERYTHING.recent_work,
        "last_meeting": EVERYTHING.last_meeting,
    }
    fields.update(changes)
    return Situation(**fields)  # type: ignore[arg-type]


def test_a_reply_waiting_for_an_answer_comes_first() -> None:
    assert step_for(EVERYTHING) == NextStep(
        StepKind.ANSWER,
        'answer their email of 2026-06-12, "Garden plans"',
        about="Garden plans",
        about_at=NOW - timedelta(days=3),
    )


def test_then_a_draft_waiting_for_review() -> None:
    assert step_for(less(unanswered={})) == NextStep(
        StepKind.REVIEW_DRAFT,
        "review draft 7, waiting for them (`outreach drafts show 7`)",
        draft_id=7,
    )


def test_then_feedback_on_what_they_recently_hosted() -> None:
    assert step_for(less(unanswered={}, drafts_waiting={})) == NextStep(
        StepKind.FEEDBACK,
        'tell them what you thought of their event "Seed swap" (2026-06-09), then'
        " `outreach touch mei --kind feedback`",
        about="Seed swap",
        about_at=SEED_SWAP.start,
    )


def test_then_an_event_to_share_then_an_introduction() -> None:
    quiet = less(unanswered={}, drafts_waiting={}, recent_work={})
    assert step_for(quiet).kind is StepKind.SHARE_EVENT
    introduce = step_for(quiet, events=())
    assert (introduce.kind, introduce.partner) == (StepKind.INTRODUCE, HANA)


def test_a_focus_contact_not_met_in_meet_every_days_is_asked_to_meet() -> None:
    quiet = less(unanswered={}, drafts_waiting={}, recent_work={})
    declined = frozenset({pair_key("hana", "mei")})  # a declined intro is in the table
    long_ago = less(
        unanswered={},
        drafts_waiting={},
        recent_work={},
        last_meeting={"mei": NOW - timedelta(days=200)},
    )
    assert step_for(long_ago, events=(), introduced=declined) == NextStep(
        StepKind.MEET, "meet in person (last met 2025-11-27)"
    )
    assert step_for(quiet, events=(), introduced=declined) == NextStep(
        StepKind.MEET, "meet in person (never met)"
    )
    lately = less(
        unanswered={},
        drafts_waiting={},
        recent_work={},
        last_meeting={"mei": NOW - timedelta(days=20)},
    )
    assert step_for(lately, events=(), introduced=declined) == NextStep(
        StepKind.CHECK_IN, "check in: ask whom they would like to meet"
    )


def counts() -> HealthCounts:
    return HealthCounts(
        since=NOW - timedelta(days=90),
        until=NOW,
        others_promoted=0,
        own_promoted=0,
        contacts_supported=0,
        replies_received=0,
        drafts_waiting=0,
    )


def supported(days_ago: int) -> ContactActivity:
    moment = NOW - timedelta(days=days_ago)
    return ContactActivity("x", moment, TouchKind.MEETING, moment, TouchKind.MEETING)


def test_no_pair_appears_twice_in_one_report() -> None:
    ana = Contact("ana", "Ana Lima", ("ana@example.net",), why=(Why.CONNECT,), tags=("art",))
    eli = Contact("eli", "Eli Novak", ("eli@example.net",), why=(Why.CONNECT,), tags=("art",))
    report = compile_report(Roster.of([ana, eli]), {}, (), counts(), config=CONFIG, now=NOW)
    steps = [(line.contact.id, line.next_step.kind) for line in report.lines if line.next_step]
    assert steps == [("ana", StepKind.INTRODUCE), ("eli", StepKind.CHECK_IN)]


@pytest.mark.parametrize(
    ("first_seen_days_ago", "order"),
    [
        (0, ["kofi", "hana"]),  # added today: after someone unsupported for 200 days
        (400, ["hana", "kofi"]),  # waiting 400 days over 60: before 200 over 60
    ],
)
def test_never_supported_rank_by_how_long_the_journal_has_known_them(
    first_seen_days_ago: int, order: list[str]
) -> None:
    first_seen: dict[str, datetime] = {"hana": NOW - timedelta(days=first_seen_days_ago)}
    report = compile_report(
        Roster.of([HANA, KOFI]),
        {"kofi": supported(200)},
        (),
        counts(),
        config=CONFIG,
        now=NOW,
        situation=Situation(first_seen=first_seen),
    )
    assert [line.contact.id for line in report.lines] == order


def test_a_discarded_share_is_not_proposed_again(tmp_path: Path, run_cli: RunCli) -> None:
    ws = make_workspace(
        tmp_path / "ws",
        events="""\
        [events.salon]
        title = "Housing salon"
        host = "ben"
        start = 2026-07-01T18:00:00Z
        tags = ["housing"]
        """,
    )
    home = ["--home", str(ws), "--as-of", "2026-06-15"]

    def ana_step() -> dict[str, object]:
        data = json.loads(run_cli(*home, "report", "--format", "json").stdout)
        (ana,) = [c for c in data["contacts"] if c["id"] == "ana"]
        step: dict[str, object] = ana["next_step"]
        return step

    assert (ana_step()["kind"], ana_step()["event_id"]) == ("share_event", "salon")
    run_cli(*home, "draft", "shares")
    assert (ana_step()["kind"], ana_step()["draft_id"]) == ("review_draft", 1)
    run_cli(*home, "drafts", "discard", "1")
    assert (ana_step()["kind"], ana_step()["partner_id"]) == ("introduce", "ben")
