"""The whole story on the example workspace: follow kofi's feeds, share and thank him.

kofi publishes an RSS feed (a post from yesterday about housing, one from 60
days ago) and a calendar with a weekly clinic; one of adrienne's feeds
answers 500. All of it is served by a real HTTP server on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.support.feedserver import FeedServer, Route, feed_server

AS_OF = ("--as-of", "2026-06-15")

KOFI_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Eastside Tenants Union</title><link>https://tenants.example.org/</link>
<item>
  <title>What our rent strike won</title>
  <link>https://tenants.example.org/posts/rent-strike</link>
  <guid>https://tenants.example.org/posts/rent-strike</guid>
  <pubDate>Sun, 14 Jun 2026 09:00:00 GMT</pubDate>
  <category>Housing</category>
  <description>&lt;p&gt;Six months, &lt;b&gt;forty&lt;/b&gt; households.&lt;/p&gt;</description>
</item>
<item>
  <title>Spring assembly notes</title>
  <link>https://tenants.example.org/posts/spring</link>
  <guid>https://tenants.example.org/posts/spring</guid>
  <pubDate>Thu, 16 Apr 2026 09:00:00 GMT</pubDate>
  <category>housing</category>
  <description>Notes from the assembly.</description>
</item>
</channel></rss>
"""

KOFI_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Eastside Tenants Union//EN\r
BEGIN:VEVENT\r
UID:weekly-clinic@tenants.example.org\r
DTSTAMP:20260601T000000Z\r
DTSTART:20260618T230000Z\r
DTEND:20260619T003000Z\r
RRULE:FREQ=WEEKLY;BYDAY=TH\r
SUMMARY:Weekly tenant clinic\r
LOCATION:Eastside Library\r
CATEGORIES:housing\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def network(tmp_path: Path, run_cli: RunCli) -> Iterator[tuple[Path, FeedServer]]:
    with feed_server() as server:
        server.routes["/kofi/rss.xml"] = Route(
            KOFI_RSS, etag='"rss-1"', content_type="application/rss+xml", gzip=True
        )
        server.routes["/kofi/calendar"] = Route(
            KOFI_ICS, last_modified="Mon, 01 Jun 2026 00:00:00 GMT", content_type="text/calendar"
        )
        server.routes["/adrienne/feed.xml"] = Route(b"Internal error", status=500)
        home = tmp_path / "example"
        run_cli(*AS_OF, "init", str(home), "--example")
        roster = (home / "roster.toml").read_text()
        kofi = f'feeds = ["{server.url("/kofi/rss.xml")}", "{server.url("/kofi/calendar")}"]\n'
        adrienne = f'feeds = ["{server.url("/adrienne/feed.xml")}"]\n'
        roster = roster.replace("[contacts.kofi]\n", f"[contacts.kofi]\n{kofi}")
        roster = roster.replace("[contacts.adrienne]\n", f"[contacts.adrienne]\n{adrienne}")
        (home / "roster.toml").write_text(roster)
        yield home, server


