"""Rename one contact's id in the text of `roster.toml`, touching nothing else.

Pure: rewrites the headers of the contact's tables (`[contacts.OLD]`,
`[contacts.OLD.sub]`, `[[contacts.OLD.list]]`, the key bare or quoted) and
leaves every other byte, comments and order included, as it was. A contact
written another way (an inline table, dotted keys) is reported, not guessed.
"""

from __future__ import annotations

import re

from outreach.core.roster_edit import contact_key


def _header(old: str) -> re.Pattern[str]:
    quoted = re.escape(old)
    key = (
        rf"(?:{quoted}|\"{quoted}\"|'{quoted}')"
        if "." not in old
        else rf"(?:\"{quoted}\"|'{quoted}')"
    )
    # [ or [[, "contacts", the key, then "]" or a sub-table's ".": the header's start.
    return re.compile(
        rf"^(?P<open>[ \t]*\[\[?[ \t]*contacts[ \t]*\.[ \t]*){key}(?P<rest>[ \t]*[.\]])",
        re.MULTILINE,
    )


class RenameError(ValueError):
    """The roster does not hold OLD as a table outreach can rename."""


def rename_in_roster_text(text: str, old: str, new: str) -> str:
    """`text` with the contact `old`'s table headers naming `new` instead."""
    pattern = _header(old)
    renamed, count = pattern.subn(lambda m: f"{m['open']}{contact_key(new)}{m['rest']}", text)
    if count == 0:
        raise RenameError(
            f"no [contacts.{contact_key(old)}] table header in the roster"
            " (an inline table or dotted keys are not renamed automatically)"
        )
    return renamed


_HOST = re.compile(r"^(?P<head>[ \t]*host[ \t]*=[ \t]*)(?P<q>[\"'])(?P<id>[^\"'\n]*)(?P=q)", re.M)
_SHARE_WITH = re.compile(r"^[ \t]*share_with[ \t]*=[ \t]*\[[^\]]*\]", re.MULTILINE)
_QUOTED = re.compile(r"(?P<q>[\"'])(?P<id>[^\"'\n]*)(?P=q)")


def rename_in_events_text(text: str, old: str, new: str) -> str:
    """`text` of events.toml with `old` as a host or a share_with entry renamed to `new`.

    Only those two places name contact ids; comments, titles and notes stay.
    """

    def quoted(value: str, quote: str) -> str:
        return f"{quote}{new}{quote}" if value == old else f"{quote}{value}{quote}"

    text = _HOST.sub(lambda m: m["head"] + quoted(m["id"], m["q"]), text)
    return _SHARE_WITH.sub(
        lambda m: _QUOTED.sub(lambda q: quoted(q["id"], q["q"]), m.group(0)), text
    )


__all__ = ["RenameError", "rename_in_events_text", "rename_in_roster_text"]
