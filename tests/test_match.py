"""Which touches a classified message makes, and why the others make none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outreach.base.model import Contact, Direction, Roster, Touch, TouchKind
from outreach.core.classify import Kind, Verdict, classify
from outreach.core.headers import parse_header_block
from outreach.core.match import FolderRole, Ignored, Match, Matcher, touch_date

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
RECEIVED = datetime(2026, 6, 14, 8, 30, tzinfo=UTC)
HUMAN = Verdict(Kind.HUMAN, "no robot signal")
ROSTER = Roster.of(
    [
        Contact("ana", "Ana Lima", ("ana@example.net",), circle="focus"),
        Contact("ben", "Ben Okafor", ("ben@example.net", "ben.okafor@example.com")),
    ]
)
MATCHER = Matcher.of(ROSTER, ["dana@example.org", "dana.reyes@example.com"], group_threshold=10)
SOURCE = "sync:work/INBOX"


def headers(text: str) -> bytes:
    return text.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n"


def match(
    raw: bytes,
    *,
    role: FolderRole = FolderRole.INBOX,
    verdict: Verdict | None = None,
    received_at: datetime | None = RECEIVED,
) -> Match:
    block = parse_header_block(raw)
    return MATCHER.match(
        block,
        verdict if verdict is not None else classify(block),
        role=role,
        received_at=received_at,
        now=NOW,
        source=SOURCE,
        identity="<m1@example.net>",
    )


REPLY = headers("""
From: Ana Lima <ana@example.net>
To: Dana Reyes <dana@example.org>
Subject: Re: the spring convening
Date: Sat, 13 Jun 2026 18:05:00 +0200
Message-ID: <m1@example.net>
In-Reply-To: <d1@example.org>
""")


def test_reply_from_a_contact_is_a_reply_touch_dated_by_its_date_in_utc() -> None:
    assert match(REPLY) == Match(
        touches=(
            Touch(
                contact_id="ana",
                kind=TouchKind.REPLY,
                at=datetime(2026, 6, 13, 16, 5, tzinfo=UTC),
                direction=Direction.INBOUND,
                message_id="<m1@example.net>",
                source=SOURCE,
                detail="Re: the spring convening",
            ),
        ),
        correspondents=("ana@example.net",),
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(
            headers("""
From: Ana Lima <ana@example.net>
To: dana@example.org
Subject: Automatic reply: the spring convening
Date: Sat, 13 Jun 2026 18:05:00 +0200
Auto-Submitted: auto-replied
"""),
            Ignored.AUTOREPLY,
            id="auto-reply from the same contact",
        ),
        pytest.param(
            headers("""
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: dana@example.org
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"
"""),
            Ignored.BOUNCE,
            id="bounce of a mail to the contact",
        ),
        pytest.param(
            headers("""
From: Ana Lima <ana@example.net>
To: housing@lists.example.org
Subject: [housing] meeting notes
List-Id: Housing <housing.lists.example.org>
List-Post: <mailto:housing@lists.example.org>
Precedence: list
"""),
            Ignored.LIST,
            id="list post by the contact",
        ),
        pytest.param(
            headers("""
From: Example News <news@example.com>
To: dana@example.org
Subject: This week
List-Unsubscribe: <https://example.com/u/1>
Precedence: bulk
"""),
            Ignored.BULK,
            id="newsletter",
        ),
    ],
)
def test_robots_make_no_touch_and_say_why(raw: bytes, reason: Ignored) -> None:
    assert match(raw) == Match(ignored=reason)


def test_only_the_human_reply_of_four_related_messages_is_a_touch() -> None:
    # The contact's reply, her auto-reply, a bounce and her list post.
    auto = REPLY.replace(b"Subject: Re:", b"Auto-Submitted: auto-replied\r\nSubject: Re:")
    bounce = REPLY.replace(b"From: Ana Lima <ana@example.net>", b"From: postmaster@example.net")
    listed = REPLY.replace(b"In-Reply-To", b"List-Id: <art.example.org>\r\nIn-Reply-To")
    results = [match(raw) for raw in (REPLY, auto, bounce, listed)]
    assert [len(r.touches) for r in results] == [1, 0, 0, 0]
    assert [r.ignored for r in results] == [None, Ignored.AUTOREPLY, Ignored.BOUNCE, Ignored.LIST]


def test_any_address_of_a_contact_matches_regardless_of_case() -> None:
    raw = REPLY.replace(b"Ana Lima <ana@example.net>", b"Ben <Ben.Okafor@Example.COM>")
    assert [t.contact_id for t in match(raw).touches] == ["ben"]


def test_unknown_sender_is_reported_with_address_and_name() -> None:
    raw = REPLY.replace(b"Ana Lima <ana@example.net>", b'"Chen, Wei" <chen@example.com>')
    assert match(raw) == Match(
        ignored=Ignored.UNKNOWN_SENDER,
        unknown_sender=("chen@example.com", "Chen, Wei"),
        correspondents=("chen@example.com",),
    )


def test_several_authors_are_attributed_to_the_sender_field() -> None:
    raw = REPLY.replace(
        b"From: Ana Lima <ana@example.net>",
        b"From: Chen <chen@example.com>, Ana Lima <ana@example.net>\r\nSender: ben@example.net",
    )
    assert [t.contact_id for t in match(raw).touches] == ["ben"]


def test_message_without_from_is_ignored() -> None:
    raw = headers("To: dana@example.org\nSubject: hello\nDate: Sat, 13 Jun 2026 18:05:00 +0200")
    assert match(raw, verdict=HUMAN) == Match(ignored=Ignored.NO_SENDER)


OUTGOING = headers("""
From: Dana Reyes <dana@example.org>
To: "Lima, Ana" <ana@example.net>, Chen <chen@example.com>
Cc: ben@example.net, Ben Okafor <ben.okafor@example.com>, dana.reyes@example.com
Subject: Intro: Ana, meet Ben
Date: Fri, 12 Jun 2026 09:00:00 -0400
""")


def test_sent_folder_message_is_a_sent_touch_for_each_contact_among_to_and_cc() -> None:
    found = match(OUTGOING, role=FolderRole.SENT)
    assert [(t.contact_id, t.kind, t.direction) for t in found.touches] == [
        ("ana", TouchKind.SENT, Direction.OUTBOUND),
        ("ben", TouchKind.SENT, Direction.OUTBOUND),
    ]
    assert {t.at for t in found.touches} == {datetime(2026, 6, 12, 13, 0, tzinfo=UTC)}
    assert {t.detail for t in found.touches} == {"Intro: Ana, meet Ben"}


def test_own_message_outside_inbox_counts_as_sent() -> None:
    found = match(OUTGOING, role=FolderRole.OTHER)
    assert [t.contact_id for t in found.touches] == ["ana", "ben"]


def test_own_message_in_inbox_is_ignored_as_a_copy() -> None:
    assert match(OUTGOING, role=FolderRole.INBOX) == Match(ignored=Ignored.OWN)


def test_own_alias_counts_as_the_user() -> None:
    raw = OUTGOING.replace(b"From: Dana Reyes <dana@example.org>", b"From: DANA.REYES@example.com")
    assert match(raw, role=FolderRole.INBOX) == Match(ignored=Ignored.OWN)


def test_sent_message_to_no_contact_is_ignored() -> None:
    raw = headers("From: dana@example.org\nTo: chen@example.com\nSubject: hi")
    assert match(raw, role=FolderRole.SENT) == Match(
        ignored=Ignored.NO_CONTACT, correspondents=("chen@example.com",)
    )


def recipients(count: int) -> bytes:
    names = ", ".join(f'"Person, {n}" <p{n}@example.com>' for n in range(count - 1))
    return headers(f"""
