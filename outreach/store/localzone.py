"""The machine's own time zone, the way the C library finds it.

An edge: reads $TZ and /etc/localtime. A fixed UTC offset would be wrong half
the year, so the local zone is loaded as a real zone with its DST rules.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import UTC, tzinfo
from pathlib import Path

LOCALTIME = Path("/etc/localtime")


def local_zone(environ: Mapping[str, str], localtime: Path = LOCALTIME) -> tzinfo:
    """The machine's zone, the way the C library finds it; UTC when none is set."""
    name = environ.get("TZ", "").removeprefix(":")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    # Debian and most systems link /etc/localtime into the zoneinfo tree: the
    # link's target names the zone, which reads better in the log.
    try:
        target = str(localtime.resolve())
        if "/zoneinfo/" in target:
            return zoneinfo.ZoneInfo(target.split("/zoneinfo/", 1)[1])
    except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        pass
    try:
        with localtime.open("rb") as handle:
            return zoneinfo.ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError):
        return UTC


def zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def local_zone_name(environ: Mapping[str, str], localtime: Path = LOCALTIME) -> str:
    """The machine's zone as an IANA name ("UTC" when it has none outreach can name)."""
    name = zone_name(local_zone(environ, localtime))
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


__all__ = ["LOCALTIME", "local_zone", "local_zone_name", "zone_name"]
