"""The time zone that daemon job times are read in.

`timezone` from outreach.toml when given, else the machine's own zone
(`outreach.store.localzone`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import tzinfo

from outreach.core.config import Config
from outreach.store.localzone import LOCALTIME, local_zone, zone_name


def job_zone(config: Config, environ: Mapping[str, str]) -> tzinfo:
    if config.timezone:
        return zoneinfo.ZoneInfo(config.timezone)
    return local_zone(environ)


__all__ = ["LOCALTIME", "job_zone", "local_zone", "zone_name"]
