"""`outreach follow` against a real HTTP server on loopback serving real feed files."""

from __future__ import annotations

import gzip
import io
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from outreach.base.errors import FeedError
from outreach.core.follow import retry_after
from outreach.web.fetch import USER_AGENT, FeedClient
from tests.conftest import RunCli
from tests.support.feedserver import FeedServer, Route, feed_server
from tests.support.workspaces import make_workspace

FEEDS = Path(__file__).parent / "feeds"
AS_OF = ("--as-of", "2026-06-15")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def roster_with_feeds(**feeds: list[str]) -> str:
    tables = []
    for contact_id, urls in feeds.items():
        quoted = ", ".join(f'"{u}"' for u in urls)
        tables.append(
            f'[contacts.{contact_id}]\nname = "{contact_id.title()} Example"\n'
            f'emails = ["{contact_id}@example.net"]\ntags = ["housing"]\nfeeds = [{quoted}]\n'
        )
    return "\n".join(tables)


def test_follow_reads_a_feed_then_asks_again_conditionally_with_gzip(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    server.routes["/atom.xml"] = Route(
        (FEEDS / "large_atom_feed_that_needs_css_sanitisation.xml").read_bytes(),
        etag='"v1"',
        gzip=True,
    )
    home = make_workspace(tmp_path / "ws", roster=roster_with_feeds(ana=[server.url("/atom.xml")]))
    first = run_cli("--home", str(home), *AS_OF, "follow")
    assert (
        first.stdout
        == "read 1 of 1 feed tried: 0 new posts, 0 new events (and 15 older posts recorded)\n"
    )
    second = run_cli("--home", str(home), *AS_OF, "follow")
    assert second.stdout == "read 1 of 1 feed tried, 1 unchanged: 0 new posts, 0 new events\n"
    asked = server.requests_for("/atom.xml")
    assert [r.headers.get("if-none-match") for r in asked] == [None, '"v1"']
    assert {r.headers["user-agent"] for r in asked} == {USER_AGENT}
    assert all("gzip" in r.headers["accept-encoding"] for r in asked)
    assert USER_AGENT.startswith("outreach/0.1.0 ")


def test_last_modified_alone_makes_the_next_request_conditional(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    stamp = "Mon, 01 Jun 2026 00:00:00 GMT"
    server.routes["/feed.json"] = Route(
        (FEEDS / "example.json").read_bytes(), content_type="application/json", last_modified=stamp
    )
    home = make_workspace(tmp_path / "ws", roster=roster_with_feeds(ana=[server.url("/feed.json")]))
    first = run_cli("--home", str(home), *AS_OF, "follow")
    assert first.stdout == (
        "ana (Ana Example)\n"
        "  new post: post 2  https://example.org/second-item (2026-06-15)\n"
        "  new post: Hello, world!  https://example.org/initial-post (2026-06-15)\n"
        "read 1 of 1 feed tried: 2 new posts, 0 new events\n"
    )
    run_cli("--home", str(home), *AS_OF, "follow")
    assert [r.headers.get("if-modified-since") for r in server.requests_for("/feed.json")] == [
        None,
        stamp,
    ]


def test_a_failing_feed_rests_for_a_growing_pause(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    server.routes["/down"] = Route(b"oops", status=503)
    server.routes["/ok.xml"] = Route((FEEDS / "rss2.0NSwithModules.xml").read_bytes(), etag='"a"')
    home = make_workspace(
        tmp_path / "ws",
        roster=roster_with_feeds(ana=[server.url("/ok.xml")], ben=[server.url("/down")]),
    )
    down = server.url("/down")
    first = run_cli("--home", str(home), "--as-of", "2026-06-15T12:00:00+00:00", "follow")
    assert first.stdout == (
        f"failed: {down}: HTTP 503 (Service Unavailable); next try after 2026-06-15 12:30 UTC\n"
        "read 1 of 2 feeds tried: 0 new posts, 0 new events (and 1 older post recorded)\n"
    )
    resting = run_cli("--home", str(home), "--as-of", "2026-06-15T12:20:00+00:00", "follow")
    assert resting.stdout == (
        f"resting: {down}: failed 1 time in a row (HTTP 503 (Service Unavailable));"
        " next try after 2026-06-15 12:30 UTC\n"
        "read 1 of 1 feed tried, 1 unchanged, 1 resting: 0 new posts, 0 new events\n"
    )
    again = run_cli("--home", str(home), "--as-of", "2026-06-15T12:31:00+00:00", "follow")
    assert again.stdout.splitlines()[0] == (
        f"failed: {down}: HTTP 503 (Service Unavailable); next try after 2026-06-15 13:31 UTC"
    )
    assert len(server.requests_for("/down")) == 2


def test_follow_exits_1_when_every_feed_fails(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    server.routes["/laughs.xml"] = Route((FEEDS / "billion_laughs.xml").read_bytes())
    home = make_workspace(
        tmp_path / "ws",
        roster=roster_with_feeds(ana=[server.url("/laughs.xml"), server.url("/missing")]),
    )
    result = run_cli("--home", str(home), *AS_OF, "follow", expect=1)
    assert result.stdout == (
        f"failed: {server.url('/laughs.xml')}: refused: the feed declares XML entities that"
        " expand or load outside files (an entity-expansion or external-entity attack);"
        " next try after 2026-06-15 12:30 UTC\n"
        f"failed: {server.url('/missing')}: HTTP 404 (Not Found); next try after 2026-06-15"
        " 12:30 UTC\n"
        "read 0 of 2 feeds tried: 0 new posts, 0 new events\n"
    )


def test_without_feeds_follow_says_how_to_add_one(tmp_path: Path, run_cli: RunCli) -> None:
    home = make_workspace(tmp_path / "ws")
    result = run_cli("--home", str(home), "follow")
    assert result.stdout == (
        'no feeds to follow; add feeds = ["https://…"] to a contact in roster.toml\n'
    )


def test_a_bad_feed_url_is_a_located_roster_error(tmp_path: Path, run_cli: RunCli) -> None:
    roster = roster_with_feeds(ana=["https://dana:pw@example.org/feed"])
    home = make_workspace(tmp_path / "ws", roster=roster)
    result = run_cli("--home", str(home), "check", expect=2)
    assert result.stderr == (
        f"{home / 'roster.toml'}:5:11: feed 'https://dana:pw@example.org/feed': credentials"
        " inside a URL are refused; use a public feed address\n"
    )


def test_follow_is_accepted_as_a_daemon_job(tmp_path: Path, run_cli: RunCli) -> None:
    home = make_workspace(
        tmp_path / "ws",
        extra_config='[[daemon.jobs]]\nrun = "follow"\nat = "daily 07:00"\n'
        '[[daemon.jobs]]\nrun = "digest --email"\nat = "monday 08:00"\n',
    )
    assert run_cli("--home", str(home), "check").stdout.startswith("ok: ")


# --- the HTTP client's limits, each against the real server ---


def test_a_body_past_the_size_limit_is_refused_even_when_gzipped(server: FeedServer) -> None:
    server.routes["/bomb.xml"] = Route(b"<rss>" + b" " * 3_000_000, gzip=True)
    with FeedClient(max_bytes=1024 * 1024) as client, pytest.raises(FeedError) as caught:
        client.fetch(server.url("/bomb.xml"))
    assert caught.value.message == f"{server.url('/bomb.xml')}: larger than 1 MB; refused"


def test_redirects_are_followed_a_few_times_only(server: FeedServer) -> None:
    server.routes["/moved"] = Route(status=301, location=server.url("/feed.json"))
    server.routes["/feed.json"] = Route(b"{}", content_type="application/json")
    server.routes["/loop"] = Route(status=302, location=server.url("/loop"))
    with FeedClient() as client:
        assert client.fetch(server.url("/moved")).body == b"{}"
        with pytest.raises(FeedError) as caught:
            client.fetch(server.url("/loop"))
    assert caught.value.message == f"{server.url('/loop')}: more than 5 redirects"
    assert len(server.requests_for("/loop")) == 6


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections in the backlog, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed"
        with FeedClient(timeout=0.3) as client, pytest.raises(FeedError) as caught:
            client.fetch(url)
    assert caught.value.message == f"{url}: no answer within 0.3 seconds"


def test_a_refused_connection_names_the_url() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    with FeedClient() as client, pytest.raises(FeedError) as caught:
        client.fetch(url)
    assert caught.value.message.startswith(f"{url}: cannot fetch: ")


def test_gzip_is_decoded(server: FeedServer) -> None:
    body = (FEEDS / "example.json").read_bytes()
    server.routes["/z.json"] = Route(body, gzip=True)
    with FeedClient() as client:
        assert client.fetch(server.url("/z.json")).body == body
    assert gzip.compress(body) != body


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only(tmp_path: Path, server: FeedServer) -> None:
    from outreach.cli.main import main

    server.routes["/a.json"] = Route((FEEDS / "example.json").read_bytes())
    home = make_workspace(tmp_path / "ws", roster=roster_with_feeds(ana=[server.url("/a.json")]))
    terminal, piped = _Terminal(), io.StringIO()
    argv = ["--home", str(home), *AS_OF, "follow"]
    assert main(argv, stdout=io.StringIO(), stderr=terminal, environ={}) == 0
    assert main(argv, stdout=io.StringIO(), stderr=piped, environ={}) == 0
    assert "\r\033[Kfollowing feeds: 1/1" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")
    assert piped.getvalue() == ""


def test_a_busy_server_is_left_alone_as_long_as_it_asks(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    server.routes["/busy"] = Route(b"later", status=429, headers={"Retry-After": "7200"})
    home = make_workspace(tmp_path / "ws", roster=roster_with_feeds(ana=[server.url("/busy")]))
    result = run_cli("--home", str(home), *AS_OF, "follow", expect=1)
    assert result.stdout == (
        f"failed: {server.url('/busy')}: HTTP 429 (Too Many Requests);"
        " next try after 2026-06-15 14:00 UTC\n"
        "read 0 of 1 feed tried: 0 new posts, 0 new events\n"
    )


@pytest.mark.parametrize(
    ("failures", "asked", "pause"),
    [
        (1, None, timedelta(minutes=30)),
        (2, None, timedelta(hours=1)),
        (4, None, timedelta(hours=4)),
        (9, None, timedelta(days=5, hours=8)),
        (10, None, timedelta(days=7)),
        (500, None, timedelta(days=7)),
        (1, timedelta(hours=2), timedelta(hours=2)),
        (4, timedelta(minutes=5), timedelta(hours=4)),
        (1, timedelta(days=30), timedelta(days=7)),
    ],
)
def test_the_pause_grows_with_each_failure_up_to_a_week(
    failures: int, asked: timedelta | None, pause: timedelta
) -> None:
    now = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    assert retry_after(failures, now=now, asked=asked) - now == pause


def test_a_public_calendar_feed_records_its_events_hosted_by_the_contact(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    server.routes["/holidays.ics"] = Route(
        (FEEDS / "example.ics").read_bytes(), content_type="text/calendar"
    )
    server.routes["/broken.ics"] = Route(
        (FEEDS / "broken_ical.ics").read_bytes(), content_type="text/calendar"
    )
    roster = roster_with_feeds(ana=[server.url("/holidays.ics"), server.url("/broken.ics")])
    home = make_workspace(tmp_path / "ws", roster=roster)
    result = run_cli("--home", str(home), "--as-of", "2021-12-01", "follow")
    assert result.stdout == (
        "ana (Ana Example)\n"
        "  new event: New Year's Day, Saturday 1 January 2022\n"
        "  new event: Orthodox Christmas, Friday 7 January 2022\n"
        "  new event: International Women's Day, Tuesday 8 March 2022\n"
        # Its one event has no start: nothing in it can be read, and it says why.
        f"failed: {server.url('/broken.ics')}: nothing readable: event 'An Event with too"
        " many semicolons' (UID abc): no start time (DTSTART); next try after 2021-12-01"
        " 12:30 UTC\n"
        "read 1 of 2 feeds tried: 0 new posts, 3 new events\n"
    )
    digest = run_cli("--home", str(home), "--as-of", "2021-12-28", "digest").stdout
    assert digest == (
        "Your network this week (as of 2021-12-28)\n"
        "\n"
        "Coming up in the next 7 days\n"
        "  Ana Example (extended): New Year's Day, Saturday 1 January 2022\n"
        "    feedback: outreach touch ana --kind feedback\n"
    )


def _calendar(*events: tuple[str, str, str]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for uid, start, status in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260601T000000Z",
            f"DTSTART:{start}",
            f"SUMMARY:Meeting {uid}",
            f"STATUS:{status}",
            "CATEGORIES:housing",
            "END:VEVENT",
        ]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def test_an_event_cancelled_in_its_calendar_is_no_longer_shared(
    tmp_path: Path, run_cli: RunCli, server: FeedServer
) -> None:
    server.routes["/cal.ics"] = Route(
        _calendar(("a", "20260620T180000Z", "CONFIRMED"), ("b", "20260627T180000Z", "CONFIRMED")),
        content_type="text/calendar",
        etag='"1"',
    )
    roster = roster_with_feeds(kofi=[server.url("/cal.ics")]) + (
        '\n[contacts.mei]\nname = "Mei Lin"\nemails = ["mei@example.net"]\ntags = ["housing"]\n'
    )
    home = make_workspace(tmp_path / "ws", roster=roster)
    cli = ("--home", str(home), *AS_OF)
    run_cli(*cli, "follow")
    before = run_cli(*cli, "draft", "shares", "--dry-run").stdout
    assert before.splitlines()[:2] == [
        "would draft: kofi.meeting-a-2026-06-20 → mei: Meeting a, Saturday 20 June (Kofi)",
        "would draft: kofi.meeting-b-2026-06-27 → mei: Meeting b, Saturday 27 June (Kofi)",
    ]
    server.routes["/cal.ics"] = Route(
        _calendar(("a", "20260620T180000Z", "CONFIRMED"), ("b", "20260627T180000Z", "CANCELLED")),
        content_type="text/calendar",
        etag='"2"',
    )
    run_cli(*cli, "follow")
    after = run_cli(*cli, "draft", "shares", "--dry-run").stdout
    assert after.splitlines()[0] == (
        "would draft: kofi.meeting-a-2026-06-20 → mei: Meeting a, Saturday 20 June (Kofi)"
    )
    assert "meeting-b" not in after
