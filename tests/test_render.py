"""Templates: built-in texts, workspace overrides, the sandbox and located errors."""

from __future__ import annotations

import importlib.resources
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.base.errors import InputError
from outreach.base.model import Contact, Event, Why
from outreach.core.phrasing import and_list, when, words
from outreach.core.render import (
    KINDS,
    Me,
    Templates,
    check_in_context,
    check_templates,
    intro_ask_context,
    intro_context,
    sample_contexts,
    share_event_context,
)
from outreach.store.workspace import read_template_overrides
from tests.conftest import NOW, RunCli
from tests.support.workspaces import make_workspace


def folder_templates(folder: Path) -> Templates:
    """Templates overridden from `folder`, read as the workspace reads them."""
    return Templates(read_template_overrides(folder))


ME = Me("Dana Reyes", "dana@example.org")
BERLIN = ZoneInfo("Europe/Berlin")
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


def test_share_credits_the_host_and_leaves_the_reason_to_the_user() -> None:
    rendered = Templates(None).render("share_event", share(Templates(None)))
    assert rendered.subject == "Housing Futures Salon, Thursday 2 July (Ben)"
    assert rendered.text == (
        "Hi Ana,\n"
        "\n"
        "[[ your line: why this made you think of Ana ]]\n"
        "\n"
        '"Housing Futures Salon" is on Thursday 2 July at 6 pm, at Eastside Library.'
        " Ben Okafor of Eastside Co-op is hosting it. It's about housing.\n"
        "\n"
        "Ben's page for it: https://example.org/salon\n"
        "\n"
        "If you go, say hello to Ben from me.\n"
        "\n"
        "Dana\n"
    )
    assert rendered.html is not None
    assert '<a href="https://example.org/salon">' in rendered.html
    assert "<p>[[ your line: why this made you think of Ana ]]</p>" in rendered.html


def test_share_to_an_org_elsewhere_greets_its_greeting_and_gives_their_time() -> None:
    commons = Contact(
        id="commons",
        name="Eastside Commons",
        emails=("hello@commons.example.org",),
        kind="org",
        greeting="Jo and the Commons team",
        tags=("housing", "urban-farming"),
        timezone="America/Chicago",
        notes="Jo runs the Thursday programme.",
    )
    templates = Templates(None)
    rendered = templates.render("share_event", share(templates, contact=commons))
    assert rendered.text.splitlines()[:5] == [
        "Hi Jo and the Commons team,",
        "",
        "[[ your line: why this made you think of Eastside Commons"
        " (your notes: Jo runs the Thursday programme.) ]]",
        "",
        '"Housing Futures Salon" is on Thursday 2 July at 6 pm Berlin time (11 am your time),'
        " at Eastside Library. Ben Okafor of Eastside Co-op is hosting it. It's about housing.",
    ]


def test_own_event_share_reads_as_an_invitation() -> None:
    templates = Templates(None)
    rendered = templates.render("share_event", share(templates, host=None, is_mine=True))
    assert rendered.subject == "Housing Futures Salon, Thursday 2 July"
    assert rendered.text == (
        "Hi Ana,\n"
        "\n"
        "[[ your line: why this made you think of Ana ]]\n"
        "\n"
        'I\'m running "Housing Futures Salon" on Thursday 2 July at 6 pm, at Eastside Library,'
        " and I'd like you to come. It's about housing.\n"
        "\n"
        "Details: https://example.org/salon\n"
        "\n"
        "If it isn't for you, no need to reply.\n"
        "\n"
        "Dana\n"
    )


def test_intro_says_who_each_person_is_and_gives_the_next_step_an_owner() -> None:
    rendered = Templates(None).render(
        "intro", intro_context(me=ME, a=ANA, b=BEN, why="", asked=True, now=NOW)
    )
    assert (rendered.subject, rendered.text) == (
        "Ana, meet Ben",
        "Hi Ana and Ben,\n"
        "\n"
        "Thanks for both saying yes to this.\n"
        "\n"
        "Ana, this is Ben Okafor of Eastside Co-op.\n"
        "Ben, this is Ana Lima, who works on art and housing.\n"
        "\n"
        "[[ your line: why Ana and Ben should meet, for each of them ]]\n"
        "\n"
        "Ben, would you suggest a time for a short call? Feel free to move me to BCC from here.\n"
        "\n"
        "Dana\n",
    )


