"""Deadlines and size bounds on everything an IMAP server sends.

An edge beneath imaplib: the socket is read here, so a server can neither
hold a session open by trickling bytes or chattering, nor decide how much
memory outreach uses. The rules, in `Limits`:

- the greeting must be complete within `timeout_seconds` of connecting;
- once outreach waits for a command's answer, it must be complete within
  `timeout_seconds`, plus one second for every 16 KiB of answer received
  (so a large, steadily arriving FETCH is never cut short, and a trickle is);
- untagged status chatter (`* OK`, `* 3 EXISTS`, …) earns no extra time and
  at most 1,000 such responses may come with one command;
- a line may be at most 16 MiB (a SEARCH answer listing two million UIDs),
  a literal at most what the command asked for (1 MiB unless said otherwise),
  and one answer at most 128 MiB in all (a 2,000-message header FETCH is a
  few MiB): the memory a server can make outreach use stays bounded.

While imapclient waits for IDLE pushes the socket is non-blocking and none of
the time rules apply: IDLE is meant to be quiet; the watcher times it itself.
"""

from __future__ import annotations

import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.imap4 import IMAP4WithTimeout  # type: ignore[import-untyped]
from imapclient.tls import IMAP4_TLS  # type: ignore[import-untyped]

KIB = 1024
MIB = 1024 * KIB

# Untagged responses that report state rather than answer the command
# (RFC 3501 §7.1, §7.3): a server may send them at any time, so they are
# allowed, but a stream of them must not keep a command alive.
_STATUS_WORDS = frozenset({b"OK", b"NO", b"BAD", b"BYE", b"PREAUTH", b"CAPABILITY", b"FLAGS"})
_MAILBOX_SIZE_WORDS = frozenset({b"EXISTS", b"RECENT", b"EXPUNGE"})
_CHUNK = 256 * KIB


@dataclass(frozen=True, slots=True)
class Limits:
    """How long and how much: `timeout` is the mailbox's `timeout_seconds`."""

    timeout: float
    bytes_per_second_credit: int = 16 * KIB
    max_chatter: int = 1000
    max_line: int = 16 * MIB
    max_literal: int = 1 * MIB
    max_answer: int = 128 * MIB


class ServerLimitError(Exception):
    """The server broke a deadline or a size bound; the message says which, in a few words."""


