"""What a template may cost: its output size, checked before memory is spent, and its time.

Pure: sizes are estimated from the operands before Jinja's sandbox runs an
operation (`'x' * 10**9` is refused, not computed), output is counted as it
is generated, and the time limit is enforced by a runner the edge supplies
(threads and clocks are not the core's). A breach is a `RenderLimitError`,
which the renderer turns into an input error naming the template.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

# Runs `work`, interrupting it with RenderTimeout after `seconds`.
TimedRunner = Callable[[Callable[[], T], float], T]

DEFAULT_SECONDS = 10.0
DEFAULT_MAX_KIB = 1024  # a real email is a few KiB; 1 MiB leaves room for any HTML


# What one render may build in all, as a multiple of the output limit.
SPEND_FACTOR = 8
_SPENT: ContextVar[int] = ContextVar("outreach_render_spent", default=0)


class RenderLimitError(Exception):
    """A template went over a limit; the message says which, in a few words."""


class RenderTimeout(RenderLimitError):
    """Raised inside a render that ran past its time (by the edge's runner)."""


@dataclass(frozen=True, slots=True)
class RenderLimits:
    seconds: float = DEFAULT_SECONDS
    max_chars: int = DEFAULT_MAX_KIB * 1024
    runner: TimedRunner[Any] | None = None  # None: no time limit (built-in templates only)

    def too_big(self) -> RenderLimitError:
        return RenderLimitError(
            f"the output would exceed {self.max_chars:,} characters"
            " (the limit is [drafts] render_max_kib in outreach.toml)"
        )

    def timed_out(self) -> RenderLimitError:
        return RenderLimitError(
            f"rendering took longer than {self.seconds:g} s"
            " (the limit is [drafts] render_seconds in outreach.toml)"
        )

    def check(self, size: int) -> None:
        if size > self.max_chars:
            raise self.too_big()

    def spend(self, size: int) -> None:
        """Check one operation's result, and the render's running total of them.

        Each string may be up to the output limit, but a loop keeping many
        (`l.append('x' * 1000000)`) must not add up to gigabytes either.
        """
        self.check(size)
        total = _SPENT.get() + size
        _SPENT.set(total)
        if total > SPEND_FACTOR * self.max_chars:
            raise RenderLimitError(
                f"the template builds more than {SPEND_FACTOR * self.max_chars:,} characters"
                " of strings and lists in all (the limit is [drafts] render_max_kib"
                f" x {SPEND_FACTOR} in outreach.toml)"
            )

    def collect(self, chunks: Iterable[str]) -> str:
        """Join generated output, stopping as soon as it passes the limit."""
        parts: list[str] = []
        total = 0
        for chunk in chunks:
            total += len(chunk)
            self.check(total)
            parts.append(chunk)
        return "".join(parts)

    def run(self, work: Callable[[], T]) -> T:
        token = _SPENT.set(0)  # each render starts with a fresh budget
        try:
            if self.runner is None:
                return work()
            result: T = self.runner(work, self.seconds)
        except RenderTimeout as exc:
            # The traceback shows where the template was when time ran out.
            raise self.timed_out().with_traceback(exc.__traceback__) from None
        finally:
            _SPENT.reset(token)
        return result


def _sized(value: object) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def binop_size(operator: str, left: object, right: object) -> int:
    """An upper bound on the size of `left operator right`, in characters (or digits)."""
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            size = _sized(seq)
            if size is not None and isinstance(count, int):
                return size * max(count, 0)
    if operator == "+":
        a, b = _sized(left), _sized(right)
        if a is not None and b is not None:
            return a + b
    if operator == "%" and isinstance(left, str):
        # printf-style formatting: `'%999999999s' % 'x'`
        return len(left) + format_width(left)
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        # Decimal digits of the result: 10**10**9 is refused before it is computed.
        return int(right * math.log10(abs(left))) + 1 if abs(left) > 1 else 1
    return 0


# str methods that take a width or count and can make a huge string from a small one.
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_FORMAT_WIDTH = re.compile(r"(\d{7,})")


def call_size(obj: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """An upper bound on the size of what calling `obj` returns, for str methods that amplify."""
    # Jinja's sandbox hands out str.format wrapped; the string is on the original.
    method = getattr(obj, "__wrapped__", obj)
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if not isinstance(owner, str):
        return 0
    numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int)]
    if name in _WIDTH_METHODS:
        return max(numbers, default=0) * (max(len(owner), 1) if name == "expandtabs" else 1)
    if name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        count = args[2] if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0 else None
        slots = len(owner) + 1 if count is None else count
        return len(owner) + slots * len(args[1])
    if name == "join":
        items = args[0] if args else ()
        if isinstance(items, list | tuple):
            return sum(len(i) for i in items if isinstance(i, str)) + len(owner) * len(items)
    if name in ("format", "format_map"):
        return format_width(owner)
    return 0


def format_width(spec: str) -> int:
    """The largest width or precision written in a format string (`%999999999s`, `{:>99999999}`)."""
    return max((int(n) for n in _FORMAT_WIDTH.findall(spec)), default=0)


def _text_size(value: object) -> int:
    return len(value) if isinstance(value, str) else 0


def _indent_size(s: object, width: object = 4, *_: object, **__: object) -> int:
    step = width if isinstance(width, int) else len(str(width))
    return _text_size(s) + (str(s).count("\n") + 1) * max(step, 0)


def _replace_size(s: object, old: object, new: object, count: object = None) -> int:
    slots = count if isinstance(count, int) and count >= 0 else _text_size(s) + 1
    return _text_size(s) + slots * _text_size(new)


def _join_size(value: object, d: object = "", *_: object, **__: object) -> int:
    if not isinstance(value, list | tuple):
        return 0
    return sum(_text_size(i) for i in value) + _text_size(d) * len(value)


# Jinja filters that can make a large string from a small input, and how large.
FILTER_SIZES: dict[str, Callable[..., int]] = {
    "center": lambda value, width=80, *_, **__: width if isinstance(width, int) else 0,
    "indent": _indent_size,
    "format": lambda value, *_, **__: format_width(value) if isinstance(value, str) else 0,
    "replace": _replace_size,
    "join": _join_size,
}


# Jinja globals that can make a large string: lipsum(n, html, min, max) words.
GLOBAL_SIZES: dict[str, Callable[..., int]] = {
    "lipsum": lambda n=5, html=True, min=20, max=100, *_, **__: (
        n * max * 16 if isinstance(n, int) and isinstance(max, int) else 0
    ),
}


def bounded_join(limits: RenderLimits, join: Callable[[Iterable[Any]], str]) -> Callable[..., str]:
    """Jinja's `~` concatenation, refusing to build a string over the limit."""

    def checked(seq: Iterable[Any]) -> str:
        items = list(seq)
        limits.spend(sum(len(i) for i in items if isinstance(i, str)))
        return join(items)

    return checked


__all__ = [
    "DEFAULT_MAX_KIB",
    "DEFAULT_SECONDS",
    "FILTER_SIZES",
    "GLOBAL_SIZES",
    "RenderLimitError",
    "RenderLimits",
    "RenderTimeout",
    "TimedRunner",
    "binop_size",
    "bounded_join",
    "call_size",
    "format_width",
]
