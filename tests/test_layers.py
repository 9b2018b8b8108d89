"""The pure core stays pure: no network, database, subprocess, file or clock access.

Parsing, validation, classification, matching, rendering and reporting take
data and return data; this reads their source with `ast` to keep it so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "outreach"

# Modules (or packages) that must stay free of I/O. Missing ones are skipped,
# so the list can name parts that land later.
CORE = [
    "errors",
    "wording",
    "model",
    "tomlsource",
    "validation",
    "config",
    "roster",
    "events",
    "addresses",
    "suggest",
    "example",
    "headers",
    "classify",
    "match",
    "render",
    "compose",
    "shares",
    "intros",
    "contacts_import",
    "roster_edit",
    "report",
    "vcard",
    "events_import",
    "parse_cache",
]
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
    "time",
    "os",
    "shutil",
    "tempfile",
    "fcntl",
    "glob",
    "outreach.journal",
    "outreach.workspace",
    "outreach.cli",
    "outreach.app",
}
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


def core_files() -> list[Path]:
    files: list[Path] = []
    for name in CORE:
        if (PACKAGE / f"{name}.py").exists():
            files.append(PACKAGE / f"{name}.py")
        elif (PACKAGE / name).is_dir():
            files.extend(sorted((PACKAGE / name).rglob("*.py")))
    return files


def imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def called_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    bad_imports = {
        name
        for name in imported_names(tree)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IMPORTS)
    }
    assert not bad_imports, f"{path.name} imports {sorted(bad_imports)}"
    bad_calls = called_names(tree) & FORBIDDEN_CALLS
    assert not bad_calls, f"{path.name} calls {sorted(bad_calls)}"


def test_the_core_list_is_not_empty() -> None:
    assert len(core_files()) >= 10
