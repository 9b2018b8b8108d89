"""An exclusive lock on a file, held by this process (flock(2)).

The lock file is created if missing and never deleted (deleting a lock file
races with the next process opening it). Closing the descriptor releases it,
so a killed process never leaves it held. The file may carry a short note
for whoever finds it taken, such as the holder's pid.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class ExclusiveFileLock:
    """`with ExclusiveFileLock(path):` waits for and holds the lock; `try_acquire()` does not wait.

    Opening the lock file happens in the constructor, so its OSError can be
    told apart from one raised while holding the lock.
    """

    def __init__(self, path: str | Path, *, mode: int = 0o600) -> None:
        # No O_TRUNC: the file may hold the holder's note, which a process
        # that finds the lock taken must read, not erase.
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, mode)

    def _descriptor(self) -> int:
        if self._fd is None:
            raise ValueError("the lock file is closed")
        return self._fd

    def __enter__(self) -> None:
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self.close()
            raise

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False (the file still open, to read) when it is held."""
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def read_note(self) -> str:
        """What the holder wrote in the file ('' when nothing or unreadable)."""
        try:
            return os.pread(self._descriptor(), 256, 0).decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def write_note(self, text: str) -> None:
        fd = self._descriptor()
        os.ftruncate(fd, 0)
        if text:
            os.pwrite(fd, text.encode(), 0)

    def close(self) -> None:
        """Release the lock (closing the descriptor does it) and close the file."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
