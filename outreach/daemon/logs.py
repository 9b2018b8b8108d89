"""Where the daemon logs: levels, one line per event, to stderr or a file.

Owns the `outreach` logger's handlers for the daemon's lifetime. Nothing is
ever logged with a secret in it: callers log outcomes and server messages,
never configuration values or credentials.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TextIO

from outreach.base.errors import WorkspaceError

LOGGER_NAME = "outreach"
FORMAT = "%(asctime)s.%(msecs)03d %(levelname)s %(message)s"


def daemon_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


class _PrivateLogFile(logging.handlers.WatchedFileHandler):
    """The daemon's log file, created readable by its owner alone (it names people and
    mailboxes), reopened after logrotate; a failed write (a full disk) is one line on
    stderr, said once, instead of a traceback per log line."""

    _complained = False

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return io.TextIOWrapper(io.FileIO(fd, "a"), encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        if not self._complained:
            self._complained = True
            error = sys.exc_info()[1]
            reason = getattr(error, "strerror", None) or error
            sys.stderr.write(f"outreach: {self.baseFilename}: cannot write the log: {reason}\n")


class LogSetup:
    """Attaches one handler to the `outreach` logger; `close()` detaches it."""

    def __init__(self, *, stream: TextIO, log_file: Path | None, verbose: bool) -> None:
        self.logger = daemon_logger()
        handler: logging.Handler
        if log_file is not None:
            try:
                log_file.parent.mkdir(parents=True, exist_ok=True)
                # WatchedFileHandler reopens the file after logrotate moves it.
                handler = _PrivateLogFile(log_file, encoding="utf-8")
            except OSError as exc:
                raise WorkspaceError(
                    f"{log_file}: cannot open the log file: {exc.strerror}"
                ) from exc
        else:
            handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
        self.handler = handler
        self.logger.addHandler(handler)
        self.logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        # The daemon's lines go to its own handler only, never twice through root.
        self.logger.propagate = False

    def close(self) -> None:
        self.logger.removeHandler(self.handler)
        self.handler.close()
        self.logger.propagate = True
        self.logger.setLevel(logging.NOTSET)


__all__ = ["LOGGER_NAME", "LogSetup", "daemon_logger"]
