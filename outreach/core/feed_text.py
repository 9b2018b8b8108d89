"""Untrusted feed text made safe: HTML to plain text, single lines, plain web links.

Pure. Everything a feed says is written by a stranger's software: a title
may carry CR/LF meant to forge mail headers, bidirectional overrides, or
megabytes of text; a link may be `javascript:`. These functions are the only
way feed text reaches the journal, so every template and header sees the
cleaned form.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

TITLE_LIMIT = 200  # characters: a subject line, not an essay
SUMMARY_LIMIT = 600
LINK_LIMIT = 2000

# C0 and C1 controls, and the Unicode format characters that reorder or hide
# text (bidi overrides and isolates, zero-width joiners, BOM).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_LINK = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"blockquote", "pre", "tr", "table", "section", "article"}
)
_SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template"})


def single_line(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """One line of plain text: no controls, no line breaks, whitespace collapsed, bounded."""
    if not text:
        return ""
    cleaned = " ".join(_INVISIBLE.sub("", text).split())
    return _bounded(cleaned, limit)


def plain_text(markup: str | None, limit: int = SUMMARY_LIMIT) -> str:
    """HTML (or text with entities) as readable plain text, paragraphs kept, bounded."""
    if not markup:
        return ""
    reader = _TextReader()
    reader.feed(markup)
    reader.close()
    paragraphs = [" ".join(p.split()) for p in "".join(reader.parts).split("\n")]
    text = "\n".join(p for p in paragraphs if p)
    return _bounded(_INVISIBLE.sub("", text), limit)


def web_link(url: str | None) -> str | None:
    """`url` when it is a plain http(s) address fit for an email; else None."""
    if not url:
        return None
    url = url.strip()
    if len(url) > LINK_LIMIT or _INVISIBLE.search(url) or not _LINK.match(url):
        return None
    return url


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut + "…"


class _TextReader(HTMLParser):
    """Collects the text of an HTML fragment; scripts and styles say nothing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def unknown_decl(self, data: str) -> None:  # CDATA and the like: plain text
        self.parts.append(html.unescape(data.removeprefix("CDATA[")))
