"""Importing contacts from vCard files and Google or Outlook CSV exports."""

from __future__ import annotations

import pytest

from outreach.base.errors import InputError, Problem
from outreach.base.model import Circle, Contact, Roster
from outreach.base.wording import slug
from outreach.core.contacts_import import (
    ImportBatch,
    ImportedContact,
    contact_id_for,
    decode_contacts_file,
    import_format_for,
    parse_contacts_csv,
    parse_contacts_file,
    parse_vcards,
    plan_import,
)
from outreach.core.roster import parse_roster
from outreach.core.roster_edit import append_contacts
from outreach.core.vcard import read_vcards

CIRCLES = {"focus": Circle("focus", 14), "extended": Circle("extended", 60)}

ROSTER_TEXT = """\
# My network.
[contacts.ana]
name = "Ana Lima"
emails = ["ana@example.net"]
circle = "focus"
why = ["learn"]
tags = ["art", "housing"]

[contacts.ben]
name = "Ben Okafor"
emails = ["ben@example.net", "ben.okafor@example.com"]
why = ["connect"]
"""
ROSTER = parse_roster(ROSTER_TEXT, CIRCLES)


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# --- vCard ---------------------------------------------------------------------

# As Apple Contacts writes vCard 3.0: grouped properties, TYPE lists, escapes.
APPLE_30 = _crlf(
    r"""BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 14.4//EN
N:Lima;Ana;Beatriz;;
FN:Ana Beatriz Lima
ORG:Tenants Union\, Local 7;Outreach
item1.EMAIL;type=INTERNET;type=WORK:ana@tenants.example.org
item2.EMAIL;type=INTERNET;type=HOME;type=pref:Ana.Lima@Example.COM
item2.X-ABLabel:_$!<Home>!$_
TEL;type=CELL;type=VOICE;type=pref:+1 555 0100
NOTE:Met at the spring convening\; runs the Thursday workshop.\nPrefers e
 mail to calls\, and mornings.
CATEGORIES:Housing,Art & Culture,myContacts
item3.URL;type=pref:https\://ana.example.net/
item3.X-ABLabel:_$!<HomePage>!$_
END:VCARD
"""
)

# vCard 4.0 (RFC 6350): PREF ranks, quoted parameter values, UTF-8 names.
RFC_40 = """\
BEGIN:VCARD
VERSION:4.0
FN:Zoë Ørsted-Nakamura
N:Ørsted-Nakamura;Zoë;;;
EMAIL;TYPE=home:zoe@home.example.net
EMAIL;PREF=1;TYPE="work,internet":zoe@studio.example.org
EMAIL;PREF=2:zoe@example.com
CATEGORIES:zines,Open Source
URL:https://zoe.example.org/
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:陈伟
EMAIL:chen.wei@example.org
END:VCARD
"""

# vCard 2.1 as older phones export it: bare parameters, quoted-printable with
# a soft line break, no FN (only N), an AGENT card nested inside.
PHONE_21 = _crlf(
    """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Garc=C3=ADa;Jos=C3=A9;;;
EMAIL;INTERNET;HOME:jose@example.org
EMAIL;INTERNET;PREF:jose.garcia@example.net
NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Caf=C3=A9 owner=0D=0Aon Rua das Flores, ta=
lks about housing co-ops
AGENT:
BEGIN:VCARD
VERSION:2.1
N:Rivera;Pat
EMAIL;INTERNET:pat.rivera@example.org
END:VCARD
ORG;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Caf=E9 Flores
END:VCARD
"""
)

PROBLEMS_30 = """\
BEGIN:VCARD
VERSION:3.0
FN:Nobody Without Mail
TEL:+1 555 0199
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Typo Person
EMAIL:typo at example.org
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Half Right
EMAIL:half@@example.org
EMAIL:half@example.org
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Cut Short
EMAIL:cut@example.org
"""

