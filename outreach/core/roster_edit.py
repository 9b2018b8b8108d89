"""Text for adding contacts to `roster.toml` without rewriting what is there.

Pure: renders one `[contacts.ID]` table as TOML text and appends tables to
the end of the roster's text, leaving the user's comments and order as they
were. It never parses or reorders the existing text; writing the file
atomically is the workspace edge's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import tomli_w

from outreach.core.roster import CONTACT_ID

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# C0 controls and DEL: a line break in a name or an address could forge a mail
# header, and the others have no business in a single-line value either.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
_NOTES_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def contact_toml(
    contact_id: str,
    *,
    name: str,
    emails: Sequence[str],
    circle: str | None = None,
    why: Iterable[str] = (),
    tags: Iterable[str] = (),
    org: str | None = None,
    notes: str | None = None,
    links: Iterable[str] = (),
    cadence_days: int | None = None,
    kind: str | None = None,
    greeting: str | None = None,
    timezone: str | None = None,
) -> str:
    """One `[contacts.ID]` table as TOML text, ending in a newline.

    Raises ValueError for an id the roster would refuse, an empty name or
    address list, or a line break or control character in any value that
    can reach a mail header. Notes may span lines (CRLF becomes LF).
    """
    if not CONTACT_ID.fullmatch(contact_id):
        raise ValueError(
            f"contact id {contact_id!r} may hold only letters, digits, '-', '_' and '.',"
            " and must start with a letter or digit"
        )
    if not name.strip():
        raise ValueError("a contact needs a name")
    if not emails:
        raise ValueError(f"contact {contact_id!r} needs at least one address")
    lines = [f"[contacts.{_key(contact_id)}]"]
    lines.append(f"name = {_string(_single_line('name', name))}")
    lines.append(f"emails = {_array('emails', emails)}")
    if circle is not None:
        lines.append(f"circle = {_string(_single_line('circle', circle))}")
    why = [str(w) for w in why]
    if why:
        lines.append(f"why = {_array('why', why)}")
    tags = list(tags)
    if tags:
        lines.append(f"tags = {_array('tags', tags)}")
    if cadence_days is not None:
        lines.append(f"cadence_days = {int(cadence_days)}")
    if kind is not None:
        lines.append(f"kind = {_string(_single_line('kind', kind))}")
    if greeting is not None:
        lines.append(f"greeting = {_string(_single_line('greeting', greeting))}")
    if timezone is not None:
        lines.append(f"timezone = {_string(_single_line('timezone', timezone))}")
    if org is not None:
        lines.append(f"org = {_string(_single_line('org', org))}")
    if notes is not None:
        lines.append(f"notes = {_notes(notes)}")
    links = list(links)
    if links:
        lines.append(f"links = {_array('links', links)}")
    return "\n".join(lines) + "\n"


def append_contacts(existing_text: str, tables: Sequence[str]) -> str:
    """`existing_text` unchanged, then `tables`, each after a blank line.

    The original text stays a byte-for-byte prefix of the result (a missing
    final newline is added after it, never inside it). A file written with
    CRLF line endings gets CRLF in the appended tables too.
    """
    if not tables:
        return existing_text
    newline = "\r\n" if "\r\n" in existing_text else "\n"
    body = "\n".join(t if t.endswith("\n") else t + "\n" for t in tables)
    if newline != "\n":
        body = body.replace("\r\n", "\n").replace("\n", newline)
    text = existing_text
    if text and not text.endswith("\n"):
        text += newline
    if text.strip() and not _ends_with_blank_line(text):
        text += newline
    return text + body


def _ends_with_blank_line(text: str) -> bool:
    lines = text.splitlines()
    return bool(lines) and not lines[-1].strip()


def contact_key(contact_id: str) -> str:
    """A contact id as a TOML key: bare when it can be, quoted otherwise."""
    return contact_id if _BARE_KEY.fullmatch(contact_id) else _string(contact_id)


_key = contact_key


def _string(value: str) -> str:
    # tomli-w knows TOML's escapes; render `v = "..."` and keep the value part.
    return tomli_w.dumps({"v": value})[4:-1]


def _notes(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _NOTES_CONTROL.search(value):
        raise ValueError("'notes' must not contain control characters")
    if "\n" not in value:
        return _string(value)
    return tomli_w.dumps({"v": value}, multiline_strings=True)[4:-1]


def _single_line(key: str, value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(
            f"{key!r} must not contain a line break or control character"
            " (it can reach a mail header)"
        )
    return value


def _array(key: str, values: Iterable[str]) -> str:
    return "[" + ", ".join(_string(_single_line(key, v)) for v in values) + "]"
