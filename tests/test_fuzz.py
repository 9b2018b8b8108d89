"""Property-based fuzzing of everything that reads a file or a message someone else wrote.

The property is the same everywhere: whatever the input, a parser returns
data or raises the project's InputError (exit 2, `file:line:col`), never
anything else, and a header parser never raises at all. Inputs are drawn
from the formats' own pieces (so they get past the first line) and from raw
text. Each target is bounded (`max_examples`, `deadline`) so the whole set
takes a few seconds; any input that ever failed stays as an `@example`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outreach.base.errors import InputError
from outreach.base.model import Circle, Roster
from outreach.core.classify import classify
from outreach.core.config import DEFAULT_CIRCLES, parse_config
from outreach.core.contacts_import import parse_contacts_csv, parse_vcards
from outreach.core.events import parse_events
from outreach.core.events_import import read_calendar
from outreach.core.headers import (
    identity,
    parse_addresses,
    parse_date,
    parse_header_block,
    referenced_ids,
)
from outreach.core.render import SAMPLE_MOMENT, Me, TemplateOverrides, Templates, sample_contexts
from outreach.core.render_limits import RenderLimits
from outreach.core.roster import parse_roster
from outreach.store.watchdog import run_timed

CIRCLES = {name: Circle(name, days) for name, days in DEFAULT_CIRCLES.items()}
NOW = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)
# CI runs a fixed, quick set (the same examples each time); a longer hunt
# with fresh random inputs: OUTREACH_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py
DEEP = int(os.environ.get("OUTREACH_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=DEEP or 150,
    deadline=2000,  # ms per example: a slow example is a finding too
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not DEEP,
)


def pieces(*fragments: str) -> st.SearchStrategy[str]:
    """Text made of the format's own fragments mixed with arbitrary characters."""
    part = st.one_of(st.sampled_from(fragments), st.text(max_size=12))
    return st.lists(part, max_size=40).map("".join)


# --- TOML loaders -----------------------------------------------------------

TOML_PIECES = (
    "\n",
    "[contacts.ana]\n",
    "[events.salon]\n",
    "[[mailboxes]]\n",
    "[me]\n",
    "[circles.focus]\n",
    "[contacts.ana.extra]\n",
    'name = "Ana"\n',
    'emails = ["ana@example.net"]\n',
    'email = "dana@example.org"\n',
    'circle = "focus"\n',
    'why = ["learn", "connect"]\n',
    'tags = ["art"]\n',
    "cadence_days = 99999999999999999999\n",
    "cadence_days = -1\n",
    "cadence_days = nan\n",
    'title = "Salon"\nhost = "me"\n',
    "start = 2026-07-01T18:00:00\n",
    "start = 0001-01-01T00:00:00Z\n",
    'timezone = "Mars/Olympus"\n',
    'kind = "imap"\nhost = "imap.example.org"\n',
    'kind = "maildir"\npath = "~/Mail"\n',
    "timeout_seconds = 0.0001\n",
    "days = 1e308\n",
    '"',
    '"""',
    "'",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    ".",
    "\\u0000",
    "\x00",
    "\ufeff",
    "é",
    "[" * 200 + "]" * 200,
    "{a = " * 150 + "1" + "}" * 150,
)


@FUZZ
@given(pieces(*TOML_PIECES))
@example("x = " + "[" * 500 + "]" * 500)  # RecursionError from the parser
@example("a" + ".a" * 300 + " = 1")
@example('[contacts.ana]\nname = "Ana"\nemails = ["ana@example.net"]\ncadence_days = 1e400\n')
def test_the_roster_loader_returns_a_roster_or_an_input_error(text: str) -> None:
    try:
        parse_roster(text, CIRCLES, "roster.toml")
    except InputError as exc:
        assert exc.problems
        assert all(p.path == "roster.toml" for p in exc.problems)


