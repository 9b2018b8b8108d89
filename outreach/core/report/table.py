"""The report as a plain-text table for the terminal, in colour only when asked.

Pure: the caller decides about colour (a TTY, and no NO_COLOR); widths are
measured before any escape codes go in, so columns line up either way.
"""

from __future__ import annotations

from outreach.core.report import cells
from outreach.core.report.model import ContactLine, Report

RED, YELLOW, GREEN, BOLD, DIM, RESET = (
    "\033[31m",
    "\033[33m",
    "\033[32m",
    "\033[1m",
    "\033[2m",
    "\033[0m",
)
RIGHT = {0, 5, 7, 8, 9}  # numbers line up on the right


def _tone(line: ContactLine) -> str:
    ratio = line.overdue
    if line.past_cadence:
        return RED
    return YELLOW if ratio is not None and ratio >= 0.75 else GREEN


def render_table(report: Report, *, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    out = [paint(cells.title(report), BOLD), ""]
    items = cells.health_items(report.health)
    width = max(len(label) for label, _, _ in items)
    for label, value, fine in items:
        flagged = value if fine else paint(value + "  (!)", YELLOW)
        out.append(f"  {label:<{width}}  {flagged}")
    for fix in cells.fixes(report.health):
        out.append(f"  {'To do':<{width}}  {fix}")
    out.append("")
    if not report.lines:
        out.append("No contacts to show.")
        return "\n".join(out) + "\n"
    rows = [cells.row(line, report.zone) for line in report.lines]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(cells.COLUMNS)]

    def fit(values: list[str]) -> list[str]:
        return [
            v.rjust(widths[i]) if i in RIGHT else v.ljust(widths[i]) for i, v in enumerate(values)
        ]

    out.append(paint("  ".join(fit(list(cells.COLUMNS))).rstrip(), BOLD))
    for line, values in zip(report.lines, rows, strict=True):
        fitted = fit(values)
        fitted[9] = paint(fitted[9], _tone(line))
        out.append("  ".join(fitted).rstrip())
    out.append("")
    out.append(cells.shown(report))
    steps = report.next_steps
    if steps:
        out.append("")
        out.append(paint("Next steps", BOLD))
        for line in steps:
            assert line.next_step is not None
            out.append(f"  {line.rank:>{widths[0]}}. {line.contact.name}: {line.next_step.text}")
    return "\n".join(out) + "\n"
