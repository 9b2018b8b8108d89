"""Shared fixtures: an in-process CLI runner and small workspaces on disk."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import pytest

from outreach.cli.main import main

# The Dovecot fixtures live in tests/support/fixtures.py.
pytest_plugins = (
    ["tests.support.fixtures"]
    if (Path(__file__).parent / "support" / "fixtures.py").exists()
    else []
)

# A fixed moment for tests: every date-dependent assertion is made against it.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CliResult:
    status: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run `outreach ARGS…` in-process; fail the test on an unexpected exit status.

    `expect` is the exit status the test expects (0 unless given), so a test
    that forgets to check the status still fails loudly on an error.
    """

    def run(
        *args: str,
        expect: int = 0,
        environ: dict[str, str] | None = None,
        cwd: Path | None = None,
        stdin: TextIO | None = None,
    ) -> CliResult:
        stdout, stderr = io.StringIO(), io.StringIO()
        status = main(
            list(args),
            stdout=stdout,
            stderr=stderr,
            # Never the test runner's own stdin: a command that asks must be given one.
            stdin=stdin if stdin is not None else io.StringIO(),
            environ=environ or {},
            cwd=cwd or tmp_path,
        )
        result = CliResult(status, stdout.getvalue(), stderr.getvalue())
        if status != expect:
            pytest.fail(
                f"outreach {' '.join(args)} exited {status}, expected {expect}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
            )
        return result

    return run
