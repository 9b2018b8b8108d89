"""`outreach completion bash|zsh|fish`: the script that turns on tab completion."""

from __future__ import annotations

import argparse
from typing import Any

from outreach.cli.base import add_command
from outreach.cli.completion import SHELLS, shell_script
from outreach.cli.context import Context

ORDER = 90


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "completion",
        common=common,
        help="print the script that makes your shell complete outreach's commands",
        description="Print the tab-completion script for bash, zsh or fish. It completes"
        " commands, options, contact ids, event ids and draft ids (read from the workspace"
        " of --home, $OUTREACH_HOME or the current folder). Load it from your shell's"
        " startup file, as the examples show.",
        examples=[
            'eval "$(outreach completion bash)"     # in ~/.bashrc',
            'eval "$(outreach completion zsh)"      # in ~/.zshrc, after compinit',
            "outreach completion fish | source      # in ~/.config/fish/config.fish",
        ],
    )
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    ctx.stdout.write(shell_script(ctx.args.shell))
    return 0
