"""Pytest fixtures for the private Dovecot: one server per session, a fresh user per test.

Loaded as a plugin by tests/conftest.py. Skips when Dovecot is not installed
(fails instead with OUTREACH_REQUIRE_SERVERS=1, see `require`); any other
failure to start the server fails the tests that need it. The hoodiecrow-imap
server (Node.js) is started fresh for each test that asks for it.
"""

from __future__ import annotations

import itertools
import re
import secrets
import shutil
from collections.abc import Iterator

import pytest

from tests.support.dovecot import (
    DovecotServer,
    MailUser,
    dovecot_missing,
    make_server_dir,
)
from tests.support.hoodiecrow import HoodiecrowServer, hoodiecrow_missing
from tests.support.require import require

DOVECOT_FIXTURES = frozenset({"dovecot", "poor_dovecot", "mail_user"})
HOODIECROW_FIXTURES = frozenset({"hoodiecrow"})
_user_numbers = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that use the server carry the marker, so `-m "not dovecot"` leaves them out.
    for item in items:
        if DOVECOT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.dovecot)
        if HOODIECROW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.hoodiecrow)


def _running_server(*, poor: bool) -> Iterator[DovecotServer]:
    require(dovecot_missing())
    base = make_server_dir()
    try:
        server = DovecotServer.start(base / "server", poor=poor)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A private Dovecot with IDLE and SPECIAL-USE, shared by the whole session."""
    yield from _running_server(poor=False)


@pytest.fixture(scope="session")
def poor_dovecot() -> Iterator[DovecotServer]:
    """A private Dovecot that offers neither IDLE nor SPECIAL-USE, shared by the session."""
    yield from _running_server(poor=True)


@pytest.fixture
def mail_user(dovecot: DovecotServer, request: pytest.FixtureRequest) -> MailUser:
    """A new user of the session's server with empty INBOX, Drafts, Sent, Trash, Junk."""
    return dovecot.add_user(unique_user_name(request.node.name), secrets.token_urlsafe(12))


def unique_user_name(hint: str) -> str:
    """A user name no other test of this session has, readable in the server's logs."""
    slug = re.sub(r"[^a-z0-9]+", "-", hint.lower()).strip("-")[:40] or "user"
    return f"{slug}-{next(_user_numbers)}"


# --- hoodiecrow-imap: the second server -----------------------------------------

_hoodiecrow_missing: list[str | None] = []


def skip_without_hoodiecrow() -> None:
    """The one place a missing hoodiecrow (no Node.js, npm failed) turns into a skip
    (a failure under OUTREACH_REQUIRE_SERVERS=1, as for Dovecot)."""
    if not _hoodiecrow_missing:
        _hoodiecrow_missing.append(hoodiecrow_missing())
    require(_hoodiecrow_missing[0])


@pytest.fixture
def hoodiecrow(request: pytest.FixtureRequest) -> Iterator[HoodiecrowServer]:
    """A fresh in-memory hoodiecrow server of the profile given by indirect parametrization.

    One per test: hoodiecrow keeps one mailbox for every login, so tests must not share it.
    """
    skip_without_hoodiecrow()
    server = HoodiecrowServer.start(getattr(request, "param", "courier"))
    try:
        yield server
    finally:
        server.stop()
