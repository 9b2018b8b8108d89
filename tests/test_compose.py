"""Drafts as RFC 5322 bytes, read back with the standard library's own parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest

from outreach.base.errors import InputError
from outreach.core.compose import Party, compose_message

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DANA = Party("Dana Reyes", "dana@example.org")
ANA = Party("Ana Lima", "ana@example.net")


def compose(**changes: object) -> bytes:
    values: dict[str, object] = {
        "message_id": "<share.1@example.org>",
        "now": NOW,
        "sender": DANA,
        "to": [ANA],
        "subject": "Thought of you",
        "text": "Hi Ana,\n\nSee you there.\n",
    }
    values.update(changes)
    return compose_message(**values)  # type: ignore[arg-type]


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    assert message.defects == []
    return message


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content()).replace("\r\n", "\n")


def test_plain_draft_parses_back_with_every_header() -> None:
    message = parse(compose())
    assert message["From"] == "Dana Reyes <dana@example.org>"
    assert message["To"] == "Ana Lima <ana@example.net>"
    assert message["Subject"] == "Thought of you"
    assert message["Message-ID"] == "<share.1@example.org>"
    assert message["MIME-Version"] == "1.0"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert body(message, "plain") == "Hi Ana,\n\nSee you there.\n"


def test_every_line_ends_in_crlf_and_the_bytes_are_ascii() -> None:
    raw = compose(
        text="Olá, Ana — até já!\n", subject="Até já", to=[Party("Zoë Ångström", "zoe@example.net")]
    )
    raw.decode("ascii")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_non_ascii_names_and_subject_are_rfc2047_encoded_and_decode_back() -> None:
    raw = compose(
        sender=Party("Dána Réyes", "dana@example.org"),
        to=[Party("Zoë Ångström", "zoe@example.net"), Party("李小龍", "li@example.com")],
        subject="Über die Brücke: ein Abend für Nachbarn, die gemeinsam etwas aufbauen wollen",
    )
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in head
    message = parse(raw)
    assert message["From"].addresses[0].display_name == "Dána Réyes"
    names = [(a.display_name, a.addr_spec) for a in message["To"].addresses]
    assert names == [("Zoë Ångström", "zoe@example.net"), ("李小龍", "li@example.com")]
    assert message["Subject"] == (
        "Über die Brücke: ein Abend für Nachbarn, die gemeinsam etwas aufbauen wollen"
    )
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


def test_utf8_body_is_quoted_printable_and_decodes_exactly() -> None:
    text = "Olá Zoë,\n\nline with trailing space \n" + "é" * 600 + "\n.a line starting with a dot\n"
    raw = compose(text=text)
    message = parse(raw)
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert body(message, "plain") == text


def test_long_ascii_lines_are_not_sent_as_7bit() -> None:
    text = "x" * 1500 + "\n"
    message = parse(compose(text=text))
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert body(message, "plain") == text


def test_html_twin_makes_multipart_alternative_plain_first() -> None:
    raw = compose(text="Hi Ána\n", html="<p>Hi Ána</p>\n")
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert body(message, "plain") == "Hi Ána\n"
    assert body(message, "html") == "<p>Hi Ána</p>\n"


def test_names_with_commas_and_quotes_keep_their_addresses() -> None:
    tricky = [Party('Okafor, Ben "B"', "ben@example.net"), Party("Ana (Lima)", "ana@example.net")]
    message = parse(compose(to=tricky))
    found = [(a.display_name, a.addr_spec) for a in message["To"].addresses]
    assert found == [('Okafor, Ben "B"', "ben@example.net"), ("Ana (Lima)", "ana@example.net")]


def test_many_recipients_fold_and_all_survive() -> None:
    people = [Party(f"Person Number {i}", f"person{i}@example.net") for i in range(40)]
    raw = compose(to=people)
    message = parse(raw)
    assert [a.addr_spec for a in message["To"].addresses] == [p.address for p in people]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


@pytest.mark.parametrize(
    "changes",
    [
        {"to": [Party("Eve\r\nBcc: victim@example.com", "eve@example.net")]},
        {"to": [Party("Eve", "eve@example.net\nBcc: victim@example.com")]},
        {"sender": Party("Dana\nX-Evil: 1", "dana@example.org")},
        {"subject": "Hello\r\nBcc: victim@example.com"},
        {"subject": "Hello\nworld"},
        {"message_id": "<a@example.org>\r\nBcc: victim@example.com"},
        {"to": [Party("Nul\x00Name", "nul@example.net")]},
    ],
    ids=["name-crlf", "address-lf", "sender-lf", "subject-crlf", "subject-lf", "msgid", "nul"],
)
def test_value_with_a_line_break_never_becomes_a_header(changes: dict[str, object]) -> None:
    with pytest.raises(InputError, match="line break"):
        compose(**changes)


def test_a_name_that_looks_encoded_stays_literal() -> None:
    message = parse(compose(to=[Party("=?utf-8?q?Admin?=", "ana@example.net")]))
    assert message["To"].addresses[0].display_name == "=?utf-8?q?Admin?="


def test_same_inputs_give_the_same_bytes() -> None:
    first = compose(html="<p>Hi</p>\n")
    assert compose(html="<p>Hi</p>\n") == first
    assert compose(html="<p>Hi</p>\n", message_id="<share.2@example.org>") != first


def test_date_keeps_the_offset_it_was_given() -> None:
    moment = datetime(2026, 6, 15, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    message = parse(compose(now=moment))
    assert message["Date"] == "Mon, 15 Jun 2026 14:00:00 +0200"


def test_international_domain_is_sent_as_punycode() -> None:
    message = parse(compose(to=[Party("Jörg", "joerg@bücher.example")]))
    assert message["To"].addresses[0].addr_spec == "joerg@xn--bcher-kva.example"


def test_non_ascii_local_part_is_refused_with_a_reason() -> None:
    with pytest.raises(InputError, match="SMTPUTF8"):
        compose(to=[Party("Jörg", "jörg@example.net")])


def test_message_id_must_be_angle_bracketed() -> None:
    with pytest.raises(InputError, match="Message-ID"):
        compose(message_id="share.1@example.org")


def test_long_ascii_subject_folds_at_spaces_and_unfolds_back() -> None:
    subject = "A rather long subject line " * 6 + "that ends here"
    raw = compose(subject=subject.strip())
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 78 for line in head)
    assert parse(raw)["Subject"] == " ".join(subject.split())
