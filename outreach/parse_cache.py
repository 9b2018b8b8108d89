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
from pathlib import PurePath

from outreach import __version__
from outreach.model import Event, Roster

CACHE_FILE = PurePath(".outreach-cache") / "workspace.pickle"


def cache_key(*parts: str | None) -> bytes:
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        encoded = b"\x00missing" if part is None else part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.digest()


def encode(key: bytes, roster: Roster, events: tuple[Event, ...]) -> bytes:
    return key + pickle.dumps((roster, events), protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes, key: bytes) -> tuple[Roster, tuple[Event, ...]] | None:
    """The cached roster and events, or None when `data` was stored under another key."""
    # The cache is the tool's own file in the user's workspace; the key is
    # checked before anything is unpickled.
    if not data.startswith(key):
        return None
    try:
        roster, events = pickle.loads(data[len(key) :])
    except Exception:  # a damaged cache is only a miss
        return None
    if not isinstance(roster, Roster) or not isinstance(events, tuple):
        return None
    return roster, events
