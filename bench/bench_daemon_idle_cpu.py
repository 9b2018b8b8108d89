"""CPU used by an idle daemon: IMAP IDLE open, a job scheduled, nothing happening.

Starts a private Dovecot (scripts/dovecot-test-server, IDLE keepalives every
10 s), a workspace watching one IMAP mailbox with IDLE and one daily job, and
`python -m outreach daemon` as a child process. Once it is idling, reads the
process's CPU time (user + system, every thread) from /proc/PID/stat, waits,
reads it again, and prints CPU seconds and percent of one core. Target: under
1 % of one core; exits 1 when missed, or when Dovecot is missing and
OUTREACH_REQUIRE_SERVERS=1.

    python bench/bench_daemon_idle_cpu.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from targets import Targets  # noqa: E402

from tests.support.dovecot import DovecotServer, dovecot_missing, make_server_dir  # noqa: E402

TARGET_PERCENT = 1.0

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process, all its threads, from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces: split after its closing ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / TICKS


def write_workspace(root: Path, server: DovecotServer, user: str) -> None:
    root.mkdir(parents=True)
    (root / "outreach.toml").write_text(
        f"""\
timezone = "UTC"

[me]
name = "Dana Reyes"
email = "dana@example.org"

[[mailboxes]]
name = "work"
kind = "imap"
host = "{server.host}"
port = {server.imaps_port}
username = "{user}"
password_env = "BENCH_IMAP_PASSWORD"
ca_file = "{server.ca_file}"

[daemon]
sync_every_minutes = 10
idle = true

[[daemon.jobs]]
run = "report"
at = "daily 03:00"
"""
    )
    (root / "roster.toml").write_text(
        '[contacts.ana]\nname = "Ana Lima"\nemails = ["ana@example.net"]\n'
    )
    (root / "events.toml").write_text("")


def wait_for_text(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the daemon did not log {text!r}:\n{path.read_text()}")
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure")
    args = parser.parse_args()
    targets = Targets()
    missing = dovecot_missing()
    if missing:
        targets.cannot_run("a private Dovecot", missing)
        return targets.exit_status()
    base = make_server_dir("outreach-bench-")
    scratch = Path(tempfile.mkdtemp(prefix="outreach-bench-ws-"))
    server = DovecotServer.start(base / "server")
    try:
        password = "bench-password-1"
        server.add_user("bench", password)
        ws = scratch / "ws"
        write_workspace(ws, server, "bench")
        log = scratch / "daemon.log"
        env = {**os.environ, "BENCH_IMAP_PASSWORD": password, "PYTHONPATH": str(REPO)}
        with log.open("wb") as log_handle:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "outreach", "--home", str(ws), "daemon", "--verbose"],
                stdin=subprocess.DEVNULL,
                stderr=log_handle,
                env=env,
            )
            try:
                wait_for_text(log, "with IDLE", daemon, timeout=30)
                # Let the start-up work (imports, the catch-up, the day's job) settle.
                wait_for_text(log, "`report` done", daemon, timeout=30)
                time.sleep(2)
                before, started = cpu_seconds(daemon.pid), time.monotonic()
                time.sleep(args.seconds)
                used, elapsed = cpu_seconds(daemon.pid) - before, time.monotonic() - started
                daemon.send_signal(signal.SIGTERM)
                status = daemon.wait(timeout=10)
            finally:
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()
        keepalives = log.read_text().count("OK Still here")
        print(f"idle daemon over {elapsed:.1f} s (IDLE open, 1 job scheduled):")
        print(f"  CPU time   {used:.3f} s")
        print(f"  CPU usage  {100 * used / elapsed:.3f} % of one core")
        print(f"  keepalives {keepalives} '* OK Still here' received; exit status {status}")
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    percent = 100 * used / elapsed
    targets.check(f"idle CPU: {percent:.3f} % of one core", f"< {TARGET_PERCENT:g} %", percent < 1)
    targets.check(f"exit status after SIGTERM: {status}", "0", status == 0)
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
