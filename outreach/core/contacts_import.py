"""Contacts from vCard (2.1, 3.0, 4.0), CSV exports and outreach's own TOML.

Pure: takes a file's text and returns the entries it can use, with a located
`Problem` for each it cannot; `plan_import` then sets them against the roster
(duplicates skipped, ids kept or proposed). CSV is `contacts_csv`'s, TOML
`contacts_toml`'s. Reading the file and writing roster.toml belong to the
CLI and the workspace edge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from outreach.base.errors import InputError, Problem
from outreach.base.model import PERSON, Contact, Roster, Why, address_key
from outreach.base.wording import noun, plural, slug
from outreach.core.contacts_csv import parse_contacts_csv
from outreach.core.contacts_entry import (
    ImportBatch,
    ImportedContact,
    Raw,
    decode_contacts_file,
    make_batch,
)
from outreach.core.contacts_toml import parse_contacts_toml
from outreach.core.roster import CONTACT_ID
from outreach.core.roster_edit import contact_toml
from outreach.core.vcard import VCard, read_vcards

ImportFormat = Literal["vcard", "csv", "toml"]

__all__ = [
    "ImportBatch",
    "ImportPlan",
    "ImportedContact",
    "contact_id_for",
    "decode_contacts_file",
    "import_format_for",
    "parse_contacts_csv",
    "parse_contacts_file",
    "parse_vcards",
    "plan_import",
]
_TOML_TABLE = re.compile(r"^\s*\[\s*contacts\s*\.", re.MULTILINE)


# --- telling the formats apart -------------------------------------------------


def import_format_for(path: str, text: str | None = None) -> ImportFormat:
    """`vcard`, `toml` or `csv`: from the content when it is plain, else from the extension."""
    head = (text or "").lstrip("\ufeff \t\r\n")[:11].upper()
    if head == "BEGIN:VCARD":
        return "vcard"
    lowered = path.lower()
    if lowered.endswith((".vcf", ".vcard")):
        return "vcard"
    if lowered.endswith(".toml") or _TOML_TABLE.search(text or ""):
        return "toml"
    if lowered.endswith(".csv") or "," in (text or "").partition("\n")[0]:
        return "csv"
    raise InputError(
        [Problem(path, "cannot tell whether this is a vCard file or a CSV export")],
        hint="name the file with .vcf (vCard), .csv (Google or Outlook export)"
        " or .toml (outreach's export, or a roster.toml)",
    )


def parse_contacts_file(text: str, path: str) -> ImportBatch:
    kind = import_format_for(path, text)
    if kind == "vcard":
        return parse_vcards(text, path)
    if kind == "toml":
        return parse_contacts_toml(text, path)
    return parse_contacts_csv(text, path)


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
    return make_batch(path, "vcard", map(_card_raw, cards), problems)


def _card_raw(card: VCard) -> Raw:
    names = []  # N, for the 2.1 cards that carry no FN
    for prop in card.all("N"):
        family, given, additional, prefix, suffix = (prop.components(";") + [""] * 5)[:5]
        names.append(
            " ".join(p.replace(",", " ") for p in (prefix, given, additional, family, suffix) if p)
        )
    org = next((", ".join(u for u in p.components(";") if u.strip()) for p in card.all("ORG")), "")
    emails = sorted(card.all("EMAIL"), key=lambda p: p.preference)  # stable: file order otherwise
    return Raw(
        line=card.line,
        names=[p.text() for p in card.all("FN")],
        fallback_names=names,
        emails=[p.text() for p in emails],
        org=org,
        notes=tuple(p.text() for p in card.all("NOTE")),
        tags=tuple(t for p in card.all("CATEGORIES") for t in p.components(",")),
        links=tuple(p.text() for p in card.all("URL")),
    )


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
                why=c.why,
                tags=c.tags,
                cadence_days=c.cadence_days,
                kind=None if c.kind == PERSON else c.kind,
                greeting=c.greeting,
                timezone=c.timezone,
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


def plan_import(batch: ImportBatch, roster: Roster, *, circle: str | None = None) -> ImportPlan:
    """New contacts and the entries skipped because an address is known.

    An entry keeps the id, circle, why and cadence its file gave (outreach's
    own exports do) when the id is free; otherwise it gets a slug of its
    name. `circle` puts every new contact in that circle; without it, an
    entry's own circle, else "extended".
    """
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
            if entry.id and CONTACT_ID.fullmatch(entry.id) and entry.id.lower() not in taken:
                contact_id = entry.id
                taken.add(contact_id.lower())
            else:
                contact_id = contact_id_for(entry.name, entry.emails[0], taken)
            new.append(
                Contact(
                    id=contact_id,
                    name=entry.name,
                    emails=entry.emails,
                    circle=circle or entry.circle or "extended",
                    why=tuple(Why(w) for w in entry.why if w in _WHY),
                    tags=entry.tags,
                    cadence_days=entry.cadence_days,
                    kind=entry.kind or PERSON,
                    greeting=entry.greeting,
                    timezone=entry.timezone,
                    org=entry.org,
                    notes=entry.notes,
                    links=entry.links,
                )
            )
        for key in keys:
            seen.setdefault(key, (entry.source_line, contact_id))
    return ImportPlan(batch.path, tuple(new), tuple(skipped), batch.problems)


_WHY = frozenset(w.value for w in Why)


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
