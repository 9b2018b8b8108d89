"""The workspace folder: finding it, loading its files, writing them atomically.

An edge: this module reads and writes files and nothing else. It hands the
text to the pure parsers (`config`, `roster`, `events`) and gathers their
problems, so one run reports everything wrong across all the files.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from outreach.base.collector import collector_paused
from outreach.base.errors import InputError, Problem, WorkspaceError
from outreach.base.model import Event, Roster
from outreach.core.config import CONFIG_FILE, Config, ImapMailbox, SmtpConfig, parse_config
from outreach.core.events import parse_events
from outreach.core.roster import read_roster
from outreach.core.tomlsource import KeyLocator
from outreach.store.cache import cache_key, read_cache, write_cache

if TYPE_CHECKING:
    from outreach.core.render import TemplateOverrides
    from outreach.core.render_limits import RenderLimits

HOME_ENV = "OUTREACH_HOME"


def resolve_home(
    home: str | os.PathLike[str] | None, environ: Mapping[str, str], cwd: Path
) -> Path:
    """The workspace folder: `--home`, else $OUTREACH_HOME, else the current folder."""
    chosen = home if home is not None else environ.get(HOME_ENV) or None
    if chosen is None:
        return cwd
    return (cwd / Path(chosen).expanduser()).resolve()


def atomic_write(
    path: Path, data: bytes | str, *, mode: int | None = None, durable: bool = True
) -> None:
    """Replace `path` with `data` all at once: readers see the old file or the new one.

    Writes a temporary file beside the target, fsyncs it, renames it over the
    target and fsyncs the folder, so a crash never leaves a half-written file.
    `durable=False` skips the fsyncs, for batches that sync once at the end.
    A failure (no space, no permission, a file where a folder should be) is a
    WorkspaceError naming the path; the old file is left as it was.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        _replace(path, payload, mode=mode, durable=durable)
    except (FileExistsError, NotADirectoryError) as exc:
        reason = "a file stands where a folder should be"
        raise WorkspaceError(f"{path}: cannot write: {reason}") from exc
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def _replace(path: Path, payload: bytes, *, mode: int | None, durable: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o644
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
        fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make renames inside `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Workspace:
    """A loaded workspace: its folder, settings, roster and events."""

    root: Path
    config: Config
    roster: Roster
    events: tuple[Event, ...]
    # Loaded for a read-only view although roster.toml or events.toml has these
    # problems: roster and events are then the last ones that validated, if any.
    broken: tuple[Problem, ...] = ()
    stale: bool = False

    def path(self, relative: str) -> Path:
        """A path from the config, relative to the workspace unless absolute."""
        return self.root / Path(relative).expanduser()

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def roster_path(self) -> Path:
        return self.path(self.config.paths.roster)

    @property
    def events_path(self) -> Path:
        return self.path(self.config.paths.events)

    @property
    def templates_dir(self) -> Path:
        return self.path(self.config.paths.templates)

    @property
    def drafts_dir(self) -> Path:
        return self.path(self.config.paths.drafts)

    @property
    def sent_dir(self) -> Path:
        return self.path(self.config.paths.sent)

    @property
    def journal_path(self) -> Path:
        return self.path(self.config.paths.journal)

    def template_overrides(self) -> TemplateOverrides:
        """The workspace's own templates, by file name, for `outreach.core.render.Templates`.

        With them the limits on what rendering may cost, from `[drafts]`.
        """
        return template_overrides(self.root, self.config)

    def refuse_to_overwrite_own_files(self, target: Path) -> None:
        """An export or report must never replace the files the user keeps by hand."""
        own = (self.config_path, self.roster_path, self.events_path, self.journal_path)
        if target.resolve() in {path.resolve() for path in own}:
            raise InputError(
                [Problem(str(target), "is one of the workspace's own files; write elsewhere")]
            )


def read_bytes(path: Path, shown: str) -> bytes:
    """A file's bytes; a file that is not there is bad input (exit 2), not a crash."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise InputError([Problem(shown, "no such file")]) from None
    except OSError as exc:
        raise WorkspaceError(f"{shown}: cannot read: {exc.strerror}") from exc


def read_text(path: Path, shown: str) -> str:
    data = read_bytes(path, shown)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(shown, f"not UTF-8 text: {exc.reason} at byte {exc.start}")]
        ) from None


def template_overrides(root: Path, config: Config) -> TemplateOverrides:
    """The templates of the workspace at `root`, with `[drafts]`' limits on rendering.

    Needs only the config, so `check` can render them while the roster is broken.
    """
    from outreach.core.render_limits import RenderLimits
    from outreach.store.watchdog import run_timed

    drafts = config.drafts
    limits = RenderLimits(
        seconds=drafts.render_seconds,
        max_chars=drafts.render_max_kib * 1024,
        runner=run_timed,
    )
    return read_template_overrides(root / Path(config.paths.templates).expanduser(), limits)


def read_template_overrides(folder: Path, limits: RenderLimits | None = None) -> TemplateOverrides:
    """Every file under `folder` (relative names with '/'), as text; none if no folder."""
    from outreach.core.render import TemplateOverrides  # Jinja2 loads only where templates are used

    sources: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(folder).as_posix()
                sources[name] = read_text(path, str(path))
    if limits is None:
        return TemplateOverrides(folder=folder, sources=sources)
    return TemplateOverrides(folder=folder, sources=sources, limits=limits)


def load_config(root: Path) -> Config:
    """Read and validate only outreach.toml (for commands that need no roster)."""
    return _read_config(root)[0]


def _read_config(root: Path) -> tuple[Config, str]:
    """The validated config and the text it came from."""
    config_path = root / CONFIG_FILE
    if not config_path.is_file():
        raise InputError(
            [Problem(str(config_path), "no outreach.toml here: this is not an outreach workspace")],
            hint=f"create one with `outreach init {root}` (add --example for a sample network),"
            " or point --home / $OUTREACH_HOME at an existing workspace",
        )
    text = read_text(config_path, str(config_path))
    config = parse_config(text, str(config_path))
    InputError.collect(_plain_password_problems(config, config_path, text))
    return config, text


def load_workspace(root: Path, *, read_only_view: bool = False) -> Workspace:
    """Read and validate config, roster and events, reporting every problem at once.

    A `read_only_view` (listing drafts, reading the journal) survives a
    roster or events file that does not validate: the workspace comes back
    with those problems in `broken`, and the roster and events last read
    cleanly (`stale`), or none. A broken outreach.toml still stops it.
    """
    config, config_text = _read_config(root)
    roster_path = root / Path(config.paths.roster).expanduser()
    events_path = root / Path(config.paths.events).expanduser()
    texts = [config_text] + [
        read_text(path, str(path)) if path.is_file() else None
        for path in (roster_path, events_path)
    ]
    key = cache_key(str(roster_path), str(events_path), *texts)
    with collector_paused():
        cached = read_cache(root, key)
    if cached is not None:
        roster, events = cached
    else:
        try:
            with collector_paused():
                roster, events = _validate(config, roster_path, texts[1], events_path, texts[2])
        except InputError as exc:
            if not read_only_view:
                raise
            return _last_good(root, config, exc.problems)
        write_cache(root, key, roster, events)
    return Workspace(root=root, config=config, roster=roster, events=events)


def _last_good(root: Path, config: Config, problems: tuple[Problem, ...]) -> Workspace:
    found = read_cache(root, None)
    roster, events = found if found is not None else (Roster.of(()), ())
    return Workspace(
        root=root,
        config=config,
        roster=roster,
        events=events,
        broken=problems,
        stale=found is not None,
    )


def _validate(
    config: Config,
    roster_path: Path,
    roster_text: str | None,
    events_path: Path,
    events_text: str | None,
) -> tuple[Roster, tuple[Event, ...]]:
    problems: list[Problem] = []
    roster = Roster.of(())
    if roster_text is not None:
        roster, roster_problems = read_roster(roster_text, config.circles, str(roster_path))
        problems += roster_problems
    else:
        problems.append(Problem(str(roster_path), "missing: the roster of your contacts"))
    events: tuple[Event, ...] = ()
    # Events name contacts; checking them against a roster with errors would
    # only repeat those errors in another guise.
    if events_text is not None and not problems:
        try:
            events = parse_events(
                events_text,
                roster,
                config.circles,
                str(events_path),
                default_zone=config.timezone,
            )
        except InputError as exc:
            problems += exc.problems
    InputError.collect(problems)
    return roster, events


def _plain_password_problems(config: Config, path: Path, text: str) -> list[Problem]:
    holders: list[tuple[tuple[str | int, ...], str]] = []
    for index, mailbox in enumerate(config.mailboxes):
        if isinstance(mailbox, ImapMailbox) and mailbox.credentials.password is not None:
            holders.append((("mailboxes", index, "password"), mailbox.name))
    if isinstance(config.smtp, SmtpConfig) and config.smtp.credentials.password is not None:
        holders.append((("smtp", "password"), "smtp"))
    if not holders:
        return []
    if stat.S_IMODE(path.stat().st_mode) & 0o077 == 0:
        return []
    locator = KeyLocator(text)
    return [
        locator.problem(
            str(path),
            key_path,
            f"a plain password for '{name}' in a file others can read; use"
            f" password_command or password_env, or run `chmod 600 {path}`",
        )
        for key_path, name in holders
    ]


__all__ = [
    "CONFIG_FILE",
    "Workspace",
    "atomic_write",
    "load_config",
    "load_workspace",
    "resolve_home",
]
