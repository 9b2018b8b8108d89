"""One module per top-level subcommand.

Every module here defines `register(subparsers, common)` adding its parser,
whose handler (set with `set_defaults(handler=...)`) takes a `Context` and
returns an exit status. `ORDER` sorts them in `outreach --help`.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
