"""One contact entry of an export, as every contacts format hands it over.

Pure: the raw fields a reader found become a cleaned, validated entry (a
name, valid addresses, one-line values that can reach a mail header) or a
located Problem. Also turns a file's bytes into text, by its byte-order
mark or its byte pattern, never by guessing a legacy code page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from outreach.base.errors import InputError, Problem
from outreach.base.model import address_key
from outreach.core.addresses import AddressError, normalise_address


@dataclass(frozen=True, slots=True)
class ImportedContact:
    """One usable entry of an export: a name and at least one valid address.

    outreach's own exports (and any roster.toml) also carry the id, circle,
    why and cadence; other formats leave them to the roster's defaults.
    """

    name: str
    emails: tuple[str, ...]  # normalised; the preferred address first
    org: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    source_line: int = 0  # where the entry starts in its file (1-based)
    id: str | None = None
    circle: str | None = None
    why: tuple[str, ...] = ()
    cadence_days: int | None = None
    kind: str | None = None
    greeting: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class ImportBatch:
    path: str
    kind: str  # "vcard", "google", "outlook", "csv", "outreach" (its CSV) or "toml"
    contacts: tuple[ImportedContact, ...]
    problems: tuple[Problem, ...]  # warnings: the rest of the file still imports


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_contacts_file(data: bytes, path: str = "", *, encoding: str | None = None) -> str:
    """Text from an export's bytes: `encoding` when given, else by BOM or byte pattern.

    UTF-8 and UTF-16 (Outlook and Windows' address book write it, with or
    without a byte-order mark) are recognised; anything else is refused
    with a line saying how to read it, since a legacy code page cannot be
    told from a short file reliably and a wrong guess garbles every name.
    """
    if encoding is not None:
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError([Problem(path, f"cannot read it as {encoding}: {exc}")]) from None
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    sixteen = _utf16_without_bom(data)
    if sixteen is not None:
        return data.decode(sixteen)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [
                Problem(
                    path,
                    f"not UTF-8 (byte 0x{data[exc.start]:02X}), and its encoding cannot be"
                    " told for sure",
                    line=line,
                    col=col,
                )
            ],
            hint="save it as UTF-8, or name its encoding: --encoding cp1252"
            " (Windows, Western Europe), cp1250, cp1251, mac_roman…",
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when the bytes have UTF-16's pattern of zero bytes.

    Contact files are mostly ASCII (field names, addresses), which UTF-16
    writes with a zero byte beside each character: never the case in UTF-8.
    """
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    half = len(sample) // 2
    if odd_zeros > half * 0.6 and even_zeros == 0:
        return "utf-16-le"
    if even_zeros > half * 0.6 and odd_zeros == 0:
        return "utf-16-be"
    return None


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


# Google's own groups, as its CSV and vCard exports name them in any
# spelling ("* myContacts", "* starred", "System Group: My Contacts", and
# bare "myContacts" in its Outlook layout): they say nothing about the person.
_SYSTEM_GROUPS = frozenset({"mycontacts", "starred", "chatbuddies", "blocked", "all"})


def _is_system_label(label: str) -> bool:
    if label.startswith("*") or label.lower().startswith("system group:"):
        return True
    return re.sub(r"[\W_]+", "", label.lower()) in _SYSTEM_GROUPS


@dataclass(slots=True)
class Raw:
    """An entry's fields as found, before cleaning and validation."""

    line: int
    names: list[str]  # alternatives, best first
    emails: list[str]  # the preferred first
    fallback_names: list[str] = field(default_factory=list)  # vCard N, when FN is missing
    org: str = ""
    notes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    # Only outreach's own exports carry these.
    id: str | None = None
    circle: str | None = None
    why: tuple[str, ...] = ()
    cadence_days: int | None = None
    kind: str = ""
    greeting: str = ""
    timezone: str = ""


def make_entry(raw: Raw, path: str, problems: list[Problem]) -> ImportedContact | None:
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
        id=_one_line(raw.id) or None,
        circle=_one_line(raw.circle) or None,
        why=tuple(dict.fromkeys(w for w in (_one_line(w).lower() for w in raw.why) if w)),
        cadence_days=raw.cadence_days,
        kind=_one_line(raw.kind) or None,
        greeting=_one_line(raw.greeting) or None,
        timezone=_one_line(raw.timezone) or None,
    )


def make_batch(path: str, kind: str, raws: Iterable[Raw], problems: list[Problem]) -> ImportBatch:
    contacts = [c for raw in raws if (c := make_entry(raw, path, problems)) is not None]
    problems.sort(key=lambda p: p.line or 0)
    return ImportBatch(path, kind, tuple(contacts), tuple(problems))
