"""The report as JSON, following `schema.REPORT_SCHEMA` (see docs/report-json.md).

Pure. Timestamps are UTC ISO 8601 (`2026-06-15T12:00:00Z`); missing values
are null, never absent, so readers need no special cases.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from outreach.base.clock import iso_utc, to_utc
from outreach.core.report.model import ContactLine, Health, NextStep, Report
from outreach.core.report.schema import SCHEMA_VERSION


def _stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # iso_utc's form, through isoformat (C) rather than strftime: 30,000 stamps.
    return to_utc(moment).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _step(step: NextStep | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "kind": step.kind.value,
        "text": step.text,
        "event_id": step.event.id if step.event else None,
        "event_title": step.event.title if step.event else None,
        "event_start": _stamp(step.event.start) if step.event else None,
        "partner_id": step.partner.id if step.partner else None,
        "partner_name": step.partner.name if step.partner else None,
        "shared_tags": list(step.shared_tags),
        "draft_id": step.draft_id,
        "about": step.about,
        "about_at": _stamp(step.about_at),
    }


def contact_data(line: ContactLine) -> dict[str, Any]:
    # Kinds and whys stay StrEnum members: JSON writes them as their string
    # values, and skipping `.value` (an enum property) saves 40,000 lookups.
    contact = line.contact
    return {
        "rank": line.rank,
        "id": contact.id,
        "name": contact.name,
        "circle": contact.circle,
        "why": list(contact.why),
        "tags": list(contact.tags),
        "cadence_days": line.cadence_days,
        "last_touch": _stamp(line.last_touch_at),
        "last_touch_kind": line.last_touch_kind,
        "last_support": _stamp(line.last_support_at),
        "last_support_kind": line.last_support_kind,
        "days_since_touch": line.days_since_touch,
        "days_since_support": line.days_since_support,
        "overdue": line.overdue,
        "past_cadence": line.past_cadence,
        "next_step": _step(line.next_step),
    }


def health_data(health: Health) -> dict[str, Any]:
    promotion = health.promotion
    return {
        "promotion": {
            "others": promotion.others,
            "own": promotion.own,
            "ratio": promotion.ratio,
            "target": promotion.target,
            "meets_target": promotion.meets_target,
        },
        "focus": {
            "size": health.focus_size,
            "min": health.focus_min,
            "max": health.focus_max,
            "within_guideline": health.focus_within_guideline,
        },
        "contacts_supported": health.contacts_supported,
        "replies_received": health.replies_received,
        "drafts_waiting": health.drafts_waiting,
        "intros_waiting": {
            "count": len(health.intros),
            "needs_decision": sum(1 for i in health.intros if i.needs_decision),
            "timeout_days": health.intro_timeout_days,
            "intros": [
                {
                    "id": i.id,
                    "contact_a": i.a,
                    "contact_b": i.b,
                    "asked_at": iso_utc(i.asked_at),
                    "days_waiting": i.days_waiting,
                    "stale": i.stale,
                    "needs_decision": i.needs_decision,
                }
                for i in health.intros
            ],
        },
    }


def report_data(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": iso_utc(report.as_of),
        "time_zone": report.zone,
        "period": {"days": report.health.days, "since": iso_utc(report.health.since)},
        "filters": {
            "circle": report.circle,
            "overdue_only": report.overdue_only,
            "limit": report.limit,
        },
        "contacts_total": report.contacts_total,
        "health": health_data(report.health),
        "contacts": [contact_data(line) for line in report.lines],
    }


def render_json(report: Report) -> str:
    """Indented, with one contact to a line: readable, diffable, and fast, as the
    C encoder only runs without indentation (a third of the time for 10,000)."""
    data = report_data(report)
    contacts = data.pop("contacts")
    head = json.dumps(data, indent=2, ensure_ascii=False)
    if not contacts:
        return head[:-2] + ',\n  "contacts": []\n}\n'
    lines = ",\n".join("    " + json.dumps(c, ensure_ascii=False) for c in contacts)
    return head[:-2] + ',\n  "contacts": [\n' + lines + "\n  ]\n}\n"
