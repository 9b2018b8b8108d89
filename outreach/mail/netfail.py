"""Socket and TLS trouble shared by the IMAP and SMTP edges.

A verified TLS context (system CAs plus an optional CA file), and network
failures described in a few words for one-line errors. The protocol edges
describe their own protocol's failures first and fall back on this; nothing
here ever sees a secret.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path


def verified_tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Certificates and host names checked against the system's CAs and `ca_file`.

    Raises OSError or ssl.SSLError when `ca_file` cannot be read or used;
    the caller names the server in its own error.
    """
    context = ssl.create_default_context(purpose=ssl.Purpose.SERVER_AUTH)
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def describe_network_failure(exc: BaseException, *, timeout: float | None = None) -> str | None:
    """TLS, refusal, name lookup or time-out, in a few words; None for anything else."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not verified: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "unreachable: connection refused"
    if isinstance(exc, socket.gaierror):
        return f"unknown host: {exc.strerror}"
    if isinstance(exc, TimeoutError):
        after = f" after {timeout:g} s" if timeout is not None else ""
        return f"no answer{after} (timed out)"
    return None
