"""Reading a feed's bytes: RSS, Atom, JSON Feed or iCalendar, told apart by content.

Pure: bytes in, posts out (or the calendar's bytes, for the calendar code).
RSS and Atom go through feedparser, which sanitises HTML and never expands
a DTD's entities; a prolog that declares expanding or external entities is
refused outright before any parser sees it. JSON Feed is small enough to read
by hand. Every text field leaves through `feed_text`, cleaned.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from outreach.base.errors import FeedError
from outreach.core.feed_text import plain_text, single_line, web_link
from outreach.core.posts import FeedPost

FeedKind = Literal["rss", "atom", "json", "calendar"]
MAX_ENTRIES = 500  # a feed with more is cut: the newest matter, and memory is finite


@dataclass(frozen=True, slots=True)
class ReadFeed:
    kind: FeedKind
    title: str
    posts: tuple[FeedPost, ...] = ()
    calendar: bytes | None = None  # the iCalendar bytes, for `feed_calendar`


# An ENTITY whose value refers to other entities (the billion laughs) or that
# names an outside resource (SYSTEM/PUBLIC: a local file, an intranet URL).
_ENTITY = re.compile(
    rb"<!ENTITY\s+(%\s*)?[^\s>]+\s+(SYSTEM|PUBLIC|\"[^\"]*[&%][^\"]*\"|'[^']*[&%][^']*')"
)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_HTML = re.compile(rb"(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)


def read_feed(data: bytes, *, url: str, content_type: str | None = None) -> ReadFeed:
    """What `data` holds, whatever the server called it; FeedError when it is no feed."""
    text_start = _ascii_view(data[:4096]).lstrip()
    if text_start.startswith(b"BEGIN:VCALENDAR"):
        return ReadFeed(kind="calendar", title="", calendar=data)
    if text_start.startswith(b"{"):
        return _read_json_feed(data, url)
    if _HTML.match(text_start):
        raise FeedError(
            f"{url}: a web page, not a feed; use the address of its RSS or Atom feed"
            " (often linked as 'RSS' or found at /feed)"
        )
    if text_start.startswith(b"<"):
        _refuse_hostile_prolog(data, url)
        return _read_xml_feed(data, url, content_type)
    raise FeedError(f"{url}: not a feed (expected RSS, Atom, JSON Feed or iCalendar)")


def _ascii_view(head: bytes) -> bytes:
    """The first bytes as ASCII-compatible text, whatever UTF the feed is in (by BOM or nulls)."""
    for bom, codec in (
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF8, "utf-8"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "ignore").encode("ascii", "replace")
    if head[:1] == b"\x00" or head[1:2] == b"\x00":  # UTF-16 without a BOM
        codec = "utf-16-be" if head[:1] == b"\x00" else "utf-16-le"
        return head.decode(codec, "ignore").encode("ascii", "replace")
    return head


def _refuse_hostile_prolog(data: bytes, url: str) -> None:
    view = _ascii_view(data[:65536])
    found = _FIRST_ELEMENT.search(view, view.find(b"?>") + 1 if view.startswith(b"<?") else 0)
    # A DOCTYPE's internal subset comes before the first element; "<!" is skipped
    # by the pattern, so `found` is the root element.
    prolog = view[: found.start()] if found else view
    if _ENTITY.search(prolog):
        raise FeedError(
            f"{url}: refused: the feed declares XML entities that expand or load"
            " outside files (an entity-expansion or external-entity attack)"
        )


def _read_xml_feed(data: bytes, url: str, content_type: str | None) -> ReadFeed:
    import feedparser  # type: ignore[import-untyped]  # loaded only when a feed is read

    headers = {"content-type": content_type} if content_type else {}
    # A stream, never bytes: feedparser opens a bytes argument as a file name first.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    version = str(parsed.get("version") or "")
    if not version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({single_line(str(reason), 120)})" if reason else ""
        raise FeedError(f"{url}: not a feed (expected RSS, Atom, JSON Feed or iCalendar){detail}")
    kind: FeedKind = "atom" if version.startswith("atom") else "rss"
    posts = [_xml_post(entry) for entry in parsed.entries[:MAX_ENTRIES]]
    title = single_line(parsed.feed.get("title"))
    return ReadFeed(kind=kind, title=title, posts=tuple(p for p in posts if p is not None))


def _xml_post(entry: Mapping[str, Any]) -> FeedPost | None:
    title = single_line(entry.get("title"))
    link = web_link(entry.get("link"))
    summary_html = entry.get("summary") or ""
    if not summary_html and entry.get("content"):
        summary_html = entry["content"][0].get("value", "")
    summary = plain_text(summary_html)
    if not title and not summary and not link:
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = _struct_time(stamp)
    categories = _categories(t.get("term") for t in entry.get("tags") or ())
    guid = single_line(entry.get("id"), 500) or link or _digest(title, summary, published)
    return FeedPost(
        guid=guid,
        title=title or (summary.split("\n")[0][:80] if summary else link or "untitled"),
        link=link,
        published=published,
        categories=categories,
        summary=summary,
    )


def _struct_time(stamp: Any) -> datetime | None:
    """feedparser's dates are UTC `struct_time`s; absurd ones are dropped."""
    if not stamp:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in tuple(stamp)[:6])
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return moment if 1970 <= moment.year <= 9000 else None


def _categories(terms: Iterable[Any]) -> tuple[str, ...]:
    cleaned = (single_line(str(t), 60).lower() for t in terms if t)
    return tuple(dict.fromkeys(c for c in cleaned if c))[:20]


def _digest(*parts: object) -> str:
    return "sha256:" + hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()[:32]


# --- JSON Feed (https://www.jsonfeed.org/version/1.1/) ---


def _read_json_feed(data: bytes, url: str) -> ReadFeed:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        reason = single_line(str(exc), 120)
        raise FeedError(f"{url}: not a feed: unreadable JSON ({reason})") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError(f"{url}: not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError(f"{url}: not a feed: a JSON Feed needs a list of items")
    posts = [_json_post(item) for item in items[:MAX_ENTRIES] if isinstance(item, dict)]
    title = document.get("title")
    return ReadFeed(
        kind="json",
        title=single_line(title if isinstance(title, str) else ""),
        posts=tuple(p for p in posts if p is not None),
    )


def _json_post(item: Mapping[str, Any]) -> FeedPost | None:
    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) else None

    title = single_line(text("title"))
    link = web_link(text("url") or text("external_url"))
    summary = plain_text(text("summary") or text("content_html")) or plain_text(
        html_escape_free(text("content_text"))
    )
    if not title and not summary and not link:
        return None
    published = _iso_moment(text("date_published") or text("date_modified"))
    tags = item.get("tags")
    categories = _categories(tags if isinstance(tags, list) else ())
    raw_id = item.get("id")
    guid = single_line(str(raw_id), 500) if isinstance(raw_id, str | int) else ""
    return FeedPost(
        guid=guid or link or _digest(title, summary, published),
        title=title or (summary.split("\n")[0][:80] if summary else link or "untitled"),
        link=link,
        published=published,
        categories=categories,
        summary=summary,
    )


def html_escape_free(text: str | None) -> str | None:
    """JSON Feed's content_text is plain text: escape it so the HTML reader keeps it whole."""
    if text is None:
        return None
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _iso_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    moment = moment.astimezone(UTC)
    return moment if 1970 <= moment.year <= 9000 else None
