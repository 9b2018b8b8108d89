"""Turn a `Credentials` setting into the secret it names: a command, a variable, a value.

An edge: runs password and token commands as subprocesses. Secrets never reach
an error message, a log line or a repr; a failing command is reported by its
program name and exit status only, never by its output.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from outreach.base.errors import MailboxError, OutreachError
from outreach.core.config import Credentials

DEFAULT_TIMEOUT_SECONDS = 60.0  # a password manager may wait for its passphrase prompt

# Characters that only a shell gives meaning to. A command without them is
# split with shlex and run directly, so a stray quote in a path cannot turn
# into shell syntax; a command with them ("pass show mail | head -1",
# "$HOME/bin/token") runs through /bin/sh -c, as mutt and mbsync do.
_SHELL_SYNTAX = frozenset("|&;<>()$`*?[]{}~\n\\#")


@dataclass(frozen=True, slots=True)
class Secret:
    """A password or an OAuth2 access token; its repr never shows the value."""

    value: str = field(repr=False)
    oauth2: bool = False

    def __repr__(self) -> str:
        return f"Secret(oauth2={self.oauth2}, value=<hidden>)"

    def __str__(self) -> str:
        return "<hidden>"


def resolve_secret(
    credentials: Credentials,
    *,
    owner: str,
    environ: Mapping[str, str],
    root: Path,
    error: type[OutreachError] = MailboxError,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Secret:
    """The secret `credentials` names, fetched now (a token command runs on every call).

    `owner` names the account in errors ("mailbox 'work'"); `root` is the
    folder commands run in; `error` is the exception class to raise, so
    sending reports a SendError and syncing a MailboxError.
    """
    if credentials.oauth2_token_command is not None:
        token = run_secret_command(
            credentials.oauth2_token_command,
            setting="oauth2_token_command",
            owner=owner,
            environ=environ,
            root=root,
            error=error,
            timeout=timeout,
        )
        return Secret(token, oauth2=True)
    if credentials.password_command is not None:
        password = run_secret_command(
            credentials.password_command,
            setting="password_command",
            owner=owner,
            environ=environ,
            root=root,
            error=error,
            timeout=timeout,
        )
        return Secret(password)
    if credentials.password_env is not None:
        value = environ.get(credentials.password_env)
        if not value:
            raise error(
                f"{owner}: password_env names ${credentials.password_env}, which is not set"
                " or empty",
                hint=f"export {credentials.password_env}=… before running outreach",
            )
        return Secret(value)
    if credentials.password is not None:
        return Secret(credentials.password)
    raise error(
        f"{owner}: no password configured",
        hint="set password_command, password_env or oauth2_token_command in outreach.toml",
    )


def shell_needed(command: str) -> bool:
    """Whether `command` uses shell syntax (pipes, variables, globs, redirection…)."""
    return any(char in _SHELL_SYNTAX for char in command)


def run_secret_command(
    command: str,
    *,
    setting: str,
    owner: str,
    environ: Mapping[str, str],
    root: Path,
    error: type[OutreachError] = MailboxError,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> str:
    """Run `command` and return the first line it prints, without its line end.

    Output is captured, never shown: a password manager's error output can
    quote the secret or the vault, so failures name the program and the
    exit status only.
    """
    if shell_needed(command):
        argv = ["/bin/sh", "-c", command]
        program = "/bin/sh"
    else:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise error(f"{owner}: {setting} cannot be split into words: {exc}") from None
        if not argv:
            raise error(f"{owner}: {setting} is empty")
        program = argv[0]
    where = f"{owner}: {setting} ({program})"
    try:
        result = subprocess.run(
            argv,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=dict(environ),
            cwd=root,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise error(f"{where}: program not found") from None
    except PermissionError:
        raise error(f"{where}: program is not executable") from None
    except subprocess.TimeoutExpired:
        raise error(f"{where}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise error(f"{where}: cannot run: {exc.strerror}") from None
    if result.returncode != 0:
        raise error(
            f"{where}: exited with status {result.returncode} (its output is not shown)",
            hint=f"run the command yourself to see why; outreach ran it in {root}",
        )
    try:
        text = result.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{where}: printed something that is not UTF-8 text") from None
    secret = text.split("\n", 1)[0].rstrip("\r")
    if not secret:
        raise error(f"{where}: printed nothing on its first line")
    return secret


__all__ = ["Secret", "resolve_secret", "run_secret_command", "shell_needed"]
