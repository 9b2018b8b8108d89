"""A private Dovecot for tests: start, stop, users, delivery and the mail_log.

Drives `scripts/dovecot-test-server` and `doveadm` against one server folder;
it never touches a system Dovecot. Test support only: the product never
imports it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from imapclient import IMAPClient, SocketTimeout

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dovecot-test-server"
DEBIAN_PACKAGES = "dovecot-imapd dovecot-core"
# Sessions still open after this long are taken as open on purpose (see mail_log_lines).
OPEN_SESSION_GRACE = 0.5
LOG_SETTLE_TIMEOUT = 5.0

_LOGIN = re.compile(r"imap-login: Info: Login: user=<(?P<user>[^>]*)>.*?, mpid=(?P<pid>\d+)")
_SESSION_END = re.compile(r"imap\((?P<user>[^)]*)\)<(?P<pid>\d+)><[^>]*>: Info: Disconnected")
_EVENT = re.compile(
    r"imap\((?P<user>[^)]*)\)<\d+><[^>]*>: Info: (?P<event>"
    r"(?:save|copy from [^:]*|expunge|delete|undelete|flag_change): .*"
    r"|Mailbox (?:created|deleted|renamed): .*)$"
)
_STARTUP = re.compile(r"master: Info: Dovecot .* starting up")

TlsMode = Literal["implicit", "starttls"]


class DovecotTestBedError(RuntimeError):
    """The private server could not be started, stopped or driven."""


def dovecot_missing() -> str | None:
    """Why the private server cannot run here, or None when it can."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    for program in ("dovecot", "doveadm", "openssl"):
        if shutil.which(program, path=search) is None:
            return (
                f"{program} is not installed: scripts/dovecot-test-server needs Debian's"
                f" {DEBIAN_PACKAGES} packages (and openssl)"
            )
    return None


def make_server_dir(prefix: str = "outreach-dovecot-") -> Path:
    """A new folder for a server, reachable by Dovecot's unprivileged processes.

    mkdtemp makes 0700 folders, and pytest's tmp_path lives under one: Dovecot's
    auth and login users could not read the passwd-file or certificate inside.
    """
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    return base


@dataclass(frozen=True, slots=True)
class DovecotServer:
    """A running private server, one folder holding all its state."""

    base: Path
    host: str
    imaps_port: int
    imap_port: int
    ca_file: Path
    mail_log: Path
    log: Path
    config: Path
    poor: bool = False

    @classmethod
    def start(cls, base: Path, *, poor: bool = False) -> DovecotServer:
        """Start a server in `base` (created if needed; an existing one keeps its state)."""
        command = ["start", str(base)] + (["--poor"] if poor else [])
        info = json.loads(_run_script(command).splitlines()[-1])
        return cls(
            base=Path(info["base"]),
            host=info["host"],
            imaps_port=int(info["imaps_port"]),
            imap_port=int(info["imap_port"]),
            ca_file=Path(info["ca_file"]),
            mail_log=Path(info["mail_log"]),
            log=Path(info["log"]),
            config=Path(info["config"]),
            poor=bool(info["poor"]),
        )

    def stop(self) -> None:
        """Stop the server and wait until it and its ports are gone."""
        _run_script(["stop", str(self.base)])

    def restart(self) -> None:
        """Stop and start again on the same ports and storage."""
        self.stop()
        again = DovecotServer.start(self.base, poor=self.poor)
        if (again.imaps_port, again.imap_port) != (self.imaps_port, self.imap_port):
            raise DovecotTestBedError(f"{self.base}: restarted on other ports")

    @property
    def pid(self) -> int:
        """The master process's pid, read afresh (it changes on restart)."""
        return int((self.base / "run" / "master.pid").read_text().strip())

    def add_user(self, user: str, password: str) -> MailUser:
        """Add a user whose INBOX, Drafts, Sent, Trash and Junk exist and are empty."""
        # "--": a generated password may start with "-".
        _run_script(["adduser", "--", str(self.base), user, password])
        return MailUser(self, user, password)

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's CA and checks the host name."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def doveadm(self, *args: str, stdin: bytes | None = None) -> str:
        """Run `doveadm -c CONFIG ARGS…` against this server; return its output."""
        command = ["doveadm", "-c", str(self.config), *args]
        result = subprocess.run(command, input=stdin, capture_output=True, check=False)
        if result.returncode != 0:
            raise DovecotTestBedError(
                f"{' '.join(command)} exited {result.returncode}:"
                f" {result.stderr.decode(errors='replace').strip()}"
            )
        return result.stdout.decode(errors="replace")

    def kick(self, user: str) -> None:
        """Drop every session of `user`; clients see BYE and then end of stream."""
        self.doveadm("kick", user)

    def set_uidvalidity(self, user: str, folder: str, value: int) -> None:
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)

    def deliver(self, user: str, folder: str, message: bytes) -> None:
        """Store a message as a mail server would: no IMAP session, no mail_log line."""
        self.doveadm("save", "-u", user, "-m", folder, stdin=message)

    def maildir(self, user: str) -> Path:
        return self.base / "mail" / user / "Maildir"

    def mail_log_lines(self, user: str | None = None) -> list[str]:
        """What IMAP sessions did to mail: saves, copies, flag changes, expunges, folders.

        Each line is the event as Dovecot's mail_log plugin wrote it ("save: box=INBOX,
        uid=1, …"), prefixed with "USER: " when no user is given. Dovecot writes the
        log asynchronously, so this first waits (up to a few seconds) until every
        session that logged in since the last start has logged out; sessions whose
        process lives on past a short grace are taken as open and not waited for.
        """
        text = self._settled_log(user)
        events = []
        for line in text.splitlines():
            match = _EVENT.search(line)
            if match is None or (user is not None and match["user"] != user):
                continue
            event = match["event"]
            events.append(event if user is not None else f"{match['user']}: {event}")
        return events

    def _settled_log(self, user: str | None) -> str:
        started = time.monotonic()
        while True:
            text = self.mail_log.read_text(errors="replace")
            pending = _unfinished_sessions(text, user)
            waited = time.monotonic() - started
            if not pending or waited > LOG_SETTLE_TIMEOUT:
                return text
            if waited > OPEN_SESSION_GRACE and all(_alive(pid) for pid in pending):
                return text
            time.sleep(0.01)


