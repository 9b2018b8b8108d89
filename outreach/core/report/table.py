"""The report as plain text for the terminal (and the emailed report), in 80 columns.

Pure: the caller decides about colour (a TTY, and no NO_COLOR); widths are
measured before any escape codes go in, so columns line up either way. The
table keeps what fits in 80 columns (kinds and days ago; the dates and the
why are in the markdown, CSV, JSON and HTML formats); long lines wrap.
"""

from __future__ import annotations

import textwrap

from outreach.core.report import cells
from outreach.core.report.model import ContactLine, Report

RED, YELLOW, GREEN, BOLD, RESET = (
    "\033[31m",
    "\033[33m",
    "\033[32m",
    "\033[1m",
    "\033[0m",
)
WIDTH = 80  # a terminal, and the text part of the emailed report
COLUMNS = ("#", "Name", "Circle", "Last support", "Last touch", "Cadence", "Overdue")
RIGHT = {0, 5, 6}  # numbers line up on the right
NAME_MAX = 18  # longer names are shortened so a row fits in WIDTH


def _cells(line: ContactLine) -> list[str]:
    """The terminal's narrower row: kinds with days ago; dates are in the other formats."""
    name = line.contact.name
    if len(name) > NAME_MAX:
        name = name[: NAME_MAX - 1] + "…"
    return [
        str(line.rank),
        name,
        line.contact.circle,
        cells.ago(line.last_support_kind, line.days_since_support),
        cells.ago(line.last_touch_kind, line.days_since_touch),
        f"{line.cadence_days}d",
        cells.overdue(line),
    ]


def _wrapped(text: str, indent: str, first: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first or indent, subsequent_indent=indent) or [
        first.rstrip()
    ]


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
    indent = " " * (width + 4)
    for label, value, fine in items:
        lines = _wrapped(value if fine else value + " (!)", indent, f"  {label:<{width}}  ")
        out += lines if fine else [paint(text, YELLOW) for text in lines]
    for fix in cells.fixes(report.health):
        out += _wrapped(fix, indent, f"  {'To do':<{width}}  ")
    out.append("")
    if not report.lines:
        out.append("No contacts to show.")
        return "\n".join(out) + "\n"
    rows = [_cells(line) for line in report.lines]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(COLUMNS)]

    def fit(values: list[str]) -> list[str]:
        return [
            v.rjust(widths[i]) if i in RIGHT else v.ljust(widths[i]) for i, v in enumerate(values)
        ]

    out.append(paint("  ".join(fit(list(COLUMNS))).rstrip(), BOLD))
    for line, values in zip(report.lines, rows, strict=True):
        fitted = fit(values)
        fitted[6] = paint(fitted[6], _tone(line))
        out.append("  ".join(fitted).rstrip())
    out.append("")
    out.append(cells.shown(report))
    steps = report.next_steps
    if steps:
        out.append("")
        out.append(paint("Next steps", BOLD))
        for line in steps:
            assert line.next_step is not None
            lead = f"  {line.rank:>{widths[0]}}. "
            text = f"{line.contact.name}: {line.next_step.text}"
            out += _wrapped(text, " " * len(lead), lead)
    return "\n".join(out) + "\n"
