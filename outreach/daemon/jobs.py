"""Daemon jobs are commands of the layer above: checking job lines and running them.

The daemon does not know the command line; whoever starts it hands it a
`Commands` (the CLI hands its own parser and `main`). Every job line is
checked when the daemon starts, so a typo is a `outreach.toml:LINE:COL:`
error at once, not a failure at 09:00 next Monday. Running one goes through
the same code path as typing the command; its output is captured, never printed.
"""

from __future__ import annotations

import io
import shlex
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from outreach.base.clock import Clock
from outreach.base.errors import ExitStatus, InputError, Problem
from outreach.core.config import Config, DaemonJob
from outreach.core.tomlsource import KeyLocator

# Commands that make no sense on a schedule: a daemon starting a daemon
# would wait on its own lock; init writes a new workspace.
_NOT_JOBS = {"daemon": "the daemon cannot run itself", "init": "init is run once, by hand"}


class RunCommand(Protocol):
    """Run one command line in this process and return its exit status."""

    def __call__(
        self,
        argv: Sequence[str],
        *,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
        cwd: Path,
        clock: Clock,
    ) -> int: ...


class CheckCommand(Protocol):
    """Why a command line would be refused (one line), or None when it is a complete command."""

    def __call__(self, argv: Sequence[str]) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Commands:
    """What jobs can run, handed to the daemon by the layer that owns the commands."""

    run: RunCommand
    check: CheckCommand


@dataclass(frozen=True, slots=True)
class JobOutcome:
    run: str
    status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.status == ExitStatus.OK


def job_problems(config: Config, config_text: str, commands: Commands) -> list[Problem]:
    """A located problem for each job line that is not a command a job may run."""
    runs = [(index, job.run) for index, job in enumerate(config.daemon.jobs)]
    return run_line_problems(config.path, config_text, runs, commands)


def run_line_problems(
    path: str, config_text: str, runs: Sequence[tuple[int, str]], commands: Commands
) -> list[Problem]:
    """Problems with `run` lines given as (index in [[daemon.jobs]], text).

    Takes the lines rather than a Config so `check` can report them beside
    the other problems of an outreach.toml that does not validate.
    """
    locator = KeyLocator(config_text)
    problems: list[Problem] = []
    for index, run in runs:
        reason = _rejection(run, commands)
        if reason is not None:
            problems.append(
                locator.problem(
                    path, ("daemon", "jobs", index, "run"), f'unknown job "{run}": {reason}'
                )
            )
    return problems


def validate_jobs(config: Config, config_text: str, commands: Commands) -> None:
    """Raise one InputError (exit 2) listing every job line that is not a command."""
    InputError.collect(job_problems(config, config_text, commands))


def _rejection(run: str, commands: Commands) -> str | None:
    try:
        tokens = shlex.split(run)
    except ValueError as exc:
        return f"cannot split it into words ({exc})"
    if not tokens:
        return 'write a command such as "draft shares"'
    if tokens[0] in _NOT_JOBS:
        return _NOT_JOBS[tokens[0]]
    if tokens[:2] == ["drafts", "send"]:
        # Nothing is sent behind the user's back: jobs draft, a person sends.
        return "sending needs a person's approval; schedule drafting, then send by hand"
    if any(t in ("-h", "--help", "--version") for t in tokens):
        return "a job cannot ask for help or the version"
    return commands.check([*tokens, "--home", "."])


def run_job(
    job: DaemonJob,
    *,
    commands: Commands,
    home: Path,
    environ: Mapping[str, str],
    clock: Clock,
) -> JobOutcome:
    """Run one job as `outreach JOB --home HOME` in this process; never raises.

    A bug inside a command (an exception the command line does not turn into
    an exit status) becomes a failed outcome with its traceback, so one
    broken job cannot take the daemon down.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        argv = [*shlex.split(job.run), "--home", str(home)]
        status = commands.run(
            argv, stdout=stdout, stderr=stderr, environ=environ, cwd=home, clock=clock
        )
    except Exception:
        stderr.write(traceback.format_exc())
        status = ExitStatus.FAILURE
    return JobOutcome(
        run=job.run, status=int(status), stdout=stdout.getvalue(), stderr=stderr.getvalue()
    )


__all__ = [
    "CheckCommand",
    "Commands",
    "JobOutcome",
    "RunCommand",
    "job_problems",
    "run_job",
    "run_line_problems",
    "validate_jobs",
]
