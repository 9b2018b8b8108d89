"""`roster.toml`: the contacts, parsed and validated as a whole.

Pure: takes the file's text and the circles defined in the config, returns a
`Roster` or raises one InputError listing every problem with its
`file:line:col:`. The tool never rewrites this file wholesale; see
`roster_edit` for appending.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from outreach.base.errors import InputError, Problem
from outreach.base.model import ORG, PERSON, Circle, Contact, Roster, Why, address_key
from outreach.core.addresses import AddressError, normalise_address
from outreach.core.feed_urls import feed_url_problem
from outreach.core.tomlsource import KeyLocator, KeyPath, TomlSyntaxError, parse_toml
from outreach.core.validation import Validator, did_you_mean

ROSTER_FILE = "roster.toml"
CONTACT_KEYS = (
    "name",
    "emails",
    "kind",
    "greeting",
    "circle",
    "why",
    "tags",
    "cadence_days",
    "org",
    "notes",
    "links",
    "feeds",
    "shares",
    "intros",
    "timezone",
)
KINDS = (PERSON, ORG)
CONTACT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
WHY_VALUES = tuple(w.value for w in Why)


def parse_roster(text: str, circles: Mapping[str, Circle], path: str = ROSTER_FILE) -> Roster:
    """Parse and validate the roster, reporting every problem at once."""
    roster, problems = read_roster(text, circles, path)
    InputError.collect(problems)
    return roster


def read_roster(
    text: str, circles: Mapping[str, Circle], path: str = ROSTER_FILE
) -> tuple[Roster, list[Problem]]:
    """The valid contacts and every problem found; for callers that go on regardless."""
    try:
        data = parse_toml(text, path)
    except TomlSyntaxError as exc:
        return Roster.of(()), [exc.problem]
    check = Validator(path, KeyLocator(text))
    check.unknown_keys(data, ("contacts",), ())
    contacts_table = check.table(data, "contacts", ())
    contacts: list[Contact] = []
    owner_of: dict[str, str] = {}  # address key -> contact id, to name both sides of a clash
    for contact_id, body in contacts_table.items():
        contact, emails = _read_contact(contact_id, body, circles, check)
        # Clashes are checked even for a contact with other problems, so one
        # run reports them all.
        for address in emails:
            key = address_key(address)
            first = owner_of.setdefault(key, contact_id)
            if first != contact_id:
                check.error(
                    ("contacts", contact_id, "emails"),
                    f"address '{address}' belongs to both '{first}' and '{contact_id}'",
                    value=address,
                )
        if contact is not None:
            contacts.append(contact)
    return Roster.of(contacts), check.problems


def _read_contact(
    contact_id: str, body: Any, circles: Mapping[str, Circle], check: Validator
) -> tuple[Contact | None, tuple[str, ...]]:
    where: KeyPath = ("contacts", contact_id)
    if not isinstance(body, dict):
        check.error(where, f"contact '{contact_id}' must be a table, like [contacts.{contact_id}]")
        return None, ()
    problems_before = len(check.problems)
    if not CONTACT_ID.fullmatch(contact_id):
        check.error(
            where,
            f"contact id '{contact_id}' may hold only letters, digits, '-', '_'"
            " and '.', and must start with a letter or digit",
        )
    check.unknown_keys(body, CONTACT_KEYS, where)
    name = check.string(body, "name", where, required=True)
    emails = _read_emails(body, where, check)
    circle = check.string(body, "circle", where, default="extended")
    if circle is not None and circle not in circles:
        check.error(
            (*where, "circle"),
            f"unknown circle '{circle}'; circles are"
            f" {', '.join(sorted(circles))} (define more under [circles] in"
            f" outreach.toml){did_you_mean(circle, circles)}",
        )
    why: list[Why] = []
    for reason in check.string_list(body, "why", where):
        if reason in WHY_VALUES:
            why.append(Why(reason))
        else:
            check.error(
                (*where, "why"),
                f"unknown why '{reason}', expected one of:"
                f" {', '.join(WHY_VALUES)}{did_you_mean(reason, WHY_VALUES)}",
                value=f'"{reason}"',
            )
    tags = tuple(dict.fromkeys(t.strip().lower() for t in check.string_list(body, "tags", where)))
    cadence = check.integer(body, "cadence_days", where, minimum=1)
    org = check.string(body, "org", where)
    notes = check.string(body, "notes", where, single_line=False)
    links = check.string_list(body, "links", where)
    feeds = check.string_list(body, "feeds", where)
    for url in feeds:
        problem = feed_url_problem(url)
        if problem is not None:
            check.error((*where, "feeds"), f"feed '{url}': {problem}", value=url)
    shares = check.boolean(body, "shares", where, default=True)
    intros = check.boolean(body, "intros", where, default=True)
    kind = check.string(body, "kind", where, default=PERSON) or PERSON
    if kind not in KINDS:
        check.error(
            (*where, "kind"),
            f"unknown kind '{kind}', expected person or org{did_you_mean(kind, KINDS)}",
        )
    greeting = check.string(body, "greeting", where)
    if greeting is not None and not greeting.strip():
        check.error((*where, "greeting"), "greeting is empty; remove it or name whom to greet")
    zone = check.string(body, "timezone", where)
    if zone is not None and not _known_zone(zone):
        check.error(
            (*where, "timezone"),
            f"unknown time zone '{zone}'; use an IANA name such as \"Europe/Berlin\"",
        )
    if len(check.problems) != problems_before or name is None or not emails:
        return None, emails
    contact = Contact(
        id=contact_id,
        name=name.strip(),
        emails=emails,
        circle=circle or "extended",
        why=tuple(why),
        tags=tags,
        cadence_days=cadence,
        org=org,
        notes=notes,
        links=links,
        feeds=tuple(dict.fromkeys(feeds)),
        shares=shares,
        intros=intros,
        kind=kind,
        greeting=" ".join(greeting.split()) if greeting else None,
        timezone=zone,
    )
    return contact, emails


def _known_zone(name: str) -> bool:
    # ZoneInfo reads the system's (or tzdata's) zone files: a lookup, not
    # I/O the core owns, and the same check the config's timezone gets.
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _read_emails(body: Mapping[str, Any], where: KeyPath, check: Validator) -> tuple[str, ...]:
    raw = check.string_list(body, "emails", where, required=True)
    emails: list[str] = []
    for address in raw:
        try:
            normalised = normalise_address(address)
        except AddressError as exc:
            check.error(
                (*where, "emails"), f"'{address}' is not a valid address: {exc}", value=address
            )
            continue
        if address_key(normalised) not in {address_key(e) for e in emails}:
            emails.append(normalised)
    return tuple(emails)
