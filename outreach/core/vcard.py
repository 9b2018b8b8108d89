"""vCard syntax (2.1, RFC 2426 3.0, RFC 6350 4.0): cards, properties, parameters.

Pure: takes text and returns each card's properties with their parameters and
decoded values (folding undone, quoted-printable and base64 decoded, escapes
resolved on request). What the properties mean to a roster is
`contacts_import`'s business.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_ESCAPE = re.compile(r"\\([\\,;:nN])")


@dataclass(frozen=True, slots=True)
class VCardProperty:
    name: str  # upper case, without its group (`item1.EMAIL` is EMAIL)
    params: Mapping[str, tuple[str, ...]]  # upper-case names; TYPE values as written
    value: str  # transfer encoding undone, escapes still in place
    line: int  # where the property starts (1-based)

    def text(self) -> str:
        """The value with its escapes resolved."""
        return unescape(self.value)

    def components(self, separator: str) -> list[str]:
        """A structured value (N, ORG: ';'; CATEGORIES: ',') split, then unescaped."""
        return [unescape(part) for part in split_escaped(self.value, separator)]

    @property
    def types(self) -> frozenset[str]:
        return frozenset(t.upper() for t in self.params.get("TYPE", ()))

    @property
    def preference(self) -> int:
        """1 for the most preferred value, 101 for one with no preference."""
        # vCard 4 ranks with PREF=1..100 (RFC 6350 5.3); 3.0 and 2.1 only flag
        # it, as TYPE=PREF or a bare PREF.
        for value in self.params.get("PREF", ()):
            if value.isdigit():
                return int(value)
        return 1 if "PREF" in self.types else 101


@dataclass(frozen=True, slots=True)
class VCard:
    line: int  # of BEGIN:VCARD
    properties: tuple[VCardProperty, ...]
    complete: bool = True  # False when the text ended before END:VCARD

    def all(self, name: str) -> list[VCardProperty]:
        return [p for p in self.properties if p.name == name]


def read_vcards(text: str, *, wanted: frozenset[str] | None = None) -> list[VCard]:
    """Every top-level card in `text`; `wanted` keeps only those property names.

    A 2.1 AGENT property may nest a whole card; its properties are not the
    outer card's, and it is not returned as a card of its own.
    """
    cards: list[VCard] = []
    properties: list[VCardProperty] = []
    start, depth = 0, 0
    for prop in _properties(text):
        if prop.name in ("BEGIN", "END") and prop.value.strip().upper() == "VCARD":
            if prop.name == "BEGIN":
                depth += 1
                if depth == 1:
                    start, properties = prop.line, []
            elif depth:
                depth -= 1
                if depth == 0:
                    cards.append(VCard(start, tuple(properties)))
            continue
        if depth == 1 and (wanted is None or prop.name in wanted):
            properties.append(_decoded(prop))
    if depth:
        cards.append(VCard(start, tuple(properties), complete=False))
    return cards


def unescape(value: str) -> str:
    # RFC 6350 3.4: \\ \, \; and \n (or \N); some writers also escape ':'.
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split_escaped(value: str, separator: str) -> list[str]:
    """Split on `separator` where it is not backslash-escaped; escapes stay in place."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            current.append(value[i : i + 2])
            i += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def content_lines(text: str) -> Iterator[tuple[int, str]]:
    """Logical content lines, each with the number of its first physical line."""
    current: str | None = None
    start = 0
    for number, line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), start=1):
        if current is not None:
            if current.endswith("=") and _is_quoted_printable(current):
                current = current[:-1] + line  # a quoted-printable soft line break
                continue
            if line[:1] in (" ", "\t"):
                current += line[1:]  # folding: RFC 6350 3.2, RFC 2426 2.6
                continue
            yield start, current
        current, start = line, number
    if current is not None:
        yield start, current


def _is_quoted_printable(line: str) -> bool:
    return "QUOTED-PRINTABLE" in line.partition(":")[0].upper()


def _properties(text: str) -> Iterator[VCardProperty]:
    for number, line in content_lines(text):
        colon = line.find(":")
        if colon < 0:
            continue
        if '"' in line[:colon]:  # a quoted parameter value may hold ':' or ';'
            colon = _unquoted_index(line, ":")
            if colon < 0:
                continue
        parts = _split_unquoted(line[:colon], ";")
        name = parts[0].strip().upper().rpartition(".")[2]
        yield VCardProperty(name, _params(parts[1:]), line[colon + 1 :], number)


def _params(parts: Sequence[str]) -> dict[str, tuple[str, ...]]:
    params: dict[str, tuple[str, ...]] = {}
    for part in parts:
        key, eq, value = part.partition("=")
        key = key.strip().upper()
        if not eq:  # vCard 2.1 writes `EMAIL;INTERNET;PREF:` and `;QUOTED-PRINTABLE:`
            kind = "ENCODING" if key in _BARE_ENCODINGS else "TYPE"
            params[kind] = (*params.get(kind, ()), key)
            continue
        values = (v.strip().strip('"') for v in _split_unquoted(value, ","))
        params[key] = (*params.get(key, ()), *(v for v in values if v))
    return params


def _decoded(prop: VCardProperty) -> VCardProperty:
    encodings = {e.upper() for e in prop.params.get("ENCODING", ())}
    if "QUOTED-PRINTABLE" in encodings:
        raw = quopri.decodestring(prop.value.encode("utf-8"))
    elif encodings & {"B", "BASE64"}:
        try:
            raw = base64.b64decode(re.sub(r"\s+", "", prop.value), validate=True)
        except (binascii.Error, ValueError):
            return prop
    else:
        return prop
    # 2.1 names the charset of encoded text (CHARSET=); Windows writers often
    # leave it out while writing their code page.
    charsets = (*prop.params.get("CHARSET", ())[:1], "utf-8", "cp1252")
    for charset in charsets:
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
        return VCardProperty(prop.name, prop.params, text, prop.line)
    return VCardProperty(prop.name, prop.params, raw.decode("latin-1"), prop.line)


def _unquoted_index(text: str, char: str) -> int:
    quoted = False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            return i
    return -1


def _split_unquoted(text: str, separator: str) -> list[str]:
    if '"' not in text:
        return text.split(separator)
    parts: list[str] = []
    quoted, start = False, 0
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == separator and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts
