"""roster.toml: every validation rule, located, and all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Circle, Why
from outreach.core.config import DEFAULT_CIRCLES
from outreach.core.roster import parse_roster
from tests.conftest import RunCli
from tests.support.workspaces import make_workspace

CIRCLES = {name: Circle(name, days) for name, days in DEFAULT_CIRCLES.items()}


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_roster(text, CIRCLES, "roster.toml")
    return [str(p) for p in caught.value.problems]


def test_contact_fields_and_defaults() -> None:
    roster = parse_roster(
        """
[contacts.ana]
name = "Ana Lima"
emails = ["Ana@Example.NET", "ana@example.net", "ana@work.example.com"]
why = ["learn", "connect"]
tags = ["Art", "housing", "art"]
cadence_days = 21
""",
        CIRCLES,
    )
    ana = roster["ana"]
    # Normalised once (domain lower-cased) and deduplicated without regard to case.
    assert ana.emails == ("Ana@example.net", "ana@work.example.com")
    assert ana.circle == "extended"
    assert ana.why == (Why.LEARN, Why.CONNECT)
    assert ana.tags == ("art", "housing")
    assert ana.cadence_days == 21


def test_addresses_match_without_regard_to_case_local_part_included() -> None:
    roster = parse_roster(
        '[contacts.ana]\nname = "Ana"\nemails = ["Ana.Lima@example.net"]\n', CIRCLES
    )
    found = roster.by_address("ANA.LIMA@EXAMPLE.NET")
    assert found is not None and found.id == "ana"
    assert roster.by_address("someone@example.net") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"\n',
            "roster.toml:3:10: this list is not closed: add ']' after its last item",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@@example.net"]\n',
            "roster.toml:3:12: 'a@@example.net' is not a valid address",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["x@example.net"]\n\n'
            '[contacts.b]\nname = "B"\nemails = ["X@Example.net"]\n',
            "roster.toml:7:12: address 'X@example.net' belongs to both 'a' and 'b'",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\ncircle = "fokus"\n',
            "roster.toml:4:1: unknown circle 'fokus'; circles are extended, focus (define more"
            " under [circles] in outreach.toml) — did you mean 'focus'?",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\nwhy = ["lern"]\n',
            "roster.toml:4:8: unknown why 'lern', expected one of: learn, contribute, connect"
            " — did you mean 'learn'?",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\ncadence_days = 0\n',
            "roster.toml:4:1: 'cadence_days' must be positive, not 0",
        ),
        (
            '[contacts.a]\nname = "A\\r\\nBcc: victim@example.com"\nemails = ["a@example.net"]\n',
            "roster.toml:2:1: 'name' must not contain a line break",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\norg = "X\\nY"\n',
            "roster.toml:4:1: 'org' must not contain a line break",
        ),
        (
            '[contacts.a]\nname = "A"\nemail = ["a@example.net"]\n',
            "roster.toml:3:1: unknown key 'email' — did you mean 'emails'?",
        ),
        ('[contacts.a]\nname = "A"\n', "roster.toml:1:1: missing required key 'emails'"),
        (
            '[contacts.a]\nemails = ["a@example.net"]\n',
            "roster.toml:1:1: missing required key 'name'",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = "a@example.net"\n',
            "roster.toml:3:1: 'emails' must be a list of strings",
        ),
        (
            '[contacts."a b"]\nname = "A"\nemails = ["a@example.net"]\n',
            "roster.toml:1:1: contact id 'a b' may hold only",
        ),
        (
            '[contacts."a\\n"]\nname = "A"\nemails = ["a@example.net"]\n',
            "roster.toml:1:1: contact id 'a\n' may hold only",
        ),
        ('[people.a]\nname = "A"\n', "roster.toml:1:1: unknown key 'people'"),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\nkind = "organisation"\n',
            "roster.toml:4:1: unknown kind 'organisation', expected person or org",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\ngreeting = " "\n',
            "roster.toml:4:1: greeting is empty; remove it or name whom to greet",
        ),
        (
            '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\ntimezone = "Mars/Olympus"\n',
            "roster.toml:4:1: unknown time zone 'Mars/Olympus'; use an IANA name such as"
            ' "Europe/Berlin"',
        ),
    ],
)
def test_roster_problem_is_located(text: str, expected: str) -> None:
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


def test_organisations_are_greeted_by_greeting_or_whole_name_never_first_word() -> None:
    roster = parse_roster(
        """
[contacts.library]
name = "Eastside Library"
kind = "org"
greeting = "Jo and the library team"
emails = ["programs@library.example.org"]

[contacts.commons]
name = "Eastside Commons"
kind = "org"
emails = ["hello@commons.example.org"]

[contacts.okafor]
name = "Ngozi Okafor"
greeting = "Dr. Okafor"
timezone = "Africa/Lagos"
emails = ["okafor@example.net"]

[contacts.ana]
name = "Ana Lima"
emails = ["ana@example.net"]
""",
        CIRCLES,
    )
    greeted = {c.id: (c.kind, c.addressed, c.first_name, c.timezone) for c in roster}
    assert greeted == {
        "library": ("org", "Jo and the library team", "Eastside Library", None),
        "commons": ("org", "Eastside Commons team", "Eastside Commons", None),
        "okafor": ("person", "Dr. Okafor", "Ngozi", "Africa/Lagos"),
        "ana": ("person", "Ana", "Ana", None),
    }


def test_notes_may_span_lines() -> None:
    roster = parse_roster(
        '[contacts.a]\nname = "A"\nemails = ["a@example.net"]\n'
        'notes = """\nline one\nline two\n"""\n',
        CIRCLES,
    )
    assert roster["a"].notes == "line one\nline two\n"


FIVE_MISTAKES = """\
[contacts.ana]
name = "Ana Lima"
emails = ["ana@example"]
circle = "fokus"

[contacts.ben]
name = "Ben"
emails = ["ben@example.net"]
why = ["help"]
cadence_days = -3

[contacts.cy]
name = "Cy"
emails = ["BEN@example.net"]
"""


def test_five_mistakes_give_five_located_lines_and_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    workspace = make_workspace(tmp_path / "ws", roster=FIVE_MISTAKES)
    result = run_cli("--home", str(workspace), "check", expect=2)
    roster = workspace / "roster.toml"
    lines = result.stderr.splitlines()
    assert lines == [
        f"{roster}:3:12: 'ana@example' is not a valid address: The part after the @-sign is"
        " not valid. It should have a period.",
        f"{roster}:4:1: unknown circle 'fokus'; circles are extended, focus (define more under"
        " [circles] in outreach.toml) — did you mean 'focus'?",
        f"{roster}:9:8: unknown why 'help', expected one of: learn, contribute, connect",
        f"{roster}:10:1: 'cadence_days' must be positive, not -3",
        f"{roster}:14:12: address 'BEN@example.net' belongs to both 'ben' and 'cy'",
    ]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_every_file_is_checked_in_one_run(tmp_path: Path, run_cli: RunCli) -> None:
    workspace = make_workspace(
        tmp_path / "ws",
        extra_config="colour = 1\n",
        roster='[contacts.a]\nname = "A"\nemails = ["a@example.net"]\n',
    )
    result = run_cli("--home", str(workspace), "check", expect=2)
    assert result.stderr.startswith(f"{workspace / 'outreach.toml'}:4:1: unknown key 'colour'")
