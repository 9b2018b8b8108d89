"""One person's whole story: roster entry, timeline of touches, drafts, intros, next step.

The use case behind `outreach contacts show ID`. Reads the journal and the
workspace and returns a value; `story_text` and `story_data` shape it for
the terminal and for JSON. Nothing here prints or writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outreach.app.drafting import contact_or_error, needing_their_line
from outreach.app.reporting import build_report
from outreach.base.clock import iso_utc
from outreach.base.model import SUPPORT_KINDS, Contact, Touch
from outreach.core.intros import IntroStatus
from outreach.core.report.model import ContactLine
from outreach.store.journal import Journal
from outreach.store.journal.drafts import PENDING, DraftRecord, list_drafts
from outreach.store.journal.intros import IntroRecord, intros_with_status
from outreach.store.journal.touches import touches_for
from outreach.store.workspace import Workspace

TIMELINE_LIMIT = 50  # the latest touches; the journal keeps them all


@dataclass(frozen=True, slots=True)
class Story:
    contact: Contact
    line: ContactLine  # their line of the report: dates, cadence, next step
    timeline: tuple[Touch, ...]  # newest first
    drafts: tuple[DraftRecord, ...]  # waiting for review
    open_lines: frozenset[int]  # drafts among them still needing the personal line
    intros: tuple[IntroRecord, ...]
    names: dict[str, str]  # contact id -> name, for the intros' other people


def contact_story(
    workspace: Workspace, journal: Journal, contact_id: str, *, now: datetime
) -> Story:
    contact = contact_or_error(workspace, contact_id)
    report = build_report(workspace, journal, now=now)
    line = next(line for line in report.lines if line.contact.id == contact.id)
    drafts = tuple(d for d in list_drafts(journal, statuses=PENDING) if contact.id in d.recipients)
    intros = tuple(
        i
        for i in intros_with_status(journal, list(IntroStatus))
        if contact.id in (i.contact_a, i.contact_b)
    )
    return Story(
        contact=contact,
        line=line,
        timeline=tuple(touches_for(journal, contact.id, limit=TIMELINE_LIMIT)),
        drafts=drafts,
        open_lines=frozenset(needing_their_line(workspace, drafts)),
        intros=intros,
        names={c.id: c.name for c in workspace.roster},
    )


def what_it_was(touch: Touch) -> str:
    """support, contact or self-promotion: how the report counts this touch."""
    if touch.self_promotion:
        return "self-promotion"
    return "support" if touch.kind in SUPPORT_KINDS else "contact"


def _other(story: Story, intro: IntroRecord) -> str:
    other = intro.contact_b if intro.contact_a == story.contact.id else intro.contact_a
    return other


def story_text(story: Story) -> str:
    c, line = story.contact, story.line
    out = [f"{c.name} ({c.id}): {c.kind}, {c.circle}, every {line.cadence_days} days"]
    fields = [
        ("emails", ", ".join(c.emails)),
        ("greeting", c.addressed),
        ("org", c.org or ""),
        ("why", ", ".join(w.value for w in c.why)),
        ("tags", ", ".join(c.tags)),
        ("timezone", c.timezone or ""),
        ("notes", " ".join((c.notes or "").split())),
    ]
    out += [f"  {label:<13} {value}" for label, value in fields if value]
    support = (
        "never"
        if line.last_support_at is None
        else (
            f"{line.last_support_at:%Y-%m-%d} {line.last_support_kind}"
            f" ({line.days_since_support} days ago)"
        )
    )
    touch = (
        "never"
        if line.last_touch_at is None
        else (f"{line.last_touch_at:%Y-%m-%d} {line.last_touch_kind}")
    )
    out.append(f"  {'last support':<13} {support}")
    out.append(f"  {'last touch':<13} {touch}")
    step = line.next_step.text if line.next_step else "none: within their cadence"
    out.append(f"  {'next step':<13} {step}")
    out += ["", "Timeline (newest first)"]
    if not story.timeline:
        out.append("  nothing yet")
    for t in story.timeline:
        detail = f"  {t.detail}" if t.detail else ""
        out.append(f"  {t.at:%Y-%m-%d}  {t.kind.value:<9} {what_it_was(t):<14}{detail}".rstrip())
    out += ["", "Drafts waiting"]
    if not story.drafts:
        out.append("  none")
    for d in story.drafts:
        mark = "  [your line]" if d.id in story.open_lines else ""
        out.append(f"  {d.id:>4}  {d.kind:<11}  {d.subject}{mark}")
    out += ["", "Introductions"]
    if not story.intros:
        out.append("  none")
    for i in story.intros:
        other = _other(story, i)
        out.append(
            f"  with {story.names.get(other, other)}: {i.status.value}"
            f" ({i.mode.value.replace('_', ' ')}), {i.updated_at:%Y-%m-%d}"
        )
    return "\n".join(out) + "\n"


def story_data(story: Story) -> dict[str, Any]:
    c, line = story.contact, story.line
    step = line.next_step
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "greeting": c.addressed,
        "emails": list(c.emails),
        "circle": c.circle,
        "why": [w.value for w in c.why],
        "tags": list(c.tags),
        "org": c.org,
        "notes": c.notes,
        "timezone": c.timezone,
        "cadence_days": line.cadence_days,
        "last_touch": iso_utc(line.last_touch_at) if line.last_touch_at else None,
        "last_support": iso_utc(line.last_support_at) if line.last_support_at else None,
        "days_since_support": line.days_since_support,
        "next_step": None if step is None else {"kind": step.kind.value, "text": step.text},
        "timeline": [
            {
                "at": iso_utc(t.at),
                "kind": t.kind.value,
                "counts_as": what_it_was(t),
                "detail": t.detail,
                "item": t.item,
            }
            for t in story.timeline
        ],
        "drafts_waiting": [
            {
                "id": d.id,
                "kind": d.kind,
                "subject": d.subject,
                "needs_line": d.id in story.open_lines,
            }
            for d in story.drafts
        ],
        "intros": [
            {
                "id": i.id,
                "with": _other(story, i),
                "status": i.status.value,
                "mode": i.mode.value,
                "updated_at": iso_utc(i.updated_at),
            }
            for i in story.intros
        ],
    }
