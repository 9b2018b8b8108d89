"""Contacts from vCard (2.1, 3.0, 4.0) and Google or Outlook CSV exports.

Pure: takes a file's text and returns the entries it can use, with a located
`Problem` for each it cannot; `plan_import` then sets them against the roster
(duplicates skipped, ids proposed). Reading the file and writing roster.toml
belong to the CLI and the workspace edge.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from outreach.base.errors import InputError, Problem
from outreach.base.model import Contact, Roster, address_key
from outreach.base.wording import noun, plural, slug
from outreach.core.addresses import AddressError, normalise_address
from outreach.core.roster_edit import contact_toml
from outreach.core.vcard import VCard, read_vcards

ImportFormat = Literal["vcard", "csv"]


@dataclass(frozen=True, slots=True)
class ImportedContact:
    """One usable entry of an export: a name and at least one valid address."""

    name: str
    emails: tuple[str, ...]  # normalised; the preferred address first
    org: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    source_line: int = 0  # where the entry starts in its file (1-based)


@dataclass(frozen=True, slots=True)
class ImportBatch:
    path: str
    kind: str  # "vcard", "google", "outlook" or "csv"
    contacts: tuple[ImportedContact, ...]
    problems: tuple[Problem, ...]  # warnings: the rest of the file still imports


# --- telling the formats apart -------------------------------------------------


def import_format_for(path: str, text: str | None = None) -> ImportFormat:
    """`vcard` or `csv`: from the content when it is plain, else from the extension."""
    head = (text or "").lstrip("\ufeff \t\r\n")[:11].upper()
    if head == "BEGIN:VCARD":
        return "vcard"
    lowered = path.lower()
    if lowered.endswith((".vcf", ".vcard")):
        return "vcard"
    if lowered.endswith(".csv") or "," in (text or "").partition("\n")[0]:
        return "csv"
    raise InputError(
        [Problem(path, "cannot tell whether this is a vCard file or a CSV export")],
        hint="name the file with .vcf (vCard) or .csv (Google or Outlook export)",
    )


def decode_contacts_file(data: bytes) -> str:
    """Text from an export's bytes: UTF-8 or UTF-16 by their BOM, else UTF-8, else Windows-1252.

    Outlook on Windows writes its CSV in the system code page or as UTF-16.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_contacts_file(text: str, path: str) -> ImportBatch:
    if import_format_for(path, text) == "vcard":
        return parse_vcards(text, path)
    return parse_contacts_csv(text, path)


# --- turning raw fields into an entry -----------------------------------------

_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_NOTE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")
_ANGLE_ADDRESS = re.compile(r"<([^<>]*)>")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)


def _one_line(value: str | None) -> str:
    # Names, orgs and tags can reach a mail header: every break becomes a space.
    return _ONE_LINE.sub(" ", value or "").strip()


def _notes(parts: Iterable[str]) -> str | None:
    text = "\n".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in parts if p.strip())
    text = _NOTE_CONTROL.sub(" ", text).strip()
    return text or None


def _tag(label: str) -> str:
    # `Friends & Family` -> `friends-family`: one word, as `share_with = ["tag:X"]` needs.
    return re.sub(r"[\W_]+", "-", label.lower()).strip("-")


def _is_system_label(label: str) -> bool:
    # Google marks its own groups ("* myContacts", "* starred"; "System Group:
    # My Contacts" in older exports); they say nothing about the person.
    return label.startswith("*") or label.lower().startswith("system group:")


@dataclass(slots=True)
class _Raw:
    """An entry's fields as found, before cleaning and validation."""

    line: int
    names: list[str]  # alternatives, best first
    emails: list[str]  # the preferred first
    fallback_names: list[str] = field(default_factory=list)  # vCard N, when FN is missing
    org: str = ""
    notes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


