"""When daemon jobs are due: tables of fixed times, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outreach.core.config import DaemonJob, JobTiming
from outreach.daemon.due import due_jobs, job_key, latest_occurrence, next_occurrence

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def timing(at: str) -> JobTiming:
    parsed = JobTiming.parse(at)
    assert parsed is not None, at
    return parsed


def job(run: str, at: str) -> DaemonJob:
    return DaemonJob(run=run, at=at, timing=timing(at))


# 2026-06-15 is a Monday; Berlin is UTC+2 in summer, UTC+1 in winter. DST
# starts 2026-03-29 (02:00 -> 03:00) and ends 2026-10-25 (03:00 -> 02:00);
# New York falls back on 2026-11-01 (02:00 -> 01:00).
LATEST = [
    ("weekly, later the same day", "monday 09:00", BERLIN, "2026-06-15 12:00", "2026-06-15 07:00"),
    ("weekly, a minute early", "monday 09:00", BERLIN, "2026-06-15 06:59", "2026-06-08 07:00"),
    ("weekly, exactly on time", "monday 09:00", BERLIN, "2026-06-15 07:00", "2026-06-15 07:00"),
    ("weekly, days later", "friday 16:00", BERLIN, "2026-06-15 12:00", "2026-06-12 14:00"),
    ("daily, after the time", "daily 08:00", BERLIN, "2026-06-15 12:00", "2026-06-15 06:00"),
    ("daily, before the time", "daily 08:00", BERLIN, "2026-06-15 05:00", "2026-06-14 06:00"),
    ("daily, winter offset", "daily 08:00", BERLIN, "2026-03-28 12:00", "2026-03-28 07:00"),
    ("daily, DST has begun", "daily 08:00", BERLIN, "2026-03-29 12:00", "2026-03-29 06:00"),
    ("daily, a skipped wall time", "daily 02:30", BERLIN, "2026-03-29 12:00", "2026-03-29 01:30"),
    ("daily, a doubled wall time", "daily 02:30", BERLIN, "2026-10-25 12:00", "2026-10-25 00:30"),
    ("daily, DST has ended", "daily 08:00", BERLIN, "2026-10-25 12:00", "2026-10-25 07:00"),
    ("hourly", "hourly", BERLIN, "2026-06-15 12:34", "2026-06-15 12:00"),
    ("hourly, first 02:00", "hourly", BERLIN, "2026-10-25 00:59", "2026-10-25 00:00"),
    ("hourly, second 02:00", "hourly", BERLIN, "2026-10-25 01:10", "2026-10-25 01:00"),
    ("every 15 minutes", "every 15 minutes", BERLIN, "2026-06-15 12:07", "2026-06-15 12:00"),
    ("every 45 minutes", "every 45 minutes", BERLIN, "2026-06-15 12:00", "2026-06-15 11:30"),
    (
        "every 45 minutes, a new day",
        "every 45 minutes",
        BERLIN,
        "2026-06-15 22:10",
        "2026-06-15 22:00",
    ),
    ("weekly, doubled hour", "sunday 01:30", NEW_YORK, "2026-11-01 12:00", "2026-11-01 05:30"),
    ("daily, UTC", "daily 08:00", UTC, "2026-06-15 08:00", "2026-06-15 08:00"),
]


@pytest.mark.parametrize(
    ("at", "zone", "now", "expected"),
    [case[1:] for case in LATEST],
    ids=[case[0] for case in LATEST],
)
def test_latest_occurrence_is_the_last_scheduled_time_not_after_now(
    at: str, zone: ZoneInfo, now: str, expected: str
) -> None:
    assert latest_occurrence(timing(at), zone, utc(now)) == utc(expected)


NEXT = [
    ("weekly, from the run itself", "monday 09:00", BERLIN, "2026-06-15 07:00", "2026-06-22 07:00"),
    ("daily, over spring forward", "daily 08:00", BERLIN, "2026-03-28 07:00", "2026-03-29 06:00"),
    ("daily, over fall back", "daily 08:00", BERLIN, "2026-10-24 06:00", "2026-10-25 07:00"),
    ("hourly", "hourly", BERLIN, "2026-06-15 12:00", "2026-06-15 13:00"),
    (
        "every 45 minutes, to midnight",
        "every 45 minutes",
        BERLIN,
        "2026-06-15 21:40",
        "2026-06-15 22:00",
    ),
    ("every 15 minutes", "every 15 minutes", BERLIN, "2026-06-15 12:07", "2026-06-15 12:15"),
]


@pytest.mark.parametrize(
    ("at", "zone", "after", "expected"),
    [case[1:] for case in NEXT],
    ids=[case[0] for case in NEXT],
)
def test_next_occurrence_is_the_first_scheduled_time_after(
    at: str, zone: ZoneInfo, after: str, expected: str
) -> None:
    assert next_occurrence(timing(at), zone, utc(after)) == utc(expected)


NOW = utc("2026-06-15 12:00")  # Monday 14:00 in Berlin

DUE = [
    # (case, at, previous run or None, due?)
    ("first run, daily: looks back a day", "daily 08:00", None, True),
    ("first run, daily later today: yesterday's counts", "daily 18:00", None, True),
    ("first run, weekly today", "monday 09:00", None, True),
    ("first run, weekly two days ago", "saturday 09:00", None, False),
    ("first run, weekly yesterday after this hour", "sunday 15:00", None, True),
    ("ran after the scheduled time", "monday 09:00", "2026-06-15 07:30", False),
    ("ran exactly at the scheduled time", "monday 09:00", "2026-06-15 07:00", False),
    ("ran before the scheduled time", "monday 09:00", "2026-06-15 06:59", True),
    ("last ran weeks ago: due once", "monday 09:00", "2026-05-01 00:00", True),
    ("hourly, ran this hour", "hourly", "2026-06-15 12:00", False),
    ("hourly, ran last hour", "hourly", "2026-06-15 11:00", True),
]


@pytest.mark.parametrize(
    ("at", "previous", "expected"),
    [case[1:] for case in DUE],
    ids=[case[0] for case in DUE],
)
def test_a_job_is_due_when_scheduled_after_its_previous_run(
    at: str, previous: str | None, expected: bool
) -> None:
    the_job = job("check", at)
    runs = {} if previous is None else {job_key(the_job): utc(previous)}
    due = due_jobs([the_job], zone=BERLIN, last_runs=runs, now=NOW)
    assert [d.job for d in due] == ([the_job] if expected else [])


def test_a_job_missed_many_times_is_due_once_for_its_latest_time() -> None:
    weekly = job("draft shares", "monday 09:00")
    due = due_jobs(
        [weekly], zone=BERLIN, last_runs={"draft shares": utc("2026-04-01 00:00")}, now=NOW
    )
    assert [(d.key, d.scheduled_at) for d in due] == [("draft shares", utc("2026-06-15 07:00"))]


def test_jobs_running_the_same_command_run_it_once() -> None:
    jobs = [job("report  --email", "daily 08:00"), job("report --email", "monday 09:00")]
    due = due_jobs(jobs, zone=BERLIN, last_runs={}, now=NOW)
    assert [(d.key, d.job.at) for d in due] == [("report --email", "daily 08:00")]


def test_the_same_command_at_two_times_shares_its_previous_run() -> None:
    jobs = [job("report --email", "monday 09:00"), job("report --email", "friday 16:00")]
    ran_friday = {"report --email": utc("2026-06-12 14:00")}
    due = due_jobs(jobs, zone=BERLIN, last_runs=ran_friday, now=NOW)
    assert [d.job.at for d in due] == ["monday 09:00"]
    ran_monday = {"report --email": utc("2026-06-15 07:00")}
    assert due_jobs(jobs, zone=BERLIN, last_runs=ran_monday, now=NOW) == []


def test_a_daily_job_across_spring_forward_is_due_at_its_new_offset() -> None:
    daily = job("draft shares", "daily 08:00")
    ran = {"draft shares": utc("2026-03-28 07:00")}  # Saturday 08:00 CET
    # Sunday 07:59 CEST is 05:59 UTC, 23 hours later: not yet.
    assert due_jobs([daily], zone=BERLIN, last_runs=ran, now=utc("2026-03-29 05:59")) == []
    due = due_jobs([daily], zone=BERLIN, last_runs=ran, now=utc("2026-03-29 06:00"))
    assert [d.scheduled_at for d in due] == [utc("2026-03-29 06:00")]


def test_a_daily_job_on_the_night_of_fall_back_runs_once() -> None:
    at_0230 = job("check", "daily 02:30")
    ran_first = {"check": utc("2026-10-25 00:30")}  # the first 02:30, CEST
    # The second 02:30 (CET, 01:30 UTC) is not another occurrence.
    later = utc("2026-10-25 01:45")
    assert due_jobs([at_0230], zone=BERLIN, last_runs=ran_first, now=later) == []


def test_due_jobs_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        latest_occurrence(timing("hourly"), BERLIN, datetime(2026, 6, 15, 12, 0))  # noqa: DTZ001


def test_the_first_run_looks_back_24_hours_not_a_second_more() -> None:
    sunday = job("check", "sunday 14:00")  # 12:00 UTC, a day before NOW
    # Scheduled exactly 24 hours ago: that is the previous run's time, not after it.
    assert due_jobs([sunday], zone=BERLIN, last_runs={}, now=NOW) == []
    just_before = NOW - timedelta(seconds=1)
    assert due_jobs([sunday], zone=BERLIN, last_runs={}, now=just_before)
