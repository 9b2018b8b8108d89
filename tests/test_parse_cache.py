"""The parsed-workspace cache: used when nothing changed, never when anything did.

It is JSON in a folder only its owner can enter; one that someone else could
have written is ignored and replaced.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Contact, Event, Roster, Why
from outreach.store.cache import CACHE_DIR, CACHE_FILE, cache_key, read_cache, write_cache
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
    (ws / CACHE_FILE).write_bytes(data[:100] + b"garbage")
    assert "ana" in load_workspace(ws).roster


def test_the_cache_is_private_json(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    assert stat.S_IMODE((ws / CACHE_DIR).stat().st_mode) == 0o700
    assert stat.S_IMODE((ws / CACHE_FILE).stat().st_mode) == 0o600
    key, _, body = (ws / CACHE_FILE).read_bytes().partition(b"\n")
    assert len(key) == 64
    assert [c[0] for c in json.loads(body)["contacts"]] == ["ana", "ben"]


def _plant(ws: Path) -> None:
    """Replace the cache's contacts with someone else's, under the right key."""
    path = ws / CACHE_FILE
    key, _, body = path.read_bytes().partition(b"\n")
    data = json.loads(body)
    data["contacts"][0][0] = "mallory"
    path.write_bytes(key + b"\n" + json.dumps(data).encode())
    assert "mallory" in load_workspace(ws).roster  # the planted cache is used while private


@pytest.mark.parametrize("loose", [0o620, 0o602, 0o644])
def test_a_cache_others_could_write_or_read_is_ignored_and_replaced(
    tmp_path: Path, loose: int
) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    _plant(ws)
    os.chmod(ws / CACHE_FILE, loose)
    assert sorted(c.id for c in load_workspace(ws).roster) == ["ana", "ben"]
    assert stat.S_IMODE((ws / CACHE_FILE).stat().st_mode) == 0o600
    assert "mallory" not in load_workspace(ws).roster


def test_a_cache_folder_others_could_write_is_ignored_and_closed(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    _plant(ws)
    os.chmod(ws / CACHE_DIR, 0o777)
    assert sorted(c.id for c in load_workspace(ws).roster) == ["ana", "ben"]
    assert stat.S_IMODE((ws / CACHE_DIR).stat().st_mode) == 0o700
    assert "mallory" not in load_workspace(ws).roster


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_cache_another_user_owns_is_ignored_and_replaced(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    _plant(ws)
    os.chown(ws / CACHE_FILE, 65534, 65534)
    assert sorted(c.id for c in load_workspace(ws).roster) == ["ana", "ben"]
    assert (ws / CACHE_FILE).stat().st_uid == os.geteuid()


def test_a_cache_that_is_a_symbolic_link_is_ignored(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    load_workspace(ws)
    _plant(ws)
    elsewhere = tmp_path / "elsewhere.json"
    (ws / CACHE_FILE).rename(elsewhere)
    (ws / CACHE_FILE).symlink_to(elsewhere)
    assert "mallory" not in load_workspace(ws).roster


def test_data_stored_under_another_key_is_not_read(tmp_path: Path) -> None:
    write_cache(tmp_path, cache_key("a"), Roster.of(()), ())
    assert read_cache(tmp_path, cache_key("b")) is None
    assert read_cache(tmp_path, cache_key("a")) == (Roster.of(()), ())


def test_every_field_survives_the_round_trip(tmp_path: Path) -> None:
    # Fails when a field is added to Contact or Event and the cache forgets it.
    berlin = ZoneInfo("Europe/Berlin")
    contact = Contact(
        "ana",
        "Ana Lima",
        ("ana@example.net", "a@example.org"),
        "focus",
        (Why.LEARN, Why.CONNECT),
        ("art",),
        21,
        "Open Studio",
        "Met at the convening.",
        ("https://example.net/ana",),
    )
    events = (
        Event(
            "salon",
            "Salon",
            "ana",
            # The second 02:30 of the night summer time ends (fold=1).
            datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1),
            datetime(2026, 10, 25, 4, 0, tzinfo=berlin),
            "https://example.org/salon",
            "Library",
            "Talks.",
            ("art",),
            ("tag:art",),
        ),
        Event("fair", "Fair", "me", datetime.fromisoformat("2026-05-01T18:00:00-04:00")),
    )
    write_cache(tmp_path, cache_key("x"), Roster.of([contact]), events)
    cached = read_cache(tmp_path, cache_key("x"))
    assert cached is not None
    roster, read_events = cached
    assert roster.contacts == (contact,)
    assert read_events == events
    assert read_events[0].start.tzinfo is berlin and read_events[0].start.fold == 1
    assert read_events[1].start.utcoffset() == events[1].start.utcoffset()


def test_the_pickle_of_earlier_versions_is_removed_unread(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    (ws / CACHE_DIR).mkdir(mode=0o700)
    # Unpickled, this would run `false`; nothing reads it, and the new cache replaces it.
    (ws / CACHE_DIR / "workspace.pickle").write_bytes(b"cos\nsystem\n(S'false'\ntR.")
    assert "ana" in load_workspace(ws).roster
    assert sorted(p.name for p in (ws / CACHE_DIR).iterdir()) == ["workspace.json"]
