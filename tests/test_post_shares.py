"""Who gets which post, and whose recent work asks for feedback: pure planning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outreach.base.model import Contact, Event, Roster
from outreach.core.post_shares import plan_post_shares
from outreach.core.posts import Post
from outreach.core.recent_work import RecentItem, recent_items_by_contact

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def contact(cid: str, *tags: str) -> Contact:
    return Contact(id=cid, name=f"{cid.title()} Example", emails=(f"{cid}@example.net",), tags=tags)


ROSTER = Roster.of(
    [
        contact("kofi", "housing", "tenant-organising"),
        contact("mei", "housing", "food"),
        contact("priya", "housing", "data"),
        contact("sam", "climate"),
        contact("leo", "tenant-organising"),
    ]
)


def post(pid: int, author: str, days_ago: float, *categories: str) -> Post:
    published = NOW - timedelta(days=days_ago)
    return Post(
        id=pid,
        contact_id=author,
        feed_url="https://example.org/feed.xml",
        guid=f"g{pid}",
        title=f"Post {pid}",
        link=f"https://example.org/{pid}",
        published=published,
        categories=categories,
        summary="",
        first_seen=published,
    )


def planned(plan_shares: object) -> list[tuple[int, str, tuple[str, ...]]]:
    return [(s.post.id, s.contact.id, s.shared_tags) for s in plan_shares.shares]  # type: ignore[attr-defined]


def test_categories_choose_the_audience_never_the_author() -> None:
    plan = plan_post_shares(
        [post(1, "kofi", 1, "housing")],
        ROSTER,
        now=NOW,
        share_within_days=14,
        already_shared={},
    )
    assert planned(plan) == [(1, "mei", ("housing",)), (1, "priya", ("housing",))]
    assert plan.notes == ()


def test_without_matching_categories_the_authors_tags_choose() -> None:
    plan = plan_post_shares(
        [post(1, "kofi", 1, "poetry")],
        ROSTER,
        now=NOW,
        share_within_days=14,
        already_shared={},
    )
    assert planned(plan) == [
        (1, "mei", ("housing",)),
        (1, "priya", ("housing",)),
        (1, "leo", ("tenant-organising",)),
    ]


def test_never_twice_never_too_old_newest_first_within_the_limit() -> None:
    plan = plan_post_shares(
        [post(1, "kofi", 1, "housing"), post(2, "sam", 0.5, "climate"), post(3, "kofi", 60)],
        ROSTER,
        now=NOW,
        share_within_days=14,
        already_shared={"post:1": {"mei"}},
    )
    assert planned(plan) == [(1, "priya", ("housing",))]
    assert plan.notes == (
        "post 'Post 2' by sam: nobody to share it with (no tags in common)",
        "post 'Post 3' by kofi: older than 14 days, not shared",
    )
    limited = plan_post_shares(
        [post(1, "kofi", 1, "housing")],
        ROSTER,
        now=NOW,
        share_within_days=14,
        already_shared={},
        limit=1,
    )
    assert planned(limited) == [(1, "mei", ("housing",))]


def test_a_post_whose_author_left_the_roster_is_not_shared() -> None:
    plan = plan_post_shares(
        [post(1, "gone", 1, "housing")], ROSTER, now=NOW, share_within_days=14, already_shared={}
    )
    assert (plan.shares, plan.notes) == (
        (),
        ("post 'Post 1' by gone: its author is no longer in the roster, not shared",),
    )


def test_recent_work_is_the_newest_item_since_the_last_feedback() -> None:
    events = [
        Event(id="e1", title="Clinic", host="sam", start=NOW - timedelta(days=2)),
        Event(id="e2", title="Future", host="sam", start=NOW + timedelta(days=2)),
        Event(id="e3", title="Mine", host="me", start=NOW - timedelta(days=1)),
    ]
    recent = recent_items_by_contact(
        [post(1, "kofi", 3), post(2, "kofi", 1), post(3, "mei", 2), post(4, "priya", 30)],
        events,
        since=NOW - timedelta(days=14),
        until=NOW,
        feedback_at={"mei": NOW - timedelta(days=1)},
    )
    assert recent == {
        "kofi": RecentItem(
            "kofi", "post", "Post 2", "https://example.org/2", NOW - timedelta(days=1)
        ),
        "sam": RecentItem("sam", "event", "Clinic", None, NOW - timedelta(days=2)),
    }
    assert recent["kofi"].label == 'their post "Post 2"'
