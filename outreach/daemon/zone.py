"""The time zone that daemon job times are read in.

`timezone` from outreach.toml when given, else the machine's own zone: $TZ,
then /etc/localtime. A fixed UTC offset would be wrong half the year, so the
local zone is loaded as a real zone with its DST rules.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import UTC, tzinfo
from pathlib import Path

from outreach.core.config import Config

LOCALTIME = Path("/etc/localtime")


def job_zone(config: Config, environ: Mapping[str, str]) -> tzinfo:
    if config.timezone:
        return zoneinfo.ZoneInfo(config.timezone)
    return local_zone(environ)


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


__all__ = ["job_zone", "local_zone", "zone_name"]
