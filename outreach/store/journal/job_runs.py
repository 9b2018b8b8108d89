"""When each daemon job last ran: the `job_runs` table.

Cron mode reads it to run a weekly job once however often it is started;
the long-running daemon writes it too, so the two never repeat each other.
Nothing here decides whether a job is due (that is `outreach.daemon.due`).
"""

from __future__ import annotations

from datetime import datetime

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.store.journal.store import Journal


def last_runs(journal: Journal) -> dict[str, datetime]:
    """Every job's last run, by job key."""
    rows = journal.connection.execute("SELECT job, last_run_at FROM job_runs")
    return {str(job): parse_iso_utc(str(at)) for job, at in rows}


def record_run(journal: Journal, job: str, *, at: datetime) -> None:
    """Remember that `job` ran at `at`; a recorded run never moves backwards."""
    with journal.transaction() as db:
        db.execute(
            "INSERT INTO job_runs (job, last_run_at) VALUES (?, ?)"
            " ON CONFLICT (job) DO UPDATE SET"
            " last_run_at = max(last_run_at, excluded.last_run_at)",
            (job, iso_utc(at)),
        )


__all__ = ["last_runs", "record_run"]
