"""The personal line: finding and removing slots, and what may be sent."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from outreach.core.compose import Party, compose_message
from outreach.core.personal_line import (
    held_back,
    message_parts,
    needs_line,
    open_slots,
    ready_to_send,
    remove_slots,
    slot,
)
from tests.conftest import NOW

TEXT = (
    "Hi Mei,\n"
    "\n"
    "[[ your line: why this made you think of Mei ]]\n"
    "\n"
    "The seed swap is on Saturday.\n"
    "\n"
    "Dana\n"
)
HTML = (
    "<p>Hi Mei,</p>\n"
    "<p>[[ your line: why this made you think of Mei ]]</p>\n"
    "<p>The seed swap is on Saturday.</p>\n"
    "<p>Dana</p>\n"
)


def draft(text: str, html: str | None = None) -> bytes:
    return compose_message(
        message_id="<share.1@example.org>",
        now=NOW,
        sender=Party("Dana Reyes", "dana@example.org"),
        to=[Party("Mei Lin", "mei@example.net")],
        subject="Seed swap, Saturday 20 June (Hana)",
        text=text,
        html=html,
    )


def test_slot_is_written_with_its_hint_on_one_line() -> None:
    assert slot("why this made\n you think of Mei") == (
        "[[ your line: why this made you think of Mei ]]"
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (TEXT, ["[[ your line: why this made you think of Mei ]]"]),
        ("Hi Mei,\n\nI saw your garden post.\n", []),
        ("a [[ x ]] b [[ y ]]", ["[[ x ]]", "[[ y ]]"]),
        ("half a marker [[ your line: why", ["[[ your line: why"]),
    ],
)
def test_open_slots_finds_every_marker_even_half_of_one(text: str, found: list[str]) -> None:
    assert open_slots(text) == found


def test_removing_a_slot_line_leaves_no_hole() -> None:
    assert remove_slots(TEXT) == "Hi Mei,\n\nThe seed swap is on Saturday.\n\nDana\n"
    assert remove_slots(HTML, html=True) == (
        "<p>Hi Mei,</p>\n<p>The seed swap is on Saturday.</p>\n<p>Dana</p>\n"
    )
    assert remove_slots("Thanks [[ a word ]] again.") == "Thanks  again."


def test_an_open_slot_holds_the_draft_back_unless_the_line_is_optional() -> None:
    data = draft(TEXT, HTML)
    assert needs_line(data)
    assert held_back(data, setting="required") == (
        "its personal line is still open: [[ your line: why this made you think of Mei ]]"
    )
    assert held_back(data, setting="optional") is None


def test_optional_line_left_open_is_removed_from_every_part() -> None:
    sent = ready_to_send(draft(TEXT, HTML))
    assert b"[[" not in sent
    assert message_parts(sent).text == "Hi Mei,\n\nThe seed swap is on Saturday.\n\nDana\n"
    assert message_parts(sent).html == (
        "<p>Hi Mei,</p>\n<p>The seed swap is on Saturday.</p>\n<p>Dana</p>\n"
    )
    message = BytesParser(policy=policy.default).parsebytes(sent)
    assert isinstance(message, EmailMessage)
    # Headers are kept as they were written.
    assert (message["Message-ID"], message["To"]) == (
        "<share.1@example.org>",
        "Mei Lin <mei@example.net>",
    )


def test_line_written_in_the_text_only_sends_the_text_alone() -> None:
    written = TEXT.replace(
        "[[ your line: why this made you think of Mei ]]", "You asked about seeds in May."
    )
    data = draft(written, HTML)
    assert not needs_line(data)
    assert held_back(data, setting="required") is None
    sent = ready_to_send(data)
    assert b"[[" not in sent
    parts = message_parts(sent)
    assert (parts.text, parts.html) == (written, None)


def test_a_draft_without_slots_is_sent_byte_for_byte() -> None:
    data = draft("Hi Mei,\n\nSee you Saturday.\n\nDana\n", "<p>Hi Mei,</p>\n")
    assert ready_to_send(data) == data
    assert not needs_line(data)


def test_a_slot_in_a_base64_body_is_still_found() -> None:
    import base64

    head, _, _ = draft("x\n").partition(b"\r\n\r\n")
    head = head.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: base64")
    data = head + b"\r\n\r\n" + base64.encodebytes(TEXT.encode()).replace(b"\n", b"\r\n")
    assert b"[" not in data
    assert needs_line(data)
