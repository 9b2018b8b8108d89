"""The fast Date reader agrees with the full parser wherever it answers."""

from __future__ import annotations

import pytest

from outreach.core.date_seconds import date_seconds
from outreach.core.headers import parse_date


@pytest.mark.parametrize(
    "value",
    [
        "Tue, 14 May 2024 09:21:31 +0200",
        "14 May 2024 09:21:31 -0700",
        "Thu, 1 Feb 2024 00:00:00 +0000",
        "Sat, 29 Feb 2020 23:59:59 +0530",
        "Mon, 01 Jan 1990 12:00 -0000",
        "Wed, 31 Dec 2098 23:00:00 +1400",
        "Tue, 14 May 2024 09:21:31 +0200 (CEST)",
    ],
)
def test_agrees_with_parse_date(value: str) -> None:
    parsed = parse_date(value)
    assert parsed is not None
    assert date_seconds(value) == int(parsed.timestamp())


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "2024-05-14T09:21:31Z",
        "Tue, 14 Foo 2024 09:21:31 +0200",
        "14 May 2024 25:00:00 +0000",
    ],
)
def test_other_forms_are_left_to_the_full_parser(value: str | None) -> None:
    assert date_seconds(value) is None