def _entry(raw: _Raw, path: str, problems: list[Problem]) -> ImportedContact | None:
    name = next((n for n in map(_one_line, [*raw.names, *raw.fallback_names]) if n), "")
    org = _one_line(raw.org) or None
    who = f"'{name or org}'" if name or org else "this entry"
    emails: list[str] = []
    rejected: list[tuple[str, str]] = []  # (address, email-validator's reason)
    for candidate in raw.emails:
        address = _MAILTO.sub("", _one_line(candidate))
        if found := _ANGLE_ADDRESS.search(address):
            address = found.group(1).strip()
        if not address:
            continue
        try:
            normal = normalise_address(address)
        except AddressError as exc:
            rejected.append((address, str(exc)))
            continue
        if address_key(normal) not in {address_key(e) for e in emails}:
            emails.append(normal)
    if not emails:
        why = "; ".join(f"'{a}' is not a valid address: {r}" for a, r in rejected)
        message = f"{who} not imported: {why or 'no email address'}"
        problems.append(Problem(path, message, line=raw.line))
        return None
    for address, reason in rejected:
        message = f"{who}: ignored '{address}', not a valid address: {reason}"
        problems.append(Problem(path, message, line=raw.line))
    tags = (_tag(t) for t in raw.tags if not _is_system_label(t.strip()))
    return ImportedContact(
        name=name or org or emails[0].partition("@")[0],
        emails=tuple(emails),
        org=org,
        notes=_notes(raw.notes),
        tags=tuple(dict.fromkeys(t for t in tags if t)),
        links=tuple(dict.fromkeys(link for link in map(_one_line, raw.links) if link)),
        source_line=raw.line,
    )


def _batch(path: str, kind: str, raws: Iterable[_Raw], problems: list[Problem]) -> ImportBatch:
    contacts = [c for raw in raws if (c := _entry(raw, path, problems)) is not None]
    problems.sort(key=lambda p: p.line or 0)
    return ImportBatch(path, kind, tuple(contacts), tuple(problems))


# --- vCard ---------------------------------------------------------------------

_VCARD_FIELDS = frozenset({"FN", "N", "EMAIL", "ORG", "NOTE", "CATEGORIES", "URL"})


def parse_vcards(text: str, path: str) -> ImportBatch:
    """Every vCard in `text`; an entry without a valid address becomes a Problem."""
    cards = read_vcards(text, wanted=_VCARD_FIELDS)
    if not cards:
        raise InputError([Problem(path, "no vCard found (a vCard starts with BEGIN:VCARD)")])
    problems = [
        Problem(path, "this vCard has no END:VCARD; is the file cut short?", line=card.line)
        for card in cards
        if not card.complete
    ]
    return _batch(path, "vcard", map(_card_raw, cards), problems)


def _card_raw(card: VCard) -> _Raw:
    names = []  # N, for the 2.1 cards that carry no FN
    for prop in card.all("N"):
        family, given, additional, prefix, suffix = (prop.components(";") + [""] * 5)[:5]
        names.append(
            " ".join(p.replace(",", " ") for p in (prefix, given, additional, family, suffix) if p)
        )
    org = next((", ".join(u for u in p.components(";") if u.strip()) for p in card.all("ORG")), "")
    emails = sorted(card.all("EMAIL"), key=lambda p: p.preference)  # stable: file order otherwise
    return _Raw(
        line=card.line,
        names=[p.text() for p in card.all("FN")],
        fallback_names=names,
        emails=[p.text() for p in emails],
        org=org,
        notes=tuple(p.text() for p in card.all("NOTE")),
        tags=tuple(t for p in card.all("CATEGORIES") for t in p.components(",")),
        links=tuple(p.text() for p in card.all("URL")),
    )


# --- CSV (Google Contacts, Outlook, or a plain name/email sheet) -----------------

