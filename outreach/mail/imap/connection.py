"""The one seam that opens IMAP connections, and the lookup of special folders.

An edge: it connects (TLS verified, STARTTLS required when configured, plain
text only to loopback), logs in, and always logs out or closes, even after a
failed login. Socket, TLS and protocol failures leave as one-line
`MailboxError`s naming the mailbox and server; secrets never appear in them.
"""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient, SocketTimeout  # type: ignore[import-untyped]
from imapclient.exceptions import LoginError  # type: ignore[import-untyped]

from outreach.base.errors import MailboxError, OutreachError
from outreach.core.config import ImapMailbox, Tls, is_loopback
from outreach.core.folders import (
    SPECIAL_USE_FLAG,
    Found,
    FoundBy,
    ListedFolder,
    Role,
    find_role,
    missing_role_message,
    setting_hint,
)
from outreach.mail.credentials import resolve_secret
from outreach.mail.imap.bounds import BoundedIMAPClient, Limits, ServerLimitError, is_broken
from outreach.mail.netfail import describe_network_failure, verified_tls_context

SENT = b"\\Sent"
DRAFTS = b"\\Drafts"


def mailbox_label(mailbox: ImapMailbox) -> str:
    """How errors name a mailbox: `mailbox 'work' (imap.example.org:993)`."""
    return f"mailbox '{mailbox.name}' ({mailbox.host}:{mailbox.port})"


def describe_failure(exc: BaseException, *, timeout: float | None = None) -> str | None:
    """What went wrong, in a few words, for a network, TLS or IMAP failure; None for others."""
    if isinstance(exc, LoginError):
        return f"login refused: {_server_text(exc)}"
    if isinstance(exc, ServerLimitError):
        return str(exc)
    network = describe_network_failure(exc, timeout=timeout)
    if network is not None:
        return network
    if isinstance(exc, imaplib.IMAP4.abort):
        return f"connection lost: {_server_text(exc)}"
    if isinstance(exc, imaplib.IMAP4.error):
        return f"the server refused: {_server_text(exc)}"
    if isinstance(exc, ConnectionError | EOFError):
        return "connection lost: the server closed it"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return None


def _server_text(exc: BaseException) -> str:
    """The server's words from an imaplib/imapclient error, without Python's bytes quoting."""
    text = str(exc)
    for quote in ("b'", 'b"'):
        start = text.find(quote)
        if start >= 0 and text.endswith(quote[1]):
            text = text[:start] + text[start + 2 : -1]
    return text.strip() or type(exc).__name__


def _tls_context(mailbox: ImapMailbox, root: Path) -> ssl.SSLContext:
    """Verification by the system's CAs, plus the mailbox's own CA file when given."""
    path = root / Path(mailbox.ca_file).expanduser() if mailbox.ca_file is not None else None
    try:
        return verified_tls_context(path)
    except FileNotFoundError:
        raise MailboxError(f"{mailbox_label(mailbox)}: ca_file {path} not found") from None
    except (ssl.SSLError, OSError) as exc:
        raise MailboxError(
            f"{mailbox_label(mailbox)}: ca_file {path} is not a PEM certificate: {exc}"
        ) from exc


@contextmanager
def imap_session(
    mailbox: ImapMailbox, *, root: Path, environ: Mapping[str, str]
) -> Iterator[IMAPClient]:
    """A logged-in IMAP client for `mailbox`, logged out (or closed) on exit.

    Failures inside the block that are network or protocol errors are
    translated too, naming the mailbox; the project's own errors pass through.
    """
    label = mailbox_label(mailbox)
    if mailbox.tls is Tls.NONE and not is_loopback(mailbox.host):
        raise MailboxError(f'{label}: tls = "none" is allowed only for a loopback host')
    context = _tls_context(mailbox, root) if mailbox.tls is not Tls.NONE else None
    # Resolve the secret before connecting: a failing password command then
    # leaves no half-open connection, and a token is fresh for this login.
    secret = resolve_secret(
        mailbox.credentials, owner=f"mailbox '{mailbox.name}'", environ=environ, root=root
    )
    timeout = mailbox.timeout_seconds
    try:
        # Bounded: the greeting and every answer must complete in time and
        # within size limits, whatever the server sends (see bounds.py).
        client = BoundedIMAPClient(
            mailbox.host,
            limits=Limits(timeout=timeout),
            port=mailbox.port,
            ssl=mailbox.tls is Tls.IMPLICIT,
            ssl_context=context,
            timeout=SocketTimeout(connect=timeout, read=timeout),
        )
    except Exception as exc:
        error = _translated(exc, label, timeout)
        if error is None:
            raise
        raise error from exc
    try:
        if mailbox.tls is Tls.STARTTLS:
            if b"STARTTLS" not in client.capabilities():
                raise MailboxError(
                    f"{label}: the server does not offer STARTTLS; refusing to log in without TLS",
                    hint='use port 993 with tls = "implicit" if the server offers it',
                )
            client.starttls(ssl_context=context)
        if secret.oauth2:
            client.oauth2_login(mailbox.username, secret.value)
        else:
            client.login(mailbox.username, secret.value)
        yield client
    except OutreachError:
        raise
    except Exception as exc:
        error = _translated(exc, label, timeout, username=mailbox.username)
        if error is None:
            raise
        raise error from exc
    finally:
        _close(client)


