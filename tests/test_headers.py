"""Header block parsing: tables of literal inputs for every tolerance we promise."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.core.classify import classify
from outreach.core.headers import (
    FETCH_FIELDS,
    HeaderBlock,
    decode_header_value,
    identity,
    message_id,
    parse_addresses,
    parse_date,
    parse_header_block,
    referenced_ids,
)


def block(text: str, *, crlf: bool = False) -> HeaderBlock:
    raw = text.encode("utf-8")
    if crlf:
        raw = raw.replace(b"\n", b"\r\n")
    return parse_header_block(raw)


# --- parse_header_block ------------------------------------------------------


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
def test_folded_values_are_unfolded_keeping_the_white_space(crlf: bool) -> None:
    parsed = block(
        "Subject: a long\n  subject line\nContent-Type: multipart/report;\n\treport-type=x\n",
        crlf=crlf,
    )
    assert parsed.get("Subject") == "a long  subject line"
    assert parsed.get("Content-Type") == "multipart/report;\treport-type=x"


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
def test_parsing_stops_at_the_first_blank_line(crlf: bool) -> None:
    parsed = block("From: a@example.org\nSubject: hi\n\nList-Id: <in the body>\n", crlf=crlf)
    assert parsed.get("Subject") == "hi"
    assert "List-Id" not in parsed


def test_crlf_and_lf_blocks_parse_to_the_same_fields() -> None:
    text = "From: Ana <ana@example.net>\nReferences: <a@x>\n <b@x>\nSubject: hi\n\n"
    assert block(text).items() == block(text, crlf=True).items()


def test_mbox_from_line_is_skipped() -> None:
    parsed = block("From MAILER-DAEMON  Sat Oct  4 08:00:09 2025\nFrom: postmaster@example.com\n")
    assert parsed.get_all("From") == ["postmaster@example.com"]


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("SUBJECT: shouting\n", "subject", "shouting"),
        ("subject: quiet\n", "SUBJECT", "quiet"),
        ("Subject : obsolete spacing\n", "Subject", "obsolete spacing"),
        ("Subject:no space\n", "Subject", "no space"),
        ("Subject:   padded   \n", "Subject", "padded"),
        ("X-MS-Has-Attach:\n", "X-MS-Has-Attach", ""),
        ("Subject:\n =?UTF-8?B?0LfQvg==?=\n", "Subject", "=?UTF-8?B?0LfQvg==?="),
        ("garbage line without colon\nSubject: kept\n", "Subject", "kept"),
        ("  orphan continuation\nSubject: kept\n", "Subject", "kept"),
        ("Subject: no final newline", "Subject", "no final newline"),
    ],
)
def test_field_lookup(text: str, name: str, expected: str) -> None:
    assert block(text).get(name) == expected


def test_repeated_fields_keep_their_order_and_get_returns_the_topmost() -> None:
    parsed = block("Received: one\nReturn-Path: <>\nReceived: two\nReceived: three\n")
    assert parsed.get("received") == "one"
    assert parsed.get_all("RECEIVED") == ["one", "two", "three"]


def test_missing_field_gives_the_default_and_an_empty_list() -> None:
    parsed = block("From: a@example.org\n")
    assert parsed.get("Subject") is None
    assert parsed.get("Subject", "") == ""
    assert parsed.get_all("Subject") == []
    assert "Subject" not in parsed
    assert "from" in parsed


@pytest.mark.parametrize("raw", [b"", b"\n", b"\r\n\r\nbody: text\r\n", b"no fields here at all"])
def test_blocks_without_fields_parse_to_an_empty_view(raw: bytes) -> None:
    parsed = parse_header_block(raw)
    assert len(parsed) == 0
    assert parsed.items() == []


def test_bytes_that_are_not_utf8_do_not_spoil_other_fields() -> None:
    raw = b"From: Jos\xe9 <jose@example.org>\nSubject: caf\xc3\xa9\n"
    parsed = parse_header_block(raw)
    assert parsed.get("From") == "José <jose@example.org>"
    assert parsed.get("Subject") == "café"


def test_the_view_is_immutable_and_keeps_the_raw_bytes() -> None:
    raw = b"Subject: hi\r\n\r\n"
    parsed = parse_header_block(raw)
    assert parsed.raw == raw
    with pytest.raises(AttributeError):
        parsed.raw = b"other"  # type: ignore[misc]
    listing = parsed.get_all("Subject")
    listing.append("tampered")
    assert parsed.get_all("Subject") == ["hi"]


def test_names_lists_each_field_once_in_lower_case() -> None:
    parsed = block("Received: a\nFrom: x@example.org\nReceived: b\n")
    assert list(parsed) == ["received", "from"]
    assert set(parsed.names()) == {"received", "from"}


def test_fetch_fields_name_every_field_once() -> None:
    lowered = [name.lower() for name in FETCH_FIELDS]
    assert len(lowered) == len(set(lowered))
    for needed in ("from", "sender", "date", "message-id", "in-reply-to", "references"):
        assert needed in lowered


# --- decode_header_value -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        ("=?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?=", "Café crème"),
        ("=?utf-8?B?Q2Fmw6kgY3LDqG1l?=", "Café crème"),
        ("=?ISO-8859-1?Q?Caf=E9?=", "Café"),
        ("=?iso-8859-1?b?Q2Fm6Q==?=", "Café"),
        ("=?UTF-8?B?0JHRi9GB0YLRgNC10LU=?= =?UTF-8?B?INCy?=", "Быстрее в"),
        ("Re: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus Berlin", "Re: Grüße aus Berlin"),
        ("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "café"),
        ("=?utf-8?B?eHB0bw?=", "xpto"),
        ("=?utf-8*en?Q?hello?=", "hello"),
        ("=?x-unknown-charset?Q?hello?=", "hello"),
        ("=?utf-8?B?###?=", "=?utf-8?B?###?="),
        ("=?utf-8?Q?Reise=FCbersicht?=", "Reise\ufffdbersicht"),
        ("=?utf-8?B?0JLQsNGI0LU=?=. Mail failure.", "Ваше. Mail failure."),
        ("=?broken", "=?broken"),
        ("", ""),
    ],
)
def test_decode_header_value(value: str, expected: str) -> None:
    assert decode_header_value(value) == expected


# --- addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ana@example.net", [("", "ana@example.net")]),
        ("Ana Lima <ana@example.net>", [("Ana Lima", "ana@example.net")]),
        ('"Lima, Ana" <ana@example.net>', [("Lima, Ana", "ana@example.net")]),
        ("<ana@example.net>", [("", "ana@example.net")]),
        (
            "MAILER-DAEMON@example.com (Mail Delivery System)",
            [("Mail Delivery System", "MAILER-DAEMON@example.com")],
        ),
        ("=?utf-8?Q?=C3=89mile_Roux?= <emile@example.com>", [("Émile Roux", "emile@example.com")]),
        (
            "Ana <ana@example.net>, bea@example.com",
            [("Ana", "ana@example.net"), ("", "bea@example.com")],
        ),
        (
            "Friends: ana@example.net, Bea <bea@example.com>;, chen@example.net",
            [("", "ana@example.net"), ("Bea", "bea@example.com"), ("", "chen@example.net")],
        ),
        ("undisclosed-recipients:;", []),
        ("<@relay.example.net:ana@example.net>", [("", "ana@example.net")]),
        ('"Quote \\" inside" <q@example.org>', [('Quote " inside', "q@example.org")]),
        ("unclosed <ana@example.net", [("unclosed", "ana@example.net")]),
        ("<>", []),
        ("", []),
        (None, []),
    ],
)
def test_parse_addresses(value: str | None, expected: list[tuple[str, str]]) -> None:
    assert parse_addresses(value) == expected


def test_addresses_of_a_parsed_field_are_kept_as_written() -> None:
    parsed = block("From: Ana <Ana.Lima@Example.NET>, bea@example.com\n")
    assert parse_addresses(parsed.get("From")) == [
        ("Ana", "Ana.Lima@Example.NET"),
        ("", "bea@example.com"),
    ]
    assert parse_addresses(parsed.get("Sender")) == []


# --- dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 14 May 2024 09:21:31 +0200", datetime(2024, 5, 14, 7, 21, 31, tzinfo=UTC)),
        ("Thu,  7 Apr 2016 19:04:30 +0900 (JST)", datetime(2016, 4, 7, 10, 4, 30, tzinfo=UTC)),
        ("Fri, 28 Nov 2014 12:53:21 -0800", datetime(2014, 11, 28, 20, 53, 21, tzinfo=UTC)),
        ("Thu, 29 Apr 2009 00:00:00 GMT", datetime(2009, 4, 29, 0, 0, 0, tzinfo=UTC)),
        ("Fri, 31 May 2024 10:00:00 EDT", datetime(2024, 5, 31, 14, 0, 0, tzinfo=UTC)),
        ("14 May 2024 09:21:31", datetime(2024, 5, 14, 9, 21, 31, tzinfo=UTC)),
        ("Tue, 14 May 2024 09:21:31 -0000", datetime(2024, 5, 14, 9, 21, 31, tzinfo=UTC)),
        ("Sat, 16 Mar 13 23:34:45 +0000", datetime(2013, 3, 16, 23, 34, 45, tzinfo=UTC)),
        ("2024-05-14T09:21:31+02:00", datetime(2024, 5, 14, 7, 21, 31, tzinfo=UTC)),
        ("2024-05-14 09:21:31", datetime(2024, 5, 14, 9, 21, 31, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
        ("yesterday afternoon", None),
        ("Mon, 32 May 2024 09:21:31 +0000", None),
        ("Mon, 20 May 2024 25:61:00 +0000", None),
        ("Mon, 20 May 2024 09:21:31 +9999", None),
        ("Mon, 20 Sep 1901 21:29:21 +0000", None),
        ("Thu, 01 Jan 1970 00:00:00 +0000", None),
        ("Mon, 20 Sep 99999 21:29:21 +0000", None),
        # Year 1 written in four digits is year 1 (a broken clock), never 2001;
        # only a two-digit year is widened (RFC 5322 §4.3).
        ("Mon, 04 May 0001 09:00:00 +0000", None),
        ("4 May 0099 09:00:00 -0000", None),
        ("0001-05-04T09:00:00+00:00", None),
        ("Fri, 04 May 01 09:00:00 +0000", datetime(2001, 5, 4, 9, 0, 0, tzinfo=UTC)),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


# --- message ids and identity ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Message-ID: <abc@example.org>\n", "<abc@example.org>"),
        ("Message-Id:\n   <abc@example.org>  \n", "<abc@example.org>"),
        ("Message-ID: <abc@exa\n mple.org>\n", "<abc@example.org>"),
        ("Message-ID: abc@example.org\n", "<abc@example.org>"),
        ("Message-ID: <abc@example.org> (added by relay)\n", "<abc@example.org>"),
        ("Message-ID:\n", None),
        ("Message-ID: <>\n", None),
        ("Subject: none\n", None),
    ],
)
def test_message_id(text: str, expected: str | None) -> None:
    assert message_id(block(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "In-Reply-To: <b@x>\nReferences: <a@x>\n <b@x>\n",
            ["<b@x>", "<a@x>"],
        ),
        ("In-Reply-To: Your message of Monday <c@x>\n", ["<c@x>"]),
        ("References: <a@x> <b@x>,<c@x>\n", ["<a@x>", "<b@x>", "<c@x>"]),
        ("In-Reply-To: bare@x.example\n", ["<bare@x.example>"]),
        ("Subject: no threading\n", []),
    ],
)
def test_referenced_ids_in_order_without_repeats(text: str, expected: list[str]) -> None:
    assert referenced_ids(block(text)) == expected


def test_identity_is_the_message_id_when_there_is_one() -> None:
    assert identity(block("Message-ID:  <abc@example.org>\nSubject: x\n")) == "<abc@example.org>"


NO_ID = (
    "Return-Path: <ana@example.net>\n"
    "From: Ana <ana@example.net>\n"
    "To: me@example.org\n"
    "Subject: Re: the launch\n"
    "Date: Tue, 14 May 2024 09:21:31 +0200\n"
    "In-Reply-To: <x@example.org>\n"
)


def test_identity_without_message_id_is_a_stable_hash() -> None:
    first = identity(block(NO_ID))
    assert first.startswith("sha256:")
    assert len(first) == len("sha256:") + 64
    assert identity(block(NO_ID, crlf=True)) == first
    assert identity(block(NO_ID + "\nbody text differs\n")) == first


def test_identity_ignores_delivery_fields_and_refolding() -> None:
    redelivered = (
        "Received: from relay.example.net by mx.example.org; Tue, 14 May 2024 09:22:00 +0200\n"
        + NO_ID.replace("Subject: Re: the launch", "Subject: Re: the\n  launch")
        + "Delivered-To: me@example.org\n"
    )
    assert identity(block(redelivered)) == identity(block(NO_ID))


def test_identity_tells_different_messages_apart() -> None:
    other = NO_ID.replace("09:21:31", "09:21:32")
    assert identity(block(other)) != identity(block(NO_ID))


def test_identity_of_a_block_without_known_fields_hashes_the_block() -> None:
    one = identity(parse_header_block(b"X-Odd: 1\r\n"))
    assert one == identity(parse_header_block(b"X-Odd: 1\n"))
    assert one != identity(parse_header_block(b"X-Odd: 2\n"))


# --- robustness --------------------------------------------------------------

_MESSAGES = sorted((Path(__file__).parent / "messages").glob("*.eml"))
_NOISE = b'=?<>"(),;:@\\ \t\r\n\x00\xff\xc3QBqb-_'


def _mutations(count: int) -> list[bytes]:
    rng = random.Random(20240514)
    seeds = [path.read_bytes()[:2000] for path in _MESSAGES]
    out = []
    for _ in range(count):
        raw = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 12)):
            at = rng.randrange(len(raw))
            choice = rng.random()
            if choice < 0.4:
                raw[at] = rng.choice(_NOISE)
            elif choice < 0.7:
                raw[at:at] = bytes(rng.choice(_NOISE) for _ in range(rng.randint(1, 5)))
            else:
                del raw[at : at + rng.randint(1, 10)]
        out.append(bytes(raw))
    return out


def test_damaged_messages_never_raise_in_parsing_or_classifying() -> None:
    for raw in _mutations(400):
        parsed = parse_header_block(raw)
        assert classify(parsed).reason
        identity(parsed)
        referenced_ids(parsed)
        parse_date(parsed.get("Date"))
        for name in ("From", "Sender", "To", "Cc"):
            for value in parsed.get_all(name):
                parse_addresses(value)
        for _, value in parsed.items():
            decode_header_value(value)
