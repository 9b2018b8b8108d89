"""`outreach report`: who haven't I supported lately, and what could I do for them.

Parses the options and prints or writes what `outreach.app.reporting` returns;
the ranking, the formats and the drafts all live below this layer.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outreach.app.reporting import (
    PLAN_DEFAULT,
    build_report,
    email_report,
    plan_next_steps,
    render_report,
)
from outreach.base.errors import ExitStatus
from outreach.base.wording import plural
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.core.report.model import Report
from outreach.core.report.render import FORMATS
from outreach.store.workspace import atomic_write

ORDER = 30


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "report",
        common=common,
        help="who haven't I supported lately? (ranked, with next steps)",
        description="Rank contacts by how overdue their support is: days since you last"
        " supported them (a share, intro, feedback, meeting or promotion; a reply is contact,"
        " not support) over their cadence. Never-supported contacts come first. Above the"
        " table: the promotion ratio, the focus list's size, and what is waiting. Each"
        " contact past their cadence gets a next step: an upcoming event to share with"
        " them, an introduction, or a check-in.",
        examples=[
            "outreach report",
            "outreach report --circle focus --overdue",
            "outreach report --format html --output report.html",
            "outreach report --format json --as-of 2026-06-15 --days 30",
            "outreach report --plan --limit 3     draft the top 3 next steps for review",
            "outreach report --email              the report as a draft to yourself",
        ],
    )
    parser.add_argument("--circle", metavar="C", help="only contacts in this circle")
    parser.add_argument("--overdue", action="store_true", help="only contacts past their cadence")
    parser.add_argument("--limit", metavar="N", type=int, help="at most N contacts")
    parser.add_argument(
        "--days",
        metavar="N",
        type=int,
        help="the period for the health figures (default: [report] days, 90)",
    )
    parser.add_argument(
        "--format",
        choices=list(FORMATS),
        default="table",
        help="table (default), markdown, csv, json (docs/report-json.md) or html",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write to FILE (replaced atomically) instead of stdout"
    )
    parser.add_argument(
        "--email",
        action="store_true",
        help="save the report as a draft to yourself (text and HTML), replacing an unsent"
        " earlier one; for the daemon's weekly job",
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help=f"draft the top next steps (--limit N, default {PLAN_DEFAULT}) for review:"
        " event shares, introductions, check-ins",
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.plan:
        return run_plan(ctx)
    # Showing the report only reads; emailing it drafts, which needs a sound workspace.
    workspace = ctx.workspace() if args.email else ctx.view_workspace(shows_contacts=True)
    report = build_report(
        workspace,
        ctx.journal(),
        now=ctx.now(),
        circle=args.circle,
        overdue_only=args.overdue,
        limit=args.limit,
        days=args.days,
        progress=ctx.progress(),
    )
    if args.email:
        return run_email(ctx, report)
    if args.output:
        target = ctx.cwd / Path(args.output).expanduser()
        workspace.refuse_to_overwrite_own_files(target)
        atomic_write(target, render_report(report, args.format))
        ctx.err(f"wrote the report ({args.format}) to {target}")
        return 0
    color = args.format == "table" and _colour_wanted(ctx)
    ctx.stdout.write(render_report(report, args.format, color=color))
    return 0


def run_email(ctx: Context, report: Report) -> int:
    emailed = email_report(
        ctx.workspace(), ctx.journal(), report, now=ctx.now(), environ=ctx.environ
    )
    batch = emailed.batch
    draft = batch.drafts[0]
    me = ctx.workspace().config.me.email
    ctx.out(f"{draft.id:>5}  {draft.path}  {draft.subject}")
    replaced = ", ".join(str(i) for i in emailed.replaced)
    ctx.out(
        f"the report is a draft to you ({me})"
        + (f", replacing unsent draft {replaced}" if replaced else "")
    )
    return _pushed(ctx, batch.pushed, [batch.push_error] if batch.push_error else [])


def run_plan(ctx: Context) -> int:
    args = ctx.args
    workspace, journal, now = ctx.workspace(), ctx.journal(), ctx.now()
    report = build_report(
        workspace,
        journal,
        now=now,
        circle=args.circle,
        overdue_only=True,
        limit=args.limit or PLAN_DEFAULT,
        days=args.days,
        progress=ctx.progress(),
    )
    plan = plan_next_steps(workspace, journal, report, now=now, environ=ctx.environ)
    for step in plan.steps:
        head = f"#{step.line.rank} {step.line.contact.name}"
        if step.skipped:
            ctx.out(f"{head}: skipped, {step.skipped}")
        for draft in step.drafts:
            ctx.out(f"{head}: {draft.id}  {draft.path}  {draft.subject}")
    count = len(plan.drafts)
    if not plan.steps:
        ctx.out("nobody is past their cadence: no next steps to draft")
    elif count:
        them = "it" if count == 1 else "them"
        ctx.out(
            f"{plural(count, 'draft')} written; review {them}"
            " (`outreach drafts list`), then send from your mail client or with"
            " `outreach drafts send ID…`"
        )
    return _pushed(ctx, plan.pushed, list(plan.push_errors))


def _pushed(ctx: Context, pushed: int, errors: list[str]) -> int:
    if pushed:
        ctx.out(f"{pushed} pushed to your Drafts folder")
    for error in errors:
        ctx.err(f"outreach: the drafts are saved, but pushing them failed: {error}")
    if errors:
        ctx.err("hint: rerun `outreach drafts push` once the mailbox is reachable")
        return int(ExitStatus.FAILURE)
    return 0


def _colour_wanted(ctx: Context) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (no-color.org)."""
    if ctx.environ.get("NO_COLOR"):
        return False
    isatty = getattr(ctx.stdout, "isatty", None)
    return bool(isatty and isatty())