def test_following_kofi_and_adrienne_end_to_end(
    network: tuple[Path, FeedServer], run_cli: RunCli
) -> None:
    home, server = network
    cli = ("--home", str(home), *AS_OF)
    failing = server.url("/adrienne/feed.xml")

    first = run_cli(*cli, "follow")
    assert first.stdout == (
        "kofi (Kofi Mensah)\n"
        "  new post: What our rent strike won  https://tenants.example.org/posts/rent-strike"
        " (2026-06-14)\n"
        "  new event: Weekly tenant clinic, Thursday 18 June 2026 at 11 pm (UTC)\n"
        f"failed: {failing}: HTTP 500 (Internal Server Error);"
        " next try after 2026-06-15 12:30 UTC\n"
        "read 2 of 3 feeds tried: 1 new post, 1 new event (and 1 older post recorded)\n"
    )

    posts = json.loads(run_cli(*cli, "posts", "--format", "json").stdout)
    assert posts == {
        "posts": [
            {
                "id": 1,
                "author": "kofi",
                "author_name": "Kofi Mensah",
                "title": "What our rent strike won",
                "link": "https://tenants.example.org/posts/rent-strike",
                "published": "2026-06-14T09:00:00Z",
                "categories": ["housing"],
                "summary": "Six months, forty households.",
                "shared_with": 0,
            }
        ]
    }

    second = run_cli(*cli, "follow")
    assert second.stdout == (
        f"resting: {failing}: failed 1 time in a row (HTTP 500 (Internal Server Error));"
        " next try after 2026-06-15 12:30 UTC\n"
        "read 2 of 2 feeds tried, 2 unchanged, 1 resting: 0 new posts, 0 new events\n"
    )
    rss = server.requests_for("/kofi/rss.xml")
    calendar = server.requests_for("/kofi/calendar")
    assert [r.headers.get("if-none-match") for r in rss] == [None, '"rss-1"']
    assert [r.headers.get("if-modified-since") for r in calendar] == [
        None,
        "Mon, 01 Jun 2026 00:00:00 GMT",
    ]
    assert len(server.requests_for("/adrienne/feed.xml")) == 1

    report = json.loads(run_cli(*cli, "report", "--format", "json").stdout)
    (kofi,) = [c for c in report["contacts"] if c["id"] == "kofi"]
    assert kofi["next_step"]["kind"] == "feedback"
    (priya,) = [c for c in report["contacts"] if c["id"] == "priya"]
    assert priya["next_step"]["event_id"] == "kofi.weekly-tenant-clinic-2026-06-18"
    assert kofi["next_step"]["text"] == (
        'tell them what you thought of their post "What our rent strike won"'
        " (2026-06-14, https://tenants.example.org/posts/rent-strike), then"
        " `outreach touch kofi --kind feedback`"
    )

    shares = run_cli(*cli, "draft", "shares", "--dry-run").stdout.splitlines()
    feed_shares = [line for line in shares if "post:" in line or "kofi." in line]
    assert feed_shares == [
        "would draft: kofi.weekly-tenant-clinic-2026-06-18 → mei: Weekly tenant clinic,"
        " Thursday 18 June (Kofi)",
        "would draft: kofi.weekly-tenant-clinic-2026-06-18 → priya: Weekly tenant clinic,"
        " Thursday 18 June (Kofi)",
        "would draft: post:1 → mei: Kofi's new piece: What our rent strike won",
        "would draft: post:1 → priya: Kofi's new piece: What our rent strike won",
    ]

    run_cli(*cli, "draft", "shares")
    again = run_cli(*cli, "draft", "shares", "--dry-run").stdout
    assert "post:1" not in again and "kofi.weekly" not in again
    posts = json.loads(run_cli(*cli, "posts", "--format", "json").stdout)
    assert posts["posts"][0]["shared_with"] == 2

    draft = BytesParser(policy=policy.default).parsebytes(
        (home / "drafts" / "share-post-1-mei.eml").read_bytes()
    )
    assert draft["To"] == "Mei Lin <mei@example.net>"
    assert draft["Subject"] == "Kofi's new piece: What our rent strike won"
    text = draft.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert text.replace("\r\n", "\n") == (
        "Hi Mei,\n\n"
        'Kofi Mensah of Eastside Tenants Union just published "What our rent strike won", and it'
        " sits right where your work on housing is.\n\n"
        "[[ your line: what struck you in it, and why Mei in particular should read it ]]\n\n"
        "In Kofi's words:\n\n"
        "Six months, forty households.\n\n"
        "Here it is: https://tenants.example.org/posts/rent-strike\n\n"
        "If it speaks to you, I know Kofi would love to hear what you think.\n\n"
        "Warmly,\n"
        "Dana\n"
    )

    run_cli(*cli, "touch", "kofi", "--kind", "feedback")
    report = json.loads(run_cli(*cli, "report", "--format", "json").stdout)
    (kofi,) = [c for c in report["contacts"] if c["id"] == "kofi"]
    assert kofi["last_support_kind"] == "feedback"


def test_the_digest_lists_kofis_work_with_the_commands_for_each(
    network: tuple[Path, FeedServer], run_cli: RunCli
) -> None:
    home, _ = network
    cli = ("--home", str(home), *AS_OF)
    run_cli(*cli, "follow", expect=0)
    digest = run_cli(*cli, "digest").stdout
    assert digest == (
        "Your network this week (as of 2026-06-15)\n"
        "\n"
        "Published in the last 7 days\n"
        "  Kofi Mensah (focus): What our rent strike won, 2026-06-14\n"
        "    https://tenants.example.org/posts/rent-strike\n"
        "    share:    outreach draft shares   (for mei, priya)\n"
        "    feedback: outreach touch kofi --kind feedback\n"
        "\n"
        "Coming up in the next 7 days\n"
        "  Kofi Mensah (focus): Weekly tenant clinic, Thursday 18 June 2026 at 11 pm (UTC)\n"
        "    share:    outreach draft shares --event kofi.weekly-tenant-clinic-2026-06-18"
        "   (for mei, priya)\n"
        "    feedback: outreach touch kofi --kind feedback\n"
        "  Kofi Mensah (focus): Tenant rights clinic, Saturday 20 June 2026 at 6 pm"
        " (Chicago time)\n"
        "    https://example.net/events/tenant-clinic\n"
        "    share:    outreach draft shares --event tenant-clinic   (for mei, priya)\n"
        "    feedback: outreach touch kofi --kind feedback\n"
    )
    emailed = run_cli(*cli, "digest", "--email").stdout
    assert (
        emailed == "drafted the digest to yourself: draft 1 (drafts/digest-20260615T120000.eml)\n"
    )
    replaced = run_cli(*cli, "digest", "--email").stdout
    assert replaced == (
        "drafted the digest to yourself: draft 2 (drafts/digest-20260615T120000.eml)\n"
        "replaced the unsent earlier digest: draft 1\n"
    )
