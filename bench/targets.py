"""Targets for the benchmarks: each figure checked, the exit status says whether all were met.

A benchmark prints its figures, then one line per target ("ok", "MISS", or
"n/a" for a target set for a larger run than this one), and exits 1 when a
target was missed. A part that cannot run here (no Dovecot, no mailmerge)
is a note on a developer's machine and a miss under
OUTREACH_REQUIRE_SERVERS=1, as in the tests.
"""

from __future__ import annotations

import os
import shutil

REQUIRE_ENV = "OUTREACH_REQUIRE_SERVERS"


class Targets:
    def __init__(self) -> None:
        self.missed: list[str] = []

    def check(self, figure: str, target: str, ok: bool, *, applies: bool = True) -> None:
        """Print `figure` against `target`; count a miss unless the target does not apply."""
        mark = "ok  " if ok else ("MISS" if applies else "n/a ")
        suffix = "" if applies or ok else "  (not required in this run)"
        print(f"  {mark} {figure:<48} target {target}{suffix}")
        if applies and not ok:
            self.missed.append(figure)

    def cannot_run(self, part: str, reason: str) -> None:
        """A part of the benchmark that cannot run here: a miss only when servers are required."""
        required = os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")
        print(f"  {'MISS' if required else 'n/a '} {part}: {reason}")
        if required:
            self.missed.append(part)

    def needs_programs(self, part: str, *names: str) -> bool:
        """True when every one of `names` is installed; else `cannot_run(part, ...)` and False."""
        search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
        missing = [name for name in names if shutil.which(name, path=search) is None]
        if missing:
            self.cannot_run(part, f"{', '.join(missing)} not installed")
        return not missing

    def exit_status(self) -> int:
        if self.missed:
            print(f"missed {len(self.missed)} target(s): {'; '.join(self.missed)}")
            return 1
        return 0
