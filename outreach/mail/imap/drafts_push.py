"""Upload drafts to the IMAP Drafts folder (SPECIAL-USE, else by name), without duplicates.

An edge: the only code that changes a mailbox, and only by APPEND with
`\\Draft \\Seen` and an aware INTERNALDATE. Before appending it looks for each
draft's Message-ID in Drafts, so a retry after a connection lost mid-APPEND
appends nothing twice. No Drafts folder is an error; nothing is ever created.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient  # type: ignore[import-untyped]

from outreach.core.config import ImapMailbox
from outreach.core.folders import Role
from outreach.core.headers import message_id, parse_header_block
from outreach.mail.imap.connection import imap_session, require_role_folder

DRAFT_FLAGS = (b"\\Draft", b"\\Seen")
FETCH_BATCH = 1000  # UIDs per FETCH: imapclient sends them comma-joined
SEARCH_EACH_UP_TO = 20  # pushing a few drafts: SEARCH each; more: read every Message-ID once
_APPENDUID = re.compile(rb"\[APPENDUID \d+ ([0-9:,]+)\]", re.IGNORECASE)
APPEND_GROUP = 50  # drafts per MULTIAPPEND: one round trip each, a few hundred KB
_ID_FIELD = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True, slots=True)
class DraftUpload:
    key: int  # the caller's id for the draft
    message_id: str
    data: bytes
    msg_time: datetime  # timezone-aware: a naive time would be taken as local


@dataclass(frozen=True, slots=True)
class PushOutcome:
    key: int
    uid: int | None  # from APPENDUID or the search; None when the server gives neither
    already_there: bool


def drafts_folder(client: IMAPClient, mailbox: ImapMailbox) -> str:
    """The `drafts_folder` setting, the SPECIAL-USE \\Drafts folder, else one by its usual name."""
    return require_role_folder(client, mailbox, Role.DRAFTS)


def _ids_in_folder(client: IMAPClient) -> dict[str, int]:
    """Message-ID → UID for every message in the selected folder (header fetch, PEEK)."""
    found: dict[str, int] = {}
    uids = sorted(client.search("ALL"))
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start : start + FETCH_BATCH]
        response = client.fetch(batch, [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        for uid, data in response.items():
            raw = data.get(_ID_FIELD)
            if isinstance(raw, bytes):
                mid = message_id(parse_header_block(raw))
                if mid is not None:
                    found.setdefault(mid, int(uid))
    return found


def _search_id(client: IMAPClient, mid: str) -> int | None:
    uids = client.search(["HEADER", "Message-ID", mid])
    return int(max(uids)) if uids else None


def _uid_set(text: bytes) -> list[int] | None:
    """The UIDs of an `[APPENDUID v 3:5,9]` response, in order (RFC 4315 §3)."""
    match = _APPENDUID.search(text)
    if match is None:
        return None
    uids: list[int] = []
    for part in match.group(1).split(b","):
        first, _, last = part.partition(b":")
        low, high = int(first), int(last or first)
        uids.extend(range(low, high + 1) if low <= high else range(low, high - 1, -1))
    return uids


def _response_text(response: object) -> bytes:
    if isinstance(response, bytes):
        return response
    if isinstance(response, tuple | list):
        return b" ".join(_response_text(part) for part in response)
    return b""


def _append_each(
    client: IMAPClient, folder: str, uploads: Sequence[DraftUpload]
) -> list[int | None]:
    uids: list[int | None] = []
    for upload in uploads:
        response = client.append(folder, upload.data, flags=DRAFT_FLAGS, msg_time=upload.msg_time)
        found = _uid_set(_response_text(response))
        uids.append(found[0] if found else None)
    return uids


def _append_together(
    client: IMAPClient, folder: str, uploads: Sequence[DraftUpload]
) -> list[int | None]:
    """One MULTIAPPEND (RFC 3502): all of them are stored, or none, in one round trip."""
    response = client.multiappend(
        folder,
        [{"msg": u.data, "flags": DRAFT_FLAGS, "date": u.msg_time} for u in uploads],
    )
    found = _uid_set(_response_text(response))
    if found is None or len(found) != len(uploads):
        return [None] * len(uploads)
    return list(found)


def push_uploads(
    client: IMAPClient,
    folder: str,
    uploads: Sequence[DraftUpload],
    *,
    on_done: Callable[[list[PushOutcome]], None],
) -> list[PushOutcome]:
    """APPEND each upload whose Message-ID is not already in `folder`.

    `on_done` runs after each group stored (or found), so the caller records
    progress as it goes and an interruption loses nothing that was stored.
    """
    for upload in uploads:
        if upload.msg_time.tzinfo is None:
            raise ValueError("msg_time must be timezone-aware")
    # EXAMINE: reading Message-IDs must not change a flag (BODY.PEEK too).
    client.select_folder(folder, readonly=True)
    known = _ids_in_folder(client) if len(uploads) > SEARCH_EACH_UP_TO else None
    outcomes: list[PushOutcome] = []
    todo: list[DraftUpload] = []
    for upload in uploads:
        if known is not None:
            uid = known.get(upload.message_id)
        else:
            uid = _search_id(client, upload.message_id)
        if uid is None:
            todo.append(upload)
        else:
            outcomes.append(PushOutcome(upload.key, uid, already_there=True))
    if outcomes:
        on_done(list(outcomes))
    together = b"MULTIAPPEND" in client.capabilities() and len(todo) > 1
    for start in range(0, len(todo), APPEND_GROUP):
        group = todo[start : start + APPEND_GROUP]
        if together:
            uids = _append_together(client, folder, group)
        else:
            uids = _append_each(client, folder, group)
        done = [
            PushOutcome(u.key, uid, already_there=False) for u, uid in zip(group, uids, strict=True)
        ]
        on_done(done)
        outcomes.extend(done)
    return outcomes


def push_to_mailbox(
    mailbox: ImapMailbox,
    uploads: Iterable[DraftUpload],
    *,
    root: Path,
    environ: Mapping[str, str],
    on_done: Callable[[list[PushOutcome]], None],
) -> tuple[str, list[PushOutcome]]:
    """Open a session, find Drafts, push; returns the folder and outcomes."""
    items = list(uploads)
    with imap_session(mailbox, root=root, environ=environ) as client:
        folder = drafts_folder(client, mailbox)
        if not items:
            return folder, []
        return folder, push_uploads(client, folder, items, on_done=on_done)
