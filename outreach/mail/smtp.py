"""Sending approved drafts over SMTP: verified TLS, login, a rate limit.

An edge: implicit TLS or STARTTLS with certificate checks (plain text only to
loopback), credentials through `outreach.mail.credentials`, and a pause between
messages so providers do not lock the account. Each message goes to all its
recipients or to none. Failures leave as `SendError`s starting `host:port:`.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from outreach.base.errors import SendError
from outreach.core.config import SmtpConfig, Tls, is_loopback
from outreach.mail.credentials import Secret, resolve_secret
from outreach.mail.netfail import describe_network_failure, verified_tls_context


class RecipientsRefused(SendError):
    """The server refused one or more recipients; the message was not sent to anyone."""

    def __init__(self, message: str, refused: Mapping[str, str]) -> None:
        super().__init__(message)
        self.refused = dict(refused)


class DeliveryInDoubt(SendError):
    """The connection failed after the message was handed over: it may have been delivered."""


@dataclass
class RateLimit:
    """At most `per_minute` messages a minute; the clock and sleep are injectable."""

    per_minute: float
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    _last: float | None = field(default=None, repr=False)

    def wait(self) -> None:
        """Pause until the next message may go; the first goes at once."""
        interval = 60.0 / self.per_minute
        if self._last is not None:
            remaining = self._last + interval - self.monotonic()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.monotonic()


def server_label(config: SmtpConfig) -> str:
    return f"{config.host}:{config.port}"


def _tls_context(config: SmtpConfig, root: Path) -> ssl.SSLContext:
    path = root / Path(config.ca_file).expanduser() if config.ca_file is not None else None
    try:
        return verified_tls_context(path)
    except (OSError, ssl.SSLError) as exc:
        raise SendError(f"{server_label(config)}: cannot use ca_file {path}: {exc}") from None


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server refused: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connection lost: the server closed it"
    network = describe_network_failure(exc, timeout=timeout)
    if network is not None:
        return network
    if isinstance(exc, smtplib.SMTPException):
        return str(exc) or type(exc).__name__
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return str(exc)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class SmtpSession:
    """One logged-in SMTP connection; use `smtp_session` to open one."""

    def __init__(self, client: smtplib.SMTP, config: SmtpConfig, limit: RateLimit) -> None:
        self._client = client
        self._config = config
        self._limit = limit

    def send(self, *, sender: str, recipients: Sequence[str], data: bytes) -> None:
        """Send `data` to every recipient or to none (RCPT refusals reset the transaction).

        A failure with a reply code from the server means the message was not
        accepted; a lost connection once the message was handed over raises
        DeliveryInDoubt, since the server may have queued it before dying.
        """
        label = server_label(self._config)
        self._limit.wait()
        client = self._client
        handed_over = False
        try:
            code, reply = client.mail(sender)
            if code != 250:
                raise SendError(f"{label}: sender {sender} refused: {code} {_text(reply)}")
            refused: dict[str, str] = {}
            for recipient in recipients:
                code, reply = client.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = f"{code} {_text(reply)}"
            if refused:
                client.rset()
                listed = "; ".join(f"{r}: {why}" for r, why in refused.items())
                raise RecipientsRefused(f"{label}: recipient refused: {listed}", refused)
            handed_over = True
            code, reply = client.data(data)
            if code != 250:
                raise SendError(f"{label}: message refused: {code} {_text(reply)}")
        except SendError:
            raise
        except smtplib.SMTPResponseException as exc:
            # The server answered with a refusal (DATA itself refused, say): not delivered.
            raise SendError(f"{label}: {_describe(exc, self._config.timeout_seconds)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            kind = DeliveryInDoubt if handed_over else SendError
            raise kind(f"{label}: {_describe(exc, self._config.timeout_seconds)}") from exc


def _login(client: smtplib.SMTP, username: str, secret: Secret) -> None:
    if secret.oauth2:
        token = f"user={username}\x01auth=Bearer {secret.value}\x01\x01"
        client.auth("XOAUTH2", lambda challenge=None: token, initial_response_ok=True)
        return
    advertised = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in advertised:
        # One mechanism, so a refusal is answered at once: smtplib's login()
        # would go on to try the next one, and some servers hang up mid-way.
        client.user, client.password = username, secret.value
        client.auth("PLAIN", client.auth_plain)
    else:
        client.login(username, secret.value)


@contextmanager
def smtp_session(
    config: SmtpConfig,
    *,
    root: Path,
    environ: Mapping[str, str],
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[SmtpSession]:
    """A connected, logged-in session; QUIT (or close) on exit, even after a failure."""
    label = server_label(config)
    if config.tls is Tls.NONE and not is_loopback(config.host):
        raise SendError(f'{label}: tls = "none" is allowed only for a loopback host')
    context = _tls_context(config, root) if config.tls is not Tls.NONE else None
    secret = None
    if config.username:
        secret = resolve_secret(
            config.credentials, owner=f"smtp ({label})", environ=environ, root=root, error=SendError
        )
    timeout = config.timeout_seconds
    client: smtplib.SMTP | None = None
    try:
        if config.tls is Tls.IMPLICIT:
            client = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=timeout)
        client.ehlo()
        if config.tls is Tls.STARTTLS:
            if not client.has_extn("starttls"):
                raise SendError(
                    f"{label}: the server does not offer STARTTLS; refusing to send without TLS",
                    hint='use port 465 with tls = "implicit" if the server offers it',
                )
            client.starttls(context=context)
            client.ehlo()
        if secret is not None and config.username:
            _login(client, config.username, secret)
    except SendError:
        _close(client)
        raise
    except (smtplib.SMTPException, OSError) as exc:
        _close(client)
        hint = None
        if isinstance(exc, ssl.SSLCertVerificationError):
            hint = "if the server uses its own certificate authority, set ca_file under [smtp]"
        elif isinstance(exc, smtplib.SMTPAuthenticationError):
            hint = "check [smtp] username and password_command / password_env in outreach.toml"
        raise SendError(f"{label}: {_describe(exc, timeout)}", hint=hint) from exc
    try:
        yield SmtpSession(client, config, RateLimit(config.rate_per_minute, sleep, monotonic))
    finally:
        _close(client)


def _close(client: smtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        with suppress(OSError):
            client.close()