_GOOGLE_EMAIL = re.compile(r"e-mail (\d+) - value")
_GOOGLE_WEBSITE = re.compile(r"website (\d+) - value")
_TRIPLE_COLON = re.compile(r"\s*:::\s*")  # Google joins values with " ::: "
_ADDRESS_SPLIT = re.compile(r"\s*(?:\:\:\:|[;,])\s*")
_LIST_SPLIT = re.compile(r"\s*[;,]\s*")


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which columns hold what, for one kind of export."""

    kind: str
    names: tuple[tuple[str, ...], ...]  # alternatives; each joins its columns with spaces
    emails: tuple[str, ...]
    primary_marks: tuple[str, ...]  # Google's "E-mail N - Type": "* Home" marks the primary
    org: tuple[str, ...]
    notes: tuple[str, ...]
    tags: tuple[str, ...]
    tag_split: re.Pattern[str]
    links: tuple[str, ...]
    link_split: re.Pattern[str]


def parse_contacts_csv(text: str, path: str) -> ImportBatch:
    """Every row of a Google or Outlook CSV export (told apart by their headers)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError([Problem(path, f"not a readable CSV file: {exc}", line=1)]) from None
    if not header:
        raise InputError([Problem(path, "the file is empty: no header row", line=1)])
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        columns.setdefault(title.strip().casefold(), index)
    layout = _layout(columns, path)
    problems: list[Problem] = []
    raws: list[_Raw] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problems.append(
                Problem(path, f"stopped reading here: {exc}", line=reader.line_num or start)
            )
            break
        if row is None:
            break
        if any(cell.strip() for cell in row):
            raws.append(_csv_raw(layout, _getter(columns, row), start))
    return _batch(path, layout.kind, raws, problems)


