"""A small IMAP server on loopback that misbehaves on purpose.

It speaks just enough IMAP4rev1 for `outreach sync` and the daemon's IDLE
(CAPABILITY, LOGIN, LIST, EXAMINE/SELECT, UID SEARCH, UID FETCH, IDLE,
LOGOUT), serving one message, and breaks the protocol in one chosen way at
one chosen step: trickle bytes, chatter forever, announce a huge literal,
say BYE, push EXISTS before IDLE's continuation. Each connection runs on its
own thread; `close()` ends them all.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

MESSAGE = (
    b"From: Ana Lima <ana@example.net>\r\n"
    b"To: Dana <dana@example.org>\r\n"
    b"Subject: Re: the salon\r\n"
    b"Date: Mon, 04 May 2026 09:00:00 +0000\r\n"
    b"Message-ID: <reply-1@example.net>\r\n"
    b"\r\n"
)

# What a misbehaviour does: the step (command name, or GREETING) it hits and how.
STEPS = ("GREETING", "LOGIN", "LIST", "EXAMINE", "SEARCH", "FETCH", "IDLE", "LOGOUT")


@dataclass
class Misbehaviour:
    """`how` at `step`: trickle | chatter | flood | stall | huge-literal | big-header | bye |
    exists-before-continuation | exists-with-continuation."""

    how: str
    step: str
    interval: float = 0.5  # seconds between trickled bytes or chattered lines


@dataclass
class FakeImapServer:
    misbehaviour: Misbehaviour | None = None
    logins: int = 0
    idles_established: int = 0
    _socket: socket.socket = field(init=False)
    _threads: list[threading.Thread] = field(default_factory=list)
    _clients: list[socket.socket] = field(default_factory=list)
    _closing: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeImapServer:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._port: int = self._socket.getsockname()[1]
        thread = threading.Thread(target=self._accept, name="fake-imap", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    @property
    def port(self) -> int:
        return self._port

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            for client in self._clients:
                with suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
                client.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> FakeImapServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the server's side ---------------------------------------------------

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._clients.append(client)
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, client: socket.socket) -> None:
        # OSError: the client hung up, as it should after a failure.
        with client, suppress(OSError):
            Session(self, client).run()


class Session:
    """One connection's conversation."""

    def __init__(self, server: FakeImapServer, client: socket.socket) -> None:
        self.server = server
        self.client = client
        self.file = client.makefile("rb")
        self.bad = server.misbehaviour

    def hits(self, step: str) -> str | None:
        return self.bad.how if self.bad is not None and self.bad.step == step else None

    def send(self, data: bytes) -> None:
        self.client.sendall(data)

    def forever(self, make: Callable[[int], bytes]) -> None:
        """Send make(0), make(1)… until the client hangs up or the server closes."""
        assert self.bad is not None
        count = 0
        while not self.server._closing.is_set():
            self.send(make(count))
            count += 1
            if self.bad.interval:
                self.server._closing.wait(self.bad.interval)

    def trickle(self, data: bytes) -> None:
        """`data` one byte at a time, then more of it forever: never a whole answer."""
        self.forever(lambda i: data[i % len(data) : i % len(data) + 1])

    def run(self) -> None:
        greeting = b"* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] fake ready\r\n"
        how = self.hits("GREETING")
        if how == "trickle":
            return self.trickle(greeting)
        if how == "bye":
            return self.send(b"* BYE not today\r\n")
        self.send(greeting)
        while True:
            line = self.file.readline()
            if not line:
                return
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            words = rest.split(b" ")
            name = words[0].upper()
            if name == b"UID" and len(words) > 1:
                name = words[1].upper()
            if name == b"SELECT":
                name = b"EXAMINE"
            step = name.decode("ascii", "replace")
            how = self.hits(step)
            outcome = self.misbehave(how, tag, step) if how is not None else "normal"
            if outcome == "end":
                return
            if outcome == "normal" and not self.answer(tag, step):
                return

    def misbehave(self, how: str, tag: bytes, step: str) -> str:
        """Break the protocol: "end" the connection, "answered" already, or go on "normal"ly."""
        if how == "bye":
            self.send(b"* BYE going away\r\n")
            return "end"
        if how == "trickle":
            self.trickle(b"* 1 FETCH (UID 1 FLAGS ())\r\n" if step == "FETCH" else b"* OK x\r\n")
            return "end"
        if how == "flood" and step == "FETCH":
            # Answers, not chatter, each earning time: only the size bound ends them.
            line = b"* 1 FETCH (UID 1 FLAGS (" + b"\\Seen " * 9000 + b"))\r\n"
            self.forever(lambda i: line)
            return "end"
        if how == "chatter":
            self.forever(lambda i: b"* OK still thinking %d\r\n" % i)
            return "end"
        if how == "huge-literal" and step == "FETCH":
            self.send(b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] {999999999}\r\n")
            self.forever(lambda i: b"x" * 65536)
            return "end"
        if how == "big-header" and step == "FETCH":
            # A real reply, then 300 KiB more header: over outreach's limit.
            filler = b"X-Filler: " + b"y" * 998 + b"\r\n"
            header = MESSAGE[:-2] + filler * 300 + b"\r\n"
            self.send(
                b'* 1 FETCH (UID 1 INTERNALDATE "04-May-2026 09:00:00 +0000"'
                b" BODY[HEADER.FIELDS (FROM)] {%d}\r\n%s)\r\n%s OK fetched\r\n"
                % (len(header), header, tag)
            )
            return "answered"
        if how == "exists-with-continuation" and step == "IDLE":
            # One packet: the client's select() sees nothing after reading "+".
            self.send(b"+ idling\r\n* 4 EXISTS\r\n")
            self.server.idles_established += 1
            if not self.file.readline():
                return "end"
            self.send(b"%s OK idle done\r\n" % tag)
            return "answered"
        if how == "exists-before-continuation" and step == "IDLE":
            self.send(b"* 2 EXISTS\r\n")
            return "normal"  # then the continuation, as usual
        if how == "stall":
            self.server._closing.wait()
            return "end"
        return "normal"

    def answer(self, tag: bytes, step: str) -> bool:
        """The well-behaved answer; False after LOGOUT."""
        if step == "CAPABILITY":
            self.send(b"* CAPABILITY IMAP4rev1 IDLE LITERAL+\r\n%s OK done\r\n" % tag)
        elif step == "LOGIN":
            self.server.logins += 1
            self.send(b"%s OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] welcome\r\n" % tag)
        elif step == "LIST":
            self.send(b'* LIST (\\HasNoChildren) "/" INBOX\r\n%s OK listed\r\n' % tag)
        elif step == "EXAMINE":
            self.send(
                b"* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n"
                b"%s OK [READ-ONLY] examined\r\n" % tag
            )
        elif step == "SEARCH":
            self.send(b"* SEARCH 1\r\n%s OK searched\r\n" % tag)
        elif step == "FETCH":
            self.send(
                b'* 1 FETCH (UID 1 INTERNALDATE "04-May-2026 09:00:00 +0000"'
                b" BODY[HEADER.FIELDS (FROM)] {%d}\r\n%s)\r\n%s OK fetched\r\n"
                % (len(MESSAGE), MESSAGE, tag)
            )
        elif step == "IDLE":
            self.send(b"+ idling\r\n")
            self.server.idles_established += 1
            done = self.file.readline()
            if not done:
                return False
            self.send(b"%s OK idle done\r\n" % tag)
        elif step == "LOGOUT":
            self.send(b"* BYE bye\r\n%s OK logged out\r\n" % tag)
            return False
        elif step == "NOOP":
            self.send(b"%s OK noop\r\n" % tag)
        else:
            self.send(b"%s BAD unknown command\r\n" % tag)
        return True
