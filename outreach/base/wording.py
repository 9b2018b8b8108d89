"""Small pieces of text shared by every layer: plurals in messages, slugs for ids."""

from __future__ import annotations

import re
import unicodedata


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 contact`, `3 contacts`, `1,200 touches` (with `many` for irregular plurals)."""
    return f"{count:,} {noun(count, one, many)}"


def noun(count: int, one: str, many: str | None = None) -> str:
    """The word alone, for `count` of it: `contact`, `contacts`, `people`."""
    return one if count == 1 else (many or one + "s")


_FOLD = {
    **str.maketrans("øØłŁđĐðÐı", "oOlLdDdDi", "'’"),
    **{
        ord(k): v
        for k, v in zip("ßæÆœŒþÞ", ("ss", "ae", "AE", "oe", "OE", "th", "Th"), strict=True)
    },
}


def slug(text: str, max_length: int = 40) -> str:
    """ASCII, lower case, words joined by '-': `Zoë O'Neill` -> `zoe-oneill`."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return words[:max_length].rstrip("-")
