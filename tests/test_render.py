"""Templates: built-in texts, workspace overrides, the sandbox and located errors."""

from __future__ import annotations

import importlib.resources
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Contact, Event
from outreach.core.render import (
    KINDS,
    Me,
    Templates,
    check_templates,
    sample_contexts,
    share_event_context,
)
from outreach.core.render_filters import and_list, when
from outreach.store.workspace import read_template_overrides
from tests.conftest import NOW, RunCli
from tests.support.workspaces import make_workspace


def folder_templates(folder: Path) -> Templates:
    """Templates overridden from `folder`, read as the workspace reads them."""
    return Templates(read_template_overrides(folder))


ME = Me("Dana Reyes", "dana@example.org")
ANA = Contact(id="ana", name="Ana Lima", emails=("ana@example.net",), tags=("art", "housing"))
BEN = Contact(id="ben", name="Ben Okafor", emails=("ben@example.net",), org="Eastside Co-op")
SALON = Event(
    id="salon",
    title="Housing Futures Salon",
    host="ben",
    start=datetime(2026, 7, 2, 18, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    url="https://example.org/salon",
    location="Eastside Library",
    tags=("housing", "food"),
)


def share(templates: Templates, **changes: object) -> dict[str, object]:
    context = share_event_context(me=ME, contact=ANA, event=SALON, host=BEN, now=NOW)
    context.update(changes)
    return context


def test_built_in_templates_ship_inside_the_package() -> None:
    folder = importlib.resources.files("outreach.templates")
    for kind in KINDS:
        assert folder.joinpath(f"{kind}.txt").is_file()
    assert folder.joinpath("README.md").is_file()


def test_every_built_in_template_renders_against_sample_data() -> None:
    assert check_templates(None, me=ME, now=NOW) == []
    templates = Templates(None)
    for kind, context in sample_contexts(ME, NOW).items():
        rendered = templates.render(kind, context)
        assert rendered.subject
        assert rendered.text.startswith("Hi ")
        assert rendered.text.endswith("Dana\n")
        assert "{{" not in rendered.text and "{%" not in rendered.text


def test_share_says_why_this_person_and_whose_event() -> None:
    rendered = Templates(None).render("share_event", share(Templates(None)))
    assert rendered.subject == "Thought of you: Housing Futures Salon on Thursday 2 July"
    assert (
        "Ben Okafor of Eastside Co-op is hosting Housing Futures Salon on Thursday 2 July 2026"
        in rendered.text
    )
    assert "at 18:00 (Europe/Berlin), at Eastside Library." in rendered.text
    assert "your work on housing is, which is why" in rendered.text
    assert "tell Ben I sent you" in rendered.text
    assert rendered.html is not None
    assert '<a href="https://example.org/salon">' in rendered.html


def test_own_event_share_reads_as_an_invitation() -> None:
    templates = Templates(None)
    rendered = templates.render("share_event", share(templates, host=None, is_mine=True))
    assert "I'm hosting Housing Futures Salon" in rendered.text
    assert "hosting" in rendered.text and "Ben" not in rendered.text


def test_html_twin_escapes_values_the_text_keeps_as_written() -> None:
    templates = Templates(None)
    tricky = Contact(id="x", name="Ana <b>Lima</b>", emails=("ana@example.net",))
    rendered = templates.render("share_event", share(templates, contact=tricky))
    assert "Hi Ana," in rendered.text
    host = Contact(id="h", name="Ben & <i>Co</i>", emails=("ben@example.net",))
    rendered = templates.render("share_event", share(templates, host=host))
    assert "Ben & <i>Co</i> is hosting" in rendered.text
    assert (
        rendered.html is not None and "Ben &amp; &lt;i&gt;Co&lt;/i&gt; is hosting" in rendered.html
    )


def test_workspace_template_overrides_the_built_in_one_by_name(tmp_path: Path) -> None:
    (tmp_path / "share_event.txt").write_text(
        "Subject: For {{ contact.first_name }}: {{ event.title }}\n\nSee {{ event.url }}\n"
    )
    templates = folder_templates(tmp_path)
    rendered = templates.render("share_event", share(templates))
    assert rendered.subject == "For Ana: Housing Futures Salon"
    assert rendered.text == "See https://example.org/salon\n"
    # New text is never paired with the old HTML: without its own twin, text only.
    assert rendered.html is None


def test_jinja_globals_stay_available_in_every_render(tmp_path: Path) -> None:
    # Globals are a plain dict here (see _Sandbox.make_globals): still all there.
    (tmp_path / "check_in.txt").write_text(
        "Subject: {% for n in range(2) %}{{ n }}{% endfor %}\n\n"
        "{% set box = namespace(seen=1) %}{{ box.seen }} {{ dict(a=1)['a'] }}\n"
    )
    templates = folder_templates(tmp_path)
    for _ in range(2):
        rendered = templates.render("check_in", sample_contexts(ME, NOW)["check_in"])
        assert (rendered.subject, rendered.text) == ("01", "1 1\n")


def test_workspace_html_twin_makes_the_draft_multipart(tmp_path: Path) -> None:
    (tmp_path / "check_in.txt").write_text("Subject: Hello\n\nHi {{ contact.first_name }}\n")
    (tmp_path / "check_in.html").write_text("<p>Hi {{ contact.first_name }}</p>\n")
    templates = folder_templates(tmp_path)
    rendered = templates.render("check_in", sample_contexts(ME, NOW)["check_in"])
    assert rendered.html == "<p>Hi Ana</p>\n"


def test_undefined_variable_names_the_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "intro.txt").write_text(
        "Subject: Hi\n\nHello {{ a.first_name }},\n{{ a.nickname }}\n"
    )
    with pytest.raises(InputError) as caught:
        folder_templates(tmp_path).render("intro", sample_contexts(ME, NOW)["intro"])
    (problem,) = caught.value.problems
    assert problem.path == str(tmp_path / "intro.txt")
    assert problem.line == 4
    assert "nickname" in problem.message


