"""When daemon jobs are due: scheduled times from `JobTiming`, a zone and `now`.

Pure: takes timings, a time zone, the previous runs and `now`; reads no clock
and no journal. Both cron mode (`daemon --once`) and the long-running daemon
ask it whether a job is due, so the two agree on every date, DST included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from outreach.core.config import WEEKDAYS, DaemonJob, JobTiming

# A job never run before looks back this far, so installing cron at 10:00
# still runs the day's 08:00 job once instead of waiting for tomorrow.
FIRST_RUN_LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class DueJob:
    job: DaemonJob
    key: str  # the job's name in the journal's job_runs table
    scheduled_at: datetime  # the scheduled time this run answers for (UTC)


def job_key(job: DaemonJob) -> str:
    """The job's identity across runs: its command line with spacing normalised.

    Keyed by command, not by time, so moving a job from Monday to Tuesday
    keeps its history, and two jobs running the same command run it once.
    """
    return " ".join(job.run.split())


def _at(day: date, hhmm: str, zone: tzinfo) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    # fold=0: a wall time skipped by a DST change maps to the offset before
    # it (02:30 on a spring-forward night runs at 03:30); a wall time that
    # happens twice runs at its first occurrence (PEP 495).
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def latest_occurrence(timing: JobTiming, zone: tzinfo, now: datetime) -> datetime:
    """The last scheduled time of `timing` at or before `now`, in UTC."""
    if now.tzinfo is None:
        raise ValueError("latest_occurrence needs a timezone-aware now")
    now = now.astimezone(UTC)
    local = now.astimezone(zone)
    if timing.every == "minutes":
        step = timedelta(minutes=timing.minutes or 1)
        # Counted from local midnight in real minutes, so "every 15 minutes"
        # lands on :00, :15, :30 and :45 and each day starts afresh.
        midnight = _local_midnight(local.date(), zone)
        if midnight > now:  # a zone whose midnight is skipped by DST
            midnight = _local_midnight(local.date() - timedelta(days=1), zone)
        return midnight + step * ((now - midnight) // step)
    if timing.every == "hour":
        top = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        return top if top <= now else top - timedelta(hours=1)
    if timing.every == "day":
        assert timing.time is not None
        for back in range(3):
            candidate = _at(local.date() - timedelta(days=back), timing.time, zone)
            if candidate <= now:
                return candidate
    if timing.every == "week":
        assert timing.time is not None and timing.weekday is not None
        weekday = WEEKDAYS.index(timing.weekday)
        for back in range(15):
            day = local.date() - timedelta(days=back)
            if day.weekday() == weekday:
                candidate = _at(day, timing.time, zone)
                if candidate <= now:
                    return candidate
    raise ValueError(f"cannot schedule a job timed {timing!r}")


def next_occurrence(timing: JobTiming, zone: tzinfo, after: datetime) -> datetime:
    """The first scheduled time of `timing` strictly after `after`, in UTC."""
    after = after.astimezone(UTC)
    if timing.every == "minutes":
        latest = latest_occurrence(timing, zone, after)
        tomorrow = after.astimezone(zone).date() + timedelta(days=1)
        return min(latest + timedelta(minutes=timing.minutes or 1), _local_midnight(tomorrow, zone))
    if timing.every == "hour":
        return latest_occurrence(timing, zone, after) + timedelta(hours=1)
    # Daily and weekly: the latest occurrence as of a day or a week later,
    # stepping back while that still lies after `after`.
    span = timedelta(days=1 if timing.every == "day" else 7)
    candidate = latest_occurrence(timing, zone, after + span + timedelta(hours=2))
    while True:
        earlier = latest_occurrence(timing, zone, candidate - timedelta(seconds=1))
        if earlier <= after:
            return candidate
        candidate = earlier


def due_jobs(
    jobs: Iterable[DaemonJob],
    *,
    zone: tzinfo,
    last_runs: Mapping[str, datetime],
    now: datetime,
) -> list[DueJob]:
    """Jobs with a scheduled time after their previous run and not after `now`.

    Each job is due at most once however many of its times were missed (a
    weekly job skipped for a month runs once); a job never run before takes
    its previous run as `FIRST_RUN_LOOKBACK` ago. Jobs sharing a key are one.
    """
    due: list[DueJob] = []
    keys: set[str] = set()
    for job in jobs:
        key = job_key(job)
        if key in keys:
            continue
        previous = last_runs.get(key, now - FIRST_RUN_LOOKBACK)
        scheduled = latest_occurrence(job.timing, zone, now)
        if previous < scheduled:
            due.append(DueJob(job=job, key=key, scheduled_at=scheduled))
            keys.add(key)
    return due


__all__ = [
    "FIRST_RUN_LOOKBACK",
    "DueJob",
    "due_jobs",
    "job_key",
    "latest_occurrence",
    "next_occurrence",
]
