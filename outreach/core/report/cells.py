"""How the report's values read as text, shared by every human-facing format.

Pure: dates in the report's time zone, counts of days, the overdue ratio and
the health figures as short phrases. JSON and CSV use their own exact forms.
"""

from __future__ import annotations

import math
import zoneinfo
from datetime import datetime

from outreach.base.model import TouchKind
from outreach.base.wording import plural
from outreach.core.report.model import ContactLine, Health, Promotion, Report

NEVER = "never"
NONE = "-"

COLUMNS = (
    "#",
    "Name",
    "Circle",
    "Why",
    "Last support",
    "Days",
    "Last touch",
    "Days",
    "Cadence",
    "Overdue",
)


def day(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return NEVER
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date().isoformat()


def dated(moment: datetime | None, kind: TouchKind | None, zone: str) -> str:
    """'2026-06-01 share', or 'never'."""
    if moment is None:
        return NEVER
    return f"{day(moment, zone)} {kind.value}" if kind else day(moment, zone)


def ago(kind: TouchKind | None, count: int | None) -> str:
    """'meeting 200d', 'reply 0d', or 'never': a terminal cell for a last touch or support."""
    if count is None:
        return NEVER
    return f"{kind.value} {count}d" if kind else f"{count}d"


def days(count: int | None) -> str:
    return NONE if count is None else str(count)


def overdue(line: ContactLine) -> str:
    """'1.50x' (past cadence above 1), or 'never' for someone never supported."""
    ratio = line.overdue
    return NEVER if ratio is None else f"{ratio:.2f}x"


def why(line: ContactLine) -> str:
    return ", ".join(w.value for w in line.contact.why) or NONE


def row(line: ContactLine, zone: str) -> list[str]:
    """The cells of one line, in COLUMNS order."""
    return [
        str(line.rank),
        line.contact.name,
        line.contact.circle,
        why(line),
        dated(line.last_support_at, line.last_support_kind, zone),
        days(line.days_since_support),
        dated(line.last_touch_at, line.last_touch_kind, zone),
        days(line.days_since_touch),
        f"{line.cadence_days}d",
        overdue(line),
    ]


def ratio(promotion: Promotion) -> str:
    """'4:1 (8 shares of others' work, 2 of your own; aim 3:1)'."""
    aim = f"aim {promotion.target:g}:1"
    others = plural(promotion.others, "share") + " of others' work"
    if promotion.own == 0:
        return f"{others}, none of your own ({aim})"
    value = promotion.ratio
    assert value is not None
    return f"{value:g}:1 ({others}, {promotion.own} of your own; {aim})"


def health_items(health: Health) -> list[tuple[str, str, bool]]:
    """(label, value, fine) for each health figure; `fine` False draws the eye."""
    focus = plural(health.focus_size, "person", "people")
    guide = f"guideline {health.focus_min}-{health.focus_max}"
    stale = health.stale_intros
    intros = f"{len(health.intros)} waiting for an answer"
    undecided = sum(1 for i in health.intros if i.needs_decision)
    if undecided:
        intros += f", {undecided} of them for your decision (`outreach intros`)"
    if stale:
        names = "; ".join(f"{i.a_name} & {i.b_name}, {i.days_waiting} days" for i in stale)
        intros += f"; {len(stale)} over {health.intro_timeout_days} days ({names})"
    return [
        ("Promotion ratio", ratio(health.promotion), health.promotion.meets_target),
        ("Focus list", f"{focus} ({guide})", health.focus_within_guideline),
        ("Supported", plural(health.contacts_supported, "contact"), True),
        ("Replies received", str(health.replies_received), True),
        ("Drafts waiting", f"{health.drafts_waiting} for review", True),
        ("Double opt-in intros", intros, not stale),
    ]


def fixes(health: Health) -> list[str]:
    """What would bring each figure outside its guideline back: one line each."""
    found = []
    promotion = health.promotion
    if not promotion.meets_target:
        needed = math.ceil(promotion.target * promotion.own - 1e-9) - promotion.others
        found.append(
            f"share {plural(needed, 'more item')} of others' work to get back to"
            f" {promotion.target:g}:1"
        )
    if health.focus_size > health.focus_max:
        extra = health.focus_size - health.focus_max
        found.append(
            f"the focus list is over its guideline: move {plural(extra, 'contact')} to"
            f" another circle to get to {health.focus_max}"
        )
    elif health.focus_size < health.focus_min:
        missing = health.focus_min - health.focus_size
        found.append(
            f"the focus list is under its guideline: choose {plural(missing, 'more contact')}"
            f' to understand and promote (circle = "focus")'
        )
    return found


def title(report: Report) -> str:
    scope = f", circle {report.circle}" if report.circle else ""
    only = ", past cadence only" if report.overdue_only else ""
    return (
        f"Who haven't I supported lately? As of {day(report.as_of, report.zone)},"
        f" last {report.health.days} days{scope}{only}"
    )


def shown(report: Report) -> str:
    """'Showing 3 of 12 contacts.' when a filter hides some."""
    if len(report.lines) == report.contacts_total:
        return plural(report.contacts_total, "contact") + "."
    return f"Showing {len(report.lines)} of {plural(report.contacts_total, 'contact')}."
