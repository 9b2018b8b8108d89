"""Writing a draft's personal line as a user would, by rewriting the draft file.

The product's own code reads and rewrites the message (`message_parts`,
`replace_body`), so the file stays a well-formed draft; only the marker
`[[ your line: … ]]` gives way to the user's words.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from outreach.core.compose import replace_body
from outreach.core.personal_line import message_parts

_SLOT = re.compile(r"\[\[.*?\]\]", re.DOTALL)


def write_personal_line(path: Path, line: str, *, html_too: bool = True) -> None:
    """Replace the open slot in the draft at `path` with `line` (in its HTML part too)."""
    data = path.read_bytes()
    parts = message_parts(data)
    text = _SLOT.sub(line, parts.text) if parts.text is not None else None
    page = parts.html
    if page is not None and html_too:
        page = _SLOT.sub(html.escape(line), page)
    path.write_bytes(replace_body(data, text=text, html=page))


def write_every_personal_line(drafts: Path, line: str = "I thought of you at once.") -> None:
    for path in sorted(drafts.glob("*.eml")):
        write_personal_line(path, line)
