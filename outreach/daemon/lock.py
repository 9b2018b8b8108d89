"""One daemon per workspace: an exclusive `flock` on a lock file holding the pid.

An edge: owns the lock file and nothing else. The kernel drops the lock when
the process dies, so a crash never leaves a stale lock to clean up by hand.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from outreach.base.errors import AlreadyRunning, WorkspaceError

LOCK_FILE = ".outreach-daemon.lock"


class WorkspaceLock:
    """Held from `acquire()` until `release()` (or the end of a `with` block)."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            # No O_TRUNC: the file may hold the running daemon's pid, which a
            # second daemon must read, not erase, before learning it lost.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WorkspaceError(
                f"{self.path}: cannot create the lock file: {exc.strerror}"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "another process"
            raise AlreadyRunning(
                f"{self.path.parent}: an outreach daemon is already running here ({who})",
                hint=f"stop it with `kill {holder}`" if holder else None,
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:  # a full disk, say: the pid is what a second daemon reads
            os.close(fd)
            raise WorkspaceError(
                f"{self.path}: cannot write the lock file: {exc.strerror}",
                hint="free some space on the disk and start the daemon again",
            ) from exc
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        # Empty the file before unlocking, so nobody reads a dead daemon's pid.
        with suppress(OSError):
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

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


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


__all__ = ["LOCK_FILE", "WorkspaceLock"]
