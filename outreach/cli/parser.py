"""The argument parser: argparse, with "did you mean" for every misspelling.

argparse reports an unknown command as "invalid choice" followed by the
whole list, and an unknown option with the top level's usage however deep
the user was. Here an unknown command, action, option or choice is named
with its closest valid spelling, under the usage of the command being typed.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` most likely misspells, or None when none is close."""
    options = sorted(set(candidates))
    # A unique prefix is what people type when they abbreviate ("repo").
    starting = [c for c in options if c.startswith(word)] if word else []
    if len(starting) == 1:
        return starting[0]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def _suggestion(word: str, candidates: Iterable[str], *, prefix: str = "") -> str:
    match = closest(word, candidates)
    return f"; did you mean '{prefix}{match}'?" if match is not None else ""


class OutreachParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors suggest the spelling meant.

    Subcommand parsers are made by `add_subparsers` with the parser's own
    class, so every level of `outreach` behaves the same way.
    """

    def _command_path(self) -> str:
        """`draft ` for the parser of `outreach draft`, empty for the top level."""
        _, _, rest = self.prog.partition(" ")
        return f"{rest} " if rest else ""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is None or value in choices:
            return
        names = [str(choice) for choice in choices]
        if isinstance(action, argparse._SubParsersAction):
            path = self._command_path()
            message = f"unknown command '{path}{value}'"
            hint = _suggestion(str(value), names, prefix=path)
            if not hint:
                hint = f"; `outreach {path}--help` lists the commands"
        else:
            where = action.option_strings[-1] if action.option_strings else action.metavar
            message = f"{where}: '{value}' is not one of {', '.join(names)}"
            hint = _suggestion(str(value), names)
        raise argparse.ArgumentError(None, message + hint)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        # The deepest parser sees the leftovers first: report them with its usage.
        if extras:
            self.error(self._unknown_message(extras))
        return parsed, extras

    def _unknown_message(self, extras: list[str]) -> str:
        first = extras[0]
        if first.startswith("-") and len(first) > 1:
            option = first.partition("=")[0]
            known = [name for name in self._option_string_actions if name.startswith("--")]
            return f"unknown option '{option}'" + _suggestion(option, known)
        return f"unexpected argument '{first}'"

    def error(self, message: str) -> NoReturn:
        # argparse's own messages start "argument --x:"; the option is enough.
        super().error(message.removeprefix("argument "))


def command_paths(parser: argparse.ArgumentParser) -> list[str]:
    """Every command a user can run, as typed after `outreach`: `check`, `drafts list`…

    A command with actions counts through its actions; the README's table
    and shell completion are kept equal to this list.
    """
    found: list[str] = []

    def walk(current: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        groups = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not groups and prefix:
            found.append(" ".join(prefix))
        for group in groups:
            for name, sub in group.choices.items():
                walk(sub, (*prefix, name))

    walk(parser, ())
    return found
