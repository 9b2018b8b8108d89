"""A plain SMTP server on loopback (aiosmtpd) that keeps what it received.

For the sending tests that care about what arrives, not about TLS (those are
in test_send_smtp.py). `on_data` lets a test act at the moment a message has
arrived but before the server's 250 goes back: the riskiest moment to die.
"""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message_id(self) -> str:
        return str(BytesHeaderParser().parsebytes(self.content)["Message-ID"])


@dataclass
class Sink:
    received: list[Arrived] = field(default_factory=list)
    on_data: Callable[[int], None] | None = None  # called with the count, before the 250
    drop_at: int | None = None  # the Nth message arrives, then the connection drops, no 250

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.on_data is not None:
            self.on_data(len(self.received))
        if self.drop_at == len(self.received):
            server.transport.abort()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningSink:
    sink: Sink
    port: int

    def config(self, *, rate_per_minute: int = 6000) -> str:
        """An `[smtp]` section for outreach.toml that sends here."""
        return textwrap.dedent(
            f"""
            [smtp]
            host = "127.0.0.1"
            port = {self.port}
            tls = "none"
            rate_per_minute = {rate_per_minute}
            timeout_seconds = 10
            """
        )


@contextmanager
def smtp_sink() -> Iterator[RunningSink]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield RunningSink(sink, port)
    finally:
        controller.stop()
