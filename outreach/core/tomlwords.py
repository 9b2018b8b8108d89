"""TOML syntax errors in plain words, placed where the mistake was made.

The parser speaks of what it met ("Illegal character '\\n'") where it gave
up, which for an unclosed string is the end of the line, or the next line.
People who keep their network in a text file need what went wrong, where,
and how to fix it. Pure: takes the parser's message, its position and the text.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_KEY = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*"""
_KEY_AT_START = re.compile(rf"^\s*({_KEY})")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]")


@dataclass(frozen=True, slots=True)
class Explained:
    message: str
    line: int
    col: int


def explain(raw: str, text: str, line: int, col: int) -> Explained:
    """What `raw` (the parser's message at `line`:`col`) means, and where its cause is."""
    lines = text.splitlines() or [""]
    here = lines[line - 1] if 0 < line <= len(lines) else ""

    unclosed = _unclosed_string(lines, line)
    if unclosed is not None and (
        raw in ("Illegal character '\\n'", "Unterminated string") or raw.startswith('Expected "\'"')
    ):
        at_line, at_col, quote = unclosed
        return Explained(
            f"this string is not closed: add a closing quote ({quote}) where it ends",
            at_line,
            at_col,
        )
    if raw == "Unterminated string":
        return Explained('a """multi-line string""" is not closed: add the closing """', line, col)
    if raw.startswith("Expected '=' after a key"):
        key = _key_on(here) or "this key"
        return Explained(f"'{key}' needs '=' and a value after it: {key} = …", line, _indent(here))
    if raw == "Cannot overwrite a value":
        return _set_twice(lines, line, here)
    declared = re.fullmatch(r"Cannot declare (\(.*\)) twice", raw)
    if declared:
        name = _dotted(declared.group(1))
        return Explained(
            f"a table named [{name}] appears twice: merge the two, or rename one",
            line,
            _indent(here),
        )
    if raw.startswith(("Cannot mutate immutable namespace", "Cannot redefine namespace")):
        return Explained(
            "this table was already given as a value above (key = … or { … }); keep one of the two",
            line,
            _indent(here),
        )
    duplicate = re.fullmatch(r"Duplicate inline table key '(.*)'", raw)
    if duplicate:
        return Explained(f"'{duplicate.group(1)}' appears twice inside {{ … }}", line, col)
    if raw == "Invalid value":
        word = _word_at(here, col)
        return Explained(
            f"cannot read the value '{word}': put text in quotes (\"{word}\"),"
            " a list in [ ], a date as 2026-05-02; numbers and true/false stay bare",
            line,
            col,
        )
    if raw == "Expected newline or end of document after a statement":
        return _stray_text(here, line, col)
    if raw == "Invalid statement":
        return Explained(
            "this line is not key = value, a [table] header, or a # comment",
            line,
            _indent(here),
        )
    if raw == "Invalid initial character for a key part":
        return Explained("a key is letters, digits, '_' and '-' (or put it in quotes)", line, col)
    if raw in ("Unclosed array", "Unclosed inline table"):
        opener, closer, what = (
            ("[", "]", "list") if raw == "Unclosed array" else ("{", "}", "table")
        )
        at_line, at_col = _unclosed_bracket(lines, line, opener, closer) or (line, col)
        return Explained(
            f"this {what} is not closed: add '{closer}' after its last item", at_line, at_col
        )
    if raw.startswith("Expected ']' at the end of a table") or raw.startswith("Expected ']]'"):
        closer = "]]" if "]]" in raw else "]"
        return Explained(
            f"this table header is not closed: add '{closer}' after its name", line, _indent(here)
        )
    if raw == "Invalid date or datetime":
        return Explained(
            "not a date or time: write 2026-05-02, 2026-05-02T17:00:00,"
            " or 2026-05-02T17:00:00-05:00 with an offset",
            line,
            col,
        )
    if raw in (
        "Invalid hex value",
        "Unescaped '\\' in a string",
        "Escaped character is not a Unicode scalar value",
    ) or raw.startswith("Found invalid character"):
        return Explained(
            'a backslash in a "string" starts an escape such as \\n: write \\\\ for a'
            " backslash, or use 'single quotes', which keep backslashes as they are",
            line,
            here.rfind("\\", 0, col) + 1 or col,
        )
    if raw.startswith("Illegal character"):
        return Explained(
            f"a character that cannot appear here ({raw.removeprefix('Illegal character ')});"
            " retype this part of the line",
            line,
            col,
        )
    return Explained(f"{raw[:1].lower()}{raw[1:]}", line, col)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) + 1


def _key_on(line: str) -> str | None:
    found = _KEY_AT_START.match(line)
    return found.group(1).strip() if found else None


def _dotted(key_repr: str) -> str:
    try:
        parts = ast.literal_eval(key_repr)
    except (ValueError, SyntaxError):
        return key_repr
    if not isinstance(parts, tuple):
        return key_repr
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in parts)


def _word_at(line: str, col: int) -> str:
    found = re.match(r"[^\s,\]}#]+", line[col - 1 :])
    return found.group(0) if found else line[col - 1 : col]


def _set_twice(lines: list[str], number: int, here: str) -> Explained:
    key = _key_on(here) or "this key"
    table = None
    for previous in reversed(lines[: number - 1]):
        header = _HEADER.match(previous)
        if header:
            table = header.group(1)
            break
    where = f" in [{table}]" if table else ""
    if "." in key:
        # `a.b = 2` after `a = 1`: not the same key twice, but a value made a table.
        return Explained(
            f"'{key}' clashes with a value set above{where}: keep one of the two",
            number,
            _indent(here),
        )
    return Explained(f"'{key}' is set twice{where}: keep one of the two", number, _indent(here))


def _stray_text(here: str, line: int, col: int) -> Explained:
    before = here[: col - 1].rstrip()
    stray = here[col - 1 :].strip()
    if re.search(r"=\s*\d{4}$", before) and stray.startswith("-"):
        return Explained(
            "not a date: write 2026-05-02 (a real month and day), or 2026-05-02T17:00:00",
            line,
            len(before) - 3,
        )
    return Explained(
        f"unexpected '{stray}' after the value: one key = value per line, text in quotes,"
        " comments after #",
        line,
        col,
    )


def _string_state(line: str) -> tuple[int, str] | None:
    """The 0-based column and quote of a single-line string `line` leaves open."""
    index, opened, quote = 0, -1, ""
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char == "#":
            break
        elif char in "\"'":
            if line.startswith(char * 3, index):
                return None  # a multi-line string: its end may be lines away
            opened, quote = index, char
        index += 1
    return (opened, quote) if quote else None


def _unclosed_string(lines: list[str], number: int) -> tuple[int, int, str] | None:
    """Where the string the parser ran off the end of was opened: this line or the one above."""
    for candidate in (number, number - 1):
        if 0 < candidate <= len(lines):
            state = _string_state(lines[candidate - 1])
            if state is not None:
                return candidate, state[0] + 1, state[1]
    return None


def _unclosed_bracket(
    lines: list[str], number: int, opener: str, closer: str
) -> tuple[int, int] | None:
    for candidate in range(min(number, len(lines)), 0, -1):
        line = lines[candidate - 1]
        if line.count(opener) > line.count(closer) and "=" in line:
            return candidate, line.index(opener, line.index("=")) + 1
    return None