@FUZZ
@given(pieces(*TOML_PIECES))
@example("x = " + "{a = " * 500 + "1" + "}" * 500)
def test_the_config_loader_returns_a_config_or_an_input_error(text: str) -> None:
    try:
        parse_config(text, "outreach.toml")
    except InputError as exc:
        assert exc.problems


@FUZZ
@given(pieces(*TOML_PIECES))
def test_the_events_loader_returns_events_or_an_input_error(text: str) -> None:
    try:
        parse_events(text, Roster.of(()), CIRCLES, "events.toml")
    except InputError as exc:
        assert exc.problems


# --- headers and the classifier ----------------------------------------------

FIELDS = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "List-Id",
    "List-Unsubscribe",
    "Precedence",
    "Return-Path",
    "Content-Type",
    "X-Autoreply",
    "X-Auto-Response-Suppress",
    "Sender",
    "Reply-To",
)
VALUES = (
    "Ana Lima <ana@example.net>",
    '"Lima, Ana" <ana@example.net>, ben@example.net',
    "=?utf-8?q?Ana_=C3=A9?= <ana@example.net>",
    "=?utf-8?b?////?=",
    "=?x-unknown?q?abc?=",
    "auto-replied",
    "multipart/report; report-type=delivery-status",
    "<>",
    "<a@b> <c@d>",
    "Mon, 04 May 0001 09:00:00 +0000",
    "Mon, 20 Sep 99999 21:29:21 +9999",
    "Re: Automatic reply: hi",
    "bulk",
    "<",
    "@",
    ";",
    "(comment (nested)",
    "\\",
)


@st.composite
def header_blocks(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)))
        value = draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=60)))
        fold = draw(st.sampled_from(("", "\r\n ", "\n\t", "\r\n")))
        lines.append(f"{name}:{fold}{value}")
    encoding = draw(st.sampled_from(("utf-8", "latin-1")))
    ending = draw(st.sampled_from(("\r\n", "\n")))
    raw = ending.join(lines).encode(encoding, "replace") + (ending * 2).encode()
    return raw + draw(st.binary(max_size=20))


@FUZZ
@given(st.one_of(header_blocks(), st.binary(max_size=400)))
@example(b"From: =?utf-8?b?////?= <a@b>\r\n\r\n")
@example(b"Date: Mon, 04 May 0001 09:00:00 +0000\r\n\r\n")
@example(b"\xff\xfe\x00From\x00:\r\n\r\n")
def test_header_parsing_and_classification_never_raise(raw: bytes) -> None:
    block = parse_header_block(raw)
    verdict = classify(block)
    assert verdict.kind
    identity(block)
    referenced_ids(block)
    date = parse_date(block.get("Date"))
    assert date is None or date.tzinfo is UTC
    for name in ("From", "To", "Cc", "Sender", "Reply-To"):
        parse_addresses(block.get(name))


# --- importers ------------------------------------------------------------------

VCARD_PIECES = (
    "BEGIN:VCARD\r\n",
    "END:VCARD\r\n",
    "VERSION:3.0\r\n",
    "VERSION:4.0\r\n",
    "FN:Ana Lima\r\n",
    "N:Lima;Ana;;;\r\n",
    "EMAIL;TYPE=INTERNET:ana@example.net\r\n",
    "EMAIL;PREF=1:ben@example.net\r\n",
    "ORG:Open Studio\\;Lab\r\n",
    "NOTE:line\\nbreak\r\n",
    "CATEGORIES:art,housing\r\n",
    "item1.EMAIL:c@example.net\r\n",
    " folded\r\n",
    "\r\n",
    ":",
    ";",
    "\\",
    "=",
    "ENCODING=QUOTED-PRINTABLE:=C3=A9=\r\n",
    "CHARSET=UTF-8",
)


@FUZZ
@given(pieces(*VCARD_PIECES))
def test_the_vcard_importer_returns_contacts_or_an_input_error(text: str) -> None:
    try:
        parse_vcards(text, "contacts.vcf")
    except InputError as exc:
        assert exc.problems


