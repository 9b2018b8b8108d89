"""The journal file's guards: environment failures as one-line errors, private creation.

A damaged page, a full or read-only disk shows up in whichever query first
touches it (a sync, a touch, a report), not when the journal is opened. The
journal's connection and cursors are subclasses that translate those
failures at the one place every query passes; constraint errors and
programming errors pass through untouched, for the code (or the traceback)
to deal with. A new journal is created owner-only, and an existing empty
file is refused rather than silently taken for a new database.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from outreach.base.errors import JournalError

# Primary result codes (https://www.sqlite.org/rescode.html).
_PERM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 8, 10, 11, 13, 14, 26
_RECOVER = (
    "restore it from a backup, or recover what it holds with"
    " `sqlite3 {path} .recover | sqlite3 recovered.db`; outreach will not replace it"
)


def journal_failure(exc: sqlite3.Error, path: str) -> JournalError | None:
    """The failure in one line with what to do, or None when it is not the environment's."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == _CORRUPT:
        return JournalError(
            f"{path}: the journal is damaged ({exc}); nothing was changed",
            hint=_RECOVER.format(path=path),
        )
    if primary == _NOTADB:
        return JournalError(
            f"{path}: not an outreach journal (not an SQLite database); nothing was changed",
            hint="check [paths] journal in outreach.toml; outreach will not replace the file",
        )
    if primary == _FULL:
        return _full(path)
    if primary in (_READONLY, _PERM, _CANTOPEN):
        return JournalError(
            f"{path}: cannot write the journal ({exc}): the file or its folder is read-only",
            hint="check the permissions of the file, of its folder and of the -wal and -shm"
            " files beside it",
        )
    if primary == _IOERR and _disk_full(path):
        # SQLite writes the WAL index through a memory map: a full disk shows
        # as an I/O error there, not as SQLITE_FULL.
        return _full(path)
    if primary == _IOERR:
        return JournalError(
            f"{path}: the disk failed while using the journal ({exc})",
            hint="check the disk and its free space, then run the command again",
        )
    return None


def _full(path: object) -> JournalError:
    return JournalError(
        f"{path}: the disk is full; nothing was recorded",
        hint="free some space and run the command again",
    )


def _disk_full(path: str) -> bool:
    try:
        return shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free < 64 * 1024
    except OSError:
        return False


def disk_failure(exc: OSError, path: object, doing: str) -> JournalError:
    """A file-system failure around the journal (creating it, its lock file), in one line."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _full(path)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return JournalError(
            f"{path}: {doing}: {exc.strerror} (the folder is read-only)",
            hint="check the permissions of the workspace folder",
        )
    return JournalError(f"{path}: {doing}: {exc.strerror or exc}")


def _translated(exc: sqlite3.Error, path: str) -> BaseException:
    error = journal_failure(exc, path)
    return error if error is not None else exc


class GuardedCursor(sqlite3.Cursor):
    """A cursor whose environment failures (also while rows are read) are JournalErrors."""

    journal_path = ""

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        try:
            super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc
        return self

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> GuardedCursor:
        try:
            super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc
        return self

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size if size is not None else self.arraysize)
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc


class GuardedConnection(sqlite3.Connection):
    """The journal's connection: every query goes through a GuardedCursor."""

    journal_path = ""

    def cursor(self, factory: Any = None) -> Any:
        cursor = super().cursor(factory or GuardedCursor)
        cursor.journal_path = self.journal_path
        return cursor

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script: str, /) -> Any:
        try:
            return super().executescript(script)
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            raise _translated(exc, self.journal_path) from exc


def create_private(path: Path) -> bool:
    """Create a missing journal readable by its owner alone; refuse an empty existing file.

    SQLite would take an empty file for a new database and fill it: but a
    file that exists is the user's, and empty is not what a journal is after
    its first use (a failed copy, a truncation). SQLite gives the -wal and
    -shm files it creates beside the journal the journal's own permissions.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            empty = path.stat().st_size == 0
        except OSError:
            return False  # SQLite's own open says what is wrong
        if empty:
            raise JournalError(
                f"{path}: the journal file is empty (0 bytes); outreach will not replace it",
                hint=f"restore it from a backup; to start a new journal, move {path.name}"
                " aside and run the command again",
            ) from None
        return False
    except OSError as exc:
        raise disk_failure(exc, path, "cannot create the journal") from exc
    os.close(descriptor)
    return True


def has_content(location: str) -> bool:
    try:
        return os.path.getsize(location) > 0
    except OSError:
        return False


__all__ = [
    "GuardedConnection",
    "GuardedCursor",
    "create_private",
    "disk_failure",
    "has_content",
    "journal_failure",
]
