"""An inline SVG chart: days since support against cadence, one bar per contact.

Pure, and self-contained: no scripts, fonts or images from anywhere else.
Bars past the cadence tick are red; a bar too long for the scale is cut and
keeps its number; contacts never supported get a hatched bar.
"""

from __future__ import annotations

from html import escape

from outreach.core.report.model import ContactLine

WIDTH = 760
LABEL = 190  # room for names on the left
PLOT = WIDTH - LABEL - 70  # and for the day counts on the right
ROW = 22
BAR = 12
TOP = 10
AXIS = 34
STEPS = (1, 2, 5, 7, 10, 14, 15, 30, 60, 90, 180, 365, 730)


def _scale_max(lines: tuple[ContactLine, ...]) -> int:
    """Long enough for every cadence; longer bars up to three times the longest
    cadence, beyond which one forgotten contact would flatten everyone else."""
    longest = max(line.cadence_days for line in lines)
    days = [line.days_since_support or 0 for line in lines]
    return max(longest, min(max(days), 3 * longest), 1)


def _step(scale: int) -> int:
    return next((s for s in STEPS if scale / s <= 8), STEPS[-1])


def _name(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_chart(lines: tuple[ContactLine, ...]) -> str:
    if not lines:
        return ""
    scale = _scale_max(lines)
    height = TOP + ROW * len(lines) + AXIS

    def x(days: float) -> float:
        return LABEL + PLOT * min(days, scale) / scale

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        ' aria-labelledby="chart-title">',
        '<title id="chart-title">Days since the last support, against each'
        " contact's cadence</title>",
        '<defs><pattern id="never" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="6" height="6" class="never-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="never-line"/></pattern></defs>',
    ]
    step = _step(scale)
    bottom = TOP + ROW * len(lines)
    for tick in range(0, scale + 1, step):
        out.append(
            f'<line class="grid" x1="{x(tick):.1f}" y1="{TOP}" x2="{x(tick):.1f}" y2="{bottom}"/>'
            f'<text class="tick" x="{x(tick):.1f}" y="{bottom + 14}">{tick}</text>'
        )
    out.append(
        f'<text class="axis" x="{LABEL + PLOT / 2:.1f}" y="{bottom + 30}">days since support</text>'
    )
    for index, line in enumerate(lines):
        top = TOP + ROW * index
        mid = top + ROW / 2
        days = line.days_since_support
        name = escape(line.contact.name)
        if days is None:
            summary = f"{name}: never supported; cadence {line.cadence_days} days"
            bar = (
                f'<rect class="bar never" x="{LABEL}" y="{mid - BAR / 2:.1f}"'
                f' width="{PLOT}" height="{BAR}"/>'
            )
            label = "never"
            end = float(LABEL + PLOT)
        else:
            summary = f"{name}: {days} days since support; cadence {line.cadence_days} days"
            tone = "past" if line.past_cadence else "within"
            end = x(days)
            bar = (
                f'<rect class="bar {tone}" x="{LABEL}" y="{mid - BAR / 2:.1f}"'
                f' width="{end - LABEL:.1f}" height="{BAR}"/>'
            )
            cut = days > scale
            label = f"{days} d{' ›' if cut else ''}"
        mark = x(line.cadence_days)
        out.append(
            f'<g class="row" data-contact="{escape(line.contact.id)}"><title>{summary}</title>'
            f'<text class="name" x="{LABEL - 8}" y="{mid + 4:.1f}">'
            f"{escape(_name(line.contact.name))}</text>{bar}"
            f'<line class="cadence" x1="{mark:.1f}" y1="{top + 2}"'
            f' x2="{mark:.1f}" y2="{top + ROW - 2}"/>'
            # After the bar or the cadence tick, whichever ends later, so the tick
            # never strikes through the number.
            f'<text class="days" x="{max(end, mark) + 6:.1f}" y="{mid + 4:.1f}">{label}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)
