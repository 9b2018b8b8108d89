"""The report as one self-contained HTML page: health, chart, table, next steps.

Pure. Everything is inline (styles and an SVG chart); a Content-Security-Policy
forbids the page any network access, so opening it never phones anywhere.
"""

from __future__ import annotations

from html import escape

from outreach.core.report import cells
from outreach.core.report.chart import render_chart
from outreach.core.report.model import Report

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d232a; background: #fbfbf8; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
.sub { color: #5b6570; margin-top: 0; }
dl.health { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem;
            background: #fff; border: 1px solid #dfe3e6; border-radius: 6px;
            padding: .8rem 1rem; }
dl.health dt { font-weight: 600; }
dl.health dd { margin: 0; }
dl.health dd.warn { color: #9a5b00; font-weight: 600; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .92rem; }
th, td { text-align: left; padding: .35rem .55rem; border-bottom: 1px solid #e6e9ec;
         white-space: nowrap; }
th { background: #eef1f3; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.past td.overdue { color: #b42318; font-weight: 600; }
tr.within td.overdue { color: #2e7d32; }
.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid #dfe3e6;
         border-radius: 6px; }
.chart text { font: 12px system-ui, sans-serif; fill: #1d232a; }
.chart .name { text-anchor: end; }
.chart .tick, .chart .axis { text-anchor: middle; fill: #5b6570; }
.chart .grid { stroke: #eef1f3; }
.chart .bar.past { fill: #d64545; }
.chart .bar.within { fill: #4caf7a; }
.chart .bar.never { fill: url(#never); }
.chart .never-bg { fill: #f3d2d2; }
.chart .never-line { stroke: #d64545; stroke-width: 2; }
.chart .cadence { stroke: #1d232a; stroke-width: 2; }
.legend { color: #5b6570; font-size: .9rem; }
.legend span { display: inline-block; width: .9rem; height: .7rem; margin: 0 .3rem 0 1rem;
               vertical-align: middle; }
.legend .past { background: #d64545; }
.legend .within { background: #4caf7a; }
.legend .never { background: repeating-linear-gradient(45deg, #f3d2d2 0 3px, #d64545 3px 5px); }
.legend .cadence { width: 2px; background: #1d232a; }
ul.steps li { margin: .2rem 0; }
/* A phone: each contact becomes a short card (labels from data-label, since the
   header row is hidden), and the chart scrolls inside its frame instead of
   shrinking to unreadable text or widening the page. */
@media (max-width: 40rem) {
  body { margin: 1rem auto; }
  dl.health { grid-template-columns: 1fr; }
  dl.health dd { margin-bottom: .35rem; }
  figure#chart { margin: 0; overflow-x: auto; }
  figure#chart .chart { min-width: 36rem; }
  #contacts thead { display: none; }
  #contacts, #contacts tbody, #contacts tr { display: block; width: 100%; }
  #contacts tr { border-bottom: 1px solid #e6e9ec; padding: .45rem .55rem;
                 box-sizing: border-box; }
  #contacts td { display: inline-block; border: 0; padding: 0 .7rem 0 0;
                 white-space: normal; text-align: left; }
  #contacts td::before { content: attr(data-label) " "; color: #5b6570; }
  #contacts td.name { display: block; font-weight: 600; }
}
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
NUMERIC = {0, 5, 7, 8, 9}
NUM = ' class="num"'
NAME = 1  # the column that heads each card on a phone
# On a phone the header row is hidden and each cell says what it is; the two
# "Days" columns say which days they count.
_PHONE_LABELS = {NAME: "", 5: "days since support", 7: "days since touch"}
LABELS = [f' data-label="{escape(_PHONE_LABELS.get(i, h))}"' for i, h in enumerate(cells.COLUMNS)]


def render_html(report: Report) -> str:
    title = cells.title(report)
    heading, _, subtitle = title.partition("? ")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(heading)}?</h1>",
        f'<p class="sub">{escape(subtitle)}</p>',
        '<dl class="health">',
    ]
    for label, value, fine in cells.health_items(report.health):
        warn = "" if fine else ' class="warn"'
        out.append(f"<dt>{escape(label)}</dt><dd{warn}>{escape(value)}</dd>")
    for fix in cells.fixes(report.health):
        out.append(f'<dt>To do</dt><dd class="warn">{escape(fix)}</dd>')
    out.append("</dl>")
    if not report.lines:
        out += ["<p>No contacts to show.</p>", "</body>", "</html>"]
        return "\n".join(out) + "\n"
    out += [
        "<h2>Days since support, against cadence</h2>",
        '<figure id="chart">',
        render_chart(report.lines),
        '<figcaption class="legend"><span class="past"></span>past cadence'
        '<span class="within"></span>within cadence'
        '<span class="never"></span>never supported'
        '<span class="cadence"></span>cadence</figcaption>',
        "</figure>",
        "<h2>Contacts</h2>",
        '<table id="contacts">',
        "<thead><tr>"
        + "".join(
            f'<th scope="col"{NUM if i in NUMERIC else ""}>{escape(h)}</th>'
            for i, h in enumerate(cells.COLUMNS)
        )
        + "</tr></thead>",
        "<tbody>",
    ]
    for line in report.lines:
        values = cells.row(line, report.zone)
        tds = []
        for i, value in enumerate(values):
            classes = (["num"] if i in NUMERIC else []) + (["overdue"] if i == 9 else [])
            classes += ["name"] if i == NAME else []
            attr = f' class="{" ".join(classes)}"' if classes else ""
            tds.append(f"<td{attr}{LABELS[i]}>{escape(value)}</td>")
        tone = "past" if line.past_cadence else "within"
        out.append(
            f'<tr class="{tone}" data-contact="{escape(line.contact.id)}">{"".join(tds)}</tr>'
        )
    out += ["</tbody>", "</table>", f"<p>{escape(cells.shown(report))}</p>"]
    steps = report.next_steps
    if steps:
        out += ["<h2>Next steps</h2>", '<ul class="steps">']
        for line in steps:
            assert line.next_step is not None
            out.append(
                f"<li><strong>{escape(line.contact.name)}</strong> (#{line.rank}):"
                f" {escape(line.next_step.text)}</li>"
            )
        out.append("</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
