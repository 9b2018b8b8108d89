"""Output cut short by its reader (`| head`) ends quietly with 128 + SIGPIPE.

Run as a user does: the real command in a subprocess, piped into `head -1`,
with enough output (3,000 contacts) to fill the pipe long before the end.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.workspaces import make_workspace

CONTACTS = 3_000


def big_roster() -> str:
    return "".join(
        f'[contacts.c{n:04d}]\nname = "Contact {n}"\nemails = ["c{n}@example.net"]\n'
        f'tags = ["art"]\n\n'
        for n in range(CONTACTS)
    )


@pytest.fixture(scope="module")
def big_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("pipes") / "ws", roster=big_roster())


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head(1)")
@pytest.mark.parametrize(
    "command",
    [
        "contacts list",
        "contacts export --format csv",
        "--as-of 2026-06-15 report",
        "--as-of 2026-06-15 report --format json",
        "--help",
    ],
)
def test_a_reader_that_stops_early_gets_no_traceback(big_workspace: Path, command: str) -> None:
    outreach = f"{shlex.quote(sys.executable)} -m outreach --home {shlex.quote(str(big_workspace))}"
    # pipefail: the shell's status is outreach's own, not head's.
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{outreach} {command} | head -1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
    assert done.returncode in (0, 141)  # 0 only when everything fit in the pipe at once


def test_a_long_listing_cut_short_exits_141(big_workspace: Path) -> None:
    outreach = f"{shlex.quote(sys.executable)} -m outreach --home {shlex.quote(str(big_workspace))}"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{outreach} contacts list | head -1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        141,
        "ID     NAME          CIRCLE    WHY  TAGS  EMAIL\n",
        "",
    )
