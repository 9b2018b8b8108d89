"""Jinja's sandbox, held to `RenderLimits`: every way a template can build a big string.

Pure: the sandbox intercepts the operators (`*`, `**`, `+`, `%`), calls of
str methods, the filters and globals that amplify, and `~` concatenation,
and asks `RenderLimits.spend` before each runs. Output and time are
checked by the renderer (`outreach.core.render`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from outreach.core.render_limits import (
    FILTER_SIZES,
    GLOBAL_SIZES,
    RenderLimits,
    binop_size,
    bounded_join,
    call_size,
)


class LimitedSandbox(SandboxedEnvironment):
    """A SandboxedEnvironment that size-checks what a template computes before it is computed."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    limits = RenderLimits()

    def apply_limits(self, limits: RenderLimits) -> None:
        """Use `limits`, also in the size-checked filters and globals and in `~`."""
        self.limits = limits
        self.template_class = _LimitedTemplate
        for name, estimate in FILTER_SIZES.items():
            self.filters[name] = _size_checked(estimate, self.filters[name], limits)
        for name, estimate in GLOBAL_SIZES.items():
            original = self.globals[name]
            assert callable(original)
            self.globals[name] = _size_checked(estimate, original, limits)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.limits.spend(binop_size(operator, left, right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.limits.spend(call_size(__obj, args, kwargs))
        return super().call(__context, __obj, *args, **kwargs)


class _LimitedTemplate(jinja2.Template):
    """A template whose `~` concatenations are size-checked like the sandbox's operators."""

    @classmethod
    def from_code(cls, environment: Any, code: Any, globals: Any, uptodate: Any = None) -> Any:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        limits = environment.limits
        for name in ("str_join", "markup_join"):
            if name in namespace:
                namespace[name] = bounded_join(limits, namespace[name])
        return template


def _size_checked(
    estimate: Callable[..., int], original: Callable[..., Any], limits: RenderLimits
) -> Any:
    skip = 1 if getattr(original, "jinja_pass_arg", None) is not None else 0

    @wraps(original)  # keeps Jinja's pass_eval_context mark
    def checked(*args: Any, **kwargs: Any) -> Any:
        limits.spend(estimate(*args[skip:], **kwargs))
        return original(*args, **kwargs)

    return checked


__all__ = ["LimitedSandbox"]