@dataclass(frozen=True, slots=True)
class MailUser:
    """A user of a private server, with the password to log in."""

    server: DovecotServer
    name: str
    password: str

    def connect(
        self,
        *,
        tls: TlsMode = "implicit",
        port: int | None = None,
        timeout: float | SocketTimeout | None = 10.0,
    ) -> IMAPClient:
        """A logged-in client that verified the server's certificate; the caller logs out.

        `port` reaches the server through something else, such as a TcpProxy.
        """
        context = self.server.ssl_context()
        if tls == "implicit":
            client = IMAPClient(
                self.server.host,
                port or self.server.imaps_port,
                ssl=True,
                ssl_context=context,
                timeout=timeout,
            )
        elif tls == "starttls":
            client = IMAPClient(
                self.server.host, port or self.server.imap_port, ssl=False, timeout=timeout
            )
        else:
            raise ValueError(f"tls must be 'implicit' or 'starttls', not {tls!r}")
        try:
            if tls == "starttls":
                client.starttls(context)
            client.login(self.name, self.password)
        except BaseException:
            client.shutdown()
            raise
        return client

    def append(
        self,
        folder: str,
        message: bytes,
        flags: Iterable[bytes | str] = (),
        msg_time: datetime | None = None,
    ) -> None:
        """Store a message over IMAP APPEND, as a mail client would (mail_log logs it)."""
        with self.connect() as client:
            client.append(folder, message, flags=tuple(flags), msg_time=msg_time)

    def flags_snapshot(self) -> dict[str, dict[int, tuple[bytes, ...]]]:
        """Every folder's messages and their flags, read through EXAMINE.

        \\Recent is left out: it is per-session state that Dovecot hands to the
        first session to open a folder (RFC 3501 §2.3.2), not a flag anyone set.
        """
        snapshot: dict[str, dict[int, tuple[bytes, ...]]] = {}
        with self.connect() as client:
            for flags, _, name in client.list_folders():
                if b"\\Noselect" in flags or b"\\NonExistent" in flags:
                    continue
                status = client.select_folder(name, readonly=True)
                uids = client.search("ALL") if status.get(b"EXISTS", 0) else []
                fetched = client.fetch(uids, ["FLAGS"]) if uids else {}
                snapshot[name] = {
                    uid: tuple(sorted(flag for flag in data[b"FLAGS"] if flag != b"\\Recent"))
                    for uid, data in fetched.items()
                }
                client.unselect_folder()
        return snapshot


def _unfinished_sessions(text: str, user: str | None) -> list[int]:
    """Pids of IMAP sessions since the server's last start that have not logged out."""
    starts = [match.end() for match in _STARTUP.finditer(text)]
    recent = text[starts[-1] :] if starts else text
    logged_in = {
        int(match["pid"])
        for match in _LOGIN.finditer(recent)
        if user is None or match["user"] == user
    }
    ended = {int(match["pid"]) for match in _SESSION_END.finditer(recent)}
    return sorted(logged_in - ended)


def _alive(pid: int) -> bool:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"


def _run_script(args: list[str]) -> str:
    # The interpreter running the tests: the script needs only the standard library.
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DovecotTestBedError(
            f"dovecot-test-server {' '.join(args[:3])} exited {result.returncode}:\n"
            f"{result.stderr.strip()}"
        )
    return result.stdout