def _translated(
    exc: Exception, label: str, timeout: float, *, username: str | None = None
) -> MailboxError | None:
    """A MailboxError of one line: a wrong password or an unreachable host is not a traceback.

    None for failures that are not the network's or the server's (bugs keep their traceback).
    """
    what = describe_failure(exc, timeout=timeout)
    if what is None:
        return None
    if isinstance(exc, LoginError) and username is not None:
        what = f"login refused for user '{username}': {_server_text(exc)}"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        what += "; if the server uses its own certificate authority, set ca_file"
    return MailboxError(f"{label}: {what}")


def _close(client: IMAPClient) -> None:
    """LOGOUT when the connection still works; otherwise just close the socket."""
    if is_broken(client):  # mid-answer after a broken bound: LOGOUT would only wait again
        with suppress(Exception):
            client.shutdown()
        return
    try:
        client.logout()
    except Exception:
        with suppress(Exception):
            client.shutdown()


@dataclass(frozen=True, slots=True)
class ServerFolders:
    """A server's folder listing and personal namespace, to find Sent and Drafts in."""

    listing: tuple[ListedFolder, ...]
    prefixes: tuple[str, ...] = ()  # the personal namespace's prefixes, e.g. "INBOX."

    def find(self, role: Role, setting: str | None = None) -> Found | None:
        return find_role(self.listing, role, setting=setting, prefixes=self.prefixes)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def server_folders(client: IMAPClient) -> ServerFolders:
    """LIST every folder (and NAMESPACE, where offered): what role discovery reads."""
    listing = tuple(
        ListedFolder.of(_text(name), None if delim is None else _text(delim), map(_text, flags))
        for flags, delim, name in client.list_folders()
    )
    prefixes: tuple[str, ...] = ()
    if b"NAMESPACE" in client.capabilities():
        personal = client.namespace().personal or ()
        prefixes = tuple(_text(prefix) for prefix, _ in personal if prefix)
    return ServerFolders(listing, prefixes)


def role_setting(mailbox: ImapMailbox, role: Role) -> str | None:
    return mailbox.sent_folder if role is Role.SENT else mailbox.drafts_folder


def find_role_folder(client: IMAPClient, mailbox: ImapMailbox, role: Role) -> Found | None:
    """The folder playing `role` in `mailbox`: its setting, SPECIAL-USE, else a usual name."""
    setting = role_setting(mailbox, role)
    if setting is not None:
        return Found(setting, FoundBy.SETTING)
    return server_folders(client).find(role)


def require_role_folder(client: IMAPClient, mailbox: ImapMailbox, role: Role) -> str:
    """Like `find_role_folder`, but a missing folder is an error listing the folders seen."""
    setting = role_setting(mailbox, role)
    if setting is not None:
        return setting
    folders = server_folders(client)
    found = folders.find(role)
    if found is None:
        raise MailboxError(
            f"{mailbox_label(mailbox)}: {missing_role_message(role, folders.listing)};"
            " nothing was created",
            hint=setting_hint(role),
        )
    return found.folder


def find_special_folder(client: IMAPClient, flag: bytes | str) -> str | None:
    """The folder carrying SPECIAL-USE `flag` (RFC 6154), e.g. b"\\\\Sent"; None if none.

    For Sent and Drafts, servers without the flags are tried by the usual
    names, without the personal namespace's prefix. Never creates a folder.
    """
    wanted = (flag.decode("ascii") if isinstance(flag, bytes) else flag).lower()
    folders = server_folders(client)
    for role, role_flag in SPECIAL_USE_FLAG.items():
        if role_flag == wanted:
            found = folders.find(role)
            return None if found is None else found.folder
    for folder in folders.listing:
        if wanted in folder.flags:
            return folder.name
    return None


__all__ = [
    "DRAFTS",
    "SENT",
    "ServerFolders",
    "describe_failure",
    "find_role_folder",
    "find_special_folder",
    "imap_session",
    "mailbox_label",
    "require_role_folder",
    "role_setting",
    "server_folders",
]