From: Ana Lima <ana@example.net>
To: dana@example.org
Cc: {names}
Subject: Re: potluck
Date: Sat, 13 Jun 2026 18:05:00 +0200
""")


@pytest.mark.parametrize(
    ("count", "touches", "ignored"),
    [(10, 1, None), (11, 0, Ignored.GROUP)],
)
def test_more_recipients_than_the_group_threshold_is_group_mail(
    count: int, touches: int, ignored: Ignored | None
) -> None:
    found = match(recipients(count))
    assert (len(found.touches), found.ignored) == (touches, ignored)


def test_group_mail_is_checked_before_the_roster_for_unknown_senders() -> None:
    raw = recipients(12).replace(b"Ana Lima <ana@example.net>", b"chen@example.com")
    assert match(raw) == Match(ignored=Ignored.GROUP)


def test_group_mail_sent_by_the_user_is_not_a_touch() -> None:
    raw = recipients(12).replace(b"Ana Lima <ana@example.net>", b"dana@example.org")
    assert match(raw, role=FolderRole.SENT) == Match(ignored=Ignored.GROUP)


@pytest.mark.parametrize(
    ("date", "received_at", "expected"),
    [
        pytest.param(
            "Sun, 14 Jun 2026 23:00:00 -0300",
            RECEIVED,
            datetime(2026, 6, 15, 2, 0, tzinfo=UTC),
            id="date in another zone",
        ),
        pytest.param(
            "Mon, 15 Jun 2026 20:00:00 +0000",
            RECEIVED,
            datetime(2026, 6, 15, 20, 0, tzinfo=UTC),
            id="a few hours ahead: clock skew, kept",
        ),
        pytest.param("Wed, 01 Jan 2031 10:00:00 +0000", RECEIVED, RECEIVED, id="years ahead"),
        pytest.param(None, RECEIVED, RECEIVED, id="missing"),
        pytest.param("next tuesday-ish", RECEIVED, RECEIVED, id="unparseable"),
        pytest.param("Thu, 01 Jan 1903 00:00:00 +0000", RECEIVED, RECEIVED, id="before 1970"),
        pytest.param(None, None, NOW, id="missing, no delivery time"),
        pytest.param("Wed, 01 Jan 2031 10:00:00 +0000", None, NOW, id="future, no delivery time"),
    ],
)
def test_touch_is_dated_by_date_header_else_delivery_time(
    date: str | None, received_at: datetime | None, expected: datetime
) -> None:
    date_line = f"Date: {date}\n" if date is not None else ""
    raw = headers(f"From: ana@example.net\nTo: dana@example.org\n{date_line}Subject: hi")
    (touch,) = match(raw, received_at=received_at).touches
    assert touch.at == expected


def test_touch_date_tolerates_exactly_one_day_ahead() -> None:
    ahead = NOW + timedelta(days=1)
    assert touch_date(ahead, RECEIVED, NOW) == ahead
    assert touch_date(ahead + timedelta(seconds=1), RECEIVED, NOW) == RECEIVED


def test_encoded_subject_is_decoded_into_the_touch_detail() -> None:
    raw = REPLY.replace(
        b"Subject: Re: the spring convening", b"Subject: =?UTF-8?Q?Re=3A_caf=C3=A9_on_Friday?="
    )
    assert match(raw).touches[0].detail == "Re: café on Friday"


def test_outcome_names_the_touch_kind_or_the_reason() -> None:
    assert match(REPLY).outcome == "reply"
    assert match(OUTGOING, role=FolderRole.SENT).outcome == "sent"
    assert Match(ignored=Ignored.GROUP).outcome == "group mail"