class _Exchange:
    """The deadline and the counts of the exchange in progress (greeting or command)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.max_literal = limits.max_literal
        self.broken = False  # a bound was broken: the stream is mid-answer, no LOGOUT possible
        self.start("the greeting")

    def start(self, what: str) -> None:
        self.what = what
        # The clock starts when outreach first waits for the answer, not when
        # it sent the command: a pipelined FETCH is sent while the previous
        # batch is still being worked on, and that time is outreach's own.
        self.started: float | None = None
        self.credit = 0.0
        self.chatter = 0
        self.received = 0

    def seconds_left(self) -> float:
        now = time.monotonic()
        if self.started is None:
            self.started = now
        allowed = self.limits.timeout + self.credit
        left = self.started + allowed - now
        if left <= 0:
            self.broken = True
            raise ServerLimitError(
                f"{self.what} was not complete within {allowed:.0f} s"
                " (the server answers too slowly or never finishes)"
            )
        return left

    def earned(self, size: int) -> None:
        self.credit += size / self.limits.bytes_per_second_credit

    def heard(self, line: bytes) -> None:
        """Account for one response line that starts a response."""
        if line[:2] == b"* " and _is_status(line):
            self.chatter += 1
            if self.chatter > self.limits.max_chatter:
                self.broken = True
                raise ServerLimitError(
                    f"{self.what}: more than {self.limits.max_chatter} status responses"
                    " and no end to the answer"
                )
        else:
            self.credit += len(line) / self.limits.bytes_per_second_credit


def _is_status(line: bytes) -> bool:
    """`* OK …`, `* FLAGS …`, `* 3 EXISTS`: state reports, not an answer (RFC 3501 §7)."""
    if line[2:3].isdigit():  # message data: only a mailbox size report is status
        return line[-10:].rstrip().upper().endswith((b" EXISTS", b" RECENT", b" EXPUNGE"))
    end = line.find(b" ", 2)
    word = (line[2:end] if end > 0 else line[2:]).rstrip().upper()
    if word in _STATUS_WORDS:
        return True
    if not word.isdigit() or end < 0:
        return False
    after = line.find(b" ", end + 1)
    second = (line[end + 1 : after] if after > 0 else line[end + 1 :]).rstrip().upper()
    return second in _MAILBOX_SIZE_WORDS


class _Reader:
    """Lines and literals from one socket, each recv bounded by the exchange's deadline."""

    def __init__(self, sock: socket.socket, exchange: _Exchange) -> None:
        self.sock = sock
        self.exchange = exchange
        # Bytes received and not yet consumed start at `pos`: one slice per
        # line, no copying of the rest (a bulk FETCH is 300,000 lines).
        self.buffer = b""
        self.pos = 0
        self.in_literal_line = False  # the next line continues a response after a literal

    def has_line(self) -> bool:
        return self.buffer.find(b"\n", self.pos) >= 0

    def _fill(self) -> None:
        blocking = self.sock.gettimeout()
        if blocking != 0.0:  # IDLE pushes are read non-blocking: no deadline then
            left = self.exchange.seconds_left()
            per_read = self.exchange.limits.timeout
            self.sock.settimeout(min(per_read, left))
            try:
                data = self.sock.recv(_CHUNK)
            except TimeoutError:
                self.exchange.broken = True
                if self.exchange.received:  # a trickle, not silence: say so
                    self.exchange.seconds_left()
                raise
            finally:
                self.sock.settimeout(blocking)
        else:
            data = self.sock.recv(_CHUNK)
        if not data:
            raise EOFError
        self.exchange.received += len(data)
        if self.exchange.received > self.exchange.limits.max_answer:
            self.exchange.broken = True
            raise ServerLimitError(
                f"{self.exchange.what} went on past {self.exchange.limits.max_answer // MIB} MiB"
            )
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0

    def readline(self) -> bytes:
        end = self.buffer.find(b"\n", self.pos)
        while end < 0:
            if len(self.buffer) - self.pos > self.exchange.limits.max_line:
                self.exchange.broken = True
                raise ServerLimitError(
                    f"{self.exchange.what}: the server sent a line longer than"
                    f" {self.exchange.limits.max_line // MIB} MiB"
                )
            start = len(self.buffer) - self.pos
            try:
                self._fill()
            except EOFError:
                end = len(self.buffer) - 1
                break
            end = self.buffer.find(b"\n", start)
        line = self.buffer[self.pos : end + 1]
        self.pos = end + 1
        # Waiting for IDLE pushes (non-blocking) is no exchange: nothing to count.
        if line and self.sock.gettimeout() != 0.0:
            if self.in_literal_line:
                self.exchange.credit += len(line) / self.exchange.limits.bytes_per_second_credit
            else:
                self.exchange.heard(line)
        self.in_literal_line = line[-3:] == b"}\r\n"
        return line

    def read(self, size: int) -> bytes:
        if size > self.exchange.max_literal:
            self.exchange.broken = True
            raise ServerLimitError(
                f"{self.exchange.what}: the server announced {size:,} bytes where at most"
                f" {self.exchange.max_literal:,} were asked for"
            )
        while len(self.buffer) - self.pos < size:
            try:
                self._fill()
            except EOFError:
                break
        data = self.buffer[self.pos : self.pos + size]
        self.pos += len(data)
        self.exchange.credit += len(data) / self.exchange.limits.bytes_per_second_credit
        return data


