"""What a workspace template may cost: output size and rendering time, in check and drafting.

Each breach is an exit-2 error of one line naming the template, found before
the memory is spent or within the configured time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from outreach.app.parallel import can_fork_workers, results_in_order
from outreach.core.render import SAMPLE_MOMENT, Me, TemplateOverrides, Templates, sample_contexts
from outreach.core.render_limits import RenderLimits
from outreach.store.watchdog import run_timed
from tests.conftest import RunCli
from tests.support.workspaces import DEFAULT_CONFIG, make_workspace
from tests.test_parallel import pid_of_task
from tests.test_shares import EVENTS

SIZE_ERROR = (
    "the output would exceed 1,048,576 characters"
    " (the limit is [drafts] render_max_kib in outreach.toml)"
)
TIME_ERROR = (
    "rendering took longer than 1 s (the limit is [drafts] render_seconds in outreach.toml)"
)
FAST = DEFAULT_CONFIG + "\n[drafts]\nrender_seconds = 1\n"

# Each makes a huge string in one operation, without a loop for a timer to stop.
HUGE = [
    "{{ 'x' * 10**9 }}",
    "{{ ['x'] * 10**9 }}",
    "{{ 'x' | center(10**9) }}",
    "{{ 'x' | indent(10**9) }}",
    "{{ '%999999999s' | format('x') }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ 'x'.zfill(10**9) }}",
    "{{ ('x' * 1000000) | replace('x', 'yy') }}",
    "{{ ('x' * 600000) ~ ('y' * 600000) }}",
    "{{ 10 ** 10000000 }}",
    "{{ lipsum(10**6) }}",
]
# Loops that would run for hours.
SLOW = [
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
]


def workspace_with_template(tmp_path: Path, body: str, *, config: str = FAST) -> Path:
    root = make_workspace(tmp_path / "ws", config=config, events=EVENTS)
    (root / "templates").mkdir()
    (root / "templates" / "share_event.txt").write_text(f"Subject: Hi\n\n{body}\n")
    return root


@pytest.mark.parametrize("body", HUGE)
def test_a_template_making_a_huge_string_fails_check_at_once_in_one_line(
    tmp_path: Path, run_cli: RunCli, body: str
) -> None:
    root = workspace_with_template(tmp_path, body)
    started = time.monotonic()
    result = run_cli("--home", str(root), "check", expect=2)
    assert time.monotonic() - started < 5
    template = root / "templates" / "share_event.txt"
    assert result.stderr.splitlines()[0] == f"{template}:3: {SIZE_ERROR}"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("body", SLOW)
def test_a_template_that_runs_too_long_fails_check_after_render_seconds(
    tmp_path: Path, run_cli: RunCli, body: str
) -> None:
    root = workspace_with_template(tmp_path, body)
    started = time.monotonic()
    result = run_cli("--home", str(root), "check", expect=2)
    assert time.monotonic() - started < 5
    template = root / "templates" / "share_event.txt"
    assert result.stderr.splitlines()[0] == f"{template}:3: {TIME_ERROR}"


def test_draft_shares_with_a_huge_template_writes_no_draft(tmp_path: Path, run_cli: RunCli) -> None:
    root = workspace_with_template(tmp_path, "{{ 'x' * 10**9 }}")
    result = run_cli("--home", str(root), "--as-of", "2026-06-20", "draft", "shares", expect=2)
    assert result.stderr.splitlines()[0] == (
        f"{root / 'templates' / 'share_event.txt'}:3: {SIZE_ERROR}"
    )
    assert sorted((root / "drafts").glob("*.eml")) == []


def test_draft_shares_with_a_slow_template_stops_after_render_seconds(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = workspace_with_template(tmp_path, SLOW[0])
    started = time.monotonic()
    result = run_cli("--home", str(root), "--as-of", "2026-06-20", "draft", "shares", expect=2)
    assert time.monotonic() - started < 10
    assert result.stderr.splitlines()[0] == (
        f"{root / 'templates' / 'share_event.txt'}:3: {TIME_ERROR}"
    )


def test_the_limits_are_configurable_and_generous_by_default(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # 500,000 characters: far beyond any real email, inside the default limit.
    body = "{{ 'x' * 500000 }}"
    root = workspace_with_template(tmp_path, body, config=DEFAULT_CONFIG)
    assert run_cli("--home", str(root), "check").stdout.startswith("ok: ")
    tight = DEFAULT_CONFIG + "\n[drafts]\nrender_max_kib = 100\n"
    root = workspace_with_template(tmp_path / "tight", body, config=tight)
    result = run_cli("--home", str(root), "check", expect=2)
    assert result.stderr.splitlines()[0] == (
        f"{root / 'templates' / 'share_event.txt'}:3: the output would exceed 102,400"
        " characters (the limit is [drafts] render_max_kib in outreach.toml)"
    )


def test_output_made_in_many_small_pieces_is_counted_as_it_comes() -> None:
    source = "Subject: Hi\n\n{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}\n"
    templates = Templates(
        TemplateOverrides(Path("templates"), {"share_event.txt": source}, RenderLimits())
    )
    context = sample_contexts(Me("Dana Reyes", "dana@example.org"), now=SAMPLE_MOMENT)[
        "share_event"
    ]
    with pytest.raises(Exception, match="the output would exceed 1,048,576 characters"):
        templates.render("share_event", context)


def test_a_render_that_finishes_in_time_is_never_interrupted_afterwards() -> None:
    # Thousands of quick renders under a short limit: the watchdog must only
    # ever stop a render still running, never code after one that finished.
    limits = RenderLimits(seconds=0.05, runner=run_timed)
    templates = Templates(TemplateOverrides(Path("templates"), {}, limits))
    context = sample_contexts(Me("Dana Reyes", "dana@example.org"), now=SAMPLE_MOMENT)[
        "share_event"
    ]
    for _ in range(2000):
        templates.render("share_event", context)


def test_a_timed_render_leaves_the_process_free_to_fork_workers() -> None:
    # The watchdog thread survives a fork safely, so it must not cost a batch
    # its worker processes.
    limits = RenderLimits(seconds=5, runner=run_timed)
    templates = Templates(TemplateOverrides(Path("templates"), {}, limits))
    context = sample_contexts(Me("Dana Reyes", "dana@example.org"), now=SAMPLE_MOMENT)
    templates.render("share_event", context["share_event"])
    results = collect_in_workers()
    assert [index for index, _ in results] == list(range(4))
    assert os.getpid() not in {pid for _, pid in results}


def collect_in_workers() -> list[tuple[int, int]]:
    assert can_fork_workers()
    with results_in_order(pid_of_task, 4, workers=2) as runs:
        return [result for run in runs for result in run]


def test_a_daemon_job_drafting_with_a_slow_template_fails_alone_after_render_seconds(
    tmp_path: Path, run_cli: RunCli
) -> None:
    config = (
        'timezone = "UTC"\n'
        + FAST
        + """
