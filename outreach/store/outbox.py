"""The workspace's `drafts/` and `sent/` folders: one `.eml` file per draft.

An edge: writes each draft atomically (a reader never sees half a file),
syncs a batch to disk once rather than once per file, moves sent drafts to
`sent/`, and serialises the commands that write drafts with a lock file.
It knows nothing of the journal; the use cases keep the two in step.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import re
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from outreach.base.errors import WorkspaceError
from outreach.store.filelock import ExclusiveFileLock
from outreach.store.workspace import Workspace, atomic_write, fsync_folder

SUFFIX = ".eml"
LOCK_NAME = ".outreach.lock"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class _UniqueTokens:
    """64 random bits per process, then a counter: unique without a syscall each time.

    (Fetching fresh random bytes for every draft cost more than composing it.)
    The prefix is renewed in a forked child, which must not repeat its parent.
    """

    def __init__(self) -> None:
        self._pid = 0
        self._prefix = ""
        self._counter = itertools.count(1)

    def next(self) -> str:
        if self._pid != os.getpid():
            self._pid, self._prefix = os.getpid(), secrets.token_hex(8)
            self._counter = itertools.count(1)
        return f"{self._prefix}{next(self._counter):06x}"


_TOKENS = _UniqueTokens()


def new_message_id(domain: str, kind: str = "draft") -> str:
    """A fresh, unique Message-ID under the user's own domain (RFC 5322 §3.6.4)."""
    label = _UNSAFE.sub("-", kind) or "draft"
    return f"<{label}.{_TOKENS.next()}@{domain}>"


def safe_stem(*parts: str) -> str:
    """A file name stem from ids: only letters, digits, `_`, `.` and `-`."""
    stem = "-".join(_UNSAFE.sub("_", p).strip("._") or "_" for p in parts)
    return stem[:180]


def _load_syncfs() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[[int], int] = libc.syncfs
    except (OSError, AttributeError):
        return None
    return function


_SYNCFS = _load_syncfs() if sys.platform.startswith("linux") else None


def _sync_file_system(folder: Path) -> None:
    if _SYNCFS is None:
        os.sync()  # no syncfs(2) here: flush every file system instead
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))
    finally:
        os.close(fd)


# Outbox locks this process holds: (drafts folder, thread) -> depth.
_HELD: dict[tuple[str, int], int] = {}


class Outbox:
    """The drafts and sent folders of one workspace; paths are workspace-relative."""

    def __init__(self, root: Path, drafts_dir: Path, sent_dir: Path) -> None:
        self.root = root
        self.drafts_dir = drafts_dir
        self.sent_dir = sent_dir
        # Plain strings for the per-draft hot path: pathlib costs more than the write.
        self._drafts = str(drafts_dir)
        self._drafts_relative = self.relative(drafts_dir)

    @classmethod
    def of(cls, workspace: Workspace) -> Outbox:
        return cls(workspace.root, workspace.drafts_dir, workspace.sent_dir)

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)  # a drafts folder configured outside the workspace

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def draft_relative(self, stem: str) -> str:
        """The workspace-relative path a draft named `stem` has (or would have)."""
        return f"{self._drafts_relative}/{stem}{SUFFIX}"

    def write(self, stem: str, data: bytes) -> str:
        """Write one draft atomically without syncing; call `flush()` after the batch.

        Under the outbox lock, so the temporary name can be fixed: a rerun after
        a crash truncates and reuses it. Readers only ever see whole files,
        because the rename is what makes the draft appear.
        """
        final = f"{self._drafts}/{stem}{SUFFIX}"
        temporary = f"{self._drafts}/.{stem}{SUFFIX}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        try:
            try:
                fd = os.open(temporary, flags, 0o600)
            except FileNotFoundError:
                self.drafts_dir.mkdir(parents=True, exist_ok=True)
                fd = os.open(temporary, flags, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            os.replace(temporary, final)
        except OSError as exc:
            raise WorkspaceError(f"{final}: cannot write the draft: {exc.strerror}") from exc
        return self.draft_relative(stem)

    def flush(self) -> None:
        """Make every draft written so far durable: one sync for the whole batch."""
        if not self.drafts_dir.is_dir():
            return
        try:
            # A folder's fsync makes its renames durable but not the files'
            # data; one syncfs(2) of the file system covers every file at once.
            _sync_file_system(self.drafts_dir)
            fsync_folder(self.drafts_dir)
        except OSError as exc:
            raise WorkspaceError(f"{self.drafts_dir}: cannot sync: {exc.strerror}") from exc

    def read(self, relative: str) -> bytes:
        path = self.absolute(relative)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise WorkspaceError(
                f"{path}: the draft's file is missing",
                hint="discard it with `outreach drafts discard ID` if it was deleted on purpose",
            ) from None
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot read the draft: {exc.strerror}") from exc

    def move_to_sent(self, relative: str, *, sent: bytes | None = None) -> str:
        """Move a sent draft's file into `sent/`; returns its new relative path.

        `sent` is the message as it went out when that differs from the draft
        (an unwritten optional personal line left out): the file is rewritten
        first, so `sent/` keeps what the recipient got.
        """
        source = self.absolute(relative)
        if sent is not None:
            atomic_write(source, sent)
        target = self.sent_dir / source.name
        counter = 1
        while target.exists():
            counter += 1
            target = self.sent_dir / f"{source.stem}-{counter}{source.suffix}"
        try:
            self.sent_dir.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            fsync_folder(self.sent_dir)
            fsync_folder(source.parent)
        except OSError as exc:
            raise WorkspaceError(f"{source}: cannot move to {self.sent_dir}: {exc}") from exc
        return self.relative(target)

    def remove(self, relative: str) -> bool:
        """Delete a draft's file; False when it was already gone."""
        path = self.absolute(relative)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot delete the draft: {exc.strerror}") from exc
        return True

    @contextmanager
    def scratch(self, name: str, text: str) -> Iterator[Path]:
        """A private text file in the drafts folder for an editor to change; gone after.

        Hidden (a leading dot) so no listing takes it for a draft.
        """
        path = self.drafts_dir / f".{name}"
        try:
            self.drafts_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot write: {exc.strerror}") from exc
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def replace(self, relative: str, data: bytes) -> None:
        """Overwrite a draft's file atomically (a rename), keeping its name."""
        stem = Path(relative).stem
        if self.draft_relative(stem) != relative:
            raise WorkspaceError(f"{self.absolute(relative)}: not a file in {self.drafts_dir}")
        self.write(stem, data)
        self.flush()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the outbox: one command at a time drafts, pushes or sends here.

        Draft file names are stable (a rerun rewrites the file an interrupted
        run left behind), so two writers at once would overwrite each other;
        and a use case decides what to draft from the journal, so it holds the
        lock from that decision to the last draft recorded. Re-entrant within
        a thread: the drafting it wraps takes the lock again.
        """
        key = (str(self.drafts_dir.resolve()), threading.get_ident())
        if key in _HELD:
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        try:
            self.drafts_dir.mkdir(parents=True, exist_ok=True)
            held = ExclusiveFileLock(self.drafts_dir / LOCK_NAME)
        except OSError as exc:
            raise WorkspaceError(f"{self.drafts_dir}: cannot lock: {exc.strerror}") from exc
        with held:
            _HELD[key] = 1
            try:
                yield
            finally:
                del _HELD[key]
