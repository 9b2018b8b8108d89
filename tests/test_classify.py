"""Human or robot: one table of literal headers per rule, then whole messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.core.classify import Kind, Verdict, classify
from outreach.core.headers import FETCH_FIELDS, HeaderBlock, parse_header_block

MESSAGES = Path(__file__).parent / "messages"
_FETCHED = {name.lower() for name in FETCH_FIELDS}

# What an ordinary reply from a person carries; each case adds to it.
PERSON = (
    "Return-Path: <ana@example.net>\n"
    "From: Ana Lima <ana@example.net>\n"
    "To: Sam Rivera <me@example.org>\n"
    "Date: Tue, 14 May 2024 09:21:31 +0200\n"
    "Message-ID: <c1@example.net>\n"
)


def block(text: str) -> HeaderBlock:
    return parse_header_block(text.encode("utf-8"))


def as_fetched(parsed: HeaderBlock) -> HeaderBlock:
    """The same message as IMAP `BODY.PEEK[HEADER.FIELDS (...)]` would return it."""
    kept = "".join(
        f"{name}: {value}\r\n" for name, value in parsed.items() if name.lower() in _FETCHED
    )
    return parse_header_block(kept.encode("utf-8") + b"\r\n")


def check(text: str, kind: Kind, reason: str | None) -> Verdict:
    parsed = block(text)
    verdict = classify(parsed)
    assert verdict.kind is kind, verdict.reason
    if reason is not None:
        assert reason in verdict.reason
    # Only fetched fields may decide, or IMAP and Maildir would disagree.
    assert classify(as_fetched(parsed)) == verdict
    return verdict


@pytest.mark.parametrize("kind", list(Kind))
def test_only_a_human_verdict_counts(kind: Kind) -> None:
    assert Verdict(kind, "why").counts is (kind is Kind.HUMAN)


HUMAN_CASES = {
    "plain reply": "Subject: Re: your zine launch\nIn-Reply-To: <m1@example.org>\n",
    "X-Auto-Response-Suppress alone": "Subject: RE: intro\nX-Auto-Response-Suppress: All\n",
    "X-Auto-Response-Suppress list": "X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n",
    "Re: out of office plans": "Subject: Re: out of office plans\n",
    "out of office mid-subject": "Subject: Our out of office plans for June\n",
    "reply to an auto-reply": "Subject: Re: Automatic reply: Lunch\n",
    "German reply to an auto-reply": "Subject: AW: Automatische Antwort: Treffen\n",
    "Auto-Submitted: no": "Auto-Submitted: no\nSubject: hello\n",
    "Auto-Submitted: no with a comment": "Auto-Submitted: No (sent by a person)\n",
    "Precedence: first-class": "Precedence: first-class\n",
    "X-Autoreply: no": "X-Autoreply: no\n",
    "X-Apple-Action other than vacation": "X-Apple-Action: FORWARD\n",
    "List-Post names a word, not a list": "Subject: List-Post: how to use it\n",
    "subject word after a prefix word": "Subject: Absences and presences, a reading\n",
    "Exchange rule of another mailbox": (
        "Subject: Re: workshop\nX-MS-Exchange-Inbox-Rules-Loop: me@work.example.com\n"
    ),
    "Reply-To a no-reply address": "Reply-To: noreply@example.com\n",
    "postmaster only among the recipients": "To: postmaster@example.org\n",
    "Return-Path absent": "",
    "no Subject at all": "In-Reply-To: <m1@example.org>\n",
    "mailer word in the display name": 'Sender: "Mailer Daemon fan club" <fan@example.net>\n',
}


@pytest.mark.parametrize("extra", HUMAN_CASES.values(), ids=HUMAN_CASES.keys())
def test_human_messages_count(extra: str) -> None:
    verdict = check(PERSON + extra, Kind.HUMAN, None)
    assert verdict.counts


# (headers added to PERSON, expected kind, a fragment of the reason)
STRUCTURAL = {
    "multipart/report delivery-status": (
        'Content-Type: multipart/report; report-type=delivery-status;\n boundary="b"\n',
        Kind.BOUNCE,
        "multipart/report",
    ),
    "multipart/report quoted type": (
        'Content-Type: multipart/report; report-type="delivery-status"; boundary=b\n',
        Kind.BOUNCE,
        "delivery-status",
    ),
    "multipart/report without a type": (
        "Content-Type: Multipart/Report; boundary=b\n",
        Kind.BOUNCE,
        "multipart/report",
    ),
    "top-level delivery-status": (
        "Content-Type: message/delivery-status\n",
        Kind.BOUNCE,
        "delivery-status",
    ),
    "feedback report": (
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n",
        Kind.BULK,
        "feedback-report",
    ),
    "read receipt": (
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n",
        Kind.AUTOREPLY,
        "read receipt",
    ),
    "Auto-Submitted: auto-replied": (
        "Auto-Submitted: auto-replied\n",
        Kind.AUTOREPLY,
        "Auto-Submitted: auto-replied",
    ),
    "Auto-Submitted with parameters": (
        "Auto-Submitted: Auto-Replied; owner-email=ana@example.net\n",
        Kind.AUTOREPLY,
        "Auto-Submitted: auto-replied",
    ),
    "Auto-Submitted: auto-generated notice": (
        "Auto-Submitted: auto-generated\nSubject: Your weekly summary\n",
        Kind.BULK,
        "Auto-Submitted: auto-generated",
    ),
    "Auto-Submitted: auto-generated answer": (
        "Auto-Submitted: auto-generated\nSubject: re: the launch\n",
        Kind.AUTOREPLY,
        "in answer to a message",
    ),
    "Auto-Submitted: auto-generated with In-Reply-To": (
        "Auto-Submitted: auto-generated\nIn-Reply-To: <m1@example.org>\n",
        Kind.AUTOREPLY,
        "in answer to a message",
    ),
    "Auto-Submitted: auto-notified": (
        "Auto-Submitted: auto-notified\n",
        Kind.BULK,
        "auto-notified",
    ),
    "Auto-Submitted bounce": (
        "Auto-Submitted: auto-replied\nSubject: Undeliverable: the launch\n",
        Kind.BOUNCE,
        "Undeliverable",
    ),
    "Precedence: bulk": ("Precedence: bulk\n", Kind.BULK, "Precedence: bulk"),
    "Precedence: junk": ("Precedence: Junk\n", Kind.BULK, "Precedence: junk"),
    "Precedence: list": ("Precedence: list\n", Kind.LIST, "Precedence: list"),
    "Precedence: auto_reply": ("Precedence: auto_reply\n", Kind.AUTOREPLY, "auto_reply"),
    "X-Precedence: bulk": ("X-Precedence: bulk\n", Kind.BULK, "X-Precedence: bulk"),
    "List-Id": ("List-Id: Friends <friends.lists.example.org>\n", Kind.LIST, "List-Id"),
    "List-Post": ("List-Post: <mailto:friends@lists.example.org>\n", Kind.LIST, "List-Post"),
    "List-Post: NO": ("List-Post: NO\n", Kind.BULK, "announcement"),
    "List-Help": ("List-Help: <mailto:friends-request@example.org>\n", Kind.LIST, "List-Help"),
    "List-Subscribe": ("List-Subscribe: <https://lists.example.org/s>\n", Kind.LIST, "List-"),
    "List-Owner": ("List-Owner: <mailto:friends-owner@example.org>\n", Kind.LIST, "List-Owner"),
    "List-Archive": ("List-Archive: <https://lists.example.org/a>\n", Kind.LIST, "List-Archive"),
    "List-Unsubscribe": ("List-Unsubscribe: <https://example.com/u>\n", Kind.BULK, "Unsubscribe"),
    "empty List-Unsubscribe": ("List-Unsubscribe:\n", Kind.BULK, "List-Unsubscribe"),
    "List-Unsubscribe-Post": (
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
        Kind.BULK,
        "List-Unsubscribe-Post",
    ),
    "X-Mailman-Version": ("X-Mailman-Version: 2.1.39\n", Kind.LIST, "X-Mailman-Version"),
    "X-BeenThere": ("X-BeenThere: friends@lists.example.org\n", Kind.LIST, "X-BeenThere"),
    "Mailing-List": ("Mailing-List: contact friends-help@example.org\n", Kind.LIST, "Mailing-List"),
    "X-Loop": ("X-Loop: procmail@example.net\n", Kind.BULK, "X-Loop"),
    "Feedback-ID": ("Feedback-ID: 1:2:campaign:esp\n", Kind.BULK, "Feedback-ID"),
    "X-Failed-Recipients": ("X-Failed-Recipients: ana@old.example.net\n", Kind.BOUNCE, "Failed"),
    "Exchange NDR marker": ("X-MS-Exchange-Message-Is-Ndr:\n", Kind.BOUNCE, "Is-Ndr"),
}


@pytest.mark.parametrize(("extra", "kind", "reason"), STRUCTURAL.values(), ids=STRUCTURAL.keys())
def test_structural_signals(extra: str, kind: Kind, reason: str) -> None:
    assert not check(PERSON + extra, kind, reason).counts


WITH_NULL_RETURN_PATH = PERSON.replace("Return-Path: <ana@example.net>", "Return-Path: <>")

NULL_RETURN_PATH = {
    "nothing else": ("", Kind.BOUNCE, "Return-Path <>"),
    "delivery subject": (
        "Subject: Mail delivery failed: returning message to sender\n",
        Kind.BOUNCE,
        "Mail delivery failed",
    ),
    "out-of-office subject": ("Subject: Out of Office: Ana\n", Kind.AUTOREPLY, "Out of Office"),
    "auto-replied": ("Auto-Submitted: auto-replied\n", Kind.AUTOREPLY, "auto-replied"),
    "auto-replied with Precedence: bulk": (
        "Auto-Submitted: auto-replied\nPrecedence: bulk\nReply-To: <ana@example.net>\n",
        Kind.AUTOREPLY,
        "auto-replied",
    ),
}


@pytest.mark.parametrize(
    ("extra", "kind", "reason"), NULL_RETURN_PATH.values(), ids=NULL_RETURN_PATH.keys()
)
def test_null_return_path(extra: str, kind: Kind, reason: str) -> None:
    text = WITH_NULL_RETURN_PATH + extra
    # RFC 5321 §4.5.5: the null reverse-path, however it is spaced.
    check(text, kind, reason)
    check(text.replace("Return-Path: <>", "Return-Path: < >"), kind, reason)


VENDOR = {
    "X-Autoreply": ("X-Autoreply: yes\n", "X-Autoreply"),
    "X-Autorespond": ("X-Autorespond: Ana is away\n", "X-Autorespond"),
    "X-Autoreply-From": ("X-Autoreply-From: ana@example.net\n", "X-Autoreply-From"),
    "X-Mail-Autoreply": ("X-Mail-Autoreply: yes\n", "X-Mail-Autoreply"),
    "X-Autogenerated": ("X-Autogenerated: Reply\n", "X-Autogenerated"),
    "X-FC-Machinegenerated": ("X-FC-MachineGenerated: true\n", "X-FC-Machinegenerated"),
    "iCloud vacation with threading": (
        "Subject: Re: the launch\nIn-Reply-To: <m1@example.org>\n"
        "References: <m1@example.org>\nX-Apple-Action: VACATION\n",
        "X-Apple-Action: VACATION",
    ),
    "Exchange rule and OOF subject": (
        "Subject: Automatic reply: the launch\n"
        "X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: ana@example.net\n",
        "X-MS-Exchange-Inbox-Rules-Loop",
    ),
    "Exchange rule of the sender's own mailbox": (
        "Subject: the launch\nX-MS-Exchange-Inbox-Rules-Loop: Ana@Example.net\n",
        "inbox rule",
    ),
}


@pytest.mark.parametrize(("extra", "reason"), VENDOR.values(), ids=VENDOR.keys())
def test_vendor_auto_reply_markers(extra: str, reason: str) -> None:
    check(PERSON + extra, Kind.AUTOREPLY, reason)


AUTOREPLY_SUBJECTS = [
    "Automatic reply: the launch",
    "AUTOMATIC REPLY: the launch",
    "Auto reply: the launch",
    "Auto-Reply: the launch",
    "Autoreply: the launch",
    "AutoResponse: the launch",
    "Out of Office: the launch",
    "Out of office reply",
    "Abwesend: Treffen",
    "Automatische Antwort: Treffen",
    "Absence: Réunion",
    "Réponse automatique : Réunion",
    "=?UTF-8?Q?R=C3=A9ponse_automatique_:_R=C3=A9union?=",
    "=?iso-8859-1?Q?R=E9ponse_automatique_=3A_R=E9union?=",
    "=?UTF-8?B?UsOpcG9uc2UgYXV0b21hdGlxdWUgOiBSw6l1bmlvbg==?=",
    "Respuesta automática: Reunión",
    "Risposta automatica: riunione",
    "Automatisch antwoord: vergadering",
    "Automatisk svar: möte",
    "Автоответ: встреча",
    "自動応答: 会議",
    "自动回复：会议",
]


@pytest.mark.parametrize("subject", AUTOREPLY_SUBJECTS)
def test_auto_reply_subjects_are_a_last_resort_that_still_works(subject: str) -> None:
    check(PERSON + f"Subject: {subject}\n", Kind.AUTOREPLY, "subject starts with")


BOUNCE_SUBJECTS = [
    "Undeliverable: the launch",
    "Undelivered Mail Returned to Sender",
    "Delivery Status Notification (Failure)",
    "Mail delivery failed: returning message to sender",
    "failure notice",
    "Returned mail: see transcript for details",
    "Delivery failure: Re: the launch",
    "Unzustellbar: Treffen",
    "Non remis : Réunion",
    "=?UTF-8?B?0JLQsNGI0LUg0YHQvtC+0LHRidC10L3QuNC1INC90LUg0LTQvtGB0YLQsNCy0LvQtdC90L4=?=",
]


@pytest.mark.parametrize("subject", BOUNCE_SUBJECTS)
def test_bounce_subjects_are_a_last_resort_that_still_works(subject: str) -> None:
    check(PERSON + f"Subject: {subject}\n", Kind.BOUNCE, "subject starts with")


SENDERS = {
    "MAILER-DAEMON": ("MAILER-DAEMON@mx.example.net", Kind.BOUNCE, "mail system"),
    "Mailer-Daemon with a name": (
        "Mail Delivery System <Mailer-Daemon@mx.example.net>",
        Kind.BOUNCE,
        "mail system",
    ),
    "old comment form": ("mailer-daemon@example.net (Mail Delivery System)", Kind.BOUNCE, "mail"),
    "postmaster": ("<postmaster@example.com>", Kind.BOUNCE, "mail system"),
    "mailer_daemon": ("mailer_daemon@example.com", Kind.BOUNCE, "mail system"),
    "noreply": ("Events <noreply@events.example.com>", Kind.BULK, "no-reply"),
    "no-reply": ("no-reply@events.example.com", Kind.BULK, "no-reply"),
    "do_not_reply": ("Do Not Reply <do_not_reply@bank.example.com>", Kind.BULK, "no-reply"),
    "DoNotReply": ("DoNotReply@bank.example.com", Kind.BULK, "no-reply"),
    "comments-noreply": ('"Ana (Docs)" <comments-noreply@docs.example.com>', Kind.BULK, "no-r"),
    "list -bounces": ("friends-bounces@lists.example.org", Kind.LIST, "list manager"),
    "list -bounces VERP": ("friends-bounces+me=example.org@lists.example.org", Kind.LIST, "list"),
    "list -request": ("friends-request@lists.example.org", Kind.LIST, "list manager"),
    "list -owner": ("friends-owner@lists.example.org", Kind.LIST, "list manager"),
    "Majordomo owner-": ("owner-friends@lists.example.org", Kind.LIST, "list manager"),
}


@pytest.mark.parametrize(("sender", "kind", "reason"), SENDERS.values(), ids=SENDERS.keys())
def test_sender_local_parts_in_from(sender: str, kind: Kind, reason: str) -> None:
    text = PERSON.replace("From: Ana Lima <ana@example.net>", f"From: {sender}")
    check(text, kind, reason)


@pytest.mark.parametrize(("sender", "kind", "reason"), SENDERS.values(), ids=SENDERS.keys())
def test_sender_local_parts_in_sender(sender: str, kind: Kind, reason: str) -> None:
    check(PERSON + f"Sender: {sender}\n", kind, reason)


def test_several_authors_are_all_checked() -> None:
    text = PERSON.replace(
        "From: Ana Lima <ana@example.net>",
        "From: Ana Lima <ana@example.net>, Notices <noreply@example.com>",
    )
    check(text, Kind.BULK, "noreply@example.com")


def test_dmarc_munged_list_post_is_not_a_personal_reply() -> None:
    text = (
        "From: Ana Lima via Friends <friends@lists.example.org>\n"
        "Reply-To: Ana Lima <ana@example.net>\n"
        "Subject: [Friends] the launch\n"
        "X-BeenThere: friends@lists.example.org\n"
        "X-Mailman-Version: 2.1.39\n"
    )
    check(text, Kind.LIST, "X-Mailman-Version")


def test_bounce_reasons_win_over_auto_reply_ones() -> None:
    text = (
        "Return-Path: <>\n"
        "From: Mail Delivery Subsystem <mailer-daemon@example.net>\n"
        "Auto-Submitted: auto-replied\n"
        "Subject: Delivery Status Notification (Failure)\n"
        "In-Reply-To: <m1@example.org>\n"
    )
    check(text, Kind.BOUNCE, "mail system")


def test_list_reasons_win_over_bulk_ones() -> None:
    text = PERSON + "Precedence: bulk\nList-Unsubscribe: <mailto:x@example.org>\nList-Post: <x>\n"
    check(text, Kind.LIST, "List-Post")


def test_only_top_level_fields_decide() -> None:
    # A forward carrying a bounce as an attachment: the nested headers are body.
    raw = (
        PERSON + "Subject: Fwd: this bounced\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: message/rfc822\n\nReturn-Path: <>\nFrom: MAILER-DAEMON@example.net\n"
        "Content-Type: multipart/report; report-type=delivery-status\n\n--b--\n"
    )
    assert classify(block(raw)).kind is Kind.HUMAN


def test_reasons_are_short_and_readable() -> None:
    verdict = classify(block(PERSON + "Subject: Automatic reply: " + "x" * 300 + "\n"))
    assert verdict.reason == "subject starts with 'Automatic reply'"


def test_empty_block_is_not_mistaken_for_a_robot() -> None:
    assert classify(parse_header_block(b"")).kind is Kind.HUMAN


# --- whole messages ----------------------------------------------------------

FIXTURES = sorted(MESSAGES.glob("*.eml"))


def test_there_are_fixture_messages_of_every_kind() -> None:
    kinds = {path.name.split("__", 1)[0] for path in FIXTURES}
    assert kinds == {kind.value for kind in Kind}


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_message_is_classified_as_its_name_says(path: Path) -> None:
    expected = Kind(path.name.split("__", 1)[0])
    parsed = parse_header_block(path.read_bytes())
    verdict = classify(parsed)
    assert verdict.kind is expected, verdict.reason
    assert classify(as_fetched(parsed)) == verdict
