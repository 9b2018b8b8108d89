"""hoodiecrow-imap for tests: a second, scriptable IMAP server with chosen capabilities.

Drives `scripts/hoodiecrow-test-server`: one in-memory server per test, on
loopback and a free port, with a profile (courier, gmail, bare, nofolders).
Test support only: the product never imports it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient, SocketTimeout

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "hoodiecrow-test-server"
PROFILES = ("courier", "gmail", "bare", "nofolders")
START_TIMEOUT = 30.0


class HoodiecrowError(RuntimeError):
    """The server could not be installed or started."""


def hoodiecrow_missing() -> str | None:
    """Why hoodiecrow cannot run here, or None when it can (installing it if needed)."""
    for program in ("node", "npm"):
        if shutil.which(program) is None:
            return f"{program} is not installed: scripts/hoodiecrow-test-server needs Node.js"
    result = subprocess.run(
        [str(SCRIPT), "install"], capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode != 0:
        return f"could not install hoodiecrow-imap with npm: {result.stderr.strip()[-300:]}"
    return None


@dataclass
class HoodiecrowServer:
    profile: str
    user: str
    password: str
    port: int
    process: subprocess.Popen[str] = field(repr=False)
    host: str = "127.0.0.1"

    @classmethod
    def start(
        cls, profile: str, user: str = "dana", password: str = "pw-hoodie"
    ) -> HoodiecrowServer:
        process = subprocess.Popen(
            [str(SCRIPT), "start", profile, user, password],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()  # the server prints its port once it listens
        if not line.startswith("listening "):
            process.kill()
            _, err = process.communicate(timeout=START_TIMEOUT)
            raise HoodiecrowError(f"hoodiecrow ({profile}) did not start: {line}{err}")
        return cls(profile, user, password, int(line.split()[1]), process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def connect(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=SocketTimeout(5, 10))
        client.login(self.user, self.password)
        return client

    def append(
        self, folder: str, message: bytes, *, flags: tuple[bytes, ...] = (), msg_time: datetime
    ) -> None:
        """Seed a message through the protocol, as a mail client would."""
        with self.connect() as client:
            client.append(folder, message, flags=flags, msg_time=msg_time)

    def messages(self, folder: str) -> list[tuple[bytes, tuple[bytes, ...]]]:
        """(full message, flags) of each message in `folder`, read with PEEK."""
        with self.connect() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            if not uids:
                return []
            found = client.fetch(uids, [b"BODY.PEEK[]", b"FLAGS"])
            return [(found[u][b"BODY[]"], tuple(found[u][b"FLAGS"])) for u in sorted(found)]

    def flags_snapshot(self) -> dict[str, dict[int, tuple[bytes, ...]]]:
        """Every message's flags, per selectable folder: the sync must leave them alone."""
        snapshot: dict[str, dict[int, tuple[bytes, ...]]] = {}
        with self.connect() as client:
            for flags, _, name in client.list_folders():
                if b"\\Noselect" in flags:
                    continue
                client.select_folder(name, readonly=True)
                uids = client.search("ALL")
                fetched = client.fetch(uids, [b"FLAGS"]) if uids else {}
                snapshot[str(name)] = {u: tuple(sorted(d[b"FLAGS"])) for u, d in fetched.items()}
        return snapshot


__all__ = ["PROFILES", "HoodiecrowError", "HoodiecrowServer", "hoodiecrow_missing"]
