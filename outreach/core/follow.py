"""Following feeds politely: which are due now, and how long a failing one rests.

Pure: takes the feeds' remembered failures and `now`. A feed that keeps
failing is tried after 30 minutes, then an hour, two, four… up to a week,
so a dead site is neither hammered nor forgotten; one good read resets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_PAUSE = timedelta(minutes=30)
LONGEST_PAUSE = timedelta(days=7)


def retry_after(failures: int, *, now: datetime, asked: timedelta | None = None) -> datetime:
    """When a feed that has now failed `failures` times in a row may be tried again.

    `asked` is the server's own Retry-After (RFC 9110 section 10.2.3): honoured
    when it is longer than our pause, within the same one-week cap.
    """
    if failures < 1:
        return now
    # 2**20 half-hours is far past the cap; bounding the exponent keeps it small.
    pause: timedelta = FIRST_PAUSE * (2 ** min(failures - 1, 20))
    if asked is not None:
        pause = max(pause, asked)
    return now + min(pause, LONGEST_PAUSE)


def is_resting(retry_at: datetime | None, *, now: datetime) -> bool:
    """True while a failing feed's pause lasts."""
    return retry_at is not None and now < retry_at
