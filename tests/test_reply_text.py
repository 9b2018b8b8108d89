"""Cutting a reply down to what its writer wrote: real bodies, then each client's style."""

from __future__ import annotations

import quopri
from pathlib import Path

import pytest

from outreach.core.reply_text import fresh_text, html_text, message_text, reply_excerpt

REPLIES = Path(__file__).parent / "replies"


def real(name: str) -> str:
    data = (REPLIES / name).read_bytes()
    if b"=C3=" in data:  # stored quoted-printable upstream
        data = quopri.decodestring(data)
    return data.decode("utf-8")


@pytest.mark.parametrize(
    ("name", "fresh"),
    [
        ("email_1_2.txt", "Hi,"),
        ("email_iPhone.txt", "Here is another email"),
        ("email_2_2.txt", "Outlook with a reply directly above line"),
        ("quote_reply_french.txt", "This is a reply with French quote"),
        ("quote_reply_german_multiline.txt", "This is a reply with German quote multiline"),
        ("quote_reply_spanish.txt", "This is a reply with Spanish quote"),
        ("email_sent_from_inbox.txt", "Hi,\nThis is a test reply from Inbox."),
        (
            "email_sent_from_my_not_signature.txt",
            "Here is another email\n\nSent from my desk, is much easier then my mobile phone.",
        ),
    ],
)
def test_real_replies_are_cut_where_their_quote_or_signature_starts(name: str, fresh: str) -> None:
    assert fresh_text(real(name)) == fresh


@pytest.mark.parametrize(
    "name",
    [
        "email_multiline_quote_header_pt_br.txt",
        "email_multiline_quote_header_from_to_date_subject.txt",
    ],
)
def test_real_outlook_header_blocks_end_the_reply(name: str) -> None:
    text = fresh_text(real(name))
    assert text.startswith("I have gained valuable experience")
    assert text.endswith("and to life in general.")


@pytest.mark.parametrize("name", ["greedy_on.txt", "email_one_is_not_on.txt"])
def test_real_lines_starting_with_on_are_not_taken_for_attributions(name: str) -> None:
    text = fresh_text(real(name))
    assert "wrote:" not in text and ">" not in text
    assert len(text.splitlines()) >= 5  # the whole answer above the real attribution


GMAIL_MULTIPART = (
    b"From: Ana Lima <ana@example.net>\r\n"
    b"Subject: Re: Would you like to meet Ben?\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="000000000000a1b2"\r\n\r\n'
    b"--000000000000a1b2\r\n"
    b'Content-Type: text/plain; charset="UTF-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"S=C3=AD, claro. Encantada de conocerlo.\r\n\r\n"
    b"El lun, 15 jun 2026 a las 9:30, Dana Reyes (<dana@example.org>)\r\nescribi=C3=B3:\r\n\r\n"
    b"> Hola Ana, =C2=BFte gustar=C3=ADa conocer a Ben?\r\n\r\n"
    b"--000000000000a1b2\r\n"
    b'Content-Type: text/html; charset="UTF-8"\r\n\r\n'
    b'<div dir="ltr">No.</div>\r\n'
    b"--000000000000a1b2--\r\n"
)
OUTLOOK_HTML_ONLY = (
    b"From: Ben Okafor <ben@example.net>\r\n"
    b"Subject: RE: Would you like to meet Ana?\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: text/html; charset="us-ascii"\r\n\r\n'
    b'<html><head><style>p {margin:0}</style></head><body><div class="WordSection1">'
    b"<p>Yes, happy to. Please introduce us.</p><p>Ben</p>"
    b'<div id="divRplyFwdMsg"><p><b>From:</b> Dana Reyes &lt;dana@example.org&gt;<br>'
    b"<b>Sent:</b> Monday, June 15, 2026 9:30 AM</p></div>"
    b"<blockquote><p>Hi Ben, no pressure at all.</p></blockquote></div></body></html>\r\n"
)


def test_the_text_part_is_read_decoded_not_the_html() -> None:
    assert fresh_text(message_text(GMAIL_MULTIPART)) == "Sí, claro. Encantada de conocerlo."


def test_html_only_replies_lose_outlooks_quote_block_and_styles() -> None:
    assert fresh_text(message_text(OUTLOOK_HTML_ONLY)) == "Yes, happy to. Please introduce us.\nBen"


def test_html_text_keeps_line_breaks_and_drops_gmail_quotes() -> None:
    html = (
        '<div dir="ltr">Oui, avec plaisir !<br>Claire</div><br>'
        '<div class="gmail_quote"><div class="gmail_attr">Le lun. 15 juin 2026 à 09:30,'
        " Dana a écrit :</div><blockquote>Bonjour Claire</blockquote></div>"
    )
    assert fresh_text(html_text(html)) == "Oui, avec plaisir !\nClaire"


def test_excerpt_is_the_first_lines_on_one_line() -> None:
    assert reply_excerpt("Yes, but not before March.\n\nI'm away.\nThird") == (
        "Yes, but not before March. / I'm away."
    )
