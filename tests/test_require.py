"""A missing server or browser skips a test, and fails it under OUTREACH_REQUIRE_SERVERS=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = """\
from tests.support.require import require, require_program

def test_a_missing_server():
    require("no frobnicator server here")

def test_a_missing_program():
    require_program("no-such-program-7f3a", install="apt-get install frobnicator")

def test_a_present_program():
    assert require_program("sh", install="it is always there").endswith("/sh")
"""


def run_pytest(tmp_path: Path, required: str | None) -> list[str]:
    """pytest's summary of the three tests: its "short test summary" lines and its last line."""
    (tmp_path / "test_needs.py").write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "OUTREACH_REQUIRE_SERVERS"}
    env["PYTHONPATH"] = str(ROOT)
    env["COLUMNS"] = "500"  # summary lines are cut to the terminal's width
    if required is not None:
        env["OUTREACH_REQUIRE_SERVERS"] = required
    options = ["-q", "-rsf", "-p", "no:cacheprovider", "--tb=no"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "test_needs.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.splitlines()
    return [line for line in lines if line.startswith(("SKIPPED", "FAILED"))] + lines[-1:]


@pytest.mark.parametrize("required", [None, "0", ""])
def test_without_the_requirement_a_missing_program_skips(
    tmp_path: Path, required: str | None
) -> None:
    skipped_1, skipped_2, last = run_pytest(tmp_path, required)
    assert skipped_1.endswith(": no frobnicator server here")
    assert skipped_2.endswith(": needs no-such-program-7f3a: apt-get install frobnicator")
    assert last.startswith("1 passed, 2 skipped in ")


def test_with_the_requirement_a_missing_program_fails(tmp_path: Path) -> None:
    assert [line.partition(" in ")[0] for line in run_pytest(tmp_path, "1")] == [
        "FAILED test_needs.py::test_a_missing_server - Failed: no frobnicator server here"
        " (OUTREACH_REQUIRE_SERVERS=1: not skipped)",
        "FAILED test_needs.py::test_a_missing_program - Failed: needs no-such-program-7f3a:"
        " apt-get install frobnicator (OUTREACH_REQUIRE_SERVERS=1: not skipped)",
        "2 failed, 1 passed",
    ]
