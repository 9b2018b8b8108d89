"""Which folder is Sent and which is Drafts, from literal LIST responses."""

from __future__ import annotations

import pytest

from outreach.core.folders import Found, FoundBy, ListedFolder, Role, find_role, role_of_name
from outreach.core.match import FolderRole, role_by_name


def listing(
    *names: str, delimiter: str = "/", flags: dict[str, str] | None = None
) -> list[ListedFolder]:
    marks = flags or {}
    return [ListedFolder.of(n, delimiter, [marks[n]] if n in marks else []) for n in names]


@pytest.mark.parametrize(
    ("folders", "prefixes", "role", "expected"),
    [
        (
            listing("INBOX", "INBOX.Sent Items", "INBOX.Drafts", delimiter="."),
            ("INBOX.",),
            Role.SENT,
            "INBOX.Sent Items",
        ),
        (
            listing("INBOX", "INBOX.Sent Items", "INBOX.Drafts", delimiter="."),
            ("INBOX.",),
            Role.DRAFTS,
            "INBOX.Drafts",
        ),
        # Without NAMESPACE, an INBOX prefix is still taken off.
        (listing("INBOX", "INBOX/Sent Messages"), (), Role.SENT, "INBOX/Sent Messages"),
        (
            listing("INBOX", "[Gmail]/Sent Mail", "[Gmail]/Drafts"),
            (),
            Role.DRAFTS,
            "[Gmail]/Drafts",
        ),
        (listing("INBOX", "[Google Mail]/Sent Mail"), (), Role.SENT, "[Google Mail]/Sent Mail"),
        (listing("INBOX", "Gesendete Objekte", "Entwürfe"), (), Role.DRAFTS, "Entwürfe"),
        (listing("INBOX", "Éléments envoyés"), (), Role.SENT, "Éléments envoyés"),
        # The better-ranked usual name wins, whatever the listing's order.
        (listing("Sent Messages", "Sent"), (), Role.SENT, "Sent"),
        # A SPECIAL-USE flag beats any name.
        (
            listing("Sent", "Outbox Archive", flags={"Outbox Archive": "\\Sent"}),
            (),
            Role.SENT,
            "Outbox Archive",
        ),
        (listing("INBOX", "Archive"), (), Role.DRAFTS, None),
        # "Sent" inside another folder is not the Sent folder.
        (listing("INBOX", "Projects/Sent"), (), Role.SENT, None),
    ],
)
def test_find_role_by_flag_then_by_usual_name_without_namespace_prefix(
    folders: list[ListedFolder], prefixes: tuple[str, ...], role: Role, expected: str | None
) -> None:
    found = find_role(folders, role, prefixes=prefixes)
    assert (None if found is None else found.folder) == expected


def test_a_noselect_folder_is_never_a_role() -> None:
    folders = [ListedFolder.of("Drafts", "/", ["\\Noselect", "\\Drafts"])]
    assert find_role(folders, Role.DRAFTS) is None


def test_the_setting_wins_even_over_special_use() -> None:
    folders = listing("Sent", flags={"Sent": "\\Sent"})
    assert find_role(folders, Role.SENT, setting="Mine") == Found("Mine", FoundBy.SETTING)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("INBOX", FolderRole.INBOX),
        ("Sent", FolderRole.SENT),
        ("INBOX.Sent Items", FolderRole.SENT),
        ("INBOX/Sent Messages", FolderRole.SENT),
        ("[Gmail]/Sent Mail", FolderRole.SENT),
        ("Drafts", FolderRole.OTHER),
        ("Archive", FolderRole.OTHER),
    ],
)
def test_role_by_name_for_configured_folders_and_maildirs(name: str, role: FolderRole) -> None:
    assert role_by_name(name) is role


def test_role_of_name_with_the_servers_delimiter() -> None:
    assert role_of_name("INBOX.Drafts", ".") is Role.DRAFTS
    assert role_of_name("INBOX.Drafts", "/") is None
