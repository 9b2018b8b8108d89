"""`outreach follow`: read every contact's feeds now and record what is new.

Feeds are fetched on a few threads (the wait is the network's, not ours);
the journal is written from this thread alone, one transaction per feed
read, and feeds that answered 304 or failed in one transaction at the end.
A failing feed rests for a growing pause (`core.follow`) and is reported
as resting until then, instead of being asked again every run.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from outreach.base.errors import FeedError
from outreach.base.model import Event
from outreach.base.progress import Progress, no_progress
from outreach.core.feeds import ReadFeed, read_feed
from outreach.core.follow import is_resting, retry_after
from outreach.core.posts import Post
from outreach.store.journal import Journal
from outreach.store.journal.feeds import FeedState, feed_states, record_read, save_states
from outreach.store.workspace import Workspace
from outreach.web.fetch import FeedBusy, FeedClient, Fetched

WORKERS = 8


@dataclass(frozen=True, slots=True)
class FeedFailure:
    contact_id: str
    url: str
    reason: str  # starts with the URL
    failures: int  # in a row, this one included
    retry_after: datetime


@dataclass(frozen=True, slots=True)
class FollowResult:
    feeds: int = 0  # in the roster
    read: int = 0  # answered, changed or not
    unchanged: int = 0  # answered 304
    new_posts: tuple[Post, ...] = ()  # published within [follow] recent_days
    older_posts: int = 0  # new to the journal but older than that
    new_events: tuple[Event, ...] = ()
    failed: tuple[FeedFailure, ...] = ()
    resting: tuple[FeedState, ...] = ()  # failing feeds whose pause lasts

    @property
    def all_failed(self) -> bool:
        """True when feeds were tried and not one of them answered."""
        return bool(self.failed) and self.read == 0


@dataclass(frozen=True, slots=True)
class _Outcome:
    state: FeedState
    fetched: Fetched | None = None
    feed: ReadFeed | None = None
    events: tuple[Event, ...] = ()
    error: str | None = None
    wait: timedelta | None = None  # the server's own Retry-After


def follow_feeds(
    workspace: Workspace,
    journal: Journal,
    *,
    now: datetime,
    progress: Progress = no_progress,
    client: FeedClient | None = None,
    workers: int = WORKERS,
) -> FollowResult:
    """Fetch every due feed, record new posts and events, and say what happened."""
    wanted = [(c.id, url) for c in workspace.roster for url in c.feeds]
    states = feed_states(journal)
    due: list[FeedState] = []
    resting: list[FeedState] = []
    for contact_id, url in wanted:
        state = states.get((contact_id, url)) or FeedState(contact_id, url)
        (resting if is_resting(state.retry_after, now=now) else due).append(state)
    if not due:
        return FollowResult(feeds=len(wanted), resting=tuple(resting))
    own_client = client is None
    http = client or FeedClient()
    try:
        outcomes = _gather(workspace, http, due, now=now, progress=progress, workers=workers)
        return _record(workspace, journal, outcomes, len(wanted), resting, now=now)
    finally:
        if own_client:
            http.close()


def _gather(
    workspace: Workspace,
    http: FeedClient,
    due: list[FeedState],
    *,
    now: datetime,
    progress: Progress,
    workers: int,
) -> list[_Outcome]:
    def one(state: FeedState) -> _Outcome:
        try:
            fetched = http.fetch(state.url, etag=state.etag, last_modified=state.last_modified)
            if fetched.status == "unchanged":
                return _Outcome(state, fetched)
            feed = read_feed(fetched.body, url=state.url, content_type=fetched.content_type)
            events: tuple[Event, ...] = ()
            if feed.calendar is not None:
                # iCalendar support loads only when a calendar feed is read.
                from outreach.core.feed_calendar import calendar_events

                events = calendar_events(
                    feed.calendar,
                    url=state.url,
                    contact_id=state.contact_id,
                    roster=workspace.roster,
                    my_addresses=workspace.config.me.addresses,
                    now=now,
                    default_zone=workspace.config.timezone,
                )
            return _Outcome(state, fetched, feed, events)
        except FeedBusy as exc:
            return _Outcome(state, error=exc.message, wait=exc.wait)
        except FeedError as exc:
            return _Outcome(state, error=exc.message)

    outcomes: list[_Outcome] = []
    progress(0, len(due), "following feeds")
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(due)))) as pool:
        futures: list[Future[_Outcome]] = [pool.submit(one, s) for s in due]
        for done, future in enumerate(as_completed(futures), start=1):
            outcomes.append(future.result())
            progress(done, len(due), "following feeds")
    # Roster order, whatever order the network answered in.
    order = {(s.contact_id, s.url): i for i, s in enumerate(due)}
    outcomes.sort(key=lambda o: order[(o.state.contact_id, o.state.url)])
    return outcomes


def _record(
    workspace: Workspace,
    journal: Journal,
    outcomes: list[_Outcome],
    total: int,
    resting: list[FeedState],
    *,
    now: datetime,
) -> FollowResult:
    recent_since = now - timedelta(days=workspace.config.follow.recent_days)
    quiet_states: list[FeedState] = []  # unchanged or failed: one transaction for all
    failed: list[FeedFailure] = []
    new_posts: list[Post] = []
    new_events: list[Event] = []
    older = read = unchanged = 0
    for outcome in outcomes:
        state, fetched = outcome.state, outcome.fetched
        if outcome.error is not None or fetched is None:
            failures = state.failures + 1
            retry = retry_after(failures, now=now, asked=outcome.wait)
            reason = outcome.error or f"{state.url}: no answer"
            failed.append(FeedFailure(state.contact_id, state.url, reason, failures, retry))
            quiet_states.append(
                replace(
                    state,
                    last_checked_at=now,
                    failures=failures,
                    retry_after=retry,
                    last_error=reason,
                )
            )
            continue
        read += 1
        good = replace(
            state,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            last_checked_at=now,
            last_ok_at=now,
            failures=0,
            retry_after=None,
            last_error=None,
        )
        if outcome.feed is None:
            unchanged += 1
            quiet_states.append(good)
            continue
        posts, events = record_read(
            journal,
            replace(good, kind=outcome.feed.kind),
            posts=outcome.feed.posts,
            events=outcome.events,
            now=now,
            calendar=outcome.feed.kind == "calendar",
        )
        for post in posts:
            if post.published >= recent_since:
                new_posts.append(post)
            else:
                older += 1
        new_events.extend(events)
    if quiet_states:
        save_states(journal, quiet_states)
    return FollowResult(
        feeds=total,
        read=read,
        unchanged=unchanged,
        new_posts=tuple(sorted(new_posts, key=lambda p: (-p.published.timestamp(), p.id))),
        older_posts=older,
        new_events=tuple(sorted(new_events, key=lambda e: (e.start, e.id))),
        failed=tuple(failed),
        resting=tuple(resting),
    )
