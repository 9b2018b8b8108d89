"""Introductions: direct, double opt-in asks and answers, batches, suggestions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from outreach.app.drafting import discard_draft
from outreach.app.introductions import (
    draft_intro,
    draft_intros_from_file,
    draft_ready_intros,
    draft_suggested_intros,
    suggested_intros,
)
from outreach.app.reporting import build_report
from outreach.base.errors import InputError
from outreach.base.model import Contact, Roster, TouchKind
from outreach.core.consent import Answer
from outreach.core.intros import IntroStatus, opt_in_status, ordered_pair, parse_intro_requests
from outreach.store.journal import Journal
from outreach.store.journal.answers import record_answer
from outreach.store.journal.drafts import get_draft, link_reply, mark_sent
from outreach.store.journal.intros import get_intro
from outreach.store.journal.touches import all_activity
from outreach.store.workspace import Workspace, load_workspace
from tests.conftest import NOW, RunCli
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

ROSTER = (
    DEFAULT_ROSTER
    + """
[contacts.cai]
name = "Cai Wen"
emails = ["cai@example.com"]
why = ["connect"]
tags = ["food", "music"]

[contacts.dee]
name = "Dee Park"
emails = ["dee@example.com"]
tags = ["art"]
"""
)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return load_workspace(make_workspace(tmp_path / "ws", roster=ROSTER))


@pytest.fixture
def journal(workspace: Workspace) -> Iterator[Journal]:
    with Journal.open(workspace.journal_path) as opened:
        yield opened


def test_pairs_are_stored_smaller_id_first() -> None:
    assert ordered_pair("ben", "ana") == ("ana", "ben") == ordered_pair("ana", "ben")


def test_opt_in_is_ready_only_when_both_said_yes_and_any_no_declines() -> None:
    yes, no, unclear = Answer.YES, Answer.NO, Answer.UNCLEAR
    assert opt_in_status(("ana", "ben"), {}) is IntroStatus.ASKED
    assert opt_in_status(("ana", "ben"), {"ben": yes}) is IntroStatus.ASKED
    assert opt_in_status(("ana", "ben"), {"ana": yes, "ben": unclear}) is IntroStatus.ASKED
    assert opt_in_status(("ana", "ben"), {"ana": yes, "ben": yes}) is IntroStatus.READY
    assert opt_in_status(("ana", "ben"), {"ana": yes, "ben": no}) is IntroStatus.DECLINED
    assert opt_in_status(("ana", "ben"), {"ana": no}) is IntroStatus.DECLINED
    # Someone outside the pair answering changes nothing.
    assert opt_in_status(("ana", "ben"), {"cai": yes, "ana": yes}) is IntroStatus.ASKED


def test_direct_intro_is_one_email_to_both(workspace: Workspace, journal: Journal) -> None:
    batch = draft_intro(workspace, journal, "ben", "ana", now=NOW, why="both fixing bikes")
    (draft,) = batch.drafts
    message = BytesParser(policy=policy.default).parsebytes(
        (workspace.root / draft.path).read_bytes()
    )
    assert message["To"] == "Ben Okafor <ben@example.net>, Ana Lima <ana@example.net>"
    assert message["Subject"] == "Ben, meet Ana (housing)"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    # The user's own words stand in for the personal line; no reasoning of the report's.
    assert "\r\n\r\nBoth fixing bikes.\r\n\r\n" in text and "[[" not in text
    intro = get_intro(journal, draft.intro_id or 0)
    assert intro is not None
    assert (intro.contact_a, intro.contact_b, intro.mode, intro.status) == (
        "ana",
        "ben",
        "direct",
        "introduced",
    )
    mark_sent(journal, draft.id, at=NOW, source="test", now=NOW)
    activity = all_activity(journal)
    assert activity["ana"].last_support_kind is TouchKind.INTRO
    assert activity["ben"].last_support_kind is TouchKind.INTRO


def test_the_same_pair_is_not_introduced_twice(workspace: Workspace, journal: Journal) -> None:
    draft_intro(workspace, journal, "ana", "ben", now=NOW)
    with pytest.raises(InputError) as caught:
        draft_intro(workspace, journal, "ben", "ana", now=NOW, double_opt_in=True)
    assert str(caught.value) == "intro: ana and ben: already introduced on 2026-06-15"


def test_unknown_or_identical_people_are_refused(workspace: Workspace, journal: Journal) -> None:
    with pytest.raises(InputError, match="'bem' is not a contact id — did you mean 'ben'"):
        draft_intro(workspace, journal, "ana", "bem", now=NOW)
    with pytest.raises(InputError, match="cannot introduce 'ana' to themselves"):
        draft_intro(workspace, journal, "ana", "ana", now=NOW)


def asks_answered(journal: Journal, asks: list[int], who: list[str]) -> None:
    """What sync does when a reply's In-Reply-To names an ask and its text says yes."""
    for draft_id, contact_id in zip(asks, who, strict=True):
        record = get_draft(journal, draft_id)
        assert record is not None and record.intro_id is not None
        link_reply(
            journal,
            referenced_ids=[record.message_id],
            contact_id=contact_id,
            reply_message_id=f"<reply.{contact_id}@example.net>",
            at=NOW + timedelta(days=1),
        )
        record_answer(
            journal,
            intro_id=record.intro_id,
            contact_id=contact_id,
            answer=Answer.YES,
            at=NOW + timedelta(days=1),
            source="mail",
            now=NOW + timedelta(days=1),
            message_id=f"<reply.{contact_id}@example.net>",
        )


