"""Small pieces of English shared by every layer's messages."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 contact`, `3 contacts`, `1,200 touches` (with `many` for irregular plurals)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
