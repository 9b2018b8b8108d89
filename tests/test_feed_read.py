"""Reading feeds is pure: bytes in, posts out, told apart by content, hostile ones refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.base.errors import FeedError
from outreach.core.feed_text import plain_text, single_line, web_link
from outreach.core.feed_urls import feed_url_problem, request_url
from outreach.core.feeds import read_feed
from outreach.core.posts import FeedPost

FEEDS = Path(__file__).parent / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_rss_feed_in_a_namespace_gives_its_item_as_a_post() -> None:
    feed = read_feed(read("rss2.0NSwithModules.xml"), url="u")
    assert (feed.kind, feed.title) == ("rss", "RSS Tests - RSS2.0 w/ NS")
    assert feed.posts == (
        FeedPost(
            guid="http://www.pocketsoap.com/weblog/rssTests/rss2.0NSwithModules.xml#1",
            title="Test Item - RSS2.0 w/ NS",
            link="http://www.pocketsoap.com/weblog/rssTests/rss2.0NSwithModules.xml#1",
            published=datetime(2002, 9, 28, 20, 1, 19, tzinfo=UTC),
            categories=(),
            summary="This is a fairly standard RSS 2.0 feed, it uses a few modules, the RSS 2.0"
            " elements are in the http://backend.userland.com/rss2 namespace, all module elements"
            " are in their required namespaces.\nthere are no localname clashes. This is very"
            " similar to a RSS1.0 feed. (RSS2.0 w/ NS)",
        ),
    )


def test_real_atom_feed_keeps_titles_dates_and_categories_and_drops_markup() -> None:
    feed = read_feed(read("large_atom_feed_that_needs_css_sanitisation.xml"), url="u")
    assert feed.kind == "atom"
    assert len(feed.posts) == 15
    first = feed.posts[0]
    assert (first.guid, first.title, first.link, first.published) == (
        "tag:touchnokia.ru,2009://1.666",
        "Невидимая броня для Вашего Nokia 5800",
        "http://touchnokia.ru/2009/09/nevidimaja-bronja-dlja-vashego-nokia-5800.html",
        datetime(2009, 9, 9, 14, 19, 45, tzinfo=UTC),
    )
    assert first.categories == ("новости", "5800", "nokia", "броня", "вашего", "для", "невидимая")
    assert first.summary.startswith("Невидимая броня для Вашего девайса.\nВы из тех, кто")
    for post in feed.posts:
        assert "<" not in post.summary and "style=" not in post.summary
        assert len(post.summary) <= 600


def test_json_feed_is_read_by_content_and_its_script_is_dropped() -> None:
    feed = read_feed(read("example.json"), url="u", content_type="text/plain")
    assert (feed.kind, feed.title) == ("json", "My Example Feed")
    assert feed.posts == (
        FeedPost(
            guid="2",
            title="post 2",
            link="https://example.org/second-item",
            published=None,
            categories=("test", "json"),
            summary="This is a second item.",
        ),
        FeedPost(
            guid="1",
            title="Hello, world!",
            link="https://example.org/initial-post",
            published=None,
            categories=(),
            summary="Hello, world!",
        ),
    )


def test_calendar_is_told_by_content_whatever_the_content_type() -> None:
    data = read("example.ics")
    feed = read_feed(data, url="u", content_type="application/xml")
    assert (feed.kind, feed.calendar, feed.posts) == ("calendar", data, ())


def test_malformed_rss_is_still_read() -> None:
    feed = read_feed(read("rss_item_link_corrupted_ampersands.xml"), url="u")
    assert [p.link for p in feed.posts] == ["http://link/get?a=1&b=2"]


def test_a_harmless_internal_entity_is_accepted() -> None:
    assert read_feed(read("entity_in_doctype.xml"), url="u").kind == "rss"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            read("rss_empty_document.xml"),
            "u: not a feed (expected RSS, Atom, JSON Feed or iCalendar)"
            " (<unknown>:6:0: no element found)",
        ),
        (
            b"<!DOCTYPE html>\n<html><body>Hello</body></html>",
            "u: a web page, not a feed; use the address of its RSS or Atom feed (often linked"
            " as 'RSS' or found at /feed)",
        ),
        (b"Just text", "u: not a feed (expected RSS, Atom, JSON Feed or iCalendar)"),
        (b'{"items": []}', "u: not a feed: JSON without a JSON Feed version"),
        (
            b"{not json",
            "u: not a feed: unreadable JSON (Expecting property name enclosed in double"
            " quotes: line 1 column 2 (char 1))",
        ),
        (
            b'{"items": ' + b"[" * 100_000,
            "u: not a feed: unreadable JSON (maximum recursion depth exceeded while"
            " decoding a JSON array from a unicode string)",
        ),
    ],
    ids=["empty", "html", "text", "json-not-feed", "bad-json", "deep-json"],
)
def test_what_is_no_feed_is_a_feed_error_naming_the_url(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        read_feed(data, url="u")
    assert caught.value.message == message


REFUSED = (
    "u: refused: the feed declares XML entities that expand or load outside files"
    " (an entity-expansion or external-entity attack)"
)


@pytest.mark.parametrize(
    "name",
    [
        "billion_laughs.xml",
        "billion_laughs_utf16.xml",
        "external_entity.xml",
        "parameter_entity.xml",
    ],
)
def test_entity_expansion_and_external_entities_are_refused(name: str) -> None:
    with pytest.raises(FeedError) as caught:
        read_feed(read(name), url="u")
    assert caught.value.message == REFUSED


def test_hostile_text_reaches_no_header_and_no_script_survives() -> None:
    (post,) = read_feed(read("header_injection.xml"), url="u").posts
    assert post == FeedPost(
        guid="sneaky-1",
        title="Hello Bcc: everyone@example.com gnp.exe",
        link=None,
        published=datetime(2026, 6, 14, 9, 0, tzinfo=UTC),
        categories=("housing x-injected: yes",),
        summary="Read this.\nSecond & last.",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi\r\nBcc: x@example.org", "Hi Bcc: x@example.org"),
        ("a\u202eb\u200bc\x00d", "abcd"),
        ("  spaced \t out  ", "spaced out"),
        ("x" * 300, "x" * 199 + "…"),
        (None, ""),
    ],
)
def test_single_line(text: str | None, expected: str) -> None:
    assert single_line(text) == expected


def test_plain_text_keeps_paragraphs_and_unescapes() -> None:
    markup = "<h2>Title</h2><p>One &amp; <b>two</b></p><script>x()</script><p>Three</p>"
    assert plain_text(markup) == "Title\nOne & two\nThree"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("https://example.org/a b", None),
        ("ftp://example.org/a", None),
    ],
)
def test_web_link_accepts_plain_http_links_only(url: str, expected: str | None) -> None:
    assert web_link(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/feed.xml", None),
        ("http://127.0.0.1:8080/feed", None),
        ("webcal://example.org/cal.ics", None),
        ("ftp://example.org/feed", "scheme 'ftp' is not one of http, https, webcal"),
        (
            "https://dana:secret@example.org/feed",
            "credentials inside a URL are refused; use a public feed address",
        ),
        ("example.org/feed", "not a URL; write it in full, like https://example.org/feed.xml"),
        ("https:///feed", "no host name after the scheme"),
        ("https://example.org/a feed", "a URL may not contain spaces or control characters"),
    ],
)
def test_feed_url_problem(url: str, problem: str | None) -> None:
    assert feed_url_problem(url) == problem


def test_webcal_is_fetched_over_https() -> None:
    assert request_url("webcal://example.org/cal.ics") == "https://example.org/cal.ics"
    assert request_url("http://example.org/cal.ics") == "http://example.org/cal.ics"
