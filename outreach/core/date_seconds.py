"""A Date field's moment as Unix seconds, fast, for the message index.

Pure. Most Date fields are written exactly as RFC 5322 §3.3 says
("Tue, 14 May 2024 09:21:31 +0200"); those are read with one regular
expression and integer arithmetic, several times faster than building a
datetime. Anything else is left to `headers.parse_date` by the caller.
"""

from __future__ import annotations

import re

_DATE = re.compile(
    r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+"
    r"(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-])(\d{2})(\d{2})\b"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def date_seconds(value: str | None) -> int | None:
    """Unix seconds of an RFC 5322 date in its usual form; None for any other form."""
    if not value:
        return None
    found = _DATE.match(value)
    if found is None:
        return None
    day, month_name, year, hour, minute, second, sign, zone_h, zone_m = found.groups()
    month = _MONTHS.get(month_name.lower())
    day_n, hour_n, minute_n, second_n = int(day), int(hour), int(minute), int(second or 0)
    if month is None or not (1 <= day_n <= 31 and hour_n < 24 and minute_n < 60 and second_n < 61):
        return None
    offset = (int(zone_h) * 60 + int(zone_m)) * 60
    seconds = _days_from_civil(int(year), month, day_n) * 86400
    seconds += hour_n * 3600 + minute_n * 60 + second_n
    return seconds - offset if sign == "+" else seconds + offset


__all__ = ["date_seconds"]