CSV_PIECES = (
    "First Name,Last Name,E-mail Address,Notes,Categories\r\n",
    "Name,Given Name,E-mail 1 - Value,Group Membership,Notes\n",
    "Ana,Lima,ana@example.net,,art\r\n",
    '"Lima, Ana",,"ana@example.net ::: ben@example.net",* myContacts,\n',
    '"',
    ",",
    "\n",
    "\r",
    "\x00",
    ";",
    "\t",
)


@FUZZ
@given(pieces(*CSV_PIECES))
def test_the_csv_importer_returns_contacts_or_an_input_error(text: str) -> None:
    try:
        parse_contacts_csv(text, "contacts.csv")
    except InputError as exc:
        assert exc.problems


ICS_PIECES = (
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "VERSION:2.0\r\n",
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "UID:1@example.org\r\n",
    "SUMMARY:Salon\r\n",
    "DTSTART:20260701T180000Z\r\n",
    "DTSTART;TZID=Europe/Berlin:20260701T180000\r\n",
    "DTSTART;TZID=Nowhere/Else:20260701T180000\r\n",
    "DTSTART;VALUE=DATE:20260701\r\n",
    "DTSTART:00010101T000000Z\r\n",
    "DTEND:20260701T200000Z\r\n",
    "RRULE:FREQ=DAILY;COUNT=1000000\r\n",
    "ORGANIZER;CN=Ben:mailto:ben@example.net\r\n",
    "CATEGORIES:housing,art\r\n",
    "LOCATION:Library\r\n",
    "DESCRIPTION:a\\nb\r\n",
    "BEGIN:VTIMEZONE\r\n",
    "END:VTIMEZONE\r\n",
    " folded\r\n",
    ":",
    ";",
)


@FUZZ
@given(pieces(*ICS_PIECES))
def test_the_icalendar_importer_returns_events_or_an_input_error(text: str) -> None:
    try:
        read_calendar(
            text.encode("utf-8", "surrogatepass"),
            path="events.ics",
            roster=Roster.of(()),
            my_addresses=("dana@example.org",),
            events_text="",
            now=NOW,
            default_zone="Europe/Berlin",
        )
    except InputError as exc:
        assert exc.problems


# --- template rendering -----------------------------------------------------------

TEMPLATE_PIECES = (
    "Subject: Hi\n\n",
    "{{ contact.name }}",
    "{{ contact.first_name }}",
    "{{ event.title }}",
    "{{ event.start | when }}",
    "{{ shared_tags | and_list }}",
    "{{ me.name }}",
    "{{ contact.nope }}",
    "{{ 'x' * 1000000 }}",
    "{{ 'x' * 10**9 }}",
    "{{ 'x' | center(10**9) }}",
    "{{ 10 ** 10 ** 3 }}",
    "{% for i in range(100000) %}",
    "{% for c in 'abc' %}",
    "{% endfor %}",
    "{% if contact %}",
    "{% endif %}",
    "{% set s = 'ab' %}",
    "{{ s ~ s }}",
    "{{ ().__class__ }}",
    "{{ contact.__class__.__mro__ }}",
    "{{ 1 / 0 }}",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "|",
    "\n",
)


@settings(FUZZ, max_examples=DEEP or 100)
@given(pieces(*TEMPLATE_PIECES))
@example("Subject: Hi\n\n{{ 'x' * 10**9 }}")
@example(
    "Subject: Hi\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
    "{% endfor %}"
)
def test_template_rendering_returns_a_draft_or_an_input_error_within_its_limits(
    source: str,
) -> None:
    limits = RenderLimits(seconds=0.5, max_chars=256 * 1024, runner=run_timed)
    overrides = TemplateOverrides(Path("templates"), {"share_event.txt": source}, limits)
    context = sample_contexts(Me("Dana Reyes", "dana@example.org"), SAMPLE_MOMENT)
    try:
        rendered = Templates(overrides).render("share_event", context["share_event"])
    except InputError as exc:
        assert exc.problems[0].path == "templates/share_event.txt"
    else:
        assert len(rendered.text) <= limits.max_chars