def test_intro_ask_offers_an_easy_no() -> None:
    rendered = Templates(None).render(
        "intro_ask",
        intro_ask_context(me=ME, contact=ANA, other=BEN, why="you both fix old buildings", now=NOW),
    )
    assert (rendered.subject, rendered.text) == (
        "Would you like to meet Ben?",
        "Hi Ana,\n"
        "\n"
        "I'd like to introduce you to Ben Okafor of Eastside Co-op, but only if it's welcome.\n"
        "\n"
        "You both fix old buildings.\n"
        "\n"
        "If you'd like me to connect you, reply with a yes and I'll write to you both. If now"
        " isn't a good time, a no is completely fine; no need to explain.\n"
        "\n"
        "Dana\n",
    )


def test_check_in_to_someone_never_contacted_is_a_first_note() -> None:
    rendered = Templates(None).render(
        "check_in", check_in_context(me=ME, contact=ANA, note="", last_touch=None, now=NOW)
    )
    assert (rendered.subject, rendered.text) == (
        "Hello from Dana Reyes",
        "Hi Ana,\n"
        "\n"
        "[[ your line: how you came across Ana and why you are writing now ]]\n"
        "\n"
        "I'd like to learn more about your work on art and housing. Would you be up for a"
        " 20-minute call in the next few weeks? If the timing's wrong, just say so.\n"
        "\n"
        "Dana\n",
    )


def test_check_in_after_a_long_gap_says_so_and_asks_by_why() -> None:
    connector = Contact(
        id="ben", name="Ben Okafor", emails=("ben@example.net",), why=(Why.CONNECT,)
    )
    rendered = Templates(None).render(
        "check_in",
        check_in_context(
            me=ME,
            contact=connector,
            note="",
            last_touch=NOW - timedelta(days=200),
            now=NOW,
            last_support="meeting on 2025-11-27, coffee at the co-op",
        ),
    )
    assert (rendered.subject, rendered.text) == (
        "Catching up",
        "Hi Ben,\n"
        "\n"
        "[[ your line: a reason to write now: something of theirs you saw, or how something"
        " turned out (last time: meeting on 2025-11-27, coffee at the co-op) ]]\n"
        "\n"
        "It's been about seven months since we were last in touch, which is too long. Is there"
        " anyone you'd like to meet at the moment? I'd be glad to make an introduction.\n"
        "\n"
        "Dana\n",
    )


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
    ("reader_zone", "moment", "text"),
    [
        (None, datetime(2026, 7, 2, 18, 0, tzinfo=BERLIN), "Thursday 2 July at 6 pm"),
        ("Europe/Paris", datetime(2026, 7, 2, 18, 0, tzinfo=BERLIN), "Thursday 2 July at 6 pm"),
        (
            "America/New_York",
            datetime(2026, 7, 2, 18, 30, tzinfo=BERLIN),
            "Thursday 2 July at 6:30 pm Berlin time (12:30 pm your time)",
        ),
        (
            "Asia/Tokyo",
            datetime(2026, 7, 2, 18, 0, tzinfo=BERLIN),
            "Thursday 2 July at 6 pm Berlin time (1 am on Friday 3 July your time)",
        ),
        (None, datetime(2026, 7, 2, 12, 0, tzinfo=BERLIN), "Thursday 2 July at noon"),
        (None, datetime(2026, 7, 2, 0, 15, tzinfo=BERLIN), "Thursday 2 July at 00:15"),
        (None, datetime(2026, 1, 1, 9, 5, tzinfo=UTC), "Thursday 1 January at 9:05 am UTC"),
        (
            None,
            datetime(2026, 3, 8, 19, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
            "Sunday 8 March at 7:30 pm UTC-05:30",
        ),
    ],
)
def test_when_reads_naturally_and_names_a_zone_only_for_readers_elsewhere(
    reader_zone: str | None, moment: datetime, text: str
) -> None:
    reader = Contact(id="r", name="R", emails=("r@example.net",), timezone=reader_zone)
    assert when(moment, reader) == text


@pytest.mark.parametrize(
    ("tags", "text"),
    [(["urban-farming"], "urban farming"), (["civic_tech", "art"], "civic tech and art")],
)
def test_tags_read_as_words(tags: list[str], text: str) -> None:
    assert and_list(words(tags)) == text


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
