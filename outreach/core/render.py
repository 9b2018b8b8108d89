"""Jinja2 templates for drafts: loading, sandboxed rendering, the Subject line.

Pure apart from Jinja's loaders reading template text: takes a context and
returns subject, text and optional HTML. A template of the same name in the
workspace's `templates/` folder overrides the built-in one. Template errors
become `InputError`s naming the template and line; nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from outreach.base.errors import InputError, Problem
from outreach.base.model import Contact, Event, Why
from outreach.core.personal_line import slot
from outreach.core.phrasing import and_list, day, gap, sentence, when, who, words
from outreach.core.post_shares import sample_post, share_post_context
from outreach.core.render_limits import RenderLimits
from outreach.core.sandbox_limits import LimitedSandbox
from outreach.core.validation import did_you_mean

# One template per kind of draft; `kind.txt` holds the Subject line and the
# text body, an optional `kind.html` beside it makes the draft multipart.
KINDS = ("share_event", "share_post", "intro", "intro_ask", "check_in")
TEXT_SUFFIX, HTML_SUFFIX = ".txt", ".html"
BUILTIN_LABEL = "built-in template"

_SUBJECT = re.compile(r"^Subject:[ \t]*(.*)$")


@dataclass(frozen=True, slots=True)
class Me:
    """The user, as templates see them."""

    name: str
    email: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str | None = None


# --- loading ---


class _Sandbox(LimitedSandbox):
    """Jinja's sandbox, with a short path for the frozen values drafts are made of.

    Their public attributes are plain data (strings, tuples, dates), never
    callables that could reach Python's internals; checking each lookup the
    general way took about half of a draft's rendering time. Everything else,
    including the strings and dates they hold, gets the full checks.
    """

    _PLAIN = frozenset({Contact, Event, Me})

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # Jinja's default ChainMap is copied key by key in Python at every
        # render, a third of a draft's rendering time; no global changes
        # after a template is loaded here, so a plain dict says the same.
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in self._PLAIN and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@dataclass(frozen=True, slots=True)
class TemplateOverrides:
    """The workspace's own templates: file name -> source, read at the edge; and their limits."""

    folder: Path
    sources: Mapping[str, str]
    limits: RenderLimits = field(default_factory=RenderLimits)

    def load(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        # The file name goes with the source so errors and tracebacks in the
        # template carry the user's path and line.
        if name not in self.sources:
            return None
        return self.sources[name], str(self.folder / name), lambda: True


class Templates:
    """The built-in templates, overridden by name from a workspace folder.

    An HTML twin comes from the same place as its text template: overriding
    `share_event.txt` alone drops the built-in HTML rather than pairing new
    text with stale HTML.
    """

    def __init__(self, overrides: TemplateOverrides | None = None) -> None:
        self.override_dir = overrides.folder if overrides is not None else None
        loaders: list[jinja2.BaseLoader] = []
        self._overridden: set[str] = set(overrides.sources) if overrides is not None else set()
        if overrides is not None and overrides.sources:
            loaders.append(jinja2.FunctionLoader(overrides.load))
        loaders.append(jinja2.PackageLoader("outreach.templates", "."))
        self.env = _Sandbox(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.limits = overrides.limits if overrides is not None else RenderLimits()
        self.env.filters.update(
            day=day, when=when, and_list=and_list, sentence=sentence, words=words, who=who
        )
        self.env.globals["your_line"] = slot
        self.env.apply_limits(self.limits)
        self._cache: dict[str, jinja2.Template | None] = {}

    def is_overridden(self, kind: str) -> bool:
        return kind + TEXT_SUFFIX in self._overridden

    def label(self, file_name: str) -> str:
        """How messages name a template: its path, or `built-in template NAME`."""
        if file_name in self._overridden and self.override_dir is not None:
            return str(self.override_dir / file_name)
        return f"{BUILTIN_LABEL} {file_name}"

    def overrides(self) -> list[str]:
        """File names the workspace's templates folder provides."""
        return sorted(self._overridden)

    def _template(self, file_name: str, *, required: bool) -> jinja2.Template | None:
        if file_name in self._cache:
            return self._cache[file_name]
        try:
            template: jinja2.Template | None = self.env.get_template(file_name)
        except jinja2.TemplateNotFound:
            if required:
                raise InputError(
                    [Problem(self.label(file_name), "no such template")],
                    hint=f"templates are {', '.join(KINDS)}; add your own as"
                    f" templates/NAME{TEXT_SUFFIX} in the workspace",
                ) from None
            template = None
        except jinja2.TemplateSyntaxError as exc:
            raise self._error(file_name, exc, exc.lineno) from None
        except UnicodeDecodeError as exc:
            problem = ValueError(f"not UTF-8 text: {exc.reason}")
            raise self._error(file_name, problem, None) from None
        self._cache[file_name] = template
        return template

    def _html_twin(self, kind: str) -> jinja2.Template | None:
        html_name = kind + HTML_SUFFIX
        if self.is_overridden(kind) and html_name not in self._overridden:
            return None
        return self._template(html_name, required=False)

    def render(self, kind: str, context: Mapping[str, Any]) -> Rendered:
        """Render `kind` (its text and any HTML twin) with `context`."""
        text_name = kind + TEXT_SUFFIX
        text_template = self._template(text_name, required=True)
        assert text_template is not None
        output = self._run(text_name, text_template, context)
        subject, body = split_subject(output, self.label(text_name))
        html_template = self._html_twin(kind)
        html = None
        if html_template is not None:
            html = self._run(kind + HTML_SUFFIX, html_template, context)
        return Rendered(subject=subject, text=body, html=html)

    def job(self, kind: str, context: Mapping[str, Any]) -> Callable[[], Rendered]:
        """`render(kind, context)`, put off until the draft is made (maybe on another core).

        The templates are compiled now, once: a syntax error shows before any
        draft is made, and worker processes inherit them compiled.
        """
        self._template(kind + TEXT_SUFFIX, required=True)
        self._html_twin(kind)
        return partial(self.render, kind, context)

    def _run(self, file_name: str, template: jinja2.Template, context: Mapping[str, Any]) -> str:
        limits = self.limits
        try:
            # Output is counted as it is made and the whole render is timed:
            # a template is the user's code, and must not hang a batch or the daemon.
            return limits.run(lambda: limits.collect(template.generate(context)))
        # A template is the user's own code: whatever it raises (1/0, a sandbox
        # limit, an undefined name) is a mistake in their input, not a crash.
        except Exception as exc:
            raise self._error(file_name, exc, _template_line(exc, template)) from None

    def _error(self, file_name: str, exc: Exception, line: int | None) -> InputError:
        message = str(exc) if str(exc) else type(exc).__name__
        if isinstance(exc, jinja2.UndefinedError):
            message = f"{message} (see the variables each template can use in its README)"
        return InputError(
            [Problem(self.label(file_name), message, line=line)],
            hint="fix the template, or remove it from the workspace's templates/ folder"
            " to use the built-in one",
        )


def _template_line(exc: BaseException, template: jinja2.Template) -> int | None:
    # Jinja rewrites tracebacks so template frames carry the template's file
    # and line; the innermost such frame is where the error happened.
    line = None
    trace: TracebackType | None = exc.__traceback__
    while trace is not None:
        if template.filename and trace.tb_frame.f_code.co_filename == template.filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def split_subject(output: str, label: str) -> tuple[str, str]:
    """The Subject line and the body after it; the body ends with one newline."""
    first, _, rest = output.lstrip("\n").partition("\n")
    found = _SUBJECT.match(first.rstrip("\r"))
    if found is None:
        raise InputError(
            [Problem(label, "the first line must be 'Subject: …'", line=1)],
            hint="start the template with a line such as 'Subject: Thought of you'",
        )
    subject = " ".join(found.group(1).split())
    if not subject:
        raise InputError([Problem(label, "the Subject line renders empty", line=1)])
    body = rest.strip("\n") + "\n"
    return subject, body


# --- contexts: every variable a template can use (documented in templates/README.md) ---


def shared_tags(*groups: Iterable[str]) -> list[str]:
    sets = [set(g) for g in groups]
    return sorted(set.intersection(*sets)) if sets else []


def share_event_context(
    *, me: Me, contact: Contact, event: Event, host: Contact | None, now: datetime
) -> dict[str, Any]:
    return {
        "me": me,
        "now": now,
        "contact": contact,
        "event": event,
        "host": host,
        "is_mine": host is None,
        "shared_tags": shared_tags(contact.tags, event.tags),
    }


def intro_context(
    *, me: Me, a: Contact, b: Contact, why: str, asked: bool, now: datetime
) -> dict[str, Any]:
    return {
        "me": me,
        "now": now,
        "a": a,
        "b": b,
        "people": [a, b],
        "why": why,
        "asked": asked,
        "shared_tags": shared_tags(a.tags, b.tags),
    }


def intro_ask_context(
    *, me: Me, contact: Contact, other: Contact, why: str, now: datetime
) -> dict[str, Any]:
    return {
        "me": me,
        "now": now,
        "contact": contact,
        "other": other,
        "why": why,
        "shared_tags": shared_tags(contact.tags, other.tags),
    }


def check_in_context(
    *,
    me: Me,
    contact: Contact,
    note: str,
    last_touch: datetime | None,
    now: datetime,
    last_support: str = "",
) -> dict[str, Any]:
    return {
        "me": me,
        "now": now,
        "contact": contact,
        "note": note,
        "last_touch": last_touch,
        "first_note": last_touch is None,
        "since": gap(last_touch, now),
        "last_support": last_support,
    }


# --- `outreach check`: render everything once against sample data ---

_SAMPLE_A = Contact(
    id="sample-a",
    name="Ana Lima",
    emails=("ana@example.net",),
    circle="focus",
    why=(Why.LEARN,),
    tags=("art", "housing"),
    org="Open Studio",
)
_SAMPLE_B = Contact(
    id="sample-b",
    name="Ben Okafor",
    emails=("ben@example.net",),
    why=(Why.CONNECT,),
    tags=("housing", "food"),
)


def sample_contexts(me: Me, now: datetime) -> dict[str, dict[str, Any]]:
    """One plausible context per kind, for checking templates before they are used."""
    event = Event(
        id="sample-event",
        title="Housing Futures Salon",
        host=_SAMPLE_B.id,
        start=now + timedelta(days=10),
        url="https://example.org/salon",
        location="Eastside Library",
        description="An evening of short talks and long conversations.",
        tags=("housing",),
    )
    why = "you are both rethinking how neighbourhoods share space"
    return {
        "share_event": share_event_context(
            me=me, contact=_SAMPLE_A, event=event, host=_SAMPLE_B, now=now
        ),
        "share_post": share_post_context(
            me=me,
            contact=_SAMPLE_A,
            post=sample_post(_SAMPLE_B.id, now),
            author=_SAMPLE_B,
            shared_tags=("housing",),
            now=now,
        ),
        "intro": intro_context(me=me, a=_SAMPLE_A, b=_SAMPLE_B, why=why, asked=True, now=now),
        "intro_ask": intro_ask_context(me=me, contact=_SAMPLE_A, other=_SAMPLE_B, why=why, now=now),
        "check_in": check_in_context(
            me=me, contact=_SAMPLE_A, note="", last_touch=now - timedelta(days=40), now=now
        ),
    }


SAMPLE_MOMENT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def check_templates(
    overrides: TemplateOverrides | None, *, me: Me, now: datetime = SAMPLE_MOMENT
) -> list[Problem]:
    """Render every template against sample data; one Problem per broken template."""
    templates = Templates(overrides)
    contexts = sample_contexts(me, now)
    problems: list[Problem] = []
    for kind in KINDS:
        try:
            templates.render(kind, contexts[kind])
        except InputError as exc:
            problems.extend(exc.problems)
    for file_name in templates.overrides():
        stem, _, suffix = file_name.rpartition(".")
        if "/" in file_name or stem.startswith("_") or stem in KINDS:
            continue
        if suffix in ("txt", "html"):
            problems.append(
                Problem(
                    templates.label(file_name),
                    f"not a kind outreach drafts (known: {', '.join(KINDS)})"
                    f"{did_you_mean(stem, KINDS)}; name include-only files with a leading '_'",
                )
            )
    return problems