VCARD_CASES = [
    pytest.param(
        APPLE_30,
        [
            ImportedContact(
                name="Ana Beatriz Lima",
                emails=("Ana.Lima@example.com", "ana@tenants.example.org"),
                org="Tenants Union, Local 7, Outreach",
                notes=(
                    "Met at the spring convening; runs the Thursday workshop.\n"
                    "Prefers email to calls, and mornings."
                ),
                tags=("housing", "art-culture"),  # Google's myContacts is no tag
                links=("https://ana.example.net/",),
                source_line=1,
            )
        ],
        [],
        id="apple-3.0-grouped-escaped-folded",
    ),
    pytest.param(
        RFC_40,
        [
            ImportedContact(
                name="Zoë Ørsted-Nakamura",
                emails=("zoe@studio.example.org", "zoe@example.com", "zoe@home.example.net"),
                tags=("zines", "open-source"),
                links=("https://zoe.example.org/",),
                source_line=1,
            ),
            ImportedContact(name="陈伟", emails=("chen.wei@example.org",), source_line=11),
        ],
        [],
        id="rfc-4.0-pref-ranks-non-ascii",
    ),
    pytest.param(
        PHONE_21,
        [
            ImportedContact(
                name="José García",
                emails=("jose.garcia@example.net", "jose@example.org"),
                org="Café Flores",
                notes="Café owner\non Rua das Flores, talks about housing co-ops",
                source_line=1,
            )
        ],
        [],
        id="phone-2.1-quoted-printable-nested-agent",
    ),
    pytest.param(
        PROBLEMS_30,
        [
            ImportedContact(name="Half Right", emails=("half@example.org",), source_line=11),
            ImportedContact(name="Cut Short", emails=("cut@example.org",), source_line=17),
        ],
        [
            (1, "'Nobody Without Mail' not imported: no email address"),
            (6, "'Typo Person' not imported: 'typo at example.org' is not a valid address"),
            (11, "'Half Right': ignored 'half@@example.org', not a valid address"),
            (17, "this vCard has no END:VCARD; is the file cut short?"),
        ],
        id="missing-invalid-and-unterminated",
    ),
]


@pytest.mark.parametrize(("text", "contacts", "problems"), VCARD_CASES)
def test_parse_vcards(
    text: str, contacts: list[ImportedContact], problems: list[tuple[int, str]]
) -> None:
    batch = parse_vcards(text, "people.vcf")
    assert batch.kind == "vcard"
    assert list(batch.contacts) == contacts
    assert len(batch.problems) == len(problems)
    for problem, (line, message) in zip(batch.problems, problems, strict=True):
        assert (problem.line, problem.message[: len(message)]) == (line, message)
    assert all(p.path == "people.vcf" for p in batch.problems)


@pytest.mark.parametrize(
    ("card", "name"),
    [
        ("FN:Ana\\nLima", "Ana Lima"),  # an escaped line break in a name becomes a space
        ("FN:Ana\tLima", "Ana Lima"),
        ("FN:  \nN:Lima;Ana;;Dr.;", "Dr. Ana Lima"),  # blank FN falls back to N
        ("N:;;;;", "Acme Co-op"),  # no name at all: the organisation's
        ("", "Acme Co-op"),
        ("fn:lower case property", "lower case property"),
        ("FN:Fol\n\tded with a tab", "Folded with a tab"),
    ],
)
def test_vcard_names(card: str, name: str) -> None:
    text = f"BEGIN:VCARD\nVERSION:3.0\n{card}\nORG:Acme Co-op\nEMAIL:a@example.org\nEND:VCARD\n"
    assert parse_vcards(text, "x.vcf").contacts[0].name == name


def test_vcard_without_any_name_is_named_after_its_address() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nEMAIL:jo.doe@example.org\nEND:VCARD\n"
    assert parse_vcards(text, "x.vcf").contacts[0].name == "jo.doe"


def test_vcard_mailto_and_angle_addresses_are_unwrapped() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:4.0\nFN:Ana\nEMAIL;VALUE=uri:mailto:ana@example.org\n"
        "EMAIL:Ana Lima <ana.lima@example.org>\nEMAIL:ANA@example.org\nEND:VCARD\n"
    )
    assert parse_vcards(text, "x.vcf").contacts[0].emails == (
        "ana@example.org",
        "ana.lima@example.org",
    )


