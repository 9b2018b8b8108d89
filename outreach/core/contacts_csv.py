"""Contacts from CSV: Google's and Outlook's exports, outreach's own, or a plain sheet.

Pure: takes the file's text and returns the entries, told apart by the
header row. outreach's own export (`contacts export --format csv`) keeps
every field of a contact in its own column, so it imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from outreach.base.errors import InputError, Problem
from outreach.core.contacts_entry import ImportBatch, Raw, make_batch

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
    own = columns.keys() >= _OWN_COLUMNS
    layout = _OWN_LAYOUT if own else _layout(columns, path)
    problems: list[Problem] = []
    raws: list[Raw] = []
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
            get = _getter(columns, row)
            raws.append(
                _own_raw(get, start, path, problems) if own else _csv_raw(layout, get, start)
            )
    return make_batch(path, layout.kind, raws, problems)


# `outreach contacts export --format csv`: one column per roster field, lists
# space-separated (ids, addresses and tags hold no spaces), notes as written.
_OWN_COLUMNS = frozenset({"id", "name", "emails", "circle", "why", "tags", "cadence_days"})
_OWN_LAYOUT = _Layout(
    kind="outreach",
    names=(("name",),),
    emails=("emails",),
    primary_marks=("",),
    org=("org",),
    notes=("notes",),
    tags=("tags",),
    tag_split=re.compile(r"\s+"),
    links=("links",),
    link_split=re.compile(r"\s+"),
)


def _own_raw(get: Callable[[str], str], line: int, path: str, problems: list[Problem]) -> Raw:
    raw = _csv_raw(_OWN_LAYOUT, get, line)
    raw.emails = get("emails").split()
    raw.id = get("id")
    raw.circle = get("circle")
    raw.why = tuple(get("why").split())
    raw.kind, raw.greeting, raw.timezone = get("kind"), get("greeting"), get("timezone")
    cadence = get("cadence_days")
    if cadence.isdigit():
        raw.cadence_days = int(cadence)
    elif cadence:
        problems.append(
            Problem(path, f"cadence_days '{cadence}' is not a number of days; left out", line=line)
        )
    return raw


def _getter(columns: dict[str, int], row: list[str]) -> Callable[[str], str]:
    def get(column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    return get


def _csv_raw(layout: _Layout, get: Callable[[str], str], line: int) -> Raw:
    names = [" ".join(filter(None, map(get, alternative))) for alternative in layout.names]
    emails: list[tuple[bool, str]] = []
    for column, mark in zip(layout.emails, layout.primary_marks, strict=True):
        primary = get(mark).startswith("*") if mark else False
        emails.extend((not primary, a) for a in _ADDRESS_SPLIT.split(get(column)))
    emails.sort(key=lambda item: item[0])  # stable: the primary first, then file order
    tags = [t for column in layout.tags for t in layout.tag_split.split(get(column))]
    links = [u for column in layout.links for u in layout.link_split.split(get(column))]
    return Raw(
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
            names=(
                ("first name", "middle name", "last name", "suffix"),
                ("name",),  # some Outlook versions write one Name column
                ("nickname",),
            ),
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
