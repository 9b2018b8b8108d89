"""TOML text with positions: parse errors as Problems, and where a key sits.

The parser reports a syntax error's position only inside its message, and
forgets positions once a file parses. Validation still has to say
`file:line:col:` for a value that parses but is wrong, so `KeyLocator` scans
the text once (lazily, only when there is a problem to report) and maps each
key path to the line and column where it is written. Pure: takes text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# tomli is the stdlib's tomllib published separately, and ships compiled wheels
# that parse a large roster about 1.6 times faster; same messages, same results.
import tomli

from outreach.base.errors import Problem
from outreach.core.tomlwords import explain

PathPart = str | int
KeyPath = tuple[PathPart, ...]

_TOML_ERROR_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TABLE_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_dotted(key: str) -> list[str]:
    parts: list[str] = []
    for match in re.finditer(r"""\s*("([^"]*)"|'([^']*)'|[A-Za-z0-9_-]+)\s*(?:\.|$)""", key):
        if match.group(2) is not None:
            parts.append(match.group(2))
        elif match.group(3) is not None:
            parts.append(match.group(3))
        else:
            parts.append(match.group(1).strip())
    return parts


def parse_toml(text: str, path: str) -> dict[str, Any]:
    """Parse TOML `text`, raising a `TomlSyntaxError` that carries a Problem."""
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise TomlSyntaxError(toml_problem(exc, path, text)) from exc
    except RecursionError:
        # The parser recurses once per nested array or inline table.
        line, col = deepest_nesting(text, MAX_NESTING)
        raise TomlSyntaxError(
            Problem(
                path=path,
                message=f"TOML nested too deeply (more than {MAX_NESTING} levels of [ and {{)",
                line=line,
                col=col,
            )
        ) from None


# Far beyond any file a person writes; well within Python's recursion limit.
MAX_NESTING = 100
_NESTING_TOKENS = re.compile(r'"""|\'\'\'|\\.|["\'#\n\[\]{}]')


def deepest_nesting(text: str, limit: int) -> tuple[int | None, int | None]:
    """Line and column where arrays and inline tables first nest deeper than `limit`.

    Only called after the parser gave up, so it may be slow; it skips strings
    and comments roughly (enough to point at the place), never raises.
    """
    depth = 0
    line, line_start = 1, 0
    quote: str | None = None
    comment = False
    for token in _NESTING_TOKENS.finditer(text):
        kind = token.group()
        if kind == "\n":
            line, line_start = line + 1, token.end()
            comment = False
            if quote in ('"', "'"):
                quote = None
        elif comment:
            continue
        elif quote is not None:
            if kind == quote:
                quote = None
        elif kind in ('"""', "'''", '"', "'"):
            quote = kind
        elif kind == "#":
            comment = True
        elif kind in "[{":
            depth += 1
            if depth > limit:
                return line, token.start() - line_start + 1
        elif kind in "]}":
            depth = max(depth - 1, 0)
    return None, None


def toml_problem(exc: tomli.TOMLDecodeError, path: str, text: str) -> Problem:
    """The syntax error in plain words at the place of the mistake; the parser's own
    message as the Problem's detail."""
    raw = getattr(exc, "msg", None) or str(exc)
    line: int | None = getattr(exc, "lineno", None)
    col: int | None = getattr(exc, "colno", None)
    if line is None or col is None:
        message = str(exc)
        found = _TOML_ERROR_POSITION.search(message)
        if found:
            line, col = int(found.group(1)), int(found.group(2))
            raw = message[: found.start()]
        else:
            raw = message.removesuffix(" (at end of document)")
            lines = text.splitlines() or [""]
            line, col = len(lines), len(lines[-1]) + 1
    explained = explain(raw, text, line, col)
    return Problem(
        path=path,
        message=explained.message,
        line=explained.line,
        col=explained.col,
        detail=str(exc),
    )


class TomlSyntaxError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    col: int


class KeyLocator:
    """Finds the line and column where a key path is written in TOML text.

    Understands `[table]`, `[[array.of.tables]]` (paths count their index),
    dotted keys and quoted keys: enough for files people write by hand. A
    path it cannot find falls back to its nearest known ancestor.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._positions: dict[KeyPath, Position] | None = None

    def _scan(self) -> dict[KeyPath, Position]:
        positions: dict[KeyPath, Position] = {}
        array_counts: dict[KeyPath, int] = {}
        table: KeyPath = ()
        in_multiline_string = False
        for number, line in enumerate(self._text.splitlines(), start=1):
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline_string = not in_multiline_string
                if not in_multiline_string:
                    continue
            if in_multiline_string and not _KEY_LINE.match(line):
                continue
            header = _TABLE_HEADER.match(line)
            if header and not _KEY_LINE.match(line):
                names = tuple(_split_dotted(header.group(2)))
                if header.group(1) == "[[":
                    index = array_counts.get(names, 0)
                    array_counts[names] = index + 1
                    table = (*self._resolve_arrays(names[:-1], array_counts), names[-1], index)
                else:
                    table = self._resolve_arrays(names, array_counts)
                for depth in range(1, len(table)):
                    positions.setdefault(table[:depth], Position(number, 1))
                col = len(line) - len(line.lstrip()) + 1
                positions.setdefault(table, Position(number, col))
                continue
            key = _KEY_LINE.match(line)
            if key:
                full = (*table, *_split_dotted(key.group(1)))
                col = len(line) - len(line.lstrip()) + 1
                positions.setdefault(full, Position(number, col))
        return positions

    @staticmethod
    def _resolve_arrays(names: tuple[str, ...], array_counts: dict[KeyPath, int]) -> KeyPath:
        # `[daemon.jobs.extra]` after `[[daemon.jobs]]` belongs to the latest entry.
        resolved: list[PathPart] = []
        for depth, part in enumerate(names, start=1):
            resolved.append(part)
            if names[:depth] in array_counts:
                resolved.append(array_counts[names[:depth]] - 1)
        return tuple(resolved)

    def find(self, key_path: Sequence[PathPart]) -> Position | None:
        if self._positions is None:
            self._positions = self._scan()
        path = tuple(key_path)
        while path:
            if path in self._positions:
                return self._positions[path]
            path = path[:-1]
        return None

    def find_value(self, key_path: Sequence[PathPart], needle: str) -> Position | None:
        """Where `needle` (a value's text) first appears at or after the key's line."""
        start = self.find(key_path)
        lines = self._text.splitlines()
        first = start.line if start else 1
        for number in range(first, len(lines) + 1):
            col = lines[number - 1].lower().find(needle.lower())
            if col >= 0:
                return Position(number, col + 1)
        return start

    def problem(
        self, path: str, key_path: Sequence[PathPart], message: str, *, value: str | None = None
    ) -> Problem:
        position = self.find_value(key_path, value) if value else self.find(key_path)
        if position is None:
            return Problem(path=path, message=message)
        return Problem(path=path, message=message, line=position.line, col=position.col)
