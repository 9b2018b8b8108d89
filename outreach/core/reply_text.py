"""What a person wrote in a reply: the text part, without quoted text or signature.

Pure: takes a message's bytes (or a body's text) and returns text. Picks the
text/plain part, else text from the HTML part (dropping Gmail's and Outlook's
quote containers and <blockquote>), then cuts at the first sign of quoted
text: "> " lines, the attribution line of Gmail, Apple Mail and Thunderbird
in English, Spanish, French, German and Portuguese ("On … wrote:", "El …
escribió:", "Le … a écrit :", "Am … schrieb …:", "Em … escreveu:"), Outlook's
"From: … Sent: …" header block and "-----Original Message-----" rules; and
at the signature ("-- ", "Sent from my iPhone" and its translations).
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

# Attribution lines that open a quote, as the clients write them. They may
# wrap over two or three lines (Gmail breaks before a long address).
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"on\b.{0,200}\bwrote\s*:"  # Gmail, Apple Mail, Thunderbird (English)
    r"|el\b.{0,200}\bescribi[oó]\s*:"  # Spanish
    r"|le\b.{0,200}\ba [ée]crit\s*:"  # French (with or without the space before ':')
    r"|am\b.{0,200}\bschrieb\b.{0,200}:"  # German: "Am …, um … schrieb Name <addr>:"
    r"|em\b.{0,200}\bescreveu\s*:"  # Portuguese (Brazil)
    r"|no dia\b.{0,200}\bescreveu\s*:"  # Portuguese (Portugal, Apple Mail)
    r")\s*$",
    re.IGNORECASE | re.DOTALL,
)
# Thunderbird's shorter form on a line of its own: "Dana Reyes wrote:".
_NAME_WROTE = re.compile(
    r"^\s*[^\s>].{0,120}\b(?:wrote|escribi[oó]|a [ée]crit|schrieb|escreveu)\s*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|el|le|am|em|no dia)\b", re.IGNORECASE)
# Rules that Outlook and Thunderbird put above a quoted or forwarded message.
_RULE = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|mensaje original|message d'origine|"
    r"ursprüngliche nachricht|mensagem original|forwarded message|"
    r"message transféré|weitergeleitete nachricht|mensaje reenviado|"
    r"mensagem encaminhada)\s*-{2,}|_{10,}|begin forwarded message:)\s*$",
    re.IGNORECASE,
)
# Outlook's header block of the quoted message: a From line, then a date line.
_FROM = re.compile(r"^\s*\*?(?:from|de|von|da|van)\s*:\*?\s", re.IGNORECASE)
_HEADER_DATE = re.compile(
    r"^\s*\*?(?:sent|date|envoyé|datum|gesendet|enviado|enviada em|fecha|data|to|à|an|para)"
    r"\s*:",
    re.IGNORECASE,
)
# The signature separator ("-- ", RFC 3676 §4.3, often sent without its
# space) and the mobile clients' taglines, in the five languages.
_SIGNATURE = re.compile(
    r"^(?:--|—|__)\s*$|^\s*(?:"
    # A tagline is a short line of its own: "Sent from my desk, is much easier…" is text.
    r"(?:sent from my|enviado desde mi|envoyé de mon|envoyé depuis mon|enviado do meu|"
    r"enviado de meu|enviado desde)(?:\s+\S+){1,4}\s*$|"
    r"(?:von meinem|gesendet von meinem)(?:\s+\S+){1,3}\s*$|"
    r"get outlook for \S+\s*$|sent from (?:outlook|mail for windows)\b)",
    re.IGNORECASE,
)


def message_text(raw: bytes) -> str:
    """The text a reply carries: its text/plain part, else the text of its HTML part."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    plain = _part(message, "plain")
    if plain is not None:
        return plain
    html = _part(message, "html")
    return html_text(html) if html is not None else ""


def _part(message: EmailMessage, subtype: str) -> str | None:
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_subtype() != subtype or part.get_content_disposition() == "attachment":
            continue
        return _decoded(part)
    return None


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # an unknown charset name
        return payload.decode("utf-8", "replace")


class _HtmlText(HTMLParser):
    """Text of an HTML body, leaving out quote containers, styles and scripts."""

    _BLOCKS = frozenset(("p", "div", "br", "tr", "li", "h1", "h2", "h3", "blockquote", "table"))
    _QUOTES = ("gmail_quote", "divrplyfwdmsg", "appendonsend", "moz-cite-prefix", "yahoo_quoted")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag in ("br", "img", "meta", "hr", "input", "link"):
            return  # void elements have no end tag
        marks = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        skip = tag in ("blockquote", "style", "script", "head") or any(
            q in marks for q in self._QUOTES
        )
        self._stack.append(skip)
        self._skip_depth += skip

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "meta", "hr", "input", "link") or not self._stack:
            return
        self._skip_depth -= self._stack.pop()
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    # Paragraph margins are not blank lines: keep only lines with text.
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def fresh_text(text: str) -> str:
    """The lines the person wrote: up to the first quote, attribution or signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _starts_quote(lines, index):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if line.lstrip().startswith(">") or _RULE.match(line) or _SIGNATURE.match(line):
        return True
    if _NAME_WROTE.match(line):
        return True
    # An attribution may wrap (Gmail breaks before a long address): when this
    # line opens like one, try it joined with the next one or two.
    if _ATTRIBUTION_START.match(line):
        for span in (1, 2, 3):
            joined = " ".join(part.strip() for part in lines[index : index + span])
            if _ATTRIBUTION.match(joined):
                return True
    if _FROM.match(line):
        following = lines[index + 1 : index + 4]
        return any(_HEADER_DATE.match(other) for other in following)
    return False


def reply_excerpt(text: str, *, lines: int = 2, width: int = 120) -> str:
    """The first lines of an answer, on one line, for listings."""
    shown = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    first = " / ".join(shown.split(" / ")[:lines])
    return first if len(first) <= width else first[: width - 1] + "…"