def test_vcard_quoted_parameter_may_hold_colons_and_semicolons() -> None:
    cards = read_vcards('BEGIN:VCARD\nEMAIL;X-LABEL="a:b;c";TYPE=work:ana@example.org\nEND:VCARD')
    (prop,) = cards[0].properties
    assert prop.value == "ana@example.org"
    assert prop.params["X-LABEL"] == ("a:b;c",)


def test_vcard_base64_text_is_decoded() -> None:
    text = "BEGIN:VCARD\nFN;ENCODING=b:QW5hIExpbWE=\nEMAIL:ana@example.org\nEND:VCARD\n"
    assert parse_vcards(text, "x.vcf").contacts[0].name == "Ana Lima"


@pytest.mark.parametrize("text", ["", "\n\n", "Name,Email\nAna,ana@example.org\n"])
def test_a_file_without_vcards_is_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_vcards(text, "odd.vcf")
    assert caught.value.problems[0].message.startswith("no vCard found")


# --- CSV -----------------------------------------------------------------------

# Google Contacts' "Google CSV" before 2020: Name / Given Name / Group Membership.
GOOGLE_OLD = (
    "\ufeffName,Given Name,Additional Name,Family Name,Yomi Name,Name Prefix,Name Suffix,"
    "Nickname,Birthday,Notes,Group Membership,E-mail 1 - Type,E-mail 1 - Value,"
    "E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Type,"
    "Organization 1 - Name,Organization 1 - Title,Website 1 - Type,Website 1 - Value\n"
    'Dário Sousa,Dário,,Sousa,,,,,,"Met at the zine fair.\n'
    'Wants feedback on ""Volume 3"".",* myContacts ::: Zines ::: Friends & Family,Work,'
    "dario@press.example.org,* Home,dario.sousa@example.net ::: dario@example.com,Mobile,"
    "+351 555 0101,,Back Alley Press,Editor,Profile,https://dario.example.org/\n"
    ",Farah,,Haddad,,,,,,,* myContacts,* Other,farah@example.org,,,,,,,,,\n"
    "Ghost Entry,Ghost,,Entry,,,,,,,* myContacts,,,,,Mobile,+1 555 0102,,,,,\n"
)

# Google Contacts' "Google CSV" since 2020: First Name / Labels / E-mail N - Label.
GOOGLE_NEW = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,"
    "Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,"
    "Organization Title,Organization Department,Birthday,Notes,Photo,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Website 1 - Label,Website 1 - Value\n"
    "Émile,,Roux,,,,,,,,Commons Lab,Director,,,Runs the open studio nights.,,"
    "* myContacts ::: * starred ::: Climate ::: Tenants' Rights,"
    "Work,emile@commons.example.org,Home,"
    "Emile.Roux@Example.NET,Mobile,+33 5 55 01 02,,https://commons.example.org/emile\n"
    ",,,,,,,,,,Riverside Food Co-op,,,,,,,Work,hello@food.example.org,,,,,,\n"
)

# Outlook's export (outlook.com and the desktop "Comma Separated Values" file).
OUTLOOK = (
    "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,"
    "E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Business Phone,"
    "Mobile Phone,Job Title,Department,Company,Business City,Personal Web Page,"
    "Web Page,Birthday,Categories,Notes\n"
    "Priya,K.,Nair,Dr.,,,,,priya@clinic.example.org,priya.nair@example.net,,,"
    "+44 20 5555 0103,,Physician,,Northside Clinic,London,,https://clinic.example.org/,,"
    '"Health;Mutual Aid","Introduced by Ana.\r\nAsk about the\r\nvolunteer rota."\n'
    "Kwame,,Mensah,,Jr.,,,,kwame@example.org,,,,,,,,,,,,,,\n"
    "No,,Address,,,,,,,,,,,,,,,,,,,,\n"
)

PLAIN = "name,email,tags,notes\nLena Novak,lena@example.org; lena.novak@example.net,art,\n"

