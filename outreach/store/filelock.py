"""An exclusive lock on a file, held by this process for a block (flock(2)).

The lock file is created if missing and never deleted (deleting a lock file
races with the next process opening it). Closing the descriptor releases it,
so a killed process never leaves it held.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class ExclusiveFileLock:
    """`with ExclusiveFileLock(path):` waits for and holds the lock.

    Opening the lock file happens in the constructor, so its OSError can be
    told apart from one raised inside the block.
    """

    def __init__(self, path: str | Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def __enter__(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(self._fd)
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        os.close(self._fd)  # closing releases the lock
