"""The report as Markdown: a heading, the health figures, the table, next steps.

Pure. Cell text is escaped so a name with a `|` or `*` cannot break the table.
"""

from __future__ import annotations

import re

from outreach.core.report import cells
from outreach.core.report.model import Report

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def render_markdown(report: Report) -> str:
    out = [f"# {escape(cells.title(report))}", ""]
    for label, value, fine in cells.health_items(report.health):
        mark = "" if fine else " (!)"
        out.append(f"- **{label}:** {escape(value)}{mark}")
    for fix in cells.fixes(report.health):
        out.append(f"- **To do:** {escape(fix)}")
    out.append("")
    if not report.lines:
        out.append("No contacts to show.")
        return "\n".join(out) + "\n"
    out.append("| " + " | ".join(cells.COLUMNS) + " |")
    out.append("|" + "|".join("---:" if i in (0, 5, 7, 8, 9) else "---" for i in range(10)) + "|")
    for line in report.lines:
        out.append("| " + " | ".join(escape(c) for c in cells.row(line, report.zone)) + " |")
    out.append("")
    out.append(cells.shown(report))
    steps = report.next_steps
    if steps:
        out.extend(["", "## Next steps", ""])
        for line in steps:
            assert line.next_step is not None
            # A bullet, not "3." items: Markdown renumbers ordered lists from 1.
            out.append(
                f"- **{escape(line.contact.name)}** (#{line.rank}): {escape(line.next_step.text)}"
            )
    return "\n".join(out) + "\n"
