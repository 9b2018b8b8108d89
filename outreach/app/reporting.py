"""The report use case: ask the journal, rank in the core, render, email, plan.

Shared by `outreach report` and the daemon's weekly job. The journal does the
counting in SQL; the pure `outreach.report` package ranks and renders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from outreach.journal import Journal
from outreach.journal.report_queries import (
    activity_as_of,
    event_recipients,
    health_counts,
    known_intro_pairs,
)
from outreach.progress import Progress, no_progress
from outreach.report.model import Report
from outreach.report.rank import check_filters, compile_report
from outreach.report.render import render
from outreach.workspace import Workspace


def build_report(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    circle: str | None = None,
    overdue_only: bool = False,
    limit: int | None = None,
    days: int | None = None,
    progress: Progress = no_progress,
) -> Report:
    """Who haven't I supported lately, as of `now`; health over the last `days`
    (default `[report] days` in outreach.toml)."""
    config = workspace.config
    period = days if days is not None else config.report.days
    check_filters(config, circle=circle, limit=limit, days=period)
    roster = workspace.roster
    progress(0, 3, "report")
    activity = activity_as_of(journal, (c.id for c in roster), now=now)
    progress(1, 3, "report")
    counts = health_counts(journal, since=now - timedelta(days=period), until=now)
    upcoming = [e.id for e in workspace.events if (e.end or e.start) > now]
    shared = event_recipients(journal, upcoming)
    introduced = known_intro_pairs(journal)
    progress(2, 3, "report")
    report = compile_report(
        roster,
        activity,
        workspace.events,
        counts,
        config=config,
        now=now,
        days=period,
        shared_events=shared,
        introduced=introduced,
        circle=circle,
        overdue_only=overdue_only,
        limit=limit,
    )
    progress(3, 3, "report")
    return report


def render_report(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report as text in `fmt`: table, markdown, csv, json or html."""
    return render(report, fmt, color=color)
