"""`outreach init`: create a workspace, empty and commented or as the example.

Never overwrites: a folder that already holds outreach.toml is left alone.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from outreach.base.errors import InputError, Problem
from outreach.core.config import CONFIG_FILE
from outreach.core.example import example_workspace
from outreach.store.journal import Journal
from outreach.store.journal.touches import record_touches
from outreach.store.workspace import atomic_write, fsync_folder

JOURNAL_FILE = "journal.db"


@dataclass(frozen=True, slots=True)
class InitResult:
    root: Path
    files: tuple[str, ...]
    touches_seeded: int


def _scaffold_files() -> dict[str, bytes]:
    package = resources.files("outreach.default_config")
    names = ("outreach.toml", "roster.toml", "events.toml")
    return {name: (package / name).read_bytes() for name in names} | {"templates/": b""}


TIMEZONE_COMMENT = (
    "# Your time zone: daemon job times, events that name none, and calendars'\n"
    "# floating and all-day times are read in it. `outreach init` wrote this\n"
    "# machine's zone; change it if yours is another (an IANA name, such as\n"
    '# "Europe/Berlin" or "America/Chicago").\n'
)


def with_timezone(config_text: str, zone: str) -> str:
    """`config_text` with a commented top-level `timezone` before its first table."""
    lines = config_text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    setting = f'{TIMEZONE_COMMENT}timezone = "{zone}"\n\n'
    return "".join(lines[:at]) + setting + "".join(lines[at:])


def init_workspace(root: Path, *, example: bool, now: datetime, zone: str = "UTC") -> InitResult:
    """Write a new workspace under `root`; the example also seeds the journal.

    `zone` (the machine's, from the CLI) becomes outreach.toml's `timezone`.
    """
    if (root / CONFIG_FILE).exists():
        raise InputError(
            [Problem(str(root / CONFIG_FILE), "already exists; init never overwrites a workspace")],
            hint=f"use it as it is: `outreach --home {root} check`",
        )
    if example and (root / JOURNAL_FILE).exists():
        # The example's made-up history must never mix with a real one.
        raise InputError(
            [Problem(str(root / JOURNAL_FILE), "already exists; the example needs an empty folder")]
        )
    if example:
        built = example_workspace(now)
        files, touches = built.files, built.touches
    else:
        files, touches = _scaffold_files(), ()
    config = files["outreach.toml"].decode("utf-8")
    if "timezone" not in tomllib.loads(config):
        # The example names its own zone, so its dates read the same on every machine.
        files = files | {"outreach.toml": with_timezone(config, zone).encode("utf-8")}
    written: list[str] = []
    for relative, content in sorted(files.items()):
        target = root / relative
        if relative.endswith("/"):
            if not target.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                written.append(relative)
        elif not target.exists():  # a file the user already has is kept as it is
            atomic_write(target, content, durable=False)
            written.append(relative)
    for folder in {(root / r).parent for r in files} | {root}:
        fsync_folder(folder)
    seeded = 0
    new_journal = not (root / JOURNAL_FILE).exists()
    with Journal.open(root / JOURNAL_FILE) as journal:
        if touches:
            seeded = record_touches(journal, touches, now=now)
    listed = [r for r in written if not r.startswith("mail/")]
    if any(r.startswith("mail/") for r in written):
        listed.append("mail/")
    if new_journal:
        listed.append(JOURNAL_FILE)
    return InitResult(root=root, files=tuple(listed), touches_seeded=seeded)
