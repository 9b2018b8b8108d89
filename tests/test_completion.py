"""Tab completion: the installed command answers the shell with commands,
options, contact, event and draft ids from the workspace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.support.workspaces import make_workspace

EVENTS = """\
[events.salon]
title = "Housing Futures Salon"
host = "ben"
start = 2026-07-01T18:00:00+02:00
tags = ["housing"]
"""

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = make_workspace(tmp_path_factory.mktemp("completion") / "ws", events=EVENTS)
    for argv in (["draft", "shares"], ["draft", "check-in", "ana"]):
        subprocess.run(
            [sys.executable, "-m", "outreach", "--home", str(ws), "--as-of", "2026-06-15", *argv],
            check=True,
            capture_output=True,
        )
    return ws


def completions(line: str, cwd: Path, tmp_path: Path) -> list[str]:
    """What `outreach` offers for `line`, asked the way the shell scripts ask."""
    out = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    env.pop("OUTREACH_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "outreach"], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    return sorted(word.strip() for word in out.read_text().splitlines())


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("outreach rep", ["report"]),
        ("outreach dr", ["draft", "drafts"]),
        ("outreach draft ch", ["check-in"]),
        ("outreach report --fo", ["--format"]),
        ("outreach report --format j", ["json"]),
        ("outreach touch a", ["ana"]),
        ("outreach draft intro ", ["ana", "ben"]),
        ("outreach draft shares --event ", ["salon"]),
        ("outreach contacts list --circle ", ["extended", "focus"]),
        ("outreach drafts discard ", ["1", "2"]),
    ],
)
def test_the_shell_is_offered(
    workspace: Path, tmp_path: Path, line: str, expected: list[str]
) -> None:
    found = completions(line, workspace, tmp_path)
    typing_an_option = line.split(" ")[-1].startswith("-")
    # Options are offered beside ids; only the ids matter here.
    assert [word for word in found if typing_an_option or not word.startswith("-")] == expected


def test_ids_come_from_the_workspace_named_by_home(workspace: Path, tmp_path: Path) -> None:
    assert completions(f"outreach --home {workspace} touch b", tmp_path, tmp_path) == ["ben"]


def test_outside_a_workspace_ids_complete_to_nothing(tmp_path: Path) -> None:
    assert completions("outreach touch ", tmp_path, tmp_path) == [
        "--as-of",
        "--date",
        "--debug",
        "--help",
        "--home",
        "--kind",
        "--note",
        "-h",
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_completes_in_bash(workspace: Path) -> None:
    script = (
        'eval "$(outreach completion bash)"\n'
        'COMP_LINE="outreach drafts sh"; COMP_POINT=${#COMP_LINE}\n'
        "COMP_WORDS=(outreach drafts sh); COMP_CWORD=2\n"
        '_python_argcomplete outreach; echo "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if not (BIN / "outreach").exists():
        pytest.skip("the outreach command is not installed beside this Python")
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=workspace, capture_output=True, text=True
    )
    assert (done.stdout, done.stderr) == ("show \n", "")


@pytest.mark.parametrize(
    ("shell", "first_line"),
    [("bash", "#compdef outreach"), ("zsh", "#compdef outreach"), ("fish", "")],
)
def test_every_shell_gets_a_script(run_cli: RunCli, shell: str, first_line: str) -> None:
    script = run_cli("completion", shell).stdout
    assert "outreach" in script
    assert script.splitlines()[0] == first_line
