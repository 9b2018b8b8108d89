"""The personal line: the one line of a support draft that only the user can write.

Pure: finds the open slots (`[[ your line: … ]]`) in a draft's text, removes
them, and decides whether a whole message may be sent and in what form. It
never writes; the send path calls `held_back` and `ready_to_send`, and no
sent message ever contains `[[`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from outreach.core.compose import replace_body

OPEN, CLOSE = "[[", "]]"
REQUIRED, OPTIONAL = "required", "optional"  # `[drafts] personal_line`
SETTINGS = (REQUIRED, OPTIONAL)

_SLOT = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
# A slot alone on its line (the templates' way) goes with its line and the
# blank line after it, so removing it leaves no hole in the text; the HTML
# templates put it in a paragraph of its own.
_SLOT_LINE = re.compile(r"^[ \t]*\[\[.*?\]\][ \t]*\n(?:[ \t]*\n)?", re.DOTALL | re.MULTILINE)
_SLOT_PARAGRAPH = re.compile(r"[ \t]*<p[^>]*>\s*\[\[.*?\]\]\s*</p>[ \t]*\n?", re.DOTALL)


def slot(hint: str) -> str:
    """The marker a template writes: `[[ your line: why this made you think of Mei ]]`."""
    return f"{OPEN} your line: {' '.join(hint.split())} {CLOSE}"


def open_slots(text: str) -> list[str]:
    """Every slot still open in `text`, as written (`[[ … ]]`), in order.

    A bare `[[` without its end counts too: half a marker must not go out.
    """
    found = [m.group(0) for m in _SLOT.finditer(text)]
    if not found and OPEN in text:
        start = text.index(OPEN)
        found.append(text[start : start + 60].split("\n")[0])
    return found


def remove_slots(text: str, *, html: bool = False) -> str:
    """`text` without its open slots: whole lines (or HTML paragraphs) first, then any inline."""
    if html:
        text = _SLOT_PARAGRAPH.sub("", text)
    text = _SLOT_LINE.sub("", text)
    return _SLOT.sub("", text).replace(OPEN, "")


@dataclass(frozen=True, slots=True)
class Parts:
    text: str | None
    html: str | None


def message_parts(data: bytes) -> Parts:
    """The text and HTML bodies of a draft, decoded."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)

    def body(kind: str) -> str | None:
        part = message.get_body(preferencelist=(kind,))
        if not isinstance(part, EmailMessage):
            return None
        return str(part.get_content()).replace("\r\n", "\n")

    return Parts(text=body("plain"), html=body("html"))


_BASE64 = re.compile(rb"(?i)content-transfer-encoding:\s*base64")


def needs_line(data: bytes) -> bool:
    """Whether the draft's text still waits for its personal line."""
    # `drafts list` asks this of every waiting draft: a draft without a "["
    # anywhere has no slot (7bit and quoted-printable leave "[" as it is), so
    # only base64 bodies and drafts with a bracket are parsed.
    if b"[" not in data and not _BASE64.search(data):
        return False
    parts = message_parts(data)
    return bool(
        open_slots(parts.text or "") or (parts.text is None and parts.html and OPEN in parts.html)
    )


def held_back(data: bytes, *, setting: str) -> str | None:
    """Why this draft must not be sent yet, or None when it may go.

    Only the text part decides: it is what the user reads and edits (`drafts
    show`, `drafts edit`). With `personal_line = "optional"` nothing is held.
    """
    if setting == OPTIONAL:
        return None
    parts = message_parts(data)
    slots = open_slots(parts.text if parts.text is not None else parts.html or "")
    if not slots:
        return None
    return f"its personal line is still open: {slots[0]}"


def ready_to_send(data: bytes) -> bytes:
    """The message as it may leave: no slot left anywhere.

    Open slots (allowed by `personal_line = "optional"`) are removed from
    every part. When the user filled the text part but the HTML part still
    shows the slot, the HTML is stale and is dropped: the text, with the
    user's own line, goes alone.
    """
    parts = message_parts(data)
    text_open = bool(open_slots(parts.text or ""))
    html_open = parts.html is not None and OPEN in parts.html
    if not text_open and not html_open:
        return data
    if parts.text is None:
        assert parts.html is not None
        return replace_body(data, text=None, html=remove_slots(parts.html, html=True))
    text = remove_slots(parts.text)
    if parts.html is None or (html_open and not text_open):
        return replace_body(data, text=text, html=None)
    return replace_body(data, text=text, html=remove_slots(parts.html, html=True))
