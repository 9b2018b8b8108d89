"""Tests that need a program from outside Python: skip without it, unless told not to.

On a developer's machine without Dovecot, Chromium or Node the tests that need
them skip, with the reason. CI sets OUTREACH_REQUIRE_SERVERS=1, and then the
same missing program fails those tests, so a runner without it cannot turn
green by testing less.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_ENV = "OUTREACH_REQUIRE_SERVERS"
# Where Debian puts daemons: not on an ordinary user's PATH.
_SYSTEM_BIN = ("/usr/sbin", "/usr/local/sbin")


def servers_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")


def require(missing: str | None) -> None:
    """Skip the test because of `missing`, or fail it when required; nothing when it is None.

    Call it in a test or a fixture (a session fixture that fails fails every
    test that uses it).
    """
    if missing is None:
        return
    if servers_required():
        pytest.fail(f"{missing} ({REQUIRE_ENV}=1: not skipped)", pytrace=False)
    pytest.skip(missing)


def find_program(*names: str) -> str | None:
    """The path of the first of `names` found on PATH or in the system's sbin folders."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *_SYSTEM_BIN])
    for name in names:
        found = shutil.which(name, path=search)
        if found is not None:
            return found
    return None


def require_program(*names: str, install: str) -> str:
    """The path of the first of `names` found; else `require` fails or skips, naming `install`."""
    found = find_program(*names)
    if found is None:
        require(f"needs {' or '.join(names)}: {install}")
        raise AssertionError("unreachable: require() skips or fails")  # pragma: no cover
    return found


__all__ = ["REQUIRE_ENV", "find_program", "require", "require_program", "servers_required"]