CSV_CASES = [
    pytest.param(
        GOOGLE_OLD,
        "google",
        [
            ImportedContact(
                name="Dário Sousa",
                emails=("dario.sousa@example.net", "dario@example.com", "dario@press.example.org"),
                org="Back Alley Press",
                notes='Met at the zine fair.\nWants feedback on "Volume 3".',
                tags=("zines", "friends-family"),
                links=("https://dario.example.org/",),
                source_line=2,
            ),
            ImportedContact(name="Farah Haddad", emails=("farah@example.org",), source_line=4),
        ],
        [(5, "'Ghost Entry' not imported: no email address")],
        id="google-before-2020",
    ),
    pytest.param(
        GOOGLE_NEW,
        "google",
        [
            ImportedContact(
                name="Émile Roux",
                emails=("emile@commons.example.org", "Emile.Roux@example.net"),
                org="Commons Lab",
                notes="Runs the open studio nights.",
                tags=("climate", "tenants-rights"),
                links=("https://commons.example.org/emile",),
                source_line=2,
            ),
            ImportedContact(
                name="Riverside Food Co-op",
                emails=("hello@food.example.org",),
                org="Riverside Food Co-op",
                source_line=3,
            ),
        ],
        [],
        id="google-since-2020",
    ),
    pytest.param(
        OUTLOOK,
        "outlook",
        [
            ImportedContact(
                name="Priya K. Nair",
                emails=("priya@clinic.example.org", "priya.nair@example.net"),
                org="Northside Clinic",
                notes="Introduced by Ana.\nAsk about the\nvolunteer rota.",
                tags=("health", "mutual-aid"),
                links=("https://clinic.example.org/",),
                source_line=2,
            ),
            ImportedContact(name="Kwame Mensah Jr.", emails=("kwame@example.org",), source_line=5),
        ],
        [(6, "'No Address' not imported: no email address")],
        id="outlook",
    ),
    pytest.param(
        PLAIN,
        "csv",
        [
            ImportedContact(
                name="Lena Novak",
                emails=("lena@example.org", "lena.novak@example.net"),
                tags=("art",),
                source_line=2,
            )
        ],
        [],
        id="plain-name-email-sheet",
    ),
]


@pytest.mark.parametrize(("text", "kind", "contacts", "problems"), CSV_CASES)
def test_parse_contacts_csv(
    text: str, kind: str, contacts: list[ImportedContact], problems: list[tuple[int, str]]
) -> None:
    batch = parse_contacts_csv(text, "export.csv")
    assert batch.kind == kind
    assert list(batch.contacts) == contacts
    assert [(p.line, p.message) for p in batch.problems] == problems


def test_csv_with_crlf_line_endings_reads_the_same() -> None:
    lf = parse_contacts_csv(GOOGLE_OLD, "g.csv")
    crlf = parse_contacts_csv(_crlf(GOOGLE_OLD), "g.csv")
    assert crlf.contacts == lf.contacts


def test_csv_without_an_email_column_is_refused_with_a_hint() -> None:
    with pytest.raises(InputError) as caught:
        parse_contacts_csv("Full Name,Phone\nAna,555\n", "phones.csv")
    assert caught.value.problems == (
        Problem(
            "phones.csv",
            "not a contacts export this tool reads: expected Google's 'E-mail 1 - Value',"
            " Outlook's 'E-mail Address' or an 'Email' column",
            line=1,
            col=1,
        ),
    )
    assert caught.value.hint is not None and "vCard" in caught.value.hint


def test_empty_csv_is_refused() -> None:
    with pytest.raises(InputError, match="no header row"):
        parse_contacts_csv("\ufeff", "empty.csv")


def test_csv_hostile_values_lose_their_line_breaks() -> None:
    text = 'Name,E-mail 1 - Value,Organization 1 - Name\n"Ana\r\nBcc: x",a@example.org,"A\nB"\n'
    (contact,) = parse_contacts_csv(text, "x.csv").contacts
    assert (contact.name, contact.org) == ("Ana Bcc: x", "A B")


# --- telling formats apart and decoding bytes -------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("people.vcf", None, "vcard"),
        ("People.VCARD", None, "vcard"),
        ("contacts.csv", None, "csv"),
        ("download", "\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\n", "vcard"),
        ("contacts.csv", "  begin:vcard\n", "vcard"),  # the content is unmistakable
        ("export.txt", "First Name,Last Name,E-mail Address\n", "csv"),
    ],
)
def test_import_format_for(path: str, text: str | None, expected: str) -> None:
    assert import_format_for(path, text) == expected


