"""Machine mail without List-* headers, and plain-text delivery failures told by their body.

Tables of literal headers per rule, with the human messages each rule must
leave alone; then whole messages from tests/messages and tests/messages/body.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.core.classify import Kind, classify
from outreach.core.delivery_report import delivery_report, needs_body
from outreach.core.headers import parse_header_block
from outreach.core.machine_signals import organisation
from tests.test_classify import PERSON, block, check

BODY_MESSAGES = Path(__file__).parent / "messages" / "body"

MACHINE_CASES = {
    "Usenet: Path": ("Path: news.example.org!not-for-mail\n", Kind.LIST, "Usenet"),
    "fml X-ML-Name": ("X-ML-Name: garden-ml\n", Kind.LIST, "X-ML-Name present"),
    "fml X-MLServer": ("X-MLServer: fml [fml 4.0.3]\n", Kind.LIST, "X-MLServer present"),
    "Mailman administrivia": ("X-List-Administrivia: yes\n", Kind.LIST, "X-List-Administrivia"),
    "Ecartis": ("X-Ecartis-Version: Ecartis v1.0.0\n", Kind.LIST, "X-Ecartis-Version"),
    "Mailjet campaign": ("X-Mailjet-Campaign: 7749120\n", Kind.BULK, "X-Mailjet-Campaign"),
    "SendGrid": ("X-SG-EID: abc123\n", Kind.BULK, "X-SG-EID present"),
    "CSA complaints": ("X-CSA-Complaints: csa-complaints@eco.de\n", Kind.BULK, "X-CSA"),
    "X-Mailer phplist": ("X-Mailer: phplist v3.6.14\n", Kind.BULK, "phplist"),
    "X-Mailer MailPoet": ("X-Mailer: MailPoet\n", Kind.BULK, "mailpoet"),
    "VERP envelope on another domain": (
        "Return-Path: <bounce-mc.us21_1.2-dana=example.org@mail1.esp.example.com>\n",
        Kind.BULK,
        "Return-Path is the bounce address",
    ),
    "bounces@ envelope on another domain": (
        "Return-Path: <bounces@mailer.example.com>\n",
        Kind.BULK,
        "bounce address",
    ),
    "Errors-To a bounce address elsewhere": (
        "Errors-To: bounces-coop-4471@lists.mailhost.example.com\n",
        Kind.BULK,
        "Errors-To is the bounce address",
    ),
}


@pytest.mark.parametrize(
    ("extra", "kind", "reason"), MACHINE_CASES.values(), ids=MACHINE_CASES.keys()
)
def test_machine_mail_without_list_headers_is_recognised(
    extra: str, kind: Kind, reason: str
) -> None:
    # Later fields replace PERSON's Return-Path: parse_header_block keeps the first,
    # so the case goes first.
    check(extra + PERSON.replace("Return-Path: <ana@example.net>\n", ""), kind, reason)


def test_a_usenet_article_without_path_is_told_by_newsgroups_without_to() -> None:
    text = "Newsgroups: misc.test\nFrom: Ana Lima <ana@example.net>\nSubject: Seeds\n"
    check(text, Kind.LIST, "Newsgroups without To")


LOOKALIKE_HUMANS = {
    "reply by mail to a newsgroup post": "Newsgroups: misc.test\nSubject: Re: seeds\n",
    "SRS-forwarded reply": "Return-Path: <SRS0=Tq4m=NK=example.net=ana@fwd.example.com>\n",
    "BATV envelope": "Return-Path: <prvs=0894d3b2a1=ana@example.net>\n",
    "forwarded by the user's own Gmail": (
        "Return-Path: <dana.old+caf_=dana=example.org@gmail.com>\n"
    ),
    "bounce envelope of the sender's own domain": (
        "Return-Path: <bounces+ana=example.net@mail.example.net>\n"
    ),
    "Errors-To at the sender's own domain": "Errors-To: bounces@example.net\n",
    "X-Mailer of a mail client": "X-Mailer: Apple Mail (2.3774.600.62)\n",
    "X-Mailer Outlook": "X-Mailer: Microsoft Outlook 16.0\n",
    "a word like bounce in the subject": "Subject: Bounce house for the block party?\n",
}


@pytest.mark.parametrize("extra", LOOKALIKE_HUMANS.values(), ids=LOOKALIKE_HUMANS.keys())
def test_human_mail_that_looks_like_these_cases_counts(extra: str) -> None:
    verdict = check(
        extra + PERSON.replace("Return-Path: <ana@example.net>\n", ""), Kind.HUMAN, None
    )
    assert not verdict.announcement


@pytest.mark.parametrize(
    "to",
    ["To: undisclosed-recipients:;\n", 'To: "Friends of the garden": ;\n', ""],
    ids=["undisclosed-recipients", "named empty group", "no To at all"],
)
def test_mail_with_no_visible_recipient_is_marked_as_an_announcement(to: str) -> None:
    text = to + "From: Ana Lima <ana@example.net>\nSubject: Garden party\nMessage-ID: <a@x>\n"
    verdict = check(text, Kind.HUMAN, "no visible recipient")
    assert verdict.announcement


def test_bcc_with_a_cc_recipient_is_no_announcement() -> None:
    text = "To: undisclosed-recipients:;\nCc: ben@example.net\n" + PERSON.split("To:")[0]
    assert not classify(block(text)).announcement


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("mail.example.com", "example.com"),
        ("example.com", "example.com"),
        ("smtp.example.co.uk", "example.co.uk"),
        ("a.b.example.org.", "example.org"),
    ],
)
def test_organisation_domain(domain: str, expected: str) -> None:
    assert organisation(domain) == expected


# --- delivery failures told by the body ----------------------------------------


@pytest.mark.parametrize(
    ("subject", "sender", "ambiguous"),
    [
        ("Your message could not be delivered", "admin@example.net", True),
        ("Warning: message delayed", "ana@example.net", True),
        ("Re: lunch", '"Mail Delivery System" <ana@example.net>', True),
        ("Re: lunch", "Ana Lima <ana@example.net>", False),
        ("Fwd: Delivery Status Notification (Failure)", "ana@example.net", False),
        ("Re: plans", "Mailer <ana@example.net>", True),
    ],
)
def test_needs_body_when_the_headers_are_ambiguous(
    subject: str, sender: str, ambiguous: bool
) -> None:
    assert needs_body(block(f"From: {sender}\nSubject: {subject}\n")) is ambiguous


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        (b"This is the mail system at host mx.example.net.\r\n", "This is the mail system at host"),
        (
            b"Hi. This is the qmail-send program at example.net.\n",
            "Hi. This is the qmail-send program",
        ),
        (
            b"Delivery to the following recipient failed permanently:\n",
            "Delivery to the following recipient failed",
        ),
        (b"Final-Recipient: rfc822; x@example.net\nAction: failed\n", "Final-Recipient"),
        (
            b"Your message\n\n  Subject: hi\n\nwas not delivered to:\n",
            "Your message Subject: hi was not delivered",
        ),
        (b"Remote server said: 550 5.1.1 user unknown\n", "550 5.1.1"),
    ],
)
def test_delivery_report_phrases(body: bytes, phrase: str) -> None:
    assert delivery_report(body) == phrase


@pytest.mark.parametrize(
    "body",
    [
        b"Thanks! The couch was not delivered to my place yet, though.\n",
        b"See you Saturday.\n\nOn Tue, Dana wrote:\n> This is the mail system at host x\n",
        b"FYI\n\n---------- Forwarded message ---------\nFinal-Recipient: rfc822; x@y\n",
        b"Begin forwarded message:\n\nHi. This is the qmail-send program\n",
    ],
    ids=["delivery words", "quoted report", "forwarded report", "Apple Mail forward"],
)
def test_a_persons_text_and_quoted_reports_are_no_delivery_report(body: bytes) -> None:
    assert delivery_report(body) is None


BODY_FIXTURES = sorted(BODY_MESSAGES.glob("*.eml"))


def decided(raw: bytes) -> Kind:
    """The sync's verdict on a reply from a contact: headers, then the body when ambiguous."""
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    parsed = parse_header_block(head + b"\n\n")
    verdict = classify(parsed)
    if verdict.counts and needs_body(parsed) and delivery_report(body) is not None:
        return Kind.BOUNCE
    return verdict.kind


@pytest.mark.parametrize("path", BODY_FIXTURES, ids=[p.stem for p in BODY_FIXTURES])
def test_body_fixture_is_decided_as_its_name_says(path: Path) -> None:
    assert decided(path.read_bytes()) is Kind(path.name.split("__", 1)[0])


def test_there_are_body_fixtures_of_both_kinds() -> None:
    assert {p.name.split("__", 1)[0] for p in BODY_FIXTURES} == {"bounce", "human"}