class _Bounded:
    """Mixed into imaplib's connection classes: reads go through a `_Reader`."""

    _limits: Limits

    def _bounded_reader(self) -> _Reader:
        sock: socket.socket = self.sock  # type: ignore[attr-defined]
        reader: _Reader | None = self.__dict__.get("_reader")
        if reader is None or reader.sock is not sock:  # new, or TLS after STARTTLS
            exchange = reader.exchange if reader is not None else _Exchange(self._limits)
            reader = _Reader(sock, exchange)
            self.__dict__["_reader"] = reader
        return reader

    @property
    def exchange(self) -> _Exchange:
        return self._bounded_reader().exchange

    def read(self, size: int) -> bytes:
        return self._bounded_reader().read(size)

    def readline(self) -> bytes:
        return self._bounded_reader().readline()

    def send(self, data: bytes) -> None:
        exchange = self._bounded_reader().exchange
        # Whatever is sent, the server's turn starts now: a command line
        # starts a new exchange; a literal (APPEND) or DONE ends the client's
        # part of the one in progress, whose answer must then come in time.
        tag: bytes = self.tagpre  # type: ignore[attr-defined]
        exchange.start(_command_name(data) if data.startswith(tag) else exchange.what)
        super().send(data)  # type: ignore[misc]


def _command_name(data: bytes) -> str:
    words = data.split(b" ", 3)
    name = words[1] if len(words) > 1 else b""
    if name.upper() == b"UID" and len(words) > 2:
        name = b"UID " + words[2]
    text = name.strip().decode("ascii", "replace").upper()
    return f"the answer to {text}" if text else "the answer"


class _BoundedPlain(_Bounded, IMAP4WithTimeout):  # type: ignore[misc]
    def __init__(self, limits: Limits, host: str, port: int, timeout: float | None) -> None:
        self._limits = limits
        super().__init__(host, port, timeout)


class _BoundedTls(_Bounded, IMAP4_TLS):  # type: ignore[misc]
    def __init__(self, limits: Limits, host: str, port: int, context: Any, timeout: Any) -> None:
        self._limits = limits
        super().__init__(host, port, context, timeout)


class BoundedIMAPClient(IMAPClient):  # type: ignore[misc]
    """IMAPClient whose connection enforces `Limits` from the greeting on."""

    def __init__(self, host: str, *, limits: Limits, **kwargs: Any) -> None:
        self._limits = limits
        super().__init__(host, **kwargs)

    def _create_IMAP4(self) -> Any:
        connect_timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _BoundedTls(
                self._limits, self.host, self.port, self.ssl_context, connect_timeout
            )
        return _BoundedPlain(self._limits, self.host, self.port, connect_timeout)


@contextmanager
def literal_limit(client: Any, size: int) -> Any:
    """Within the block, literals up to `size` bytes are accepted (e.g. a header FETCH)."""
    exchange: _Exchange | None = getattr(client._imap, "exchange", None)
    if exchange is None:  # an unbounded client (imapclient's own): nothing to widen
        yield
        return
    previous = exchange.max_literal
    exchange.max_literal = size
    try:
        yield
    finally:
        exchange.max_literal = previous


def is_broken(client: Any) -> bool:
    """Whether a bound was broken on `client`'s connection: close it without LOGOUT."""
    exchange: _Exchange | None = getattr(getattr(client, "_imap", None), "exchange", None)
    return exchange is not None and exchange.broken


def has_buffered_line(client: Any) -> bool:
    """Whether a whole line already sits in the read buffer, where select() cannot see it."""
    reader: _Reader | None = getattr(client, "_imap", None).__dict__.get("_reader")
    return reader is not None and reader.has_line()


def skip_literal(read: Any, size: int) -> None:
    """Read and drop a literal of `size` bytes in chunks: memory stays small."""
    while size > 0:
        chunk = read(min(size, _CHUNK))
        if not chunk:
            raise EOFError
        size -= len(chunk)


__all__ = [
    "BoundedIMAPClient",
    "Limits",
    "ServerLimitError",
    "has_buffered_line",
    "is_broken",
    "literal_limit",
    "skip_literal",
]
