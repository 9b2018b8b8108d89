"""Cron mode: one sync, then every job due since its previous run, then exit.

Shares the job rule (`due`) and the run record (`job_runs`) with the
long-running daemon, so switching between cron and the daemon never runs a
job twice. Returns what it did; the CLI words it. Prints nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from outreach.app.sync import SyncSummary, run_sync
from outreach.base.clock import Clock
from outreach.base.errors import ExitStatus, OutreachError
from outreach.base.progress import Progress, no_progress
from outreach.core.config import DaemonJob
from outreach.daemon.due import DueJob, due_jobs, job_key, next_occurrence
from outreach.daemon.jobs import Commands, JobOutcome, run_job
from outreach.store.journal.job_runs import last_runs, record_run
from outreach.store.journal.store import Journal
from outreach.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class RanJob:
    due: DueJob
    outcome: JobOutcome


@dataclass(frozen=True, slots=True)
class UpcomingJob:
    job: DaemonJob
    at: datetime  # UTC


@dataclass(frozen=True, slots=True)
class OnceResult:
    sync: SyncSummary | None  # None when there is no mailbox or the sync failed
    sync_error: OutreachError | None
    ran: tuple[RanJob, ...]
    upcoming: tuple[UpcomingJob, ...]  # every job's next scheduled time, soonest first

    @property
    def status(self) -> int:
        statuses = [r.outcome.status for r in self.ran if not r.outcome.ok]
        if self.sync_error is not None:
            statuses.append(int(self.sync_error.exit_status))
        return max(statuses, default=ExitStatus.OK)


def run_once(
    workspace: Workspace,
    journal: Journal,
    *,
    commands: Commands,
    clock: Clock,
    zone: tzinfo,
    environ: Mapping[str, str],
    progress: Progress = no_progress,
) -> OnceResult:
    """Sync every mailbox, then run each due job once and record the runs that succeed.

    A failed sync or job is reported in the result and does not stop the
    rest. A failed job is not recorded as run, so the next run tries again
    while its scheduled time is still after its previous run.
    """
    summary: SyncSummary | None = None
    sync_error: OutreachError | None = None
    if workspace.config.mailboxes:
        try:
            summary = run_sync(workspace, journal, clock=clock, progress=progress, environ=environ)
        except OutreachError as exc:
            sync_error = exc
    now = clock()
    due = due_jobs(workspace.config.daemon.jobs, zone=zone, last_runs=last_runs(journal), now=now)
    ran: list[RanJob] = []
    for item in due:
        outcome = run_job(
            item.job, commands=commands, home=workspace.root, environ=environ, clock=clock
        )
        if outcome.ok:
            record_run(journal, item.key, at=now)
        ran.append(RanJob(item, outcome))
    upcoming: dict[str, UpcomingJob] = {}
    for job in workspace.config.daemon.jobs:
        soonest = UpcomingJob(job, next_occurrence(job.timing, zone, now))
        known = upcoming.get(job_key(job))
        if known is None or soonest.at < known.at:
            upcoming[job_key(job)] = soonest
    return OnceResult(
        sync=summary,
        sync_error=sync_error,
        ran=tuple(ran),
        upcoming=tuple(sorted(upcoming.values(), key=lambda u: u.at)),
    )


__all__ = ["OnceResult", "RanJob", "UpcomingJob", "run_once"]
