"""Reading typed values out of parsed TOML while collecting every problem.

Config, roster and events all validate the same way: walk the parsed data,
check each value, and record a located `Problem` for each mistake instead of
stopping at the first, so the user sees everything wrong in one run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

from outreach.base.errors import Problem
from outreach.core.tomlsource import KeyLocator, KeyPath, PathPart

_MISSING = object()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " — did you mean 'x'?" when a choice is close to `word`, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


def has_line_break(value: str) -> bool:
    return "\r" in value or "\n" in value


class Validator:
    """Collects problems for one file; each check returns a usable value anyway."""

    def __init__(self, path: str, locator: KeyLocator) -> None:
        self.path = path
        self.locator = locator
        self.problems: list[Problem] = []

    def error(
        self, key_path: Sequence[PathPart], message: str, *, value: str | None = None
    ) -> None:
        self.problems.append(self.locator.problem(self.path, key_path, message, value=value))

    def unknown_keys(
        self, table: Mapping[str, Any], allowed: Iterable[str], key_path: KeyPath
    ) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                self.error((*key_path, key), f"unknown key '{key}'{did_you_mean(key, allowed)}")

    def _get(self, table: Mapping[str, Any], key: str, key_path: KeyPath, required: bool) -> Any:
        if key in table:
            return table[key]
        if required:
            self.error(key_path, f"missing required key '{key}'")
        return _MISSING

    def string(
        self,
        table: Mapping[str, Any],
        key: str,
        key_path: KeyPath,
        *,
        required: bool = False,
        default: str | None = None,
        single_line: bool = True,
        choices: Sequence[str] | None = None,
    ) -> str | None:
        value = self._get(table, key, key_path, required)
        if value is _MISSING:
            return default
        where = (*key_path, key)
        if not isinstance(value, str):
            self.error(where, f"'{key}' must be a string, not {_type_name(value)}")
            return default
        if single_line and has_line_break(value):
            self.error(where, f"'{key}' must not contain a line break (it can reach a mail header)")
            return default
        if required and not value.strip():
            self.error(where, f"'{key}' must not be empty")
            return default
        if choices is not None and value not in choices:
            self.error(
                where,
                f"'{key}' is '{value}', expected one of: {', '.join(choices)}"
                f"{did_you_mean(value, choices)}",
            )
            return default
        return value

    @overload
    def integer(
        self,
        table: Mapping[str, Any],
        key: str,
        key_path: KeyPath,
        *,
        required: bool = False,
        default: int,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int: ...

    @overload
    def integer(
        self,
        table: Mapping[str, Any],
        key: str,
        key_path: KeyPath,
        *,
        required: bool = False,
        default: None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None: ...

    def integer(
        self,
        table: Mapping[str, Any],
        key: str,
        key_path: KeyPath,
        *,
        required: bool = False,
        default: int | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._get(table, key, key_path, required)
        if value is _MISSING:
            return default
        where = (*key_path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"'{key}' must be a whole number, not {_type_name(value)}")
            return default
        if minimum is not None and value < minimum:
            rule = "positive" if minimum == 1 else f"at least {minimum}"
            self.error(where, f"'{key}' must be {rule}, not {value}")
            return default
        if maximum is not None and value > maximum:
            self.error(where, f"'{key}' must be at most {maximum:,}, not {value:,}")
            return default
        return value

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        key_path: KeyPath,
        *,
        default: float,
        minimum: float = 0.0,
    ) -> float:
        value = self._get(table, key, key_path, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            self.error((*key_path, key), f"'{key}' must be a number of at least {minimum}")
            return default
        return float(value)

    def boolean(
        self, table: Mapping[str, Any], key: str, key_path: KeyPath, *, default: bool
    ) -> bool:
        value = self._get(table, key, key_path, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error((*key_path, key), f"'{key}' must be true or false, not {_type_name(value)}")
            return default
        return value

    def string_list(
        self,
        table: Mapping[str, Any],
        key: str,
        key_path: KeyPath,
        *,
        required: bool = False,
        single_line: bool = True,
    ) -> tuple[str, ...]:
        value = self._get(table, key, key_path, required)
        if value is _MISSING:
            return ()
        where = (*key_path, key)
        if not isinstance(value, list):
            self.error(where, f"'{key}' must be a list of strings, like {key} = [\"...\"]")
            return ()
        if required and not value:
            self.error(where, f"'{key}' must not be empty")
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.error(where, f"'{key}' must hold only strings, not {_type_name(item)}")
            elif single_line and has_line_break(item):
                self.error(
                    where, f"'{key}' must not contain a line break (it can reach a mail header)"
                )
            else:
                items.append(item)
        return tuple(items)

    def table(self, table: Mapping[str, Any], key: str, key_path: KeyPath) -> dict[str, Any]:
        value = self._get(table, key, key_path, False)
        if value is _MISSING:
            return {}
        if not isinstance(value, dict):
            self.error((*key_path, key), f"'{key}' must be a table, like [{key}]")
            return {}
        return value

    def table_list(
        self, table: Mapping[str, Any], key: str, key_path: KeyPath
    ) -> list[dict[str, Any]]:
        value = self._get(table, key, key_path, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error((*key_path, key), f"'{key}' must be written as [[{key}]] tables")
            return []
        return value


def _type_name(value: object) -> str:
    names = {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
