"""A cache of the validated roster and events, keyed by the files' exact text.

Parsing and validating a 10,000-contact roster costs about half a second,
mostly TOML parsing, and every command pays it. Only a *clean* result is
stored, keyed by a hash of the config, roster and events text, their paths
and the outreach version, so any edit or upgrade misses the cache and
validates afresh. Pure: the workspace edge reads and writes the bytes.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import fields
from pathlib import PurePath

from outreach import __version__
from outreach.base.model import Contact, Event, Roster

CACHE_FILE = PurePath(".outreach-cache") / "workspace.pickle"


def cache_key(*parts: str | None) -> bytes:
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        encoded = b"\x00missing" if part is None else part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.digest()


# Contacts are stored as plain tuples of their fields and rebuilt: unpickling
# slotted dataclasses one attribute at a time took twice as long.
_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))
# Events are pickled whole; their field names guard against a cache written
# by a build whose Event had other fields.
_EVENT_FIELDS = tuple(f.name for f in fields(Event))


def encode(key: bytes, roster: Roster, events: tuple[Event, ...]) -> bytes:
    contacts = [tuple(getattr(c, name) for name in _CONTACT_FIELDS) for c in roster]
    payload = ((_CONTACT_FIELDS, _EVENT_FIELDS), contacts, events)
    return key + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


def decode_last_good(data: bytes) -> tuple[Roster, tuple[Event, ...]] | None:
    """Whatever clean roster and events were stored last, under any key.

    For read-only views while a file does not validate: the contacts as they
    were when last read are better than none, and the view says so.
    """
    return decode(data, data[: hashlib.sha256().digest_size])


def decode(data: bytes, key: bytes) -> tuple[Roster, tuple[Event, ...]] | None:
    """The cached roster and events, or None when `data` was stored under another key."""
    # The cache is the tool's own file in the user's workspace; the key is
    # checked before anything is unpickled.
    if not data.startswith(key):
        return None
    try:
        names, contacts, events = pickle.loads(data[len(key) :])
        if names != (_CONTACT_FIELDS, _EVENT_FIELDS) or not isinstance(events, tuple):
            return None
        roster = Roster.of(Contact(*values) for values in contacts)
    except Exception:  # a damaged cache is only a miss
        return None
    return roster, events
