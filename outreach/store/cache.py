"""A cache of the validated roster and events, as JSON only its owner can write.

Parsing and validating a 10,000-contact roster costs most of a second and
every command pays it. Only a *clean* result is stored, under a key made of
the three files' text and paths and of the code that decides validation
(outreach's base and core, email-validator, idna, Python), so an edit or
an upgrade misses the cache and validates afresh. The file is JSON, which
cannot run code, in a folder of mode 0700 holding a file of mode 0600; one
that another user owns, or that others could write, is ignored and replaced.
Without POSIX owners and modes (Windows) there is no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any
from zoneinfo import ZoneInfo

from outreach import __version__
from outreach.base.model import Contact, Event, Moved, Recurrence, Roster, Why

CACHE_DIR = PurePath(".outreach-cache")
CACHE_FILE = CACHE_DIR / "workspace.json"
_OLD_CACHE_FILE = CACHE_DIR / "workspace.pickle"
# Bumped when the layout of the JSON below changes.
_FORMAT = "outreach-cache 2"
# Packages whose code decides whether a roster or events file is valid.
_VALIDATING_PACKAGES = ("outreach.base", "outreach.core", "email_validator", "idna")

_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))
_EVENT_FIELDS = tuple(f.name for f in fields(Event))
_WHY = {w.value: w for w in Why}
_OWNER_ONLY = 0o077  # no permission bit for group or others


def cache_key(*parts: str | None) -> str:
    """A hex digest of `parts` (None stands for a missing file) and of the validating code."""
    digest = hashlib.sha256(_code_fingerprint())
    for part in parts:
        encoded = b"\x00missing" if part is None else part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """Versions, and the path, size and mtime of each source file of the validating packages.

    Found without importing them (email-validator costs 20 ms to import, which
    a cached load need not pay); an editable install that changes the code
    changes the stat of the file, where the version string stays the same.
    """
    digest = hashlib.sha256(f"{_FORMAT}\0{__version__}\0{sys.version}".encode())
    for name in _VALIDATING_PACKAGES:
        spec = importlib.util.find_spec(name)
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        for folder in folders:
            for path in sorted(Path(folder).glob("*.py")):
                info = path.stat()
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.digest()


def read_cache(root: Path, key: str | None) -> tuple[Roster, tuple[Event, ...]] | None:
    """The roster and events cached under `key` in workspace `root`, or None.

    A `key` of None takes whatever clean roster and events were stored last:
    for read-only views while a file does not validate, the contacts as they
    were when last read are better than none (the view says so). None too
    when the cache is missing, damaged, stored under another key, or
    not private to this user: owned by another user, a symbolic link, or
    writable or readable by others (its folder included).
    """
    if not hasattr(os, "geteuid"):
        return None
    folder = root / CACHE_DIR
    try:
        if not _private(os.lstat(folder), stat.S_ISDIR):
            return None
        descriptor = os.open(root / CACHE_FILE, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as file:
            # Checked on the open file, so it cannot be swapped after the check.
            if not _private(os.fstat(file.fileno()), stat.S_ISREG):
                return None
            data = file.read()
    except OSError:
        return None
    stored_key, _, body = data.partition(b"\n")
    if key is not None and stored_key != key.encode():
        return None
    try:
        return _decode(json.loads(body))
    except Exception:  # a damaged cache, whatever the damage, is only a miss
        return None


def write_cache(root: Path, key: str, roster: Roster, events: tuple[Event, ...]) -> None:
    """Store the validated roster and events; quietly does nothing where it cannot do so safely.

    A read-only workspace, or a cache folder another user owns, still works:
    only slower, validating on every command.
    """
    if not hasattr(os, "geteuid"):
        return
    folder = root / CACHE_DIR
    payload = key.encode() + b"\n" + json.dumps(_encode(roster, events)).encode()
    with contextlib.suppress(OSError):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return
        if stat.S_IMODE(info.st_mode) & _OWNER_ONLY:
            os.chmod(folder, 0o700)
        # mkstemp creates the file with mode 0600; renaming it over the old
        # cache replaces whatever stood there, whoever made it.
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".workspace-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(payload)
            os.replace(temporary, root / CACHE_FILE)
            # The pickle earlier versions kept here is never read again.
            (root / _OLD_CACHE_FILE).unlink(missing_ok=True)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _private(info: os.stat_result, kind: Any) -> bool:
    return (
        bool(kind(info.st_mode))
        and info.st_uid == os.geteuid()
        and not (stat.S_IMODE(info.st_mode) & _OWNER_ONLY)
    )


def _encode(roster: Roster, events: tuple[Event, ...]) -> dict[str, Any]:
    # Rows of field values in order: names repeated 10,000 times would double
    # the file and the time to read it. The stored names guard against a model
    # change the code fingerprint missed.
    return {
        "contact_fields": _CONTACT_FIELDS,
        "contacts": [[getattr(c, name) for name in _CONTACT_FIELDS] for c in roster],
        "event_fields": _EVENT_FIELDS,
        "events": [[_value(getattr(e, name)) for name in _EVENT_FIELDS] for e in events],
    }


def _value(value: Any) -> Any:
    """An event field as JSON: times keep their named zone, a recurrence its parts."""
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, Recurrence):
        return {
            "rule": value.rule,
            "extra": [_moment(m) for m in value.extra],
            "skipped": [_moment(m) for m in value.skipped],
            "moved": [
                [_moment(m.original), _moment(m.start), m.end and _moment(m.end)]
                for m in value.moved
            ],
        }
    return value


def _moment(value: datetime) -> list[Any]:
    """A datetime as [wall time, zone name or None, fold]: a named zone stays named."""
    if isinstance(value.tzinfo, ZoneInfo):
        return [value.replace(tzinfo=None).isoformat(), value.tzinfo.key, value.fold]
    return [value.isoformat(), None, value.fold]


def _from_moment(value: list[Any]) -> datetime:
    text, zone, fold = value
    moment = datetime.fromisoformat(text)
    if zone is not None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.replace(fold=fold)


def _recurrence(value: dict[str, Any] | None) -> Recurrence | None:
    if value is None:
        return None
    return Recurrence(
        rule=value["rule"],
        extra=tuple(_from_moment(m) for m in value["extra"]),
        skipped=tuple(_from_moment(m) for m in value["skipped"]),
        moved=tuple(
            Moved(_from_moment(a), _from_moment(b), None if c is None else _from_moment(c))
            for a, b, c in value["moved"]
        ),
    )


def _optional_moment(value: list[Any] | None) -> datetime | None:
    return None if value is None else _from_moment(value)


def _as_tuple(value: Any) -> Any:
    return tuple(value) if type(value) is list else value


# How each stored event field becomes the model's value again; lists are tuples.
_EVENT_DECODERS: dict[str, Callable[[Any], Any]] = {
    "start": _from_moment,
    "end": _optional_moment,
    "recurrence": _recurrence,
}
_WHY_AT = _CONTACT_FIELDS.index("why")


def _decode(data: dict[str, Any]) -> tuple[Roster, tuple[Event, ...]] | None:
    if tuple(data["contact_fields"]) != _CONTACT_FIELDS:
        return None
    if tuple(data["event_fields"]) != _EVENT_FIELDS:
        return None
    contacts = []
    for row in data["contacts"]:
        values: list[Any] = [tuple(v) if type(v) is list else v for v in row]
        values[_WHY_AT] = tuple(_WHY[w] for w in row[_WHY_AT])
        contacts.append(Contact(*values))
    decoders = [_EVENT_DECODERS.get(name, _as_tuple) for name in _EVENT_FIELDS]
    events = tuple(
        Event(*[decode(value) for decode, value in zip(decoders, row, strict=True)])
        for row in data["events"]
    )
    return Roster.of(contacts), events


__all__ = ["CACHE_DIR", "CACHE_FILE", "cache_key", "read_cache", "write_cache"]
