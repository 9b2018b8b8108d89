"""Which folder plays which role (Sent, Drafts) in a server's folder listing.

Pure: takes the LIST response, the personal namespace's prefixes and the
user's settings; returns a folder name and how it was found. Reads no
mailbox. Order of trust: the user's setting, then the SPECIAL-USE flag
(RFC 6154), then the usual names, compared without the namespace prefix.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Role(enum.StrEnum):
    SENT = "sent"
    DRAFTS = "drafts"


class FoundBy(enum.StrEnum):
    SETTING = "setting"
    SPECIAL_USE = "SPECIAL-USE"
    NAME = "name"


SPECIAL_USE_FLAG: dict[Role, str] = {Role.SENT: "\\sent", Role.DRAFTS: "\\drafts"}
SETTING_KEY: dict[Role, str] = {Role.SENT: "sent_folder", Role.DRAFTS: "drafts_folder"}

# Usual names, best first, written with "/" as the hierarchy delimiter and
# without the personal namespace's prefix ("INBOX." on Courier and Cyrus).
# Thunderbird, Outlook, Apple Mail and Gmail in two locales, then the names
# localised webmails and Outlook give them.
SENT_NAMES: tuple[str, ...] = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Sent Mail",
    "[Gmail]/Sent Mail",
    "[Google Mail]/Sent Mail",
    "Gesendet",
    "Gesendete Objekte",
    "Gesendete Elemente",
    "Envoyés",
    "Éléments envoyés",
    "Messages envoyés",
    "Enviados",
    "Elementos enviados",
    "Posta inviata",
    "Inviata",
    "Verzonden",
    "Verzonden items",
    "Skickat",
    "Skickade objekt",
    "Sendt",
    "Sendte elementer",
    "Wysłane",
    "Отправленные",
)
DRAFTS_NAMES: tuple[str, ...] = (
    "Drafts",
    "Draft",
    "[Gmail]/Drafts",
    "[Google Mail]/Drafts",
    "Entwürfe",
    "Brouillons",
    "Borradores",
    "Bozze",
    "Concepten",
    "Utkast",
    "Kladder",
    "Kopie robocze",
    "Черновики",
)
NAMES: dict[Role, tuple[str, ...]] = {Role.SENT: SENT_NAMES, Role.DRAFTS: DRAFTS_NAMES}
_RANK: dict[Role, dict[str, int]] = {
    role: {name.casefold(): rank for rank, name in enumerate(names)}
    for role, names in NAMES.items()
}


@dataclass(frozen=True, slots=True)
class ListedFolder:
    """One line of a LIST response."""

    name: str
    delimiter: str | None = "/"
    flags: frozenset[str] = frozenset()  # lower-cased: "\\sent", "\\noselect"

    @classmethod
    def of(cls, name: str, delimiter: str | None, flags: Iterable[str]) -> ListedFolder:
        return cls(name, delimiter, frozenset(f.lower() for f in flags))

    @property
    def selectable(self) -> bool:
        return "\\noselect" not in self.flags and "\\nonexistent" not in self.flags


@dataclass(frozen=True, slots=True)
class Found:
    folder: str
    by: FoundBy


def name_key(name: str, delimiter: str | None, prefixes: Sequence[str] = ()) -> str:
    """A folder name as the usual names are written: no namespace prefix, "/" between levels.

    "INBOX.Sent Items" with prefix "INBOX." → "sent items"; "INBOX/Sent" → "sent"
    (Dovecot and Cyrus put folders under INBOX even without a namespace for it).
    """
    for prefix in (*prefixes, *(f"INBOX{d}" for d in (delimiter,) if d)):
        if prefix and len(name) > len(prefix) and name.upper().startswith(prefix.upper()):
            name = name[len(prefix) :]
            break
    if delimiter and delimiter != "/":
        name = name.replace(delimiter, "/")
    return name.casefold()


def role_of_name(
    name: str, delimiter: str | None = "/", prefixes: Sequence[str] = ()
) -> Role | None:
    """The role a folder's name alone suggests, or None."""
    key = name_key(name, delimiter, prefixes)
    for role, ranks in _RANK.items():
        if key in ranks:
            return role
    return None


def find_role(
    listing: Sequence[ListedFolder],
    role: Role,
    *,
    setting: str | None = None,
    prefixes: Sequence[str] = (),
) -> Found | None:
    """The folder playing `role`: the setting, else the SPECIAL-USE flag, else the best usual name.

    A setting is taken as written, even when the listing lacks it: the server
    then says what is wrong when the folder is opened.
    """
    if setting is not None:
        return Found(setting, FoundBy.SETTING)
    flag = SPECIAL_USE_FLAG[role]
    for folder in listing:
        if flag in folder.flags and folder.selectable:
            return Found(folder.name, FoundBy.SPECIAL_USE)
    ranks = _RANK[role]
    best: tuple[int, str] | None = None
    for folder in listing:
        if not folder.selectable:
            continue
        rank = ranks.get(name_key(folder.name, folder.delimiter, prefixes))
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, folder.name)
    return None if best is None else Found(best[1], FoundBy.NAME)


def missing_role_message(role: Role, listing: Sequence[ListedFolder], *, limit: int = 20) -> str:
    """What to tell the user when no folder plays `role`: what was seen, and the setting to use."""
    names = [f.name for f in listing if f.selectable]
    shown = ", ".join(names[:limit]) + (
        f" and {len(names) - limit} more" if len(names) > limit else ""
    )
    label = "Sent" if role is Role.SENT else "Drafts"
    return (
        f"no {label} folder: none is marked \\{label} (SPECIAL-USE) and none has a usual"
        f" name; folders seen: {shown or 'none'}"
    )


def setting_hint(role: Role) -> str:
    example = "Sent Items" if role is Role.SENT else "Drafts"
    return (
        f'set {SETTING_KEY[role]} = "{example}" (a folder name as listed) in the'
        " mailbox's [[mailboxes]] table of outreach.toml"
    )


__all__ = [
    "DRAFTS_NAMES",
    "SENT_NAMES",
    "Found",
    "FoundBy",
    "ListedFolder",
    "Role",
    "find_role",
    "missing_role_message",
    "name_key",
    "role_of_name",
    "setting_hint",
]