def test_import_format_for_an_unknown_file_is_refused() -> None:
    with pytest.raises(InputError, match="cannot tell"):
        import_format_for("notes.txt", "just some text\n")


def test_parse_contacts_file_picks_the_parser() -> None:
    assert parse_contacts_file(RFC_40, "a.vcf").kind == "vcard"
    assert parse_contacts_file(OUTLOOK, "a.csv").kind == "outlook"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Zoë,zoe@example.org".encode(), "Zoë,zoe@example.org"),
        (b"\xef\xbb\xbfZo\xc3\xab", "Zoë"),
        ("Zoë".encode("utf-16"), "Zoë"),
        (b"\xfe\xff" + "Zoë".encode("utf-16-be"), "Zoë"),
        (
            "Name,Email\r\nZoë,zoe@example.org".encode("utf-16-le"),
            "Name,Email\r\nZoë,zoe@example.org",
        ),
        ("BEGIN:VCARD\nFN:Zoë".encode("utf-16-be"), "BEGIN:VCARD\nFN:Zoë"),
    ],
)
def test_decode_contacts_file(data: bytes, text: str) -> None:
    assert decode_contacts_file(data) == text


def test_a_legacy_code_page_is_refused_with_the_place_and_read_when_named() -> None:
    data = "Name,Email\nZoë Müller,zoe@example.org\n".encode("cp1252")
    with pytest.raises(InputError) as caught:
        decode_contacts_file(data, "outlook.csv")
    assert [str(p) for p in caught.value.problems] == [
        "outlook.csv:2:3: not UTF-8 (byte 0xEB), and its encoding cannot be told for sure"
    ]
    assert caught.value.hint is not None and "--encoding cp1252" in caught.value.hint
    assert decode_contacts_file(data, "outlook.csv", encoding="cp1252") == (
        "Name,Email\nZoë Müller,zoe@example.org\n"
    )


# --- planning the import ---------------------------------------------------------


def _entry(name: str, *emails: str, line: int = 1) -> ImportedContact:
    return ImportedContact(name=name, emails=emails, source_line=line)


def _batch(*entries: ImportedContact) -> ImportBatch:
    return ImportBatch("people.vcf", "vcard", entries, ())


def test_plan_skips_addresses_the_roster_already_has_whatever_their_case() -> None:
    batch = _batch(
        _entry("Ana L.", "ANA@example.net", line=1),
        _entry("Ben at work", "ben.new@example.org", "Ben.Okafor@example.com", line=8),
        _entry("Chen Wei", "chen@example.org", line=15),
    )
    plan = plan_import(batch, ROSTER)
    assert [c.id for c in plan.new] == ["chen-wei"]
    assert [(s.entry.source_line, s.reason, s.duplicate_of) for s in plan.skipped] == [
        (1, "ANA@example.net already belongs to 'ana'", "ana"),
        (8, "Ben.Okafor@example.com already belongs to 'ben'", "ben"),
    ]


def test_plan_skips_an_address_seen_earlier_in_the_same_file() -> None:
    batch = _batch(
        _entry("Chen Wei", "chen@example.org", line=3),
        _entry("Chen W.", "chen.wei@example.net", "CHEN@example.org", line=9),
        _entry("Chen (studio)", "chen.wei@example.net", line=14),
    )
    plan = plan_import(batch, ROSTER)
    assert [c.id for c in plan.new] == ["chen-wei"]
    assert [s.reason for s in plan.skipped] == [
        "CHEN@example.org already appears at line 3 ('chen-wei')",
        "chen.wei@example.net already appears at line 9 ('chen-wei')",
    ]


