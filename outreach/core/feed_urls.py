"""The URLs a contact's `feeds` may hold: http, https or webcal, without credentials.

Pure: checks the text of a URL and says what is wrong in words; turns a
`webcal://` address into the HTTPS request it stands for. `urllib` is kept
out of the core, so the checks are a few plain patterns.
"""

from __future__ import annotations

import re

SCHEMES = ("http", "https", "webcal")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)$")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(:\d{1,5})?$")


def feed_url_problem(url: str) -> str | None:
    """Why `url` cannot be a feed's address, or None when it can."""
    if url != url.strip() or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return "a URL may not contain spaces or control characters"
    match = _URL.match(url)
    if match is None:
        return "not a URL; write it in full, like https://example.org/feed.xml"
    scheme = match["scheme"].lower()
    if scheme not in SCHEMES:
        return f"scheme '{scheme}' is not one of {', '.join(SCHEMES)}"
    authority = match["authority"]
    if "@" in authority:
        # A password in roster.toml would travel in logs, errors and backups.
        return "credentials inside a URL are refused; use a public feed address"
    if not authority or _HOST.match(authority) is None:
        return "no host name after the scheme"
    return None


def request_url(url: str) -> str:
    """The address to fetch: `webcal://` is HTTPS by convention (RFC 5545 feeds)."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() == "webcal":
        return f"https://{rest}"
    return url
