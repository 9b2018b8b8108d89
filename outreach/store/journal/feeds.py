"""Feeds in the journal: each feed's validators and back-off, posts, and calendar-feed events.

A read of one feed (its new posts or events, and its new state) commits in
one transaction, so an interrupted `follow` never records posts without the
ETag that would hide them, nor the reverse. Posts and events are never
deleted: what someone published stays part of their history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.base.clock import iso_utc, parse_iso_utc
from outreach.base.model import Event
from outreach.core.posts import FeedPost, Post
from outreach.store.journal.store import Journal


@dataclass(frozen=True, slots=True)
class FeedState:
    contact_id: str
    url: str
    kind: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_checked_at: datetime | None = None
    last_ok_at: datetime | None = None
    failures: int = 0
    retry_after: datetime | None = None
    last_error: str | None = None


def _moment(text: str | None) -> datetime | None:
    return parse_iso_utc(text) if text else None


def feed_states(journal: Journal) -> dict[tuple[str, str], FeedState]:
    """Every feed's remembered state, by (contact id, URL)."""
    rows = journal.connection.execute(
        "SELECT contact_id, url, kind, etag, last_modified, last_checked_at, last_ok_at,"
        " failures, retry_after, last_error FROM feeds"
    )
    return {
        (r[0], r[1]): FeedState(
            contact_id=r[0],
            url=r[1],
            kind=r[2],
            etag=r[3],
            last_modified=r[4],
            last_checked_at=_moment(r[5]),
            last_ok_at=_moment(r[6]),
            failures=int(r[7]),
            retry_after=_moment(r[8]),
            last_error=r[9],
        )
        for r in rows
    }


_UPSERT_STATE = """
INSERT INTO feeds (contact_id, url, kind, etag, last_modified, last_checked_at, last_ok_at,
                   failures, retry_after, last_error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (contact_id, url) DO UPDATE SET
    kind = excluded.kind, etag = excluded.etag, last_modified = excluded.last_modified,
    last_checked_at = excluded.last_checked_at, last_ok_at = excluded.last_ok_at,
    failures = excluded.failures, retry_after = excluded.retry_after,
    last_error = excluded.last_error
"""


def _state_row(state: FeedState) -> tuple[object, ...]:
    return (
        state.contact_id,
        state.url,
        state.kind,
        state.etag,
        state.last_modified,
        iso_utc(state.last_checked_at) if state.last_checked_at else None,
        iso_utc(state.last_ok_at) if state.last_ok_at else None,
        state.failures,
        iso_utc(state.retry_after) if state.retry_after else None,
        state.last_error,
    )


def save_states(journal: Journal, states: Iterable[FeedState]) -> None:
    """Record feeds' states (a failure, an unchanged feed) in one transaction."""
    with journal.transaction() as db:
        db.executemany(_UPSERT_STATE, [_state_row(s) for s in states])


def record_read(
    journal: Journal,
    state: FeedState,
    *,
    posts: Sequence[FeedPost] = (),
    events: Sequence[Event] = (),
    now: datetime,
    calendar: bool = False,
) -> tuple[list[Post], list[Event]]:
    """Record a feed read: its state, and the posts and events not seen before (returned).

    For a calendar (`calendar=True`), an upcoming event recorded earlier that
    the feed no longer lists (cancelled, moved to another date) is marked
    withdrawn, so it is never shared; one that comes back is shared again.
    """
    seen = iso_utc(now)
    new_posts: list[Post] = []
    new_events: list[Event] = []
    with journal.transaction() as db:
        db.execute(_UPSERT_STATE, _state_row(state))
        for post in posts:
            # A date in the future is a feed's mistake; it would sort above everything.
            published = min(post.published, now) if post.published else now
            cursor = db.execute(
                "INSERT INTO posts (contact_id, feed_url, guid, title, link, published_at,"
                " categories, summary, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (contact_id, guid) DO NOTHING",
                (
                    state.contact_id,
                    state.url,
                    post.guid,
                    post.title,
                    post.link,
                    iso_utc(published),
                    "\n".join(post.categories),
                    post.summary,
                    seen,
                ),
            )
            if cursor.rowcount == 1 and cursor.lastrowid is not None:
                new_posts.append(
                    Post(
                        id=cursor.lastrowid,
                        contact_id=state.contact_id,
                        feed_url=state.url,
                        guid=post.guid,
                        title=post.title,
                        link=post.link,
                        published=parse_iso_utc(iso_utc(published)),
                        categories=post.categories,
                        summary=post.summary,
                        first_seen=parse_iso_utc(seen),
                    )
                )
        for event in events:
            zone = getattr(event.start.tzinfo, "key", None)
            known = db.execute(
                "SELECT 1 FROM feed_events WHERE event_id = ?", (event.id,)
            ).fetchone()
            cursor = db.execute(
                "INSERT INTO feed_events (event_id, contact_id, feed_url, host, title, start_at,"
                " end_at, timezone, url, location, description, tags, first_seen_at, all_day)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                # A series keeps its id and moves on to its next occurrence.
                " ON CONFLICT (event_id) DO UPDATE SET start_at = excluded.start_at,"
                " end_at = excluded.end_at",
                (
                    event.id,
                    state.contact_id,
                    state.url,
                    event.host,
                    event.title,
                    iso_utc(event.start),
                    iso_utc(event.end) if event.end else None,
                    zone,
                    event.url,
                    event.location,
                    event.description,
                    "\n".join(event.tags),
                    seen,
                    int(event.all_day),
                ),
            )
            if known is None and cursor.rowcount == 1:
                new_events.append(event)
        if calendar:
            listed = [e.id for e in events]
            db.execute(
                "UPDATE feed_events SET withdrawn_at = NULL"
                f" WHERE event_id IN ({','.join('?' * len(listed))})",
                listed,
            )
            db.execute(
                "UPDATE feed_events SET withdrawn_at = ? WHERE contact_id = ? AND feed_url = ?"
                f" AND start_at > ? AND withdrawn_at IS NULL"
                f" AND event_id NOT IN ({','.join('?' * len(listed))})",
                [seen, state.contact_id, state.url, seen, *listed],
            )
    return new_posts, new_events


