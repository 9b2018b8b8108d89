"""One daemon per workspace: an exclusive lock on a file holding the daemon's pid.

Owns the rule (one daemon, and who holds it); the locking itself is the
store's `ExclusiveFileLock`. The kernel drops the lock when the process
dies, so a crash never leaves a stale lock to clean up by hand.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from outreach.base.errors import AlreadyRunning, WorkspaceError
from outreach.store.filelock import ExclusiveFileLock

LOCK_FILE = ".outreach-daemon.lock"


class WorkspaceLock:
    """Held from `acquire()` until `release()` (or the end of a `with` block)."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_FILE
        self._lock: ExclusiveFileLock | None = None

    def acquire(self) -> None:
        try:
            # Readable by others: `kill $(cat .outreach-daemon.lock)` is how to stop it.
            lock = ExclusiveFileLock(self.path, mode=0o644)
        except OSError as exc:
            raise WorkspaceError(
                f"{self.path}: cannot create the lock file: {exc.strerror}"
            ) from exc
        if not lock.try_acquire():
            note = lock.read_note()
            lock.close()
            holder = int(note) if note.isdigit() else None
            who = f"pid {holder}" if holder else "another process"
            raise AlreadyRunning(
                f"{self.path.parent}: an outreach daemon is already running here ({who})",
                hint=f"stop it with `kill {holder}`" if holder else None,
            ) from None
        try:
            lock.write_note(f"{os.getpid()}\n")
        except OSError as exc:  # a full disk, say: the pid is what a second daemon reads
            lock.close()
            raise WorkspaceError(
                f"{self.path}: cannot write the lock file: {exc.strerror}",
                hint="free some space on the disk and start the daemon again",
            ) from exc
        self._lock = lock

    def release(self) -> None:
        if self._lock is None:
            return
        # Empty the file before unlocking, so nobody reads a dead daemon's pid.
        with suppress(OSError):
            self._lock.write_note("")
        self._lock.close()
        self._lock = None

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


__all__ = ["LOCK_FILE", "WorkspaceLock"]
