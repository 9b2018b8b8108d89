"""outreach's own copies in the mailbox: removing a pushed draft, filing a sent one.

Besides pushing drafts, these are the only changes outreach makes to a
mailbox. A draft copy outreach pushed is removed once that draft was sent,
edited or discarded: found by the Message-ID outreach generated (checked
exactly, and flagged \\Draft), then `UID STORE +FLAGS (\\Deleted)` and
`UID EXPUNGE` of that UID alone (RFC 4315 UIDPLUS). Without UIDPLUS the copy
stays: a plain EXPUNGE would also remove what other clients marked \\Deleted.
Mail sent over SMTP gets a copy in Sent with \\Seen, as mail clients do,
except on Gmail (X-GM-EXT-1), which files sent mail itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient  # type: ignore[import-untyped]

from outreach.core.config import ImapMailbox
from outreach.core.folders import Role
from outreach.core.headers import message_id, parse_header_block
from outreach.mail.imap.connection import find_role_folder, imap_session, mailbox_label
from outreach.mail.imap.drafts_push import drafts_folder

_ID_FIELD = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True, slots=True)
class SentCopy:
    message_id: str
    data: bytes
    sent_at: datetime  # timezone-aware


@dataclass
class CopiesOutcome:
    removed: list[str] = field(default_factory=list)  # Message-IDs whose Drafts copy went
    filed: list[str] = field(default_factory=list)  # Message-IDs filed in Sent
    notes: list[str] = field(default_factory=list)  # what was left as it is, and why


def _own_uids(client: IMAPClient, mid: str) -> list[int]:
    """UIDs in the selected folder of drafts with exactly this Message-ID.

    SEARCH HEADER matches substrings (RFC 3501 §6.4.4): the header is read
    back and compared whole, and only \\Draft-flagged messages are taken.
    """
    uids = client.search(["HEADER", "Message-ID", mid])
    if not uids:
        return []
    response = client.fetch(uids, [b"FLAGS", b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    own = []
    for uid, data in response.items():
        raw = data.get(_ID_FIELD)
        flags = {f.lower() for f in data.get(b"FLAGS", ())}
        exact = isinstance(raw, bytes) and message_id(parse_header_block(raw)) == mid
        if exact and b"\\draft" in flags:
            own.append(int(uid))
    return sorted(own)


def _leave(client: IMAPClient, folder: str) -> None:
    """Deselect without expunging: UNSELECT (RFC 3691), else EXAMINE the same folder.

    Never CLOSE: it would expunge every \\Deleted message, other clients' too
    (RFC 3501 §6.4.2); a new selection deselects without expunging (§6.3.1).
    """
    if b"UNSELECT" in client.capabilities():
        client.unselect_folder()
    else:
        client.select_folder(folder, readonly=True)


def _remove_drafts(
    client: IMAPClient,
    mailbox: ImapMailbox,
    message_ids: Sequence[str],
    outcome: CopiesOutcome,
) -> None:
    label = mailbox_label(mailbox)
    folder = drafts_folder(client, mailbox)
    if b"UIDPLUS" not in client.capabilities():
        outcome.notes.append(
            f"{label}: the server lacks UIDPLUS, so outreach cannot remove only its own"
            f" copies: {len(message_ids)} left in {folder}; delete them in your mail client"
        )
        return
    client.select_folder(folder, readonly=False)
    try:
        for mid in message_ids:
            for uid in _own_uids(client, mid):
                client.add_flags([uid], [b"\\Deleted"], silent=True)
                client.uid_expunge([uid])
                outcome.removed.append(mid)
    finally:
        _leave(client, folder)


def _file_sent(
    client: IMAPClient, mailbox: ImapMailbox, copies: Sequence[SentCopy], outcome: CopiesOutcome
) -> None:
    if b"X-GM-EXT-1" in client.capabilities():
        return  # Gmail files what its SMTP server sends (a second copy would show twice)
    label = mailbox_label(mailbox)
    found = find_role_folder(client, mailbox, Role.SENT)
    folder = None if found is None else found.folder
    if folder is None:
        outcome.notes.append(f"{label}: no Sent folder found; no copy of the sent mail filed")
        return
    client.select_folder(folder, readonly=True)
    try:
        waiting = [c for c in copies if not client.search(["HEADER", "Message-ID", c.message_id])]
    finally:
        _leave(client, folder)
    for copy in waiting:
        client.append(folder, copy.data, flags=(b"\\Seen",), msg_time=copy.sent_at)
        outcome.filed.append(copy.message_id)


def tidy_copies(
    mailbox: ImapMailbox,
    *,
    remove: Sequence[str] = (),
    file_sent: Sequence[SentCopy] = (),
    root: Path,
    environ: Mapping[str, str],
) -> CopiesOutcome:
    """Remove outreach's pushed copies of these drafts; file copies of sent mail in Sent."""
    outcome = CopiesOutcome()
    if not remove and not file_sent:
        return outcome
    with imap_session(mailbox, root=root, environ=environ) as client:
        if remove:
            _remove_drafts(client, mailbox, remove, outcome)
        if file_sent:
            _file_sent(client, mailbox, file_sent, outcome)
    return outcome
