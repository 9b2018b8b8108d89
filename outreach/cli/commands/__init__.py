"""One module per top-level subcommand, named like the command it adds.

Every module here defines `register(subparsers, common)` adding its parser,
whose handler (set with `set_defaults(handler=...)`) takes a `Context` and
returns an exit status. `ORDER` sorts them in `outreach --help`.

Only the module of the command being run is imported (a command's module
pulls in its whole use case: IMAP, Jinja2, the daemon...), so every command
starts fast; help and unknown commands import them all.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from types import ModuleType

# Common options that take a value, so the command's name can be found after them.
OPTIONS_WITH_VALUES = frozenset({"--home", "--as-of"})


def command_names() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` asks for, when it names one; None otherwise."""
    names = set(command_names())
    skip_next = False
    for token in argv:
        if skip_next:
            skip_next = False
        elif token in OPTIONS_WITH_VALUES:
            skip_next = True
        elif token.startswith("-"):
            if token in ("-h", "--help", "--version"):
                return None
        else:
            return token if token in names else None
    return None


def command_modules(only: str | None = None) -> list[ModuleType]:
    names = [only] if only is not None else command_names()
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
