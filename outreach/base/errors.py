"""The project's exception tree, the `Problem` value and exit statuses.

Library code raises these; only `outreach.cli.main` turns them into messages
and exit statuses. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class ExitStatus(enum.IntEnum):
    OK = 0
    FAILURE = 1  # a runtime failure: server unreachable, send refused, journal locked
    BAD_INPUT = 2  # bad configuration, roster, template or arguments
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
    BROKEN_PIPE = 141  # the reader went away (`| head`): 128 + SIGPIPE, as shells report it


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input, located as precisely as we can."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None
    # What a parser said in its own words, shown only under --debug.
    detail: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


class OutreachError(Exception):
    """Root of every error this project raises on purpose."""

    exit_status: ExitStatus = ExitStatus.FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """The lines the CLI prints for this error, hint last."""
        out = [self.message]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class InputError(OutreachError):
    """Bad input: configuration, roster, events, templates, arguments. Exit 2.

    Carries every problem found, so the user fixes them all in one go.
    """

    exit_status = ExitStatus.BAD_INPUT

    def __init__(self, problems: Sequence[Problem] | str, *, hint: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(path="outreach", message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        summary = "\n".join(str(p) for p in self.problems)
        super().__init__(summary, hint=hint)

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> None:
        """Raise one InputError holding every problem, if there are any."""
        found = list(problems)
        if found:
            raise cls(found)


class MailboxError(OutreachError):
    """The mailbox could not be read (IMAP or Maildir). Exit 1."""


class SendError(OutreachError):
    """A draft could not be sent or uploaded. Exit 1."""


class JournalError(OutreachError):
    """The journal could not be opened, migrated or written. Exit 1."""


class FeedError(OutreachError):
    """A feed that could not be read or understood (a runtime failure, exit 1)."""


class WorkspaceError(OutreachError):
    """A workspace file could not be read or written. Exit 1."""


class AlreadyRunning(OutreachError):
    """Another daemon holds this workspace's lock. Exit 1."""
