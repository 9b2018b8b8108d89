"""The `mailboxes` use case: what each configured mailbox offers and which folder plays which role.

Connects to each IMAP mailbox (read-only: CAPABILITY, NAMESPACE, LIST) and
lists a Maildir's folders; returns data for the CLI to print. Changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from outreach.core.config import ImapMailbox, MaildirMailbox
from outreach.core.folders import FoundBy, Role, setting_hint
from outreach.core.match import FolderRole
from outreach.mail.imap.connection import imap_session, mailbox_label, server_folders
from outreach.mail.maildir import maildir_folders
from outreach.store.workspace import Workspace

# The capabilities whose absence changes what outreach does with a server.
CAPABILITIES: tuple[tuple[str, str], ...] = (
    ("IDLE", "push sync; without it the daemon polls"),
    ("SPECIAL-USE", "Sent and Drafts marked; without it they are found by name"),
    ("UIDPLUS", "pushed drafts' UIDs known at once"),
    ("MULTIAPPEND", "many drafts pushed in one round trip"),
    ("NAMESPACE", "folder prefixes such as INBOX. known"),
)


@dataclass(frozen=True, slots=True)
class RoleFolder:
    role: str  # inbox, sent, drafts
    folder: str | None  # None: not found
    by: str  # setting, SPECIAL-USE, name; or the hint when not found


@dataclass(frozen=True, slots=True)
class MailboxFacts:
    name: str
    where: str  # "imap.example.org:993" or the Maildir's path
    capabilities: tuple[tuple[str, bool], ...]  # empty for a Maildir
    prefixes: tuple[str, ...]
    delimiter: str | None
    roles: tuple[RoleFolder, ...]
    folders: tuple[str, ...]


def describe_mailboxes(
    workspace: Workspace, *, environ: Mapping[str, str], only: str | None = None
) -> list[MailboxFacts]:
    """Facts about every configured mailbox (or the one named), in configuration order."""
    facts = []
    for box in workspace.config.mailboxes:
        if only is not None and box.name != only:
            continue
        if isinstance(box, ImapMailbox):
            facts.append(_imap_facts(workspace, box, environ))
        else:
            facts.append(_maildir_facts(workspace, box))
    return facts


def _imap_facts(workspace: Workspace, box: ImapMailbox, environ: Mapping[str, str]) -> MailboxFacts:
    with imap_session(box, root=workspace.root, environ=environ) as client:
        offered = {bytes(c).upper() for c in client.capabilities()}
        listed = server_folders(client)
    roles = [RoleFolder("inbox", "INBOX", "IMAP")]
    for role in (Role.SENT, Role.DRAFTS):
        setting = box.sent_folder if role is Role.SENT else box.drafts_folder
        found = listed.find(role, setting)
        if found is None:
            roles.append(RoleFolder(role.value, None, setting_hint(role)))
        else:
            roles.append(RoleFolder(role.value, found.folder, _how(found.by)))
    delimiters = {f.delimiter for f in listed.listing if f.delimiter}
    return MailboxFacts(
        name=box.name,
        where=mailbox_label(box).split("(", 1)[1].rstrip(")"),
        capabilities=tuple((cap, cap.encode() in offered) for cap, _ in CAPABILITIES),
        prefixes=listed.prefixes,
        delimiter=delimiters.pop() if len(delimiters) == 1 else None,
        roles=tuple(roles),
        folders=tuple(f.name for f in listed.listing if f.selectable),
    )


def _how(by: FoundBy) -> str:
    return {
        FoundBy.SETTING: "your setting",
        FoundBy.SPECIAL_USE: "marked by SPECIAL-USE",
        FoundBy.NAME: "by its name",
    }[by]


def _maildir_facts(workspace: Workspace, box: MaildirMailbox) -> MailboxFacts:
    folders = maildir_folders(workspace.path(box.path), box.folders, mailbox=box.name)
    roles = [RoleFolder(f.role.value, f.name, "by its name") for f in folders]
    return MailboxFacts(
        name=box.name,
        where=str(workspace.path(box.path)),
        capabilities=(),
        prefixes=(),
        delimiter=None,
        roles=tuple(r for r in roles if r.role != FolderRole.OTHER.value),
        folders=tuple(f.name for f in folders),
    )


__all__ = ["CAPABILITIES", "MailboxFacts", "RoleFolder", "describe_mailboxes"]
