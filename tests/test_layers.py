"""The layers, read from the source: imports only point down, and the core does no I/O.

Every module under outreach/ is checked, new ones included: its package gives
it a rank, and each import it makes (absolute, `from outreach import x`,
relative, `importlib.import_module("...")`) must reach a lower rank or its own
package. The edge packages (`mail`, `store`, `web`) share a rank and may not
import each other. The foundation and the core also may not import I/O
modules or call file, clock or sleep functions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "outreach"

# Lower ranks are imported by higher ones, never the reverse. Equal ranks in
# different packages (the two edges) may not import each other either.
RANKS = {
    "base": 0,
    "core": 1,
    "mail": 2,
    "store": 2,
    "web": 2,
    "app": 3,
    "daemon": 4,
    "cli": 5,
    # Data shipped as packages: nothing to import but files.
    "templates": 0,
    "default_config": 0,
}
# The package root: `outreach/__init__.py` holds only the version (rank 0);
# `python -m outreach` is the command line itself.
ROOT_MODULES = {"outreach": ("base", 0), "outreach.__main__": ("cli", 5)}

# Allowed imports that break the rule, each with its reason. Empty is the aim.
EXEMPTIONS: dict[tuple[str, str], str] = {}

PURE_PACKAGES = {"base", "core"}
# Pure modules that live beside the edge code they serve: the daemon's time rules.
PURE_MODULES = {"outreach.daemon.due", "outreach.daemon.backoff"}
FORBIDDEN_IMPORTS = {
    "socket",
    "ssl",
    "sqlite3",
    "imapclient",
    "imaplib",
    "smtplib",
    "subprocess",
    "urllib",
    "http",
    "httpx",
    "time",
    "os",
    "shutil",
    "tempfile",
    "fcntl",
    "glob",
    "mailbox",
}
# Formats that run code when they are read: no layer may load them, since the
# files it reads sit in a folder others may be able to write.
UNSAFE_IMPORTS = {"pickle", "marshal", "shelve", "dill"}
FORBIDDEN_CALLS = {
    "open",
    "now",
    "today",
    "utcnow",
    "sleep",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "iterdir",
    "glob",
    "rglob",
    "scandir",
    "listdir",
    "unlink",
    "mkdir",
    "stat",
    "rename",
    "exists",
    "is_file",
    "is_dir",
}
# The one place pure code may ask for the time: the system clock itself, which
# only the CLI and the daemon call.
PURE_CALL_EXEMPTIONS = {("outreach.base.clock", "now")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def rank_of(name: str) -> tuple[str, int]:
    """The layer package of an `outreach...` module name and its rank."""
    if name in ROOT_MODULES:
        return ROOT_MODULES[name]
    layer = name.split(".")[1]
    if layer not in RANKS:
        raise AssertionError(f"{name}: package {layer!r} has no rank in tests/test_layers.py")
    return layer, RANKS[layer]


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


@dataclass(frozen=True, slots=True)
class Import:
    target: str
    line: int


def _target_exists(name: str) -> bool:
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def imports_of(path: Path, tree: ast.AST) -> list[Import]:
    """Every module this file imports, all import forms resolved to full names."""
    own = module_name(path)
    package = own if is_package(path) else own.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                # `from outreach.store import journal` imports the module journal.
                candidate = f"{base}.{alias.name}"
                target = candidate if _target_exists(candidate) else base
                found.append(Import(target, node.lineno))
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            found.append(Import(_dynamic_target(node, package, own), node.lineno))
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id in {"import_module", "__import__"}


def _dynamic_target(node: ast.Call, package: str, own: str) -> str:
    if not node.args:
        return "<unknown>"
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        if arg.value.startswith(".") and len(node.args) > 1:
            return package + arg.value
        return arg.value
    # f"{__name__}.{name}": a module inside this package.
    if (
        isinstance(arg, ast.JoinedStr)
        and arg.values
        and isinstance(arg.values[0], ast.FormattedValue)
        and isinstance(arg.values[0].value, ast.Name)
        and arg.values[0].value.id == "__name__"
    ):
        return own
    return "<unknown>"


def violations(path: Path, source: str) -> list[str]:
    """What is wrong with one module's imports and calls, as readable lines."""
    tree = ast.parse(source, filename=str(path))
    own = module_name(path)
    layer, rank = rank_of(own)
    pure = layer in PURE_PACKAGES or own in PURE_MODULES
    problems: list[str] = []
    for imp in imports_of(path, tree):
        where = f"{path.relative_to(PACKAGE.parent)}:{imp.line}"
        if imp.target == "<unknown>":
            if (own, imp.target) not in EXEMPTIONS:
                problems.append(f"{where}: a dynamic import the test cannot resolve")
            continue
        if imp.target.split(".")[0] == "outreach":
            target_layer, target_rank = rank_of(imp.target)
            if target_layer == layer or (own, imp.target) in EXEMPTIONS:
                continue
            if target_rank > rank:
                problems.append(f"{where}: {own} ({layer}) imports {imp.target}, a higher layer")
            elif target_rank == rank:
                problems.append(f"{where}: {own} ({layer}) imports {imp.target}, another edge")
        elif imp.target.split(".")[0] in UNSAFE_IMPORTS:
            problems.append(f"{where}: {own} imports {imp.target}, which can run code it reads")
        elif pure:
            top = imp.target.split(".")[0]
            if top in FORBIDDEN_IMPORTS and (own, top) not in PURE_CALL_EXEMPTIONS:
                problems.append(f"{where}: pure module {own} imports {imp.target}")
    if pure:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in FORBIDDEN_CALLS and (own, name) not in PURE_CALL_EXEMPTIONS:
                    where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                    problems.append(f"{where}: pure module {own} calls {name}()")
    return problems


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_respects_the_layers(path: Path) -> None:
    assert violations(path, path.read_text()) == []


def test_every_module_is_checked() -> None:
    names = {module_name(p) for p in all_modules()}
    assert {"outreach.core.classify", "outreach.store.journal.store", "outreach.cli.main"} <= names


def test_the_exemptions_are_still_needed() -> None:
    used = set()
    for path in all_modules():
        tree = ast.parse(path.read_text())
        own = module_name(path)
        used.update((own, imp.target) for imp in imports_of(path, tree))
    assert set(EXEMPTIONS) <= used


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        # Each form the old test let through.
        ("core/classify.py", "from outreach.store import journal\n"),
        ("core/classify.py", "from ..store import journal\n"),
        ("core/classify.py", "from ..mail.imap import connection\n"),
        ("core/classify.py", "import importlib\nimportlib.import_module('outreach.mail.smtp')\n"),
        ("core/renamed_classify.py", "import sqlite3\n"),
        ("core/match.py", "from outreach.store.outbox import Outbox\n"),
        ("core/match.py", "from outreach.mail.credentials import resolve_secret\n"),
        ("core/match.py", "from outreach.daemon import service\n"),
        ("app/sync.py", "from outreach.cli import main\n"),
        ("store/journal/store.py", "from outreach.app import sync\n"),
        ("daemon/service.py", "from outreach.cli.main import build_parser\n"),
        ("daemon/jobs.py", "from outreach.cli.main import main\n"),
        ("mail/smtp.py", "from outreach.store.journal import store\n"),
        ("store/cache.py", "import pickle\n"),
        ("store/cache.py", "from shelve import open as shelf\n"),
    ],
)
def test_the_rule_catches(relative: str, source: str) -> None:
    assert violations(PACKAGE / relative, source) != []