_POST_COLUMNS = (
    "id, contact_id, feed_url, guid, title, link, published_at, categories, summary, first_seen_at"
)


def _post(row: Sequence[object]) -> Post:
    categories = str(row[7])
    return Post(
        id=int(str(row[0])),
        contact_id=str(row[1]),
        feed_url=str(row[2]),
        guid=str(row[3]),
        title=str(row[4]),
        link=None if row[5] is None else str(row[5]),
        published=parse_iso_utc(str(row[6])),
        categories=tuple(categories.split("\n")) if categories else (),
        summary=str(row[8]),
        first_seen=parse_iso_utc(str(row[9])),
    )


def posts_since(journal: Journal, since: datetime, *, until: datetime | None = None) -> list[Post]:
    """Posts published at or after `since` (and not after `until`), newest first."""
    sql = f"SELECT {_POST_COLUMNS} FROM posts WHERE published_at >= ?"
    params: list[object] = [iso_utc(since)]
    if until is not None:
        sql += " AND published_at <= ?"
        params.append(iso_utc(until))
    # Ties (undated posts seen in one read) keep the order their feed gave them.
    rows = journal.connection.execute(sql + " ORDER BY published_at DESC, id", params)
    return [_post(r) for r in rows]


def share_counts(journal: Journal, share_ids: Iterable[str]) -> dict[str, int]:
    """How many people each item (post or event) has been drafted to, discarded drafts aside."""
    wanted = list(dict.fromkeys(share_ids))
    counts = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = journal.connection.execute(
            "SELECT s.event_id, COUNT(*) FROM event_shares s JOIN drafts d ON d.id = s.draft_id"
            f" WHERE s.event_id IN ({','.join('?' * len(chunk))}) AND d.status != 'discarded'"
            " GROUP BY s.event_id",
            chunk,
        )
        counts.update({str(r[0]): int(r[1]) for r in rows})
    return counts


_EVENT_COLUMNS = (
    "event_id, host, title, start_at, end_at, timezone, url, location, description, tags, all_day"
)


def feed_events(journal: Journal, *, ending_after: datetime) -> list[Event]:
    """Events read from calendar feeds that are not over by `ending_after`, soonest first."""
    rows = journal.connection.execute(
        f"SELECT {_EVENT_COLUMNS} FROM feed_events"
        " WHERE COALESCE(end_at, start_at) > ? AND withdrawn_at IS NULL"
        " ORDER BY start_at, event_id",
        (iso_utc(ending_after),),
    )
    return _events(rows)


def feed_events_between(journal: Journal, start: datetime, end: datetime) -> list[Event]:
    """Events read from calendar feeds that start within [start, end], soonest first."""
    rows = journal.connection.execute(
        f"SELECT {_EVENT_COLUMNS} FROM feed_events"
        " WHERE start_at BETWEEN ? AND ? AND withdrawn_at IS NULL"
        " ORDER BY start_at, event_id",
        (iso_utc(start), iso_utc(end)),
    )
    return _events(rows)


def last_feedback(journal: Journal, contact_ids: Iterable[str]) -> dict[str, datetime]:
    """When each of these contacts last had feedback from you (absent: never)."""
    found: dict[str, datetime] = {}
    for contact_id in contact_ids:
        # One seek per contact on touches_by_contact: the few with recent work.
        row = journal.connection.execute(
            "SELECT MAX(at) FROM touches WHERE contact_id = ? AND kind = 'feedback'",
            (contact_id,),
        ).fetchone()
        if row is not None and row[0] is not None:
            found[contact_id] = parse_iso_utc(row[0])
    return found


def _events(rows: Iterable[Sequence[str]]) -> list[Event]:
    events = []
    for r in rows:
        zone = ZoneInfo(r[5]) if r[5] else None
        start = parse_iso_utc(r[3])
        end = parse_iso_utc(r[4]) if r[4] else None
        events.append(
            Event(
                id=r[0],
                title=r[2],
                host=r[1],
                start=start.astimezone(zone) if zone else start,
                end=(end.astimezone(zone) if zone else end) if end else None,
                url=r[6],
                location=r[7],
                description=r[8],
                tags=tuple(r[9].split("\n")) if r[9] else (),
                all_day=bool(r[10]),
            )
        )
    return events