def test_plan_proposes_unique_slug_ids_in_the_extended_circle() -> None:
    roster = Roster.of(
        [
            *ROSTER,
            Contact(id="zoe-oneill", name="Zoë O'Neill", emails=("zoe@example.com",)),
            Contact(id="Ana-Lima", name="Ana Lima", emails=("ana.l@example.com",)),
        ]
    )
    batch = _batch(
        _entry("Zoë O'Neill", "zoe@example.org"),
        _entry("Zoë O’Neill", "zoe.oneill@example.net"),
        _entry("Ana Lima", "ana.lima@example.org"),
        _entry("陈伟", "chen.wei@example.org"),
        _entry("陈伟", "chen.wei@example.com"),
        _entry("Ωμέγα", "ωμέγα@example.org"),
        _entry("Søren Østergaard", "soren@example.org"),
    )
    plan = plan_import(batch, roster)
    assert [c.id for c in plan.new] == [
        "zoe-oneill-2",
        "zoe-oneill-3",
        "ana-lima-2",  # "Ana-Lima" is taken: ids that differ only in case would confuse
        "chen-wei",  # no Latin letters in the name: the address's local part
        "chen-wei-2",
        "contact",
        "soren-ostergaard",
    ]
    assert {c.circle for c in plan.new} == {"extended"}


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("Zoë O'Neill", "z@example.org", "zoe-oneill"),
        ("  José   María  García-Núñez ", "j@example.org", "jose-maria-garcia-nunez"),
        ("Łucja Straße", "l@example.org", "lucja-strasse"),
        ("Dr. Ana (Work)", "a@example.org", "dr-ana-work"),
        ("", "jo.doe@example.org", "jo-doe"),
        ("Δημήτρης", "dimitris@example.org", "dimitris"),
        ("x" * 60, "x@example.org", "x" * 40),
    ],
)
def test_contact_id_for(name: str, email: str, expected: str) -> None:
    assert contact_id_for(name, email, set()) == expected


def test_slug_never_ends_with_a_dash_when_cut() -> None:
    assert slug("a" * 39 + " bcd") == "a" * 39


def test_import_end_to_end_appends_tables_the_roster_accepts() -> None:
    text = (
        APPLE_30
        + RFC_40
        + PROBLEMS_30.replace("FN:Cut Short", "FN:Ana Again").replace(
            "cut@example.org", "Ana@Example.net"
        )
    )
    batch = parse_vcards(text, "people.vcf")
    plan = plan_import(batch, ROSTER)
    assert [c.id for c in plan.new] == [
        "ana-beatriz-lima",
        "zoe-orsted-nakamura",
        "chen-wei",
        "half-right",
    ]
    assert [s.duplicate_of for s in plan.skipped] == ["ana"]
    updated = append_contacts(ROSTER_TEXT, plan.tables())
    assert updated.startswith(ROSTER_TEXT)
    roster = parse_roster(updated, CIRCLES)
    assert len(roster) == 6
    ana_b = roster["ana-beatriz-lima"]
    assert ana_b.emails == ("Ana.Lima@example.com", "ana@tenants.example.org")
    assert ana_b.notes is not None and "\n" in ana_b.notes
    assert ana_b.tags == ("housing", "art-culture")
    assert roster["chen-wei"].name == "陈伟"
    assert plan.summary() == "people.vcf: 4 new contacts, 1 already known, 4 warnings"
    assert (
        plan.report_lines()[0] == "added ana-beatriz-lima: Ana Beatriz Lima <Ana.Lima@example.com>"
    )
    assert (
        "people.vcf:48: skipped 'Ana Again': Ana@example.net already belongs to 'ana'"
        in plan.report_lines()
    )


def test_importing_the_same_file_twice_adds_nothing_the_second_time() -> None:
    first = plan_import(parse_contacts_csv(OUTLOOK, "o.csv"), ROSTER)
    roster_text = append_contacts(ROSTER_TEXT, first.tables())
    again = plan_import(parse_contacts_csv(OUTLOOK, "o.csv"), parse_roster(roster_text, CIRCLES))
    assert len(first.new) == 2
    assert again.new == ()
    assert len(again.skipped) == 2


def test_csv_row_the_reader_cannot_read_stops_with_a_warning_keeping_earlier_rows() -> None:
    huge = "x" * 200_000  # past the csv module's field size limit
    text = f'Name,E-mail 1 - Value,Notes\nAna,ana@example.org,\nBen,ben@example.org,"{huge}"\n'
    batch = parse_contacts_csv(text, "big.csv")
    assert [c.name for c in batch.contacts] == ["Ana"]
    assert [(p.line, p.message.split(":")[0]) for p in batch.problems] == [
        (3, "stopped reading here")
    ]
