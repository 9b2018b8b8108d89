"""Appending contacts to roster.toml: the user's text stays, the result parses."""

from __future__ import annotations

import tomllib

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Circle, Why
from outreach.core.roster import parse_roster
from outreach.core.roster_edit import append_contacts, contact_toml

CIRCLES = {"focus": Circle("focus", 14), "extended": Circle("extended", 60)}

HAND_WRITTEN = """\
# My network — edited by hand.
# circle: focus | extended

[contacts.ana]   # met at the spring convening
name = "Ana Lima"
emails = ["ana@example.net"]
circle = "focus"
why = ["learn"]
tags = ["art", "housing"]

# Ben keeps two addresses; the second is his studio.
[contacts.ben]
name = "Ben Okafor"
emails = [
    "ben@example.net",
    "ben.okafor@example.com",  # studio
]
notes = \"\"\"
Runs the Thursday workshop.
Prefers email to calls.\"\"\"
"""

CHEN = contact_toml(
    "chen-wei", name="Chen Wei", emails=["chen@example.org"], circle="extended", tags=["food"]
)


def test_contact_toml_renders_every_field_in_a_readable_table() -> None:
    text = contact_toml(
        "ana",
        name="Ana Lima",
        emails=["ana@example.net", "ana.lima@example.org"],
        circle="focus",
        why=[Why.LEARN, "connect"],
        tags=["art", "housing"],
        org="Tenants Union",
        notes="Met at the spring convening.",
        links=["https://ana.example.net/"],
    )
    assert text == (
        "[contacts.ana]\n"
        'name = "Ana Lima"\n'
        'emails = ["ana@example.net", "ana.lima@example.org"]\n'
        'circle = "focus"\n'
        'why = ["learn", "connect"]\n'
        'tags = ["art", "housing"]\n'
        'org = "Tenants Union"\n'
        'notes = "Met at the spring convening."\n'
        'links = ["https://ana.example.net/"]\n'
    )


def test_contact_toml_leaves_out_what_was_not_given() -> None:
    assert contact_toml("ana", name="Ana", emails=["ana@example.net"]) == (
        '[contacts.ana]\nname = "Ana"\nemails = ["ana@example.net"]\n'
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 'Zoë "Z" O\'Neill \\ backslash'),
        ("name", "陈伟 — Chén Wěi"),
        ("name", "tab\tinside"),
        ("org", 'Back Alley Press, "Zines" & Co. # not a comment'),
        ("org", "'''single''' \"\"\"triple\"\"\""),
        ("notes", "line one\nline two with \"\"\" and ''' and \\n literally"),
        ("notes", "windows\r\nline endings\r\n"),
        ("notes", 'ends with a quote"'),
        ("notes", "\n"),
    ],
)
def test_contact_toml_round_trips_awkward_strings(field: str, value: str) -> None:
    args: dict[str, object] = {"name": "X", "emails": ["x@example.org"], field: value}
    text = contact_toml("x", **args)  # type: ignore[arg-type]
    parsed = tomllib.loads(text)["contacts"]["x"]
    expected = value.replace("\r\n", "\n") if field == "notes" else value
    assert parsed[field] == expected


def test_contact_toml_quotes_an_id_holding_a_dot() -> None:
    text = contact_toml("ana.lima", name="Ana", emails=["ana@example.net"])
    assert text.startswith('[contacts."ana.lima"]\n')
    assert "ana.lima" in parse_roster(text, CIRCLES)


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"name": "Ana\r\nBcc: everyone@example.com"}, "'name'"),
        ({"name": "Ana\nLima"}, "'name'"),
        ({"name": "Ana\u2028Lima"}, "'name'"),
        ({"name": "Ana\x00"}, "'name'"),
        ({"emails": ["ana@example.net\r\nBcc: x@example.com"]}, "'emails'"),
        ({"org": "Union\nX-Evil: 1"}, "'org'"),
        ({"circle": "focus\n"}, "'circle'"),
        ({"tags": ["art\r"]}, "'tags'"),
        ({"why": ["learn\n"]}, "'why'"),
        ({"links": ["https://example.net/\r\nX: y"]}, "'links'"),
        ({"notes": "bell\x07"}, "'notes'"),
        ({"name": "   "}, "needs a name"),
        ({"emails": []}, "at least one address"),
    ],
)
def test_contact_toml_refuses_hostile_values(kwargs: dict[str, object], complaint: str) -> None:
    args: dict[str, object] = {"name": "Ana", "emails": ["ana@example.net"], **kwargs}
    with pytest.raises(ValueError, match=complaint):
        contact_toml("ana", **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "contact_id", ["", "-ana", "ana lima", "ana]\n[contacts.evil", "ana\n", "zoë"]
)
def test_contact_toml_refuses_ids_the_roster_would_refuse(contact_id: str) -> None:
    with pytest.raises(ValueError, match="contact id"):
        contact_toml(contact_id, name="Ana", emails=["ana@example.net"])


def test_append_keeps_the_hand_written_text_byte_for_byte() -> None:
    result = append_contacts(HAND_WRITTEN, [CHEN])
    assert result.startswith(HAND_WRITTEN)
    assert result == HAND_WRITTEN + "\n" + CHEN
    roster = parse_roster(result, CIRCLES)
    assert [c.id for c in roster] == ["ana", "ben", "chen-wei"]
    assert roster["ben"].notes == "Runs the Thursday workshop.\nPrefers email to calls."
    assert roster["chen-wei"].tags == ("food",)


def test_append_separates_every_table_by_one_blank_line() -> None:
    dee = contact_toml("dee", name="Dee", emails=["dee@example.org"])
    result = append_contacts(HAND_WRITTEN, [CHEN, dee])
    assert result == HAND_WRITTEN + "\n" + CHEN + "\n" + dee
    assert len(parse_roster(result, CIRCLES)) == 4


@pytest.mark.parametrize(
    ("existing", "separator"),
    [
        ("", ""),
        ("\n", ""),
        ("# roster\n", "\n"),
        ("# roster", "\n\n"),  # no final newline: one added after, never inside
        ("# roster\n\n", ""),
        ("# roster\n   \n", ""),
        ('[contacts.ana]\nname = "Ana"\nemails = ["ana@example.net"]', "\n\n"),
    ],
)
def test_append_adds_only_the_line_breaks_it_needs(existing: str, separator: str) -> None:
    result = append_contacts(existing, [CHEN])
    assert result == existing + separator + CHEN
    assert "chen-wei" in parse_roster(result, CIRCLES)


def test_append_follows_a_file_written_with_crlf() -> None:
    existing = HAND_WRITTEN.replace("\n", "\r\n")
    notes = contact_toml("dee", name="Dee", emails=["dee@example.org"], notes="one\ntwo")
    result = append_contacts(existing, [CHEN, notes])
    assert result.startswith(existing)
    appended = result[len(existing) :]
    assert "\n" not in appended.replace("\r\n", "")
    assert parse_roster(result, CIRCLES)["dee"].notes == "one\ntwo"


def test_append_with_nothing_to_add_returns_the_text_unchanged() -> None:
    assert append_contacts("# roster", []) == "# roster"


def test_an_appended_duplicate_address_is_caught_by_the_roster_validation() -> None:
    twin = contact_toml("ana-2", name="Ana Again", emails=["ANA@example.net"])
    with pytest.raises(InputError) as caught:
        parse_roster(append_contacts(HAND_WRITTEN, [twin]), CIRCLES)
    assert "belongs to both 'ana' and 'ana-2'" in caught.value.message
