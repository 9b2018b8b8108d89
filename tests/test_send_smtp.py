"""Sending approved drafts through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from outreach.app.sending import send_drafts
from outreach.base.clock import fixed_clock
from outreach.base.model import Touch, TouchKind
from outreach.core.personal_line import message_parts
from outreach.mail.smtp import RateLimit
from outreach.store.journal import Journal
from outreach.store.journal.drafts import DraftStatus, list_drafts
from outreach.store.journal.touches import all_activity, record_touches, touches_for
from outreach.store.workspace import load_workspace
from tests.conftest import NOW, RunCli
from tests.support.drafts import write_every_personal_line, write_personal_line
from tests.support.workspaces import DEFAULT_ROSTER, make_workspace

PASSWORD = "correct horse"
ROSTER = DEFAULT_ROSTER + textwrap.dedent(
    """
    [contacts.cai]
    name = "Cai Wen"
    emails = ["cai@example.com"]
    tags = ["housing"]

    [contacts.zoe]
    name = "Zoë Ångström"
    emails = ["nobody@example.com"]
    tags = ["housing"]
    """
)
EVENTS = """\
[events.salon]
title = "Housing Salon"
host = "me"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
"""


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Mailroom:
    """The server's side: what arrived, and the faults to inject."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_data_at: int | None = None  # the Nth DATA (1-based) gets a 451
    data_count: int = 0
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_count += 1
        if self.fail_data_at == self.data_count:
            return "451 4.3.0 try again later"
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Certificates:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=outreach test CA",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        str(key),
        "-out",
        str(csr),
    )
    openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        str(ext),
        "-out",
        str(cert),
    )
    return Certificates(ca=ca, cert=cert, key=key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    room: Mailroom
    port: int
    tls: str


def start_server(certificates: Certificates, tls: str) -> tuple[Controller, SmtpServer]:
    room = Mailroom()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificates.cert), str(certificates.key))
    port = free_port()
    # aiosmtpd offers AUTH only after its own STARTTLS; under implicit TLS the
    # whole connection is encrypted, so it need not insist.
    options: dict[str, Any] = {
        "authenticator": room.authenticate,
        "auth_require_tls": tls == "starttls",
    }
    if tls == "implicit":
        options["ssl_context"] = context
    elif tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(room, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, SmtpServer(room, port, tls)


@pytest.fixture(params=["implicit", "starttls"])
def server(request: pytest.FixtureRequest, certificates: Certificates) -> Iterator[SmtpServer]:
    controller, running = start_server(certificates, request.param)
    yield running
    controller.stop()


@pytest.fixture
def plain_server(certificates: Certificates) -> Iterator[SmtpServer]:
    controller, running = start_server(certificates, "none")
    yield running
    controller.stop()


def workspace_for(
    tmp_path: Path, server: SmtpServer, certificates: Certificates, *, ca: bool = True
) -> Path:
    smtp = textwrap.dedent(
        f"""
        [smtp]
        host = "127.0.0.1"
        port = {server.port}
        tls = "{server.tls}"
        username = "dana"
        password_env = "SMTP_PASSWORD"
        rate_per_minute = 600
        timeout_seconds = 10
        """
    )
    if ca:
        smtp += f'ca_file = "{certificates.ca}"\n'
    return make_workspace(tmp_path / "ws", roster=ROSTER, events=EVENTS, extra_config=smtp)


ENV = {"SMTP_PASSWORD": PASSWORD}


def read_message(path: Path) -> str:
    """The text part of the draft at `path`, decoded."""
    text = message_parts(path.read_bytes()).text
    assert text is not None
    return text


def draft_all(run_cli: RunCli, root: Path) -> None:
    run_cli("--home", str(root), "--as-of", "2026-06-15", "draft", "shares")
    write_every_personal_line(root / "drafts")


def test_sent_draft_arrives_intact_and_records_a_self_promoting_share(
    tmp_path: Path, server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, server, certificates)
    draft_all(run_cli, root)
    original = (root / "drafts" / "share-salon-ana.eml").read_bytes()
    result = run_cli(
        "--home", str(root), "--as-of", "2026-06-16", "drafts", "send", "1", "--yes", environ=ENV
    )
    assert result.stdout == (
        "to send (1):\n"
        "     1  ana@example.net                   "
        "Housing Salon, Wednesday 1 July\n"
        "sent 1/1: draft 1 to ana@example.net\n"
        "1 sent\n"
    )
    (arrived,) = server.room.received
    assert arrived.mail_from == "dana@example.org"
    assert arrived.rcpt_tos == ["ana@example.net"]
    assert arrived.content == original
    assert server.room.logins == ["dana"]
    assert not (root / "drafts" / "share-salon-ana.eml").exists()
    assert (root / "sent" / "share-salon-ana.eml").read_bytes() == original
    with Journal.open(root / "journal.db") as journal:
        (sent,) = list_drafts(journal, statuses=[DraftStatus.SENT])
        assert sent.path == "sent/share-salon-ana.eml"
        assert sent.sent_at is not None and sent.sent_at.date().isoformat() == "2026-06-16"
        activity = all_activity(journal)
        kinds = {(t.kind, t.self_promotion) for t in touches_for(journal, "ana")}
    # The user's own event: contact with Ana, counted as self-promotion, not support.
    assert kinds == {(TouchKind.SENT, False), (TouchKind.SHARE, True)}
    assert activity["ana"].last_support_at is None


def test_unverified_certificate_is_refused_and_nothing_recorded(
    tmp_path: Path, server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, server, certificates, ca=False)
    draft_all(run_cli, root)
    files = sorted((root / "drafts").glob("*.eml"))
    result = run_cli("--home", str(root), "drafts", "send", "--all", "--yes", environ=ENV, expect=1)
    assert result.stderr.startswith(f"outreach: 127.0.0.1:{server.port}: certificate not verified")
    assert "hint: if the server uses its own certificate authority, set ca_file" in result.stderr
    assert server.room.received == []
    with Journal.open(root / "journal.db") as journal:
        assert {d.status for d in list_drafts(journal)} == {DraftStatus.DRAFTED}
        assert journal.connection.execute("SELECT COUNT(*) FROM touches").fetchone() == (0,)
    assert files and sorted((root / "drafts").glob("*.eml")) == files
    assert not (root / "sent").exists()


def test_failure_midway_leaves_the_rest_unsent_and_a_rerun_sends_nothing_twice(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    plain_server.room.refuse.clear()
    draft_all(run_cli, root)  # ana, ben, cai, zoe (four drafts)
    plain_server.room.fail_data_at = 2
    result = run_cli(
        "--home", str(root), "drafts", "send", "1", "2", "3", "--yes", environ=ENV, expect=1
    )
    assert result.stderr.splitlines()[0] == (
        f"outreach: 127.0.0.1:{plain_server.port}: message refused: 451 4.3.0 try again later"
        " (draft 2; 1 sent before it, 2 left unsent)"
    )
    assert [r.rcpt_tos for r in plain_server.room.received] == [["ana@example.net"]]
    with Journal.open(root / "journal.db") as journal:
        statuses = {d.id: d.status for d in list_drafts(journal)}
        touched = journal.connection.execute("SELECT DISTINCT contact_id FROM touches").fetchall()
    assert statuses == {1: "sent", 2: "drafted", 3: "drafted", 4: "drafted"}
    assert touched == [("ana",)]
    assert sorted(p.name for p in (root / "drafts").glob("*.eml")) == [
        "share-salon-ben.eml",
        "share-salon-cai.eml",
        "share-salon-zoe.eml",
    ]
    result = run_cli("--home", str(root), "drafts", "send", "1", "2", "3", "--yes", environ=ENV)
    assert result.stdout.splitlines()[-3:] == [
        "sent 1/2: draft 2 to ben@example.net",
        "sent 2/2: draft 3 to cai@example.com",
        "2 sent",
    ]
    assert result.stderr == "note: draft 1: already sent, not sent again\n"
    arrived = [r.rcpt_tos[0] for r in plain_server.room.received]
    assert arrived == ["ana@example.net", "ben@example.net", "cai@example.com"]
    again = run_cli("--home", str(root), "drafts", "send", "1", "2", "3", "--yes", environ=ENV)
    assert again.stdout == "nothing to send\n"
    assert len(plain_server.room.received) == 3


def test_refused_recipient_is_reported_and_the_draft_kept(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    plain_server.room.refuse.add("nobody@example.com")
    draft_all(run_cli, root)
    result = run_cli("--home", str(root), "drafts", "send", "--all", "--yes", environ=ENV, expect=1)
    assert result.stdout.splitlines()[-1] == "3 sent"
    assert result.stderr.splitlines()[0] == (
        f"outreach: draft 4 kept, not sent: 127.0.0.1:{plain_server.port}: recipient refused:"
        " nobody@example.com: 550 5.1.1 no such user here"
    )
    assert (root / "drafts" / "share-salon-zoe.eml").exists()
    with Journal.open(root / "journal.db") as journal:
        (kept,) = list_drafts(journal, statuses=[DraftStatus.DRAFTED])
    assert kept.recipients == ("zoe",)
    assert len(plain_server.room.received) == 3


def test_wrong_password_is_one_line_without_the_secret(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    draft_all(run_cli, root)
    result = run_cli(
        "--home",
        str(root),
        "drafts",
        "send",
        "--all",
        "--yes",
        environ={"SMTP_PASSWORD": "hunter2"},
        expect=1,
    )
    first, *rest = result.stderr.splitlines()
    assert first.startswith(f"outreach: 127.0.0.1:{plain_server.port}: login refused: 535")
    assert len(rest) == 1 and rest[0].startswith("hint: ")  # the error is one line, then a hint
    assert "hunter2" not in result.stderr
    assert plain_server.room.received == []
    with Journal.open(root / "journal.db") as journal:
        assert {d.status for d in list_drafts(journal)} == {DraftStatus.DRAFTED}


def test_rate_limit_spaces_messages_without_waiting_in_tests(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    config = (root / "outreach.toml").read_text()
    (root / "outreach.toml").write_text(
        config.replace("rate_per_minute = 600", "rate_per_minute = 30")
    )
    draft_all(run_cli, root)
    elapsed = [100.0]
    pauses: list[float] = []

    def monotonic() -> float:
        return elapsed[0]

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        elapsed[0] += seconds

    workspace = load_workspace(root)
    with Journal.open(workspace.journal_path) as journal:
        result, _ = send_drafts(
            workspace,
            journal,
            clock=fixed_clock(NOW),
            environ=ENV,
            ids=[1, 2, 3],
            sleep=sleep,
            monotonic=monotonic,
        )
    assert result.sent == (1, 2, 3)
    assert pauses == [2.0, 2.0]  # 30 a minute: one every two seconds, the first at once


def test_rate_limit_does_not_pause_when_time_has_passed() -> None:
    now = [0.0]
    pauses: list[float] = []
    limit = RateLimit(per_minute=6, sleep=pauses.append, monotonic=lambda: now[0])
    limit.wait()
    now[0] = 15.0
    limit.wait()
    assert pauses == []
    now[0] = 17.0
    limit.wait()
    assert pauses == [8.0]


def test_send_without_smtp_section_says_what_to_do(tmp_path: Path, run_cli: RunCli) -> None:
    root = make_workspace(tmp_path / "ws", events=EVENTS)
    draft_all(run_cli, root)
    result = run_cli("--home", str(root), "drafts", "send", "--all", expect=2)
    assert result.stderr == (
        f"{root / 'outreach.toml'}: no [smtp] section: outreach cannot send\n"
        "hint: add [smtp] with host, port, tls and username, or send the drafts from your"
        " mail client after `outreach drafts push`\n"
    )
    result = run_cli("--home", str(root), "drafts", "send", expect=2)
    assert result.stderr.startswith("drafts send: name the drafts to send (IDs), or give --all")


def test_starttls_missing_means_no_login_and_no_send(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    config = (root / "outreach.toml").read_text().replace('tls = "none"', 'tls = "starttls"')
    (root / "outreach.toml").write_text(config)
    draft_all(run_cli, root)
    result = run_cli("--home", str(root), "drafts", "send", "--all", "--yes", environ=ENV, expect=1)
    assert result.stderr.splitlines()[0] == (
        f"outreach: 127.0.0.1:{plain_server.port}: the server does not offer STARTTLS;"
        " refusing to send without TLS"
    )
    assert plain_server.room.logins == [] and plain_server.room.received == []


def test_an_intro_with_one_refused_recipient_goes_to_neither(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    plain_server.room.refuse.add("nobody@example.com")
    run_cli("--home", str(root), "--as-of", "2026-06-15", "draft", "intro", "ana", "zoe")
    write_every_personal_line(root / "drafts", "You both run tenant meetings.")
    result = run_cli("--home", str(root), "drafts", "send", "--all", "--yes", environ=ENV, expect=1)
    assert "recipient refused: nobody@example.com" in result.stderr
    # Ana must not get half an introduction: the message went to no one.
    assert plain_server.room.received == []
    with Journal.open(root / "journal.db") as journal:
        (kept,) = list_drafts(journal, statuses=[DraftStatus.DRAFTED])
        assert kept.recipients == ("ana", "zoe")
        assert touches_for(journal, "ana") == []


def test_open_personal_line_is_held_back_until_written(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    run_cli("--home", str(root), "--as-of", "2026-06-15", "draft", "shares")
    refused = run_cli("--home", str(root), "drafts", "send", "1", "--yes", environ=ENV, expect=1)
    assert (refused.stdout, refused.stderr) == (
        "held back: draft 1 to ana@example.net: drafts/share-salon-ana.eml: its personal line"
        " is still open: [[ your line: why this made you think of Ana ]]; write it with"
        " `outreach drafts edit 1` (or in your mail client after `outreach drafts push`), or"
        ' set personal_line = "optional" under [drafts]\n'
        "nothing to send\n",
        "",
    )
    assert plain_server.room.received == []
    write_personal_line(root / "drafts" / "share-salon-ana.eml", "You asked me about salons.")
    sent = run_cli("--home", str(root), "drafts", "send", "1", "--yes", environ=ENV)
    assert sent.stdout.endswith("sent 1/1: draft 1 to ana@example.net\n1 sent\n")
    (arrived,) = plain_server.room.received
    assert b"You asked me about salons." in arrived.content and b"[[" not in arrived.content


def test_optional_personal_line_left_open_is_removed_when_sent(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    config = root / "outreach.toml"
    config.write_text(config.read_text() + '\n[drafts]\npersonal_line = "optional"\n')
    run_cli("--home", str(root), "--as-of", "2026-06-15", "draft", "shares")
    result = run_cli("--home", str(root), "drafts", "send", "--all", "--yes", environ=ENV)
    assert result.stdout.endswith("4 sent\n")
    assert len(plain_server.room.received) == 4
    assert not any(b"[[" in arrived.content for arrived in plain_server.room.received)
    # The file kept in sent/ is what went out.
    sent_copy = (root / "sent" / "share-salon-ana.eml").read_bytes()
    assert sent_copy == plain_server.room.received[0].content


COMMONS = ROSTER + textwrap.dedent(
    """
    [contacts.commons]
    name = "Eastside Commons"
    kind = "org"
    greeting = "Jo and the Commons team"
    emails = ["hello@commons.example.org"]
    """
)
BENS_FAIR = """\
[events.fair]
title = "Housing fair"
host = "ben"
start = 2026-07-01T18:00:00Z
tags = ["housing"]
share_with = ["tag:housing", "commons"]
"""


def test_one_event_to_every_recipient_promotes_its_host_once_and_supports_no_recipient(
    tmp_path: Path, plain_server: SmtpServer, certificates: Certificates, run_cli: RunCli
) -> None:
    root = workspace_for(tmp_path, plain_server, certificates)
    (root / "roster.toml").write_text(COMMONS)
    (root / "events.toml").write_text(BENS_FAIR)
    config = root / "outreach.toml"
    config.write_text(config.read_text() + '\n[drafts]\npersonal_line = "optional"\n')
    home = ["--home", str(root), "--as-of", "2026-06-15"]
    with Journal.open(root / "journal.db") as journal:
        record_touches(
            journal,
            [Touch("cai", TouchKind.MEETING, NOW.replace(month=5), detail="lunch")],
            now=NOW,
        )

    def figures() -> tuple[int, dict[str, str | None]]:
        data = json.loads(run_cli(*home, "report", "--format", "json").stdout)
        support = {c["id"]: c["last_support"] for c in data["contacts"]}
        return data["health"]["promotion"]["others"], support

    others_before, support_before = figures()
    drafted = run_cli(*home, "draft", "shares").stdout
    assert drafted.splitlines()[:4] == [
        "    1  drafts/share-fair-ana.eml  Housing fair, Wednesday 1 July (Ben)",
        "    2  drafts/share-fair-cai.eml  Housing fair, Wednesday 1 July (Ben)",
        "    3  drafts/share-fair-zoe.eml  Housing fair, Wednesday 1 July (Ben)",
        "    4  drafts/share-fair-commons.eml  Housing fair, Wednesday 1 July (Ben)",
    ]
    commons = read_message(root / "drafts" / "share-fair-commons.eml")
    assert commons.splitlines()[0] == "Hi Jo and the Commons team,"
    plain_server.room.refuse.add("nobody@example.com")  # zoe's address: one draft kept
    run_cli(*home, "drafts", "send", "--all", "--yes", environ=ENV, expect=1)
    others_after, support_after = figures()
    assert others_after == others_before + 1
    assert support_before["ben"] is None and support_after["ben"] is not None
    assert support_after["ben"].startswith("2026-06-15")
    # The recipients were in touch, not supported: their last support stays put.
    for recipient in ("ana", "cai", "zoe", "commons"):
        assert support_after[recipient] == support_before[recipient]
    assert support_before["cai"] is not None
