"""outreach.toml: defaults, and every rule reported with its position."""

from __future__ import annotations

import pytest

from outreach.base.errors import InputError
from outreach.core.config import (
    DaemonConfig,
    DraftsConfig,
    ImapMailbox,
    MaildirMailbox,
    Paths,
    ReportConfig,
    SendConfig,
    SmtpConfig,
    SyncConfig,
    Tls,
    parse_config,
)

ME = '[me]\nname = "Dana Reyes"\nemail = "Dana@Example.ORG"\n'


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_config(text, "outreach.toml")
    return [str(p) for p in caught.value.problems]


def test_minimal_config_gets_default_circles_and_normalised_identity() -> None:
    config = parse_config(ME)
    assert config.me.email == "Dana@example.org"
    assert {name: c.cadence_days for name, c in config.circles.items()} == {
        "focus": 14,
        "extended": 60,
    }
    assert config.sync.group_threshold == 10
    assert config.mailboxes == ()


def test_absent_sections_take_the_models_own_defaults() -> None:
    config = parse_config(ME)
    assert (config.paths, config.drafts, config.sync, config.report, config.daemon) == (
        Paths(),
        DraftsConfig(),
        SyncConfig(),
        ReportConfig(),
        DaemonConfig(),
    )
    assert (config.report.days, config.report.focus_min, config.report.focus_max) == (90, 8, 10)


def test_absent_keys_in_a_section_take_the_models_own_defaults() -> None:
    config = parse_config(
        ME
        + '[[mailboxes]]\nname = "work"\nhost = "imap.example.org"\nusername = "dana"\n'
        + 'password_env = "PW"\n'
        + '[smtp]\nhost = "smtp.example.org"\npassword_env = "PW"\n'
        + "[report]\ndays = 30\n[daemon]\nidle = false\n"
    )
    (box,) = config.mailboxes
    assert isinstance(box, ImapMailbox) and isinstance(config.smtp, SmtpConfig)
    assert (box.tls, box.port, box.timeout_seconds) == (Tls.IMPLICIT, 993, 60.0)
    assert (config.smtp.port, config.smtp.rate_per_minute) == (465, 20.0)
    assert config.report == ReportConfig(days=30)
    assert config.daemon == DaemonConfig(idle=False)


def test_a_zero_focus_minimum_is_kept() -> None:
    assert parse_config(ME + "[report]\nfocus_min = 0\n").report.focus_min == 0


def test_user_circles_extend_and_override_the_defaults() -> None:
    config = parse_config(
        ME + "[circles.focus]\ncadence_days = 7\n[circles.neighbours]\ncadence_days = 30\n"
    )
    assert config.cadence("focus") == 7
    assert config.cadence("neighbours") == 30
    assert config.cadence("extended") == 60


def test_mailboxes_of_both_kinds_are_read() -> None:
    config = parse_config(
        ME
        + """
[[mailboxes]]
name = "work"
host = "imap.example.org"
username = "dana"
password_env = "MAIL_PASSWORD"

[[mailboxes]]
name = "archive"
kind = "maildir"
path = "~/Mail"
"""
    )
    work, archive = config.mailboxes
    assert isinstance(work, ImapMailbox)
    assert (work.port, work.tls, work.credentials.password_env) == (
        993,
        Tls.IMPLICIT,
        "MAIL_PASSWORD",
    )
    assert isinstance(archive, MaildirMailbox) and archive.path == "~/Mail"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ME + 'emial = "x"\n', "outreach.toml:4:1: unknown key 'emial'"),
        (
            '[me]\nname = "Dana"\nemial = "dana@example.org"\n',
            "outreach.toml:3:1: unknown key 'emial' — did you mean 'email'?",
        ),
        ('[me]\nname = "Dana"\n', "outreach.toml:1:1: missing required key 'email'"),
        (
            ME + "[circles.focus]\ncadence_days = 0\n",
            "outreach.toml:5:1: 'cadence_days' must be positive, not 0",
        ),
        (
            ME + '[[mailboxes]]\nname = "w"\nhost = "imap.example.org"\ntls = "none"\n'
            'username = "d"\npassword_env = "P"\n',
            'outreach.toml:7:1: tls = "none" is allowed only for a loopback host',
        ),
        (
            ME + '[[mailboxes]]\nname = "w"\nhost = "imap.example.org"\nusername = "d"\n',
            "outreach.toml:4:1: mailbox 'w' needs password_command",
        ),
        ('timezone = "Mars/Olympus"\n' + ME, "outreach.toml:1:1: unknown time zone 'Mars/Olympus'"),
        # After [me], a bare key belongs to [me]: TOML's rule, worth a clear error.
        (ME + 'timezone = "Europe/Berlin"\n', "outreach.toml:4:1: unknown key 'timezone'"),
        (
            ME + '[[daemon.jobs]]\nrun = "draft shares"\nat = "someday"\n',
            'outreach.toml:6:1: cannot read at = "someday"',
        ),
        (
            '[me]\nname = "Dana"\nemail = "not an address"\n',
            "outreach.toml:3:10: 'not an address' is not a valid address",
        ),
        ("[me\nname = 1\n", "outreach.toml:1:1: this table header is not closed: add ']'"),
    ],
)
def test_config_problem_is_located(text: str, expected: str) -> None:
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


def test_every_config_problem_is_reported_at_once() -> None:
    found = problems_of(
        '[me]\nname = "Dana"\nemail = "dana@example.org"\ncolour = 1\n'
        '[report]\ndays = -1\n[sync]\ngroup_threshold = "ten"\n'
    )
    assert len(found) == 3, found


def test_loopback_host_may_use_plain_imap() -> None:
    config = parse_config(
        ME + '[[mailboxes]]\nname = "t"\nhost = "127.0.0.1"\ntls = "none"\n'
        'username = "d"\npassword_env = "P"\n'
    )
    assert config.mailboxes[0].port == 143  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("at", "every", "weekday", "time", "minutes"),
    [
        ("monday 09:00", "week", "monday", "09:00", None),
        ("Friday 4:30", "week", "friday", "04:30", None),
        ("daily 08:00", "day", None, "08:00", None),
        ("hourly", "hour", None, None, None),
        ("every 15 minutes", "minutes", None, None, 15),
    ],
)
def test_daemon_job_times_are_understood(
    at: str, every: str, weekday: str | None, time: str | None, minutes: int | None
) -> None:
    config = parse_config(ME + f'[[daemon.jobs]]\nrun = "sync"\nat = "{at}"\n')
    timing = config.daemon.jobs[0].timing
    assert (timing.every, timing.weekday, timing.time, timing.minutes) == (
        every,
        weekday,
        time,
        minutes,
    )


def test_send_pace_defaults_to_two_a_week_and_is_validated() -> None:
    assert parse_config(ME).send == SendConfig(max_per_person=2, per_days=7)
    assert parse_config(ME + "[send]\nmax_per_person = 3\nper_days = 14\n").send == SendConfig(
        3, 14
    )
    assert problems_of(ME + "[send]\nmax_per_person = 0\nper_dais = 7\n") == [
        "outreach.toml:6:1: unknown key 'per_dais' — did you mean 'per_days'?",
        "outreach.toml:5:1: 'max_per_person' must be positive, not 0",
    ]
