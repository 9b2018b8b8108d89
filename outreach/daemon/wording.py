"""How the daemon words what it did, for its log and for `daemon --once`.

Pure: takes summaries and times, returns short lines. No I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, tzinfo

from outreach.app.sync_batch import FolderSummary
from outreach.base.wording import plural
from outreach.daemon.zone import zone_name


def sync_line(folders: Sequence[FolderSummary]) -> str:
    """`2 messages read (2 new), 1 touch recorded: ana (reply); ignored 1 autoreply`."""
    read = sum(f.read for f in folders)
    new = sum(f.new for f in folders)
    touches = [t for f in folders for t in f.touches]
    if read == 0:
        return "no new mail"
    line = (
        f"{plural(read, 'message')} read ({new:,} new),"
        f" {plural(len(touches), 'touch', 'touches')} recorded"
    )
    if touches:
        shown = [f"{t.contact_id} ({t.kind.value})" for t in touches[:5]]
        more = f" and {len(touches) - 5:,} more" if len(touches) > 5 else ""
        line += ": " + ", ".join(shown) + more
    ignored: Counter[str] = sum((f.ignored for f in folders), Counter())
    if ignored:
        reasons = sorted(ignored.items(), key=lambda kv: (-kv[1], kv[0]))
        line += "; not counted: " + ", ".join(f"{n:,} {reason}" for reason, n in reasons)
    return line


def local_time(moment: datetime, zone: tzinfo) -> str:
    """`2026-06-16 08:00 Europe/Berlin`."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone_name(zone)}"


__all__ = ["local_time", "sync_line"]