[[daemon.jobs]]
run = "draft shares"
at = "daily 08:00"

[[daemon.jobs]]
run = "touch ana --kind note --note fine"
at = "daily 08:00"
"""
    )
    root = workspace_with_template(tmp_path, SLOW[0], config=config)
    started = time.monotonic()
    result = run_cli("--home", str(root), "--as-of", "2026-06-15", "daemon", "--once", expect=2)
    assert time.monotonic() - started < 10
    assert "ran `touch ana --kind note --note fine` (daily 08:00):\n" in result.stdout
    assert result.stderr.splitlines()[:2] == [
        "`draft shares` (daily 08:00) failed with exit status 2:",
        f"  {root / 'templates' / 'share_event.txt'}:3: {TIME_ERROR}",
    ]


def test_many_strings_each_under_the_limit_may_not_add_up_to_gigabytes(
    tmp_path: Path, run_cli: RunCli
) -> None:
    body = "{% set l = [] %}{% for i in range(1000) %}{{ l.append('x' * 1000000) }}{% endfor %}"
    root = workspace_with_template(tmp_path, body)
    result = run_cli("--home", str(root), "check", expect=2)
    assert result.stderr.splitlines()[0] == (
        f"{root / 'templates' / 'share_event.txt'}:3: the template builds more than 8,388,608"
        " characters of strings and lists in all (the limit is [drafts] render_max_kib x 8 in"
        " outreach.toml)"
    )
