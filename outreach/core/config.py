"""`outreach.toml`: the user's settings, parsed and validated as a whole.

Pure: takes the file's text and returns a `Config`, or raises one InputError
listing every problem with its `file:line:col:`. Reading the file, checking
its permissions and running password commands happen at the edges.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from dataclasses import MISSING, dataclass, field
from pathlib import PurePath
from typing import Any

from outreach.base.errors import InputError, Problem
from outreach.base.model import Circle
from outreach.core.addresses import AddressError, normalise_address
from outreach.core.render_limits import DEFAULT_MAX_KIB, DEFAULT_SECONDS
from outreach.core.tomlsource import KeyLocator, KeyPath, TomlSyntaxError, parse_toml
from outreach.core.validation import Validator

CONFIG_FILE = "outreach.toml"
DEFAULT_CIRCLES = {"focus": 14, "extended": 60}
LOOPBACK_HOSTS = {"localhost", "::1"}
MAILBOX_KINDS = ("imap", "maildir")  # the first is the default
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Tls(enum.StrEnum):
    IMPLICIT = "implicit"
    STARTTLS = "starttls"
    NONE = "none"  # only for a loopback host, and only when asked for


DEFAULT_TLS = Tls.IMPLICIT


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str
    aliases: tuple[str, ...] = ()  # other addresses of the user's own

    @property
    def addresses(self) -> tuple[str, ...]:
        return (self.email, *self.aliases)

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class Credentials:
    """Where a secret comes from; never the secret itself unless the user insists."""

    password_command: str | None = None
    password_env: str | None = None
    password: str | None = None  # allowed only in a file readable by its owner alone
    oauth2_token_command: str | None = None


@dataclass(frozen=True, slots=True)
class ImapMailbox:
    name: str
    host: str
    port: int
    tls: Tls
    username: str
    credentials: Credentials
    folders: tuple[str, ...] = ()  # empty: INBOX plus the Sent folder
    ca_file: str | None = None
    sent_folder: str | None = None  # overrides discovery (SPECIAL-USE, then usual names)
    drafts_folder: str | None = None
    timeout_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class MaildirMailbox:
    name: str
    path: str  # a Maildir or a Maildir++ tree; relative to the workspace
    folders: tuple[str, ...] = ()  # empty: the inbox and every Maildir++ folder


Mailbox = ImapMailbox | MaildirMailbox


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    tls: Tls
    username: str | None
    credentials: Credentials
    ca_file: str | None = None
    rate_per_minute: float = 20.0
    timeout_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class Paths:
    roster: str = "roster.toml"
    events: str = "events.toml"
    templates: str = "templates"
    drafts: str = "drafts"
    sent: str = "sent"
    journal: str = "journal.db"


@dataclass(frozen=True, slots=True)
class DraftsConfig:
    push: bool = False  # push each new draft to the IMAP Drafts folder as it is made
    mailbox: str | None = None  # which IMAP mailbox receives drafts; default the first
    render_seconds: float = DEFAULT_SECONDS  # the longest one template may take to render
    render_max_kib: int = DEFAULT_MAX_KIB  # the largest output one template may make
    # "required": `drafts send` holds back a draft whose personal line is open;
    # "optional": the open slot is removed when the draft is sent.
    personal_line: str = "required"


@dataclass(frozen=True, slots=True)
class SendConfig:
    """The pace per person: at most `max_per_person` emails within `per_days` days.

    Two a week lets an introduction ask and a share reach someone in the same
    week, yet never the four-in-a-day that reads as a mailing list; it stays
    well inside the focus circle's default 14-day cadence.
    """

    max_per_person: int = 2
    per_days: int = 7


@dataclass(frozen=True, slots=True)
class SyncConfig:
    group_threshold: int = 10  # more To+Cc recipients than this is group mail
    batch_size: int = 2000  # UIDs per FETCH; servers limit command line length


@dataclass(frozen=True, slots=True)
class ReportConfig:
    days: int = 90
    ratio_target: float = 3.0
    intro_timeout_days: int = 14
    focus_min: int = 8
    focus_max: int = 10
    meet_every_days: int = 180  # a focus contact not met for longer gets "meet in person"


@dataclass(frozen=True, slots=True)
class FollowConfig:
    share_within_days: int = 14  # a post older than this is not shared any more
    recent_days: int = 14  # what counts as recent work, for feedback and the digest


@dataclass(frozen=True, slots=True)
class JobTiming:
    """When a daemon job runs: weekly on a day, daily, hourly, or every N minutes."""

    every: str  # "week" | "day" | "hour" | "minutes"
    weekday: str | None = None
    time: str | None = None  # "HH:MM"
    minutes: int | None = None

    @classmethod
    def parse(cls, text: str) -> JobTiming | None:
        words = text.lower().split()
        clock = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
        match words:
            case [day, hhmm] if day in WEEKDAYS and clock.match(hhmm):
                return cls("week", weekday=day, time=hhmm.zfill(5))
            case ["daily", hhmm] | ["every", "day", hhmm] if clock.match(hhmm):
                return cls("day", time=hhmm.zfill(5))
            case ["hourly"]:
                return cls("hour")
            case ["every", count, "minutes" | "minute"] if count.isdigit() and int(count) > 0:
                return cls("minutes", minutes=int(count))
        return None


@dataclass(frozen=True, slots=True)
class DaemonJob:
    run: str  # a CLI subcommand line, such as "draft shares" or "report --email"
    at: str
    timing: JobTiming


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    sync_every_minutes: int = 10
    idle: bool = True
    jobs: tuple[DaemonJob, ...] = ()
    log_file: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    me: Identity
    circles: dict[str, Circle] = field(
        default_factory=lambda: {n: Circle(n, d) for n, d in DEFAULT_CIRCLES.items()}
    )
    mailboxes: tuple[Mailbox, ...] = ()
    paths: Paths = Paths()
    drafts: DraftsConfig = DraftsConfig()
    smtp: SmtpConfig | None = None
    send: SendConfig = SendConfig()
    sync: SyncConfig = SyncConfig()
    report: ReportConfig = ReportConfig()
    daemon: DaemonConfig = DaemonConfig()
    follow: FollowConfig = FollowConfig()
    timezone: str | None = None  # for daemon job times; default the machine's
    path: str = CONFIG_FILE

    def mailbox(self, name: str) -> Mailbox | None:
        return next((m for m in self.mailboxes if m.name == name), None)

    def cadence(self, circle: str) -> int:
        found = self.circles.get(circle)
        return found.cadence_days if found else DEFAULT_CIRCLES["extended"]


def _default(cls: type[Any], name: str) -> Any:
    """The default a dataclass states for a field: the one place each default is written.

    The readers below pass it to the validator, which falls back on it when a
    key is absent or wrong, so the file's defaults cannot drift from the model's.
    """
    default = cls.__dataclass_fields__[name].default
    assert default is not MISSING, f"{cls.__name__}.{name} has no default"
    return default


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or re.fullmatch(r"127(\.\d{1,3}){3}", host) is not None


def parse_config(text: str, path: str = CONFIG_FILE) -> Config:
    """Parse and validate outreach.toml, reporting every problem at once."""
    try:
        data = parse_toml(text, path)
    except TomlSyntaxError as exc:
        raise InputError([exc.problem]) from None
    check = Validator(path, KeyLocator(text))
    config = _read_config(data, check, path)
    InputError.collect(check.problems)
    assert config is not None
    return config


_TOP_KEYS = (
    "me",
    "circles",
    "mailboxes",
    "paths",
    "drafts",
    "smtp",
    "send",
    "sync",
    "report",
    "daemon",
    "follow",
    "timezone",
)


def _read_config(data: dict[str, Any], check: Validator, path: str) -> Config | None:
    check.unknown_keys(data, _TOP_KEYS, ())
    if "me" not in data:
        check.error((), "missing the [me] table: your name and email, used as From in drafts")
    me = _read_identity(check.table(data, "me", ()), check)
    circles = _read_circles(check.table(data, "circles", ()), check)
    mailboxes = _read_mailboxes(check.table_list(data, "mailboxes", ()), check)
    names = [m.name for m in mailboxes]
    for index, name in enumerate(names):
        if name in names[:index]:
            check.error(("mailboxes", index, "name"), f"mailbox name '{name}' is used twice")
    drafts = _read_drafts(check.table(data, "drafts", ()), check)
    imap_names = [m.name for m in mailboxes if isinstance(m, ImapMailbox)]
    if drafts.mailbox is not None and drafts.mailbox not in imap_names:
        check.error(
            ("drafts", "mailbox"),
            f"drafts.mailbox '{drafts.mailbox}' is not an IMAP mailbox defined here",
        )
    smtp = _read_smtp(check.table(data, "smtp", ()), check) if "smtp" in data else None
    timezone = check.string(data, "timezone", ())
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            check.error(
                ("timezone",),
                f"unknown time zone '{timezone}' (use a name such as 'Europe/Berlin')",
            )
            timezone = None
    if me is None:
        return None
    return Config(
        me=me,
        circles=circles,
        mailboxes=tuple(mailboxes),
        paths=_read_paths(check.table(data, "paths", ()), check),
        drafts=drafts,
        smtp=smtp,
        send=_read_send(check.table(data, "send", ()), check),
        sync=_read_sync(check.table(data, "sync", ()), check),
        report=_read_report(check.table(data, "report", ()), check),
        daemon=_read_daemon(check.table(data, "daemon", ()), check),
        follow=_read_follow(check.table(data, "follow", ()), check),
        timezone=timezone,
        path=path,
    )


def _read_identity(table: dict[str, Any], check: Validator) -> Identity | None:
    check.unknown_keys(table, ("name", "email", "aliases"), ("me",))
    name = check.string(table, "name", ("me",), required=True)
    email = check.string(table, "email", ("me",), required=True)
    aliases = check.string_list(table, "aliases", ("me",))
    normalised: list[str] = []
    for key, value in [("email", email), *(("aliases", a) for a in aliases)]:
        if value is None:
            continue
        try:
            normalised.append(normalise_address(value))
        except AddressError as exc:
            check.error(("me", key), f"'{value}' is not a valid address: {exc}", value=value)
    if name is None or email is None or len(normalised) != 1 + len(aliases):
        return None
    return Identity(name=name, email=normalised[0], aliases=tuple(normalised[1:]))


def _read_circles(table: dict[str, Any], check: Validator) -> dict[str, Circle]:
    circles = {n: Circle(n, d) for n, d in DEFAULT_CIRCLES.items()}
    for name, body in table.items():
        where: KeyPath = ("circles", name)
        if not isinstance(body, dict):
            check.error(where, f"circle '{name}' must be a table, like [circles.{name}]")
            continue
        check.unknown_keys(body, ("cadence_days",), where)
        days = check.integer(body, "cadence_days", where, required=True, minimum=1)
        if days is not None:
            circles[name] = Circle(name, days)
    return circles


def _read_credentials(table: dict[str, Any], where: KeyPath, check: Validator) -> Credentials:
    creds = Credentials(
        password_command=check.string(table, "password_command", where),
        password_env=check.string(table, "password_env", where),
        password=check.string(table, "password", where),
        oauth2_token_command=check.string(table, "oauth2_token_command", where),
    )
    given = [
        k
        for k in ("password_command", "password_env", "password", "oauth2_token_command")
        if k in table
    ]
    if len(given) > 1:
        check.error((*where, given[1]), f"give one of {', '.join(given)}, not several")
    return creds


_CREDENTIAL_KEYS = ("password_command", "password_env", "password", "oauth2_token_command")


def _read_tls(table: dict[str, Any], where: KeyPath, check: Validator, host: str | None) -> Tls:
    value = check.string(table, "tls", where, choices=[t.value for t in Tls])
    tls = Tls(value) if value is not None else DEFAULT_TLS
    if tls is Tls.NONE and host is not None and not is_loopback(host):
        check.error(
            (*where, "tls"),
            f'tls = "none" is allowed only for a loopback host, not'
            f" '{host}': passwords would cross the network in plain text",
        )
    return tls


def _read_mailboxes(tables: list[dict[str, Any]], check: Validator) -> list[Mailbox]:
    mailboxes: list[Mailbox] = []
    for index, table in enumerate(tables):
        where: KeyPath = ("mailboxes", index)
        kind = check.string(
            table, "kind", where, default=MAILBOX_KINDS[0], choices=list(MAILBOX_KINDS)
        )
        name = check.string(table, "name", where, required=True) or f"mailbox{index + 1}"
        folders = check.string_list(table, "folders", where)
        if kind == "maildir":
            check.unknown_keys(table, ("name", "kind", "path", "folders"), where)
            maildir_path = check.string(table, "path", where, required=True)
            if maildir_path is not None:
                mailboxes.append(MaildirMailbox(name=name, path=maildir_path, folders=folders))
            continue
        check.unknown_keys(
            table,
            (
                "name",
                "kind",
                "host",
                "port",
                "tls",
                "username",
                "folders",
                "ca_file",
                "timeout_seconds",
                "sent_folder",
                "drafts_folder",
                *_CREDENTIAL_KEYS,
            ),
            where,
        )
        host = check.string(table, "host", where, required=True)
        tls = _read_tls(table, where, check, host)
        port = check.integer(
            table, "port", where, minimum=1, default=993 if tls is Tls.IMPLICIT else 143
        )
        username = check.string(table, "username", where, required=True)
        credentials = _read_credentials(table, where, check)
        if not any(k in table for k in _CREDENTIAL_KEYS):
            check.error(
                where,
                f"mailbox '{name}' needs password_command, password_env or oauth2_token_command",
            )
        ca_file = check.string(table, "ca_file", where)
        sent_folder = check.string(table, "sent_folder", where)
        drafts_folder = check.string(table, "drafts_folder", where)
        timeout = check.number(
            table,
            "timeout_seconds",
            where,
            default=_default(ImapMailbox, "timeout_seconds"),
            minimum=1.0,
        )
        if host is not None and username is not None and port is not None:
            mailboxes.append(
                ImapMailbox(
                    name=name,
                    host=host,
                    port=port,
                    tls=tls,
                    username=username,
                    credentials=credentials,
                    folders=folders,
                    ca_file=ca_file,
                    timeout_seconds=timeout,
                    sent_folder=sent_folder,
                    drafts_folder=drafts_folder,
                )
            )
    return mailboxes


def _read_smtp(table: dict[str, Any], check: Validator) -> SmtpConfig | None:
    where: KeyPath = ("smtp",)
    check.unknown_keys(
        table,
        (
            "host",
            "port",
            "tls",
            "username",
            "ca_file",
            "rate_per_minute",
            "timeout_seconds",
            *_CREDENTIAL_KEYS,
        ),
        where,
    )
    host = check.string(table, "host", where, required=True)
    tls = _read_tls(table, where, check, host)
    port = check.integer(
        table,
        "port",
        where,
        minimum=1,
        default={Tls.IMPLICIT: 465, Tls.STARTTLS: 587, Tls.NONE: 25}[tls],
    )
    smtp = SmtpConfig(
        host=host or "",
        port=port or 0,
        tls=tls,
        username=check.string(table, "username", where),
        credentials=_read_credentials(table, where, check),
        ca_file=check.string(table, "ca_file", where),
        rate_per_minute=check.number(
            table,
            "rate_per_minute",
            where,
            default=_default(SmtpConfig, "rate_per_minute"),
            minimum=0.1,
        ),
        timeout_seconds=check.number(
            table,
            "timeout_seconds",
            where,
            default=_default(SmtpConfig, "timeout_seconds"),
            minimum=1.0,
        ),
    )
    return smtp if host else None


def _read_paths(table: dict[str, Any], check: Validator) -> Paths:
    check.unknown_keys(table, Paths.__dataclass_fields__, ("paths",))
    values: dict[str, str] = {}
    for key in Paths.__dataclass_fields__:
        value = check.string(table, key, ("paths",))
        if value is None:
            continue
        # Absolute paths are fine for a user's own layout; '..' is a likely typo.
        if ".." in PurePath(value).parts:
            check.error(
                ("paths", key),
                f"'{value}' leaves the workspace; use an absolute path if that is meant",
            )
            continue
        values[key] = value
    return Paths(**values)


def _read_drafts(table: dict[str, Any], check: Validator) -> DraftsConfig:
    check.unknown_keys(
        table, ("push", "mailbox", "render_seconds", "render_max_kib", "personal_line"), ("drafts",)
    )
    personal_line = check.string(table, "personal_line", ("drafts",)) or "required"
    if personal_line not in ("required", "optional"):
        check.error(
            ("drafts", "personal_line"),
            f'personal_line must be "required" or "optional", not "{personal_line}"',
        )
        personal_line = "required"
    return DraftsConfig(
        push=check.boolean(table, "push", ("drafts",), default=_default(DraftsConfig, "push")),
        mailbox=check.string(table, "mailbox", ("drafts",)),
        render_seconds=check.number(
            table, "render_seconds", ("drafts",), default=DEFAULT_SECONDS, minimum=0.1
        ),
        render_max_kib=check.integer(
            table, "render_max_kib", ("drafts",), default=DEFAULT_MAX_KIB, minimum=1
        )
        or DEFAULT_MAX_KIB,
        personal_line=personal_line,
    )


def _read_send(table: dict[str, Any], check: Validator) -> SendConfig:
    where: KeyPath = ("send",)
    check.unknown_keys(table, SendConfig.__dataclass_fields__, where)
    default = SendConfig()
    return SendConfig(
        max_per_person=check.integer(
            table, "max_per_person", where, default=default.max_per_person, minimum=1
        )
        or default.max_per_person,
        per_days=check.integer(
            table, "per_days", where, default=default.per_days, minimum=1, maximum=366
        )
        or default.per_days,
    )


def _read_sync(table: dict[str, Any], check: Validator) -> SyncConfig:
    where: KeyPath = ("sync",)
    check.unknown_keys(table, SyncConfig.__dataclass_fields__, where)
    return SyncConfig(
        group_threshold=check.integer(
            table,
            "group_threshold",
            where,
            default=_default(SyncConfig, "group_threshold"),
            minimum=1,
        ),
        batch_size=check.integer(
            table, "batch_size", where, default=_default(SyncConfig, "batch_size"), minimum=1
        ),
    )


def _read_report(table: dict[str, Any], check: Validator) -> ReportConfig:
    where: KeyPath = ("report",)
    check.unknown_keys(table, ReportConfig.__dataclass_fields__, where)
    return ReportConfig(
        days=check.integer(
            table, "days", where, default=_default(ReportConfig, "days"), minimum=1, maximum=36_500
        ),
        ratio_target=check.number(
            table,
            "ratio_target",
            where,
            default=_default(ReportConfig, "ratio_target"),
            minimum=0.1,
        ),
        intro_timeout_days=check.integer(
            table,
            "intro_timeout_days",
            where,
            default=_default(ReportConfig, "intro_timeout_days"),
            minimum=1,
        ),
        focus_min=check.integer(
            table, "focus_min", where, default=_default(ReportConfig, "focus_min"), minimum=0
        ),
        focus_max=check.integer(
            table, "focus_max", where, default=_default(ReportConfig, "focus_max"), minimum=1
        ),
        meet_every_days=check.integer(
            table,
            "meet_every_days",
            where,
            default=_default(ReportConfig, "meet_every_days"),
            minimum=1,
        ),
    )


def _read_follow(table: dict[str, Any], check: Validator) -> FollowConfig:
    where: KeyPath = ("follow",)
    check.unknown_keys(table, FollowConfig.__dataclass_fields__, where)
    return FollowConfig(
        share_within_days=check.integer(
            table, "share_within_days", where, default=14, minimum=1, maximum=3650
        )
        or 14,
        recent_days=check.integer(table, "recent_days", where, default=14, minimum=1, maximum=3650)
        or 14,
    )


def _read_daemon(table: dict[str, Any], check: Validator) -> DaemonConfig:
    where: KeyPath = ("daemon",)
    check.unknown_keys(table, ("sync_every_minutes", "idle", "jobs", "log_file"), where)
    jobs: list[DaemonJob] = []
    for index, job in enumerate(check.table_list(table, "jobs", where)):
        job_where: KeyPath = ("daemon", "jobs", index)
        check.unknown_keys(job, ("run", "at"), job_where)
        run = check.string(job, "run", job_where, required=True)
        at = check.string(job, "at", job_where, required=True)
        if run is None or at is None:
            continue
        timing = JobTiming.parse(at)
        if timing is None:
            check.error(
                (*job_where, "at"),
                f'cannot read at = "{at}"; write a weekday and'
                ' a time ("monday 09:00"), "daily 08:30", "hourly" or'
                ' "every 15 minutes"',
            )
            continue
        jobs.append(DaemonJob(run=run, at=at, timing=timing))
    return DaemonConfig(
        sync_every_minutes=check.integer(
            table,
            "sync_every_minutes",
            where,
            default=_default(DaemonConfig, "sync_every_minutes"),
            minimum=1,
        ),
        idle=check.boolean(table, "idle", where, default=_default(DaemonConfig, "idle")),
        jobs=tuple(jobs),
        log_file=check.string(table, "log_file", where),
    )


__all__ = [
    "CONFIG_FILE",
    "Config",
    "Credentials",
    "DaemonConfig",
    "DaemonJob",
    "DraftsConfig",
    "Identity",
    "ImapMailbox",
    "JobTiming",
    "Mailbox",
    "MaildirMailbox",
    "Paths",
    "Problem",
    "ReportConfig",
    "SmtpConfig",
    "SyncConfig",
    "Tls",
    "parse_config",
]