def test_double_opt_in_asks_each_then_introduces_once_both_answer(
    workspace: Workspace, journal: Journal
) -> None:
    asks = draft_intro(workspace, journal, "ana", "ben", now=NOW, double_opt_in=True).drafts
    assert [(d.kind, d.recipients) for d in asks] == [
        ("intro_ask", ("ana",)),
        ("intro_ask", ("ben",)),
    ]
    assert asks[0].intro_id == asks[1].intro_id is not None
    assert [d.subject for d in asks] == [
        "Would you like to meet Ben?",
        "Would you like to meet Ana?",
    ]
    assert draft_ready_intros(workspace, journal, now=NOW).drafts == ()
    asks_answered(journal, [asks[0].id], ["ana"])
    assert draft_ready_intros(workspace, journal, now=NOW).drafts == ()
    asks_answered(journal, [asks[1].id], ["ben"])
    (joint,) = draft_ready_intros(workspace, journal, now=NOW + timedelta(days=2)).drafts
    assert joint.kind == "intro" and joint.recipients == ("ana", "ben")
    assert joint.intro_id == asks[0].intro_id
    text = (workspace.root / joint.path).read_text()
    assert "Thanks for both saying yes to this." in text
    intro = get_intro(journal, joint.intro_id or 0)
    assert intro is not None and intro.status is IntroStatus.INTRODUCED
    # Drafted once: a second run finds nothing new to introduce.
    assert draft_ready_intros(workspace, journal, now=NOW + timedelta(days=3)).drafts == ()


def test_reply_from_someone_else_does_not_count_as_an_answer(
    workspace: Workspace, journal: Journal
) -> None:
    asks = draft_intro(workspace, journal, "ana", "ben", now=NOW, double_opt_in=True).drafts
    asks_answered(journal, [asks[0].id], ["ana"])
    # Ben's reply to Ana's ask is not linked (he was not asked there).
    record = get_draft(journal, asks[0].id)
    assert record is not None
    assert (
        link_reply(
            journal,
            referenced_ids=[record.message_id],
            contact_id="ben",
            reply_message_id="<x@example.net>",
            at=NOW,
        )
        is None
    )
    assert draft_ready_intros(workspace, journal, now=NOW).drafts == ()


def test_discarding_an_ask_withdraws_the_intro(workspace: Workspace, journal: Journal) -> None:
    asks = draft_intro(workspace, journal, "ana", "ben", now=NOW, double_opt_in=True).drafts
    discard_draft(workspace, journal, asks[0].id, now=NOW)
    intro = get_intro(journal, asks[0].intro_id or 0)
    assert intro is not None and intro.status is IntroStatus.DECLINED
    asks_answered(journal, [asks[1].id], ["ben"])
    assert draft_ready_intros(workspace, journal, now=NOW).drafts == ()
    # Withdrawn is a decision: the pair is asked again only on purpose.
    with pytest.raises(InputError) as refused:
        draft_intro(workspace, journal, "ana", "ben", now=NOW, double_opt_in=True)
    assert str(refused.value) == (
        "intro: ana and ben: declined or withdrawn on 2026-06-15; --again drafts it anyway"
    )
    again = draft_intro(workspace, journal, "ana", "ben", now=NOW, double_opt_in=True, again=True)
    assert len(again.drafts) == 2


def test_unanswered_asks_are_pending_and_never_chased(
    workspace: Workspace, journal: Journal
) -> None:
    draft_intro(workspace, journal, "ana", "ben", now=NOW - timedelta(days=20), double_opt_in=True)
    draft_intro(workspace, journal, "cai", "ben", now=NOW - timedelta(days=2), double_opt_in=True)
    health = build_report(workspace, journal, now=NOW).health
    assert [(i.a, i.b, i.days_waiting, i.stale) for i in health.intros] == [
        ("ana", "ben", 20, True),
        ("ben", "cai", 2, False),
    ]
    assert draft_ready_intros(workspace, journal, now=NOW).drafts == ()