def test_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "intro_ask.txt").write_text("Subject: Hi\n\n{% if why %}\nno end\n")
    with pytest.raises(InputError) as caught:
        folder_templates(tmp_path).render("intro_ask", sample_contexts(ME, NOW)["intro_ask"])
    (problem,) = caught.value.problems
    assert problem.path == str(tmp_path / "intro_ask.txt")
    assert problem.line == 4
    assert "endif" in problem.message


def test_template_without_subject_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / "check_in.txt").write_text("Hi {{ contact.first_name }}\n")
    with pytest.raises(InputError) as caught:
        folder_templates(tmp_path).render("check_in", sample_contexts(ME, NOW)["check_in"])
    assert (
        str(caught.value) == f"{tmp_path / 'check_in.txt'}:1: the first line must be 'Subject: …'"
    )


def test_sandbox_refuses_reaching_into_python(tmp_path: Path) -> None:
    (tmp_path / "check_in.txt").write_text(
        "Subject: x\n\n{{ contact.__class__.__init__.__globals__ }}\n"
    )
    with pytest.raises(InputError) as caught:
        folder_templates(tmp_path).render("check_in", sample_contexts(ME, NOW)["check_in"])
    assert caught.value.problems[0].path == str(tmp_path / "check_in.txt")
    assert "unsafe" in caught.value.problems[0].message
    (tmp_path / "check_in.txt").write_text("Subject: x\n\n{{ contact.emails.__class__ }}\n")
    with pytest.raises(InputError) as caught:
        folder_templates(tmp_path).render("check_in", sample_contexts(ME, NOW)["check_in"])
    assert "unsafe" in caught.value.problems[0].message


def test_check_templates_reports_each_broken_or_misnamed_template(tmp_path: Path) -> None:
    (tmp_path / "intro.txt").write_text("Subject: {{ a.first_name }\n")
    (tmp_path / "share_events.txt").write_text("Subject: x\n")
    (tmp_path / "_signature.txt").write_text("Dana\n")
    problems = check_templates(read_template_overrides(tmp_path), me=ME, now=NOW)
    assert [(p.path, p.line) for p in problems] == [
        (str(tmp_path / "intro.txt"), 1),
        (str(tmp_path / "share_events.txt"), None),
    ]
    assert "did you mean 'share_event'?" in problems[1].message


def test_include_files_resolve_from_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "_signature.txt").write_text("-- \n{{ me.name }}\n")
    (tmp_path / "check_in.txt").write_text("Subject: Hi\n\nHello\n{% include '_signature.txt' %}")
    rendered = folder_templates(tmp_path).render("check_in", sample_contexts(ME, NOW)["check_in"])
    assert rendered.text == "Hello\n-- \nDana Reyes\n"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (
            datetime(2026, 7, 2, 18, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            "Thursday 2 July 2026 at 18:00 (Europe/Berlin)",
        ),
        (datetime(2026, 1, 1, 9, 5, tzinfo=UTC), "Thursday 1 January 2026 at 09:05 (UTC)"),
        (
            datetime(2026, 3, 8, 19, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
            "Sunday 8 March 2026 at 19:30 (UTC-05:30)",
        ),
    ],
)
def test_when_names_the_day_time_and_zone(moment: datetime, text: str) -> None:
    assert when(moment) == text


@pytest.mark.parametrize(
    ("items", "text"),
    [
        ([], ""),
        (["art"], "art"),
        (["art", "food"], "art and food"),
        (["art", "food", "housing"], "art, food and housing"),
    ],
)
def test_and_list_reads_like_english(items: list[str], text: str) -> None:
    assert and_list(items) == text


def test_outreach_check_reports_a_broken_workspace_template(
    tmp_path: Path, run_cli: RunCli
) -> None:
    root = make_workspace(tmp_path / "ws")
    (root / "templates").mkdir()
    (root / "templates" / "intro.txt").write_text("Subject: Hi\n\n{{ a.nickname }}\n")
    result = run_cli("--home", str(root), "check", expect=2)
    assert result.stderr.splitlines()[0] == (
        f"{root / 'templates' / 'intro.txt'}:3: 'outreach.base.model.Contact object' has no"
        " attribute 'nickname' (see the variables each template can use in its README)"
    )
    (root / "templates" / "intro.txt").unlink()
    assert run_cli("--home", str(root), "check").stdout.startswith("ok: 2 contacts, 0 events")


@pytest.mark.parametrize(
    ("body", "expected"),
    [("{{ 1 / 0 }}", "division by zero"), ("{{ range(10**9) | list }}", "range")],
)
def test_a_template_that_raises_is_bad_input_not_a_crash(
    tmp_path: Path, run_cli: RunCli, body: str, expected: str
) -> None:
    ws = make_workspace(tmp_path / "ws")
    (ws / "templates").mkdir()
    (ws / "templates" / "check_in.txt").write_text(f"Subject: Hi\n\n{body}\n")
    result = run_cli("--home", str(ws), "check", expect=2)
    assert result.stderr.startswith(f"{ws / 'templates' / 'check_in.txt'}:")
    assert expected in result.stderr.lower()
    assert "Traceback" not in result.stderr
