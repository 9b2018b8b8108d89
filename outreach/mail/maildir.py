"""Read a local Maildir, Maildir++ tree or folder of Maildirs: folders, file keys, headers.

An edge that only reads: it never renames a file (so nothing moves from new/
to cur/), never changes a flag in a file name and never opens tmp/. It reads
each message's header block and nothing past it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from outreach.base.errors import MailboxError
from outreach.core.match import FolderRole, role_by_name

INBOX = "INBOX"
_MESSAGE_DIRS = ("new", "cur")
_SKIP_DIRS = frozenset({"new", "cur", "tmp"})
_MAX_DEPTH = 4  # folders of Maildirs nest a few levels at most
_CHUNK = 16 * 1024
# A header longer than this is read no further: the message is left unjudged
# (`oversized`), never cut and classified, since the fields that mark a robot
# (Auto-Submitted, List-Id) may sit after the cut.
HEADER_LIMIT = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MaildirFolder:
    name: str  # INBOX for the root, "Sent" for Maildir++ ".Sent" or a "Sent/" Maildir
    path: Path
    role: FolderRole


@dataclass(frozen=True, slots=True)
class MaildirHeader:
    raw: bytes  # the header block, up to and including the blank line
    delivered_at: datetime  # the file's mtime: Dovecot and most MDAs set it to delivery time
    oversized: bool = False  # no end of header within HEADER_LIMIT: raw is empty


def _is_maildir(path: Path) -> bool:
    return any((path / sub).is_dir() for sub in _MESSAGE_DIRS)


def _directories(path: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return sorted((e for e in entries if e.is_dir()), key=lambda e: e.name)
    except OSError:
        return []


def _nested(path: Path, name: str, depth: int) -> list[tuple[str, Path]]:
    """`path` and the Maildirs below it, named as folder paths ("Archive/2024")."""
    found = [(name, path)] if _is_maildir(path) else []
    if depth < _MAX_DEPTH:
        for entry in _directories(path):
            if entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                found += _nested(Path(entry.path), f"{name}/{entry.name}", depth + 1)
    return found


def maildir_folders(root: Path, wanted: Sequence[str] = (), *, mailbox: str) -> list[MaildirFolder]:
    """The folders under `root`; all of them unless `wanted` names some.

    `root` itself is INBOX when it is a Maildir; Maildir++ folders (".Sent",
    ".Archive.2024") and plain sub-Maildirs ("Sent/", "Archive/2024/") follow.
    """
    if not root.is_dir():
        raise MailboxError(f"mailbox '{mailbox}': {root} is not a folder")
    found: dict[str, Path] = {}
    if _is_maildir(root):
        found[INBOX] = root
    for entry in _directories(root):
        child = Path(entry.path)
        if entry.name.startswith("."):
            if _is_maildir(child):  # Maildir++
                found.setdefault(entry.name[1:], child)
        elif entry.name not in _SKIP_DIRS:
            for name, path in _nested(child, entry.name, 1):
                found.setdefault(name, path)
    if not found:
        raise MailboxError(
            f"mailbox '{mailbox}': {root} holds no Maildir (no cur/ or new/ folder in it"
            " or its subfolders)"
        )
    if wanted:
        missing = [w for w in wanted if w not in found]
        if missing:
            raise MailboxError(
                f"mailbox '{mailbox}': no folder {', '.join(repr(m) for m in missing)} in"
                f" {root}; found {', '.join(found)}"
            )
        names = list(wanted)
    else:
        names = list(found)
    return [MaildirFolder(n, found[n], role_by_name(n)) for n in names]


def file_key(file_name: str) -> str:
    """A message's lasting key: its unique name, without the ":2,FLAGS" info that changes."""
    return file_name.split(":", 1)[0]


def message_files(folder: MaildirFolder) -> dict[str, Path]:
    """Every message file in new/ and cur/, by key (files being delivered sit in tmp/)."""
    files: dict[str, Path] = {}
    for sub in _MESSAGE_DIRS:
        directory = folder.path / sub
        try:
            entries = os.scandir(directory)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise MailboxError(f"{directory}: cannot list: {exc.strerror}") from exc
        with entries:
            for entry in entries:
                if not entry.name.startswith("."):
                    files[file_key(entry.name)] = Path(entry.path)
    return files


def read_header(path: Path) -> MaildirHeader | None:
    """The header block of one message file; None when the file has gone.

    Another client may move a file from new/ to cur/ or delete it between
    listing and reading: that is not an error, the next run finds it again.
    """
    try:
        with open(path, "rb") as handle:
            delivered = os.fstat(handle.fileno()).st_mtime
            data = handle.read(_CHUNK)
            while b"\n\n" not in data and b"\n\r\n" not in data and len(data) <= HEADER_LIMIT:
                more = handle.read(_CHUNK)
                if not more:
                    break
                data += more
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return None
    except OSError as exc:
        raise MailboxError(f"{path}: cannot read: {exc.strerror}") from exc
    moment = datetime.fromtimestamp(delivered, UTC)
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\n\r\n")) if i >= 0]
    if ends:
        end = min(ends)
        if end > HEADER_LIMIT:
            return MaildirHeader(b"", moment, oversized=True)
        data = data[: end + (2 if data[end + 1 : end + 2] == b"\n" else 3)]
    elif len(data) > HEADER_LIMIT:
        return MaildirHeader(b"", moment, oversized=True)
    return MaildirHeader(data, moment)


def read_body_start(path: Path, limit: int) -> bytes:
    """The first `limit` bytes of a message's body (after the header block); b"" if gone."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(HEADER_LIMIT + limit)
    except OSError:
        return b""
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\n\r\n")) if i >= 0]
    if not ends:
        return b""
    end = min(ends)
    start = end + (2 if data[end + 1 : end + 2] == b"\n" else 3)
    return data[start : start + limit]


def read_message_start(path: Path, limit: int) -> bytes | None:
    """The first `limit` bytes of one message file (a reply's answer); None when gone."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as exc:
        raise MailboxError(f"{path}: cannot read: {exc.strerror}") from exc


__all__ = [
    "HEADER_LIMIT",
    "INBOX",
    "MaildirFolder",
    "MaildirHeader",
    "file_key",
    "maildir_folders",
    "message_files",
    "read_body_start",
    "read_header",
    "read_message_start",
]
