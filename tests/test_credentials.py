"""Secrets from commands, variables and plain values, never leaking into errors."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from outreach.base.errors import MailboxError, SendError
from outreach.core.config import Credentials
from outreach.mail.credentials import Secret, resolve_secret, shell_needed

SECRET = "correct horse battery staple"


def script(folder: Path, name: str, body: str) -> Path:
    """An executable Python script in `folder`, named without shell syntax."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def resolve(tmp_path: Path, environ: dict[str, str] | None = None, **settings: str) -> Secret:
    return resolve_secret(
        Credentials(**settings),
        owner="mailbox 'work'",
        environ=environ if environ is not None else {"PATH": os.environ["PATH"]},
        root=tmp_path,
    )


def test_password_command_runs_without_a_shell_and_returns_the_first_line(tmp_path: Path) -> None:
    tool = script(tmp_path, "vault", f"print({SECRET!r})\nprint('second line')\n")
    secret = resolve(tmp_path, password_command=f"{tool} show mail/dana")
    assert secret == Secret(SECRET)
    assert not secret.oauth2


def test_password_command_with_shell_syntax_runs_through_the_shell(tmp_path: Path) -> None:
    tool = script(tmp_path, "vault", f"print('junk')\nprint({SECRET!r})\n")
    command = f"{tool} | tail -n 1"
    assert shell_needed(command)
    assert resolve(tmp_path, password_command=command).value == SECRET


def test_password_command_sees_the_given_environment_and_runs_in_the_workspace(
    tmp_path: Path,
) -> None:
    tool = script(
        tmp_path, "vault", "import os\nprint(os.environ['VAULT_KEY'] + ':' + os.getcwd())\n"
    )
    environ = {"PATH": os.environ["PATH"], "VAULT_KEY": "k1"}
    assert resolve(tmp_path, environ, password_command=str(tool)).value == f"k1:{tmp_path}"


def test_failing_password_command_names_program_and_status_but_never_its_output(
    tmp_path: Path,
) -> None:
    tool = script(
        tmp_path,
        "vault",
        f"import sys\nprint({SECRET!r})\n"
        f"print('bad passphrase for ' + {SECRET!r}, file=sys.stderr)\nsys.exit(3)\n",
    )
    with pytest.raises(MailboxError) as caught:
        resolve(tmp_path, password_command=f"{tool} show mail/dana")
    message = "\n".join(caught.value.lines())
    assert f"mailbox 'work': password_command ({tool}): exited with status 3" in message
    assert SECRET not in message
    assert "mail/dana" not in message  # the command line itself may hold secrets
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_missing_program_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MailboxError, match=r"\(no-such-vault\): program not found$"):
        resolve(tmp_path, password_command="no-such-vault show mail")


def test_slow_password_command_times_out(tmp_path: Path) -> None:
    tool = script(tmp_path, "slow", "import time\ntime.sleep(30)\n")
    with pytest.raises(MailboxError, match=r"no answer within 0.5 s"):
        resolve_secret(
            Credentials(password_command=str(tool)),
            owner="mailbox 'work'",
            environ={},
            root=tmp_path,
            timeout=0.5,
        )


def test_password_command_that_prints_nothing_is_refused(tmp_path: Path) -> None:
    tool = script(tmp_path, "quiet", "print()\n")
    with pytest.raises(MailboxError, match="printed nothing on its first line"):
        resolve(tmp_path, password_command=str(tool))


def test_oauth2_token_command_runs_again_for_every_call(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    counter.write_text("0")
    tool = script(
        tmp_path,
        "token",
        f"from pathlib import Path\np = Path({str(counter)!r})\nn = int(p.read_text()) + 1\n"
        "p.write_text(str(n))\nprint(f'token-{n}')\n",
    )
    first = resolve(tmp_path, oauth2_token_command=str(tool))
    second = resolve(tmp_path, oauth2_token_command=str(tool))
    assert (first, second) == (Secret("token-1", oauth2=True), Secret("token-2", oauth2=True))


def test_password_env_reads_the_given_environment(tmp_path: Path) -> None:
    assert resolve(tmp_path, {"MAIL_PW": SECRET}, password_env="MAIL_PW").value == SECRET


def test_unset_password_env_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(MailboxError) as caught:
        resolve(tmp_path, {}, password_env="MAIL_PW")
    assert caught.value.message == (
        "mailbox 'work': password_env names $MAIL_PW, which is not set or empty"
    )
    assert caught.value.hint == "export MAIL_PW=… before running outreach"


def test_plain_password_is_returned_as_given(tmp_path: Path) -> None:
    assert resolve(tmp_path, password=SECRET).value == SECRET


def test_no_credentials_at_all_is_an_error_of_the_callers_kind(tmp_path: Path) -> None:
    with pytest.raises(SendError, match="smtp: no password configured"):
        resolve_secret(Credentials(), owner="smtp", environ={}, root=tmp_path, error=SendError)


def test_secret_repr_and_str_hide_the_value() -> None:
    secret = Secret(SECRET, oauth2=True)
    assert SECRET not in repr(secret)
    assert SECRET not in str(secret)
    assert SECRET not in f"{secret!r} {secret}"


@pytest.mark.parametrize(
    ("command", "needs_shell"),
    [
        ("pass show mail/dana", False),
        ("security find-generic-password -w -s 'mail server'", False),
        ("pass show mail | head -n 1", True),
        ("$HOME/bin/token", True),
        ("gpg -dq ~/.mailpass.gpg", True),
        ("cat secret > /dev/stdout", True),
    ],
)
def test_shell_is_used_only_for_shell_syntax(command: str, needs_shell: bool) -> None:
    assert shell_needed(command) is needs_shell
