"""`outreach init DIR [--example]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outreach.app.scaffold import init_workspace
from outreach.cli.base import add_command
from outreach.cli.context import Context
from outreach.store.localzone import local_zone_name

ORDER = 10


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "init",
        common=common,
        help="create a workspace (commented files, or a sample network)",
        description="Create a workspace folder: outreach.toml, roster.toml, events.toml and"
        " templates/, each commented to teach its format. With --example, a complete sample"
        " network that runs offline: twelve contacts, upcoming events and a local Maildir.",
        examples=[
            "outreach init ~/network",
            "outreach init /tmp/ws --example",
            "outreach --home /tmp/ws check",
        ],
    )
    parser.add_argument(
        "dir",
        metavar="DIR",
        nargs="?",
        help="the folder to create (default: --home, else the current folder)",
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="create the sample network instead of empty, commented files",
    )
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    root = (ctx.cwd / Path(ctx.args.dir).expanduser()).resolve() if ctx.args.dir else ctx.home
    result = init_workspace(
        root, example=ctx.args.example, now=ctx.now(), zone=local_zone_name(ctx.environ)
    )
    ctx.out(f"Created {'the example workspace' if ctx.args.example else 'a workspace'} in {root}:")
    for name in result.files:
        ctx.out(f"  {name}")
    if result.touches_seeded:
        ctx.out(f"  (journal seeded with {result.touches_seeded} past touches)")
    ctx.out("")
    if ctx.args.example:
        ctx.out(f"Next: outreach --home {root} daemon --once   (sync, draft what is due, report)")
    else:
        ctx.out(
            f"Next: edit {root / 'outreach.toml'} and roster.toml, then"
            f" `outreach --home {root} check`"
        )
    return 0
