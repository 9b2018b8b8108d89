"""The parsed-workspace cache: used when nothing changed, never when anything did."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.base.errors import InputError
from outreach.store.cache import CACHE_FILE, cache_key, decode, encode
from outreach.store.workspace import load_workspace
from tests.support.workspaces import make_workspace


def test_second_load_comes_from_the_cache_and_equals_a_fresh_parse(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    fresh = load_workspace(ws)
    stored = (ws / CACHE_FILE).stat()
    cached = load_workspace(ws)
    # A miss would have rewritten the cache file (atomically: a new inode).
    assert (ws / CACHE_FILE).stat().st_ino == stored.st_ino
    assert cached.roster.contacts == fresh.roster.contacts
    assert cached.roster.by_address("BEN.OKAFOR@example.com") == fresh.roster["ben"]


def test_an_edited_roster_misses_the_cache(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    with (ws / "roster.toml").open("a") as roster:
        roster.write('\n[contacts.cy]\nname = "Cy"\nemails = ["cy@example.org"]\n')
    assert "cy" in load_workspace(ws).roster


def test_an_edited_config_misses_the_cache(tmp_path: Path) -> None:
    # Validation depends on the circles the config defines.
    ws = make_workspace(
        tmp_path / "ws",
        roster='[contacts.a]\nname = "A"\nemails = ["a@example.net"]\ncircle = "inner"\n',
        extra_config="[circles.inner]\ncadence_days = 7\n",
    )
    load_workspace(ws)
    (ws / "outreach.toml").write_text('[me]\nname = "Dana"\nemail = "dana@example.org"\n')
    with pytest.raises(InputError):
        load_workspace(ws)


def test_a_damaged_cache_is_only_a_miss(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    data = (ws / CACHE_FILE).read_bytes()
    (ws / CACHE_FILE).write_bytes(data[:40] + b"garbage")
    assert "ana" in load_workspace(ws).roster


def test_data_stored_under_another_key_is_not_decoded() -> None:
    from outreach.base.model import Roster

    stored = encode(cache_key("a"), Roster.of(()), ())
    assert decode(stored, cache_key("b")) is None
    assert decode(stored, cache_key("a")) == (Roster.of(()), ())