def _getter(columns: dict[str, int], row: list[str]) -> Callable[[str], str]:
    def get(column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    return get


def _csv_raw(layout: _Layout, get: Callable[[str], str], line: int) -> _Raw:
    names = [" ".join(filter(None, map(get, alternative))) for alternative in layout.names]
    emails: list[tuple[bool, str]] = []
    for column, mark in zip(layout.emails, layout.primary_marks, strict=True):
        primary = get(mark).startswith("*") if mark else False
        emails.extend((not primary, a) for a in _ADDRESS_SPLIT.split(get(column)))
    emails.sort(key=lambda item: item[0])  # stable: the primary first, then file order
    tags = [t for column in layout.tags for t in layout.tag_split.split(get(column))]
    links = [u for column in layout.links for u in layout.link_split.split(get(column))]
    return _Raw(
        line=line,
        names=names,
        emails=[a for _, a in emails],
        org=next((v for v in map(get, layout.org) if v), ""),
        notes=tuple(map(get, layout.notes)),
        tags=tuple(tags),
        links=tuple(links),
    )


def _layout(columns: dict[str, int], path: str) -> _Layout:
    google = sorted(
        (int(m.group(1)), title) for title in columns if (m := _GOOGLE_EMAIL.fullmatch(title))
    )
    if google:
        websites = sorted(
            (int(m.group(1)), t) for t in columns if (m := _GOOGLE_WEBSITE.fullmatch(t))
        )
        emails = tuple(title for _, title in google)
        return _Layout(
            kind="google",
            names=(
                ("name",),  # the export before 2020 has Name / Given Name / Family Name
                ("name prefix", "first name", "middle name", "last name", "name suffix"),
                ("given name", "additional name", "family name"),
                ("nickname",),
                ("file as",),
            ),
            emails=emails,
            primary_marks=tuple(
                _first_present(columns, t.replace("value", "type"), t.replace("value", "label"))
                for t in emails
            ),
            org=("organization 1 - name", "organization name"),
            notes=("notes",),
            tags=("group membership", "labels"),
            tag_split=_TRIPLE_COLON,
            links=tuple(title for _, title in websites),
            link_split=_TRIPLE_COLON,
        )
    if "e-mail address" in columns:
        emails = ("e-mail address", "e-mail 2 address", "e-mail 3 address")
        return _Layout(
            kind="outlook",
            names=(("first name", "middle name", "last name", "suffix"), ("nickname",)),
            emails=emails,
            primary_marks=("",) * len(emails),
            org=("company",),
            notes=("notes",),
            tags=("categories",),
            tag_split=_LIST_SPLIT,
            links=("web page", "personal web page"),
            link_split=_TRIPLE_COLON,
        )
    plain = [c for c in ("email", "e-mail", "email address", "emails", "mail") if c in columns]
    if plain:
        return _Layout(
            kind="csv",
            names=(("name",), ("full name",), ("display name",), ("first name", "last name")),
            emails=tuple(plain),
            primary_marks=("",) * len(plain),
            org=("organization", "organisation", "org", "company"),
            notes=("notes", "note"),
            tags=("tags", "categories", "groups", "labels"),
            tag_split=_LIST_SPLIT,
            links=("url", "website", "links"),
            link_split=re.compile(r"\s+"),
        )
    raise InputError(
        [
            Problem(
                path,
                "not a contacts export this tool reads: expected Google's 'E-mail 1 - Value',"
                " Outlook's 'E-mail Address' or an 'Email' column",
                line=1,
                col=1,
            )
        ],
        hint="export from Google Contacts as 'Google CSV' or 'Outlook CSV', or as vCard",
    )


def _first_present(columns: dict[str, int], *titles: str) -> str:
    return next((t for t in titles if t in columns), "")


# --- planning the import against the roster -------------------------------------


@dataclass(frozen=True, slots=True)
class SkippedContact:
    entry: ImportedContact
    reason: str
    duplicate_of: str | None  # the roster contact (or the earlier entry's id) holding the address


@dataclass(frozen=True, slots=True)
class ImportPlan:
    path: str
    new: tuple[Contact, ...]
    skipped: tuple[SkippedContact, ...]
    problems: tuple[Problem, ...]

    def tables(self) -> list[str]:
        """The `[contacts.ID]` tables to append to roster.toml, in file order."""
        return [
            contact_toml(
                c.id,
                name=c.name,
                emails=c.emails,
                circle=c.circle,
                tags=c.tags,
                org=c.org,
                notes=c.notes,
                links=c.links,
            )
            for c in self.new
        ]

    def report_lines(self) -> list[str]:
        """One line per contact added and per entry skipped, then the warnings."""
        lines = [f"added {c.id}: {c.name} <{c.email}>" for c in self.new]
        lines += [
            f"{self.path}:{s.entry.source_line}: skipped '{s.entry.name}': {s.reason}"
            for s in self.skipped
        ]
        lines += [f"warning: {p}" for p in self.problems]
        return lines

    def summary(self) -> str:
        parts = [f"{len(self.new):,} new {noun(len(self.new), 'contact')}"]
        parts.append(f"{len(self.skipped):,} already known")
        if self.problems:
            parts.append(plural(len(self.problems), "warning"))
        return f"{self.path}: " + ", ".join(parts)


def plan_import(batch: ImportBatch, roster: Roster, *, circle: str = "extended") -> ImportPlan:
    """New contacts (with fresh ids) and the entries skipped because an address is known."""
    taken = {c.id.lower() for c in roster}
    seen: dict[str, tuple[int, str]] = {}  # address key -> (line, id) of an earlier entry
    new: list[Contact] = []
    skipped: list[SkippedContact] = []
    for entry in batch.contacts:
        keys = [address_key(a) for a in entry.emails]
        owner = next((c for a in entry.emails if (c := roster.by_address(a)) is not None), None)
        earlier = next((seen[k] for k in keys if k in seen), None)
        if owner is not None:
            address = next(a for a in entry.emails if roster.by_address(a) is owner)
            reason = f"{address} already belongs to '{owner.id}'"
            skipped.append(SkippedContact(entry, reason, owner.id))
            contact_id = owner.id
        elif earlier is not None:
            line, contact_id = earlier
            address = next(a for a in entry.emails if seen.get(address_key(a)) == earlier)
            reason = f"{address} already appears at line {line} ('{contact_id}')"
            skipped.append(SkippedContact(entry, reason, contact_id))
        else:
            contact_id = contact_id_for(entry.name, entry.emails[0], taken)
            new.append(
                Contact(
                    id=contact_id,
                    name=entry.name,
                    emails=entry.emails,
                    circle=circle,
                    tags=entry.tags,
                    org=entry.org,
                    notes=entry.notes,
                    links=entry.links,
                )
            )
        for key in keys:
            seen.setdefault(key, (entry.source_line, contact_id))
    return ImportPlan(batch.path, tuple(new), tuple(skipped), batch.problems)


def contact_id_for(name: str, email: str, taken: set[str]) -> str:
    """A slug of the name (or of the address's local part) not yet in `taken`; adds it.

    `taken` holds lower-cased ids: `Ana` and `ana` would confuse a person.
    """
    base = slug(name) or slug(email.partition("@")[0]) or "contact"
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate.lower())
    return candidate