def test_batch_from_toml_notes_pairs_already_under_way(
    workspace: Workspace, journal: Journal, tmp_path: Path
) -> None:
    draft_intro(workspace, journal, "ana", "ben", now=NOW)
    pairs = tmp_path / "pairs.toml"
    pairs.write_text(
        '[[intros]]\na = "ben"\nb = "ana"\n\n'
        '[[intros]]\na = "cai"\nb = "dee"\nwhy = "a food and art pop-up"\n\n'
        '[[intros]]\na = "ana"\nb = "cai"\ndouble_opt_in = true\n'
    )
    batch = draft_intros_from_file(workspace, journal, pairs, now=NOW)
    assert [(d.kind, d.recipients) for d in batch.drafts] == [
        ("intro", ("cai", "dee")),
        ("intro_ask", ("ana",)),
        ("intro_ask", ("cai",)),
    ]
    assert batch.notes == (
        "ana and ben: already introduced on 2026-06-15",
        # The ask to Ana joins the introduction to Ben still waiting for review.
        "ana already had drafts waiting (1); `drafts send` sends at most 2 per 7 days",
    )


def test_batch_from_csv_with_reasons(
    workspace: Workspace, journal: Journal, tmp_path: Path
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text('a,b,why\nana,dee,"both paint, both teach"\ncai,ben,\n')
    batch = draft_intros_from_file(workspace, journal, pairs, now=NOW, double_opt_in=True)
    assert [d.recipients for d in batch.drafts] == [("ana",), ("dee",), ("cai",), ("ben",)]
    text = (workspace.root / batch.drafts[0].path).read_text()
    assert "\n\nBoth paint, both teach.\n\n" in text


def test_batch_file_problems_are_all_reported_with_lines(tmp_path: Path) -> None:
    roster = Roster.of(
        [Contact("ana", "Ana", ("ana@example.net",)), Contact("ben", "Ben", ("ben@example.net",))]
    )
    with pytest.raises(InputError) as caught:
        parse_intro_requests("a,b,why\nana,bem,x\nana,ana,y\nben,ana,z\nana\n", "p.csv", roster)
    assert [str(p) for p in caught.value.problems] == [
        "p.csv:5: each line needs both a and b",
        "p.csv:2: 'bem' is not a contact id — did you mean 'ben'?",
        "p.csv:3: 'ana' is paired with themselves",
    ]
    text = '[[intros]]\na = "ana"\nb = "ben"\n\n[[intros]]\na = "ben"\nb = "ana"\nwho = 1\n'
    with pytest.raises(InputError) as caught:
        parse_intro_requests(text, "p.toml", roster)
    assert [str(p) for p in caught.value.problems] == [
        "p.toml:8:1: unknown key 'who' — did you mean 'why'?",
        "p.toml:5: the pair is already listed at p.toml:1",
    ]


def test_suggestions_skip_pairs_already_introduced(workspace: Workspace, journal: Journal) -> None:
    before = [(s.a.id, s.b.id) for s in suggested_intros(workspace, journal)]
    assert before == [("ben", "cai"), ("ana", "ben")]
    batch = draft_suggested_intros(workspace, journal, now=NOW, limit=1)
    assert [d.recipients for d in batch.drafts] == [("ben", "cai")]
    after = [(s.a.id, s.b.id) for s in suggested_intros(workspace, journal)]
    assert after == [("ana", "ben")]


def test_cli_double_opt_in_then_ready(workspace: Workspace, run_cli: RunCli) -> None:
    home = ["--home", str(workspace.root), "--as-of", "2026-06-15"]
    result = run_cli(*home, "draft", "intro", "ana", "ben", "--double-opt-in")
    assert result.stdout.splitlines()[:2] == [
        "    1  drafts/intro_ask-ana-ben-to-ana.eml  Would you like to meet Ben?",
        "    2  drafts/intro_ask-ana-ben-to-ben.eml  Would you like to meet Ana?",
    ]
    assert run_cli(*home, "draft", "intros", "--ready").stdout == "no new introductions to draft\n"
    result = run_cli(*home, "draft", "intros", expect=2)
    assert result.stderr == "draft intros: give exactly one of FILE, --ready or --suggested\n"
    result = run_cli(*home, "suggest", "intros")
    assert result.stdout == (
        " 1. ben + cai: both care about food; you want to connect Ben with others\n"
        "draft them with `outreach draft intros --suggested --limit N`\n"
    )


def test_a_pair_of_asks_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    roster = ROSTER + '\n[contacts.jorg]\nname = "Jörg Brandt"\nemails = ["jörg@example.net"]\n'
    workspace = load_workspace(make_workspace(tmp_path / "ws", roster=roster))
    with Journal.open(workspace.journal_path) as journal:
        with pytest.raises(InputError, match="SMTPUTF8"):
            draft_intro(workspace, journal, "ana", "jorg", now=NOW, double_opt_in=True)
        assert journal.connection.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)
        assert journal.connection.execute("SELECT COUNT(*) FROM intros").fetchone() == (0,)
    assert list((workspace.root / "drafts").glob("*.eml")) == []
