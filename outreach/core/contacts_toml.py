"""Contacts from TOML: outreach's own export, or another workspace's roster.toml.

Pure: takes the text and returns every `[contacts.ID]` table as an entry
that keeps its id, circle, why, tags, cadence, notes and links. The fields
the export adds from the journal (last touch, last support) are history,
not roster: they are left out, and the journal records new history itself.
"""

from __future__ import annotations

from typing import Any

from outreach.base.errors import InputError, Problem
from outreach.core.contacts_entry import ImportBatch, Raw, make_batch
from outreach.core.tomlsource import KeyLocator, TomlSyntaxError, parse_toml


def parse_contacts_toml(text: str, path: str) -> ImportBatch:
    try:
        data = parse_toml(text, path)
    except TomlSyntaxError as exc:
        raise InputError([exc.problem]) from None
    tables = data.get("contacts")
    if not isinstance(tables, dict) or not tables:
        raise InputError(
            [Problem(path, "no [contacts.ID] tables: not a roster.toml or an outreach export")]
        )
    locator = KeyLocator(text)
    problems: list[Problem] = []
    raws: list[Raw] = []
    for contact_id, body in tables.items():
        where = locator.find(("contacts", contact_id))
        line = where.line if where is not None else 0
        if not isinstance(body, dict):
            problems.append(Problem(path, f"'{contact_id}' is not a table", line=line or None))
            continue
        raws.append(_raw(contact_id, body, line))
    return make_batch(path, "toml", raws, problems)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int | float))
    return ()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _raw(contact_id: str, body: dict[str, Any], line: int) -> Raw:
    cadence = body.get("cadence_days")
    if isinstance(cadence, bool) or not isinstance(cadence, int):
        cadence = None  # the roster's validation names a wrong one when it is written
    return Raw(
        line=line,
        names=[_text(body.get("name"))],
        emails=[*_strings(body.get("emails")), *_strings(body.get("email"))],
        org=_text(body.get("org")),
        notes=(_text(body.get("notes")),),
        tags=_strings(body.get("tags")),
        links=_strings(body.get("links")),
        id=contact_id,
        circle=_text(body.get("circle")),
        why=_strings(body.get("why")),
        kind=_text(body.get("kind")),
        greeting=_text(body.get("greeting")),
        timezone=_text(body.get("timezone")),
        cadence_days=cadence
        if isinstance(cadence, int) and not isinstance(cadence, bool)
        else None,
    )
