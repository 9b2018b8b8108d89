"""The long-running daemon: the main loop, its schedule, its watchers, reload and stop.

The main thread runs jobs and polls local Maildirs from a private
`schedule.Scheduler`, and sleeps on a wake-up pipe in between; each IMAP
mailbox has a watcher thread of its own (`watch`). Signals only set flags
(`signals`); this loop acts on them. Jobs are the commands handed in
(`jobs.Commands`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from datetime import tzinfo

import schedule

from outreach.app.sync import sync_maildir_mailbox
from outreach.base.clock import Clock, system_clock
from outreach.base.errors import InputError, OutreachError
from outreach.base.wording import plural
from outreach.core.config import Config, DaemonJob, ImapMailbox, MaildirMailbox
from outreach.daemon.due import due_jobs, job_key, next_occurrence
from outreach.daemon.jobs import Commands, run_job, validate_jobs
from outreach.daemon.signals import SignalFlags
from outreach.daemon.watch import MailboxWatcher, WatchSettings
from outreach.daemon.wording import local_time, sync_line
from outreach.daemon.zone import job_zone, zone_name
from outreach.store.journal.job_runs import last_runs, record_run
from outreach.store.journal.store import Journal
from outreach.store.workspace import Workspace, load_workspace, read_text

# SIGTERM must end the daemon within 2 seconds: the watchers get this long
# to leave IDLE and log out before the process exits without them.
STOP_GRACE_SECONDS = 1.5
# The longest the main loop sleeps: a watcher that died is restarted then.
MAX_SLEEP_SECONDS = 60.0


class DaemonService:
    """Runs until SIGTERM or SIGINT; `run()` returns the exit status."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        commands: Commands,
        environ: Mapping[str, str],
        log: logging.Logger,
        flags: SignalFlags,
        clock: Clock = system_clock,
    ) -> None:
        self._workspace = workspace
        self._commands = commands
        self._environ = environ
        self._log = log
        self._flags = flags
        self._clock = clock
        self._zone: tzinfo = job_zone(workspace.config, environ)
        self._scheduler = schedule.Scheduler()
        self._watchers: dict[str, MailboxWatcher] = {}
        self._journal: Journal | None = None

    # --- the loop ------------------------------------------------------------

    def run(self) -> int:
        self._journal = Journal.open(self._workspace.journal_path)
        try:
            self._announce()
            self._start_watchers()
            self._poll_local()
            self._run_due_jobs()
            self._build_schedule()
            while self._flags.stop_signal is None:
                if self._flags.reload:
                    self._flags.reload = False
                    self._reload()
                self._scheduler.run_pending()
                self._check_watchers()
                idle = self._scheduler.idle_seconds
                wait = MAX_SLEEP_SECONDS if idle is None else min(max(idle, 0.0), MAX_SLEEP_SECONDS)
                self._flags.wakeup.wait(wait)
            self._log.info("stopping (%s)", self._flags.stop_signal)
        finally:
            self._stop_watchers()
            self._journal.close()
        self._log.info("stopped")
        return 0

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    # --- start and reload ----------------------------------------------------

    def _announce(self) -> None:
        config = self._workspace.config
        self._log.info(
            "outreach daemon started (pid %d) for %s: %s, times in %s",
            os.getpid(),
            self._workspace.root,
            plural(len(config.daemon.jobs), "job"),
            zone_name(self._zone),
        )
        now = self._clock()
        for job in config.daemon.jobs:
            self._log.info(
                "job `%s` %s; next at %s",
                job.run,
                job.at,
                local_time(next_occurrence(job.timing, self._zone, now), self._zone),
            )
        if not config.mailboxes and not config.daemon.jobs:
            self._log.warning(
                "nothing to do: outreach.toml has no [[mailboxes]] and no [[daemon.jobs]]"
            )
        for box in config.mailboxes:
            if isinstance(box, MaildirMailbox):
                self._log.info(
                    "mailbox '%s' (Maildir %s): polled every %s",
                    box.name,
                    box.path,
                    plural(config.daemon.sync_every_minutes, "minute"),
                )

    def _reload(self) -> None:
        root = self._workspace.root
        self._log.info("SIGHUP: reloading outreach.toml, the roster and events")
        try:
            workspace = load_workspace(root)
            config_text = read_text(workspace.config_path, "outreach.toml")
            validate_jobs(workspace.config, config_text, self._commands)
        except InputError as exc:
            for problem in exc.problems:
                self._log.error("%s", problem)
            self._log.error("reload failed: keeping the previous configuration")
            return
        except OutreachError as exc:
            self._log.error("reload failed (%s): keeping the previous configuration", exc.message)
            return
        before = self._workspace
        self._workspace = workspace
        self._zone = job_zone(workspace.config, self._environ)
        if workspace.journal_path != before.journal_path:
            assert self._journal is not None
            self._journal.close()
            self._journal = Journal.open(workspace.journal_path)
        if _watch_settings_of(before.config) != _watch_settings_of(workspace.config):
            self._stop_watchers()
            self._start_watchers()
        self._build_schedule()
        self._log.info(
            "reloaded: %s, %s",
            plural(len(workspace.roster), "contact"),
            plural(len(workspace.config.daemon.jobs), "job"),
        )
        self._run_due_jobs()

    def _build_schedule(self) -> None:
        """One schedule entry per job, ticking each minute; `due` decides.

        `schedule` reads the machine's local clock, needs pytz for other
        zones and forgets a time missed while the machine slept. Ticking each
        job every minute and asking `due_jobs` (the same rule as cron mode,
        zone- and DST-aware, against the journal's job_runs) runs every job
        at its time, once, in the configured zone.
        """
        self._scheduler.clear()
        config = self._workspace.config
        for job in config.daemon.jobs:
            self._scheduler.every().minute.at(":00").do(self._run_if_due, job).tag("job")
        if any(isinstance(m, MaildirMailbox) for m in config.mailboxes):
            minutes = config.daemon.sync_every_minutes
            self._scheduler.every(minutes).minutes.do(self._poll_local).tag("poll")

    # --- jobs ------------------------------------------------------------------

    def _run_due_jobs(self) -> None:
        for job in self._workspace.config.daemon.jobs:
            if self._flags.stop_signal is not None:
                return
            self._run_if_due(job)

    def _run_if_due(self, job: DaemonJob) -> None:
        # A job's failure is logged here and nowhere else: schedule itself
        # would let the exception end the loop, and the daemon with it.
        try:
            assert self._journal is not None
            now = self._clock()
            due = due_jobs([job], zone=self._zone, last_runs=last_runs(self._journal), now=now)
            if not due:
                return
            self._log.info("running `%s` (%s)", job.run, job.at)
            started = time.monotonic()
            outcome = run_job(
                job,
                commands=self._commands,
                home=self._workspace.root,
                environ=self._environ,
                clock=self._clock,
            )
            for line in outcome.stdout.splitlines():
                self._log.info("  %s", line)
            for line in outcome.stderr.splitlines():
                self._log.log(logging.INFO if outcome.ok else logging.ERROR, "  %s", line)
            took = time.monotonic() - started
            if outcome.ok:
                record_run(self._journal, job_key(job), at=now)
                self._log.info("`%s` done in %.1f s", job.run, took)
            else:
                self._log.error(
                    "`%s` failed (exit %d); the next run is at %s",
                    job.run,
                    outcome.status,
                    local_time(next_occurrence(job.timing, self._zone, now), self._zone),
                )
        except OutreachError as exc:
            self._log.error("`%s`: %s", job.run, exc.message)
        except Exception:
            self._log.exception("`%s`: unexpected failure", job.run)

    # --- mail ------------------------------------------------------------------

    def _poll_local(self) -> None:
        assert self._journal is not None
        workspace = self._workspace
        for box in workspace.config.mailboxes:
            if not isinstance(box, MaildirMailbox) or self._flags.stop_signal is not None:
                continue
            try:
                folders = sync_maildir_mailbox(workspace, self._journal, box, clock=self._clock)
            except OutreachError as exc:
                self._log.error("mailbox '%s': %s", box.name, exc.message)
                continue
            except Exception:
                self._log.exception("mailbox '%s': unexpected failure", box.name)
                continue
            level = logging.INFO if any(f.new for f in folders) else logging.DEBUG
            self._log.log(level, "mailbox '%s': %s", box.name, sync_line(folders))

    def _start_watchers(self) -> None:
        config = self._workspace.config
        poll = 60.0 * config.daemon.sync_every_minutes
        settings = WatchSettings(
            idle=config.daemon.idle, poll_seconds=poll, renew_seconds=min(600.0, poll)
        )
        for box in config.mailboxes:
            if isinstance(box, ImapMailbox):
                watcher = MailboxWatcher(
                    box,
                    workspace=lambda: self._workspace,
                    journal_path=self._workspace.journal_path,
                    environ=self._environ,
                    clock=self._clock,
                    settings=settings,
                    log=self._log,
                )
                self._watchers[box.name] = watcher
                watcher.start()

    def _check_watchers(self) -> None:
        for name, watcher in list(self._watchers.items()):
            if not watcher.is_alive():
                self._log.warning("mailbox '%s': its watcher stopped; starting it again", name)
                replacement = MailboxWatcher(
                    watcher.mailbox,
                    workspace=lambda: self._workspace,
                    journal_path=self._workspace.journal_path,
                    environ=self._environ,
                    clock=self._clock,
                    settings=watcher.settings,
                    log=self._log,
                )
                self._watchers[name] = replacement
                replacement.start()

    def _stop_watchers(self) -> None:
        watchers = list(self._watchers.values())
        self._watchers.clear()
        for watcher in watchers:
            watcher.stop()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for watcher in watchers:
            watcher.join(max(0.0, deadline - time.monotonic()))
            if watcher.is_alive():
                self._log.warning("%s: did not log out in time; leaving it", watcher.label)


def _watch_settings_of(config: Config) -> tuple[object, ...]:
    """What the watchers depend on: a change restarts them on reload."""
    imap = tuple(m for m in config.mailboxes if isinstance(m, ImapMailbox))
    return (imap, config.daemon.idle, config.daemon.sync_every_minutes, config.paths.journal)


__all__ = ["DaemonService"]
