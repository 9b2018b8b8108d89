"""The report as CSV: one row per contact, the JSON contact fields flattened.

Pure. For spreadsheets: the health figures are left to the other formats, and
lists (why, tags) are joined with ';'.
"""

from __future__ import annotations

import csv
import io

from outreach.core.report.json_out import contact_data
from outreach.core.report.model import Report

HEADER = (
    "rank",
    "id",
    "name",
    "circle",
    "why",
    "tags",
    "cadence_days",
    "last_touch",
    "last_touch_kind",
    "last_support",
    "last_support_kind",
    "days_since_touch",
    "days_since_support",
    "overdue",
    "past_cadence",
    "next_step_kind",
    "next_step",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(HEADER)
    for line in report.lines:
        data = contact_data(line)
        step = data.pop("next_step")
        data["next_step_kind"] = step["kind"] if step else None
        data["next_step"] = step["text"] if step else None
        writer.writerow([_cell(data[key]) for key in HEADER])
    return buffer.getvalue()
