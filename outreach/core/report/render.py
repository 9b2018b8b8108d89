"""Choosing a format: the report as text in table, markdown, csv, json or html.

Pure. The caller writes the text wherever it goes.
"""

from __future__ import annotations

from collections.abc import Callable

from outreach.base.errors import InputError, Problem
from outreach.core.report.csv_out import render_csv
from outreach.core.report.html_page import render_html
from outreach.core.report.json_out import render_json
from outreach.core.report.markdown import render_markdown
from outreach.core.report.model import Report
from outreach.core.report.table import render_table

FORMATS: dict[str, Callable[[Report], str]] = {
    "table": render_table,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report in format `fmt`; `color` applies to the table alone."""
    if fmt == "table":
        return render_table(report, color=color)
    try:
        return FORMATS[fmt](report)
    except KeyError:
        raise InputError(
            [Problem("--format", f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")]
        ) from None
